"""Text messages to parents: the result at the publication time, the reminder before the
deadline, the released place, the receipt of a confirmation; each once per application.

The published round of ``results_helpers``: ``an`` admitted to Quỳnh Hải (B) at NV1, ``lan``
to An Bài (A) at NV1, ``minh`` to A at NV2, ``hoa`` not admitted; results from 1 July 2025
08:00, confirmation until 15 July 2025 17:00 (Asia/Ho_Chi_Minh).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.utils import timezone

from truongso.admissions import sms, tasks
from truongso.admissions.models import (
    AdmissionRound,
    Application,
    ApplicationStatus,
    NoticeKind,
    ParentNotice,
    RoundStatus,
    SmsMessage,
)
from truongso.admissions.services import confirm, notify, runs
from truongso.admissions.services.confirm import ParentPhone
from truongso.admissions.tests.results_helpers import (
    AFTER,
    DEADLINE,
    DURING,
    PUBLISHED,
    Published,
    published_round,
)
from truongso.admissions.tests.rounds_world import apply, make_round
from truongso.admissions.tests.test_otp import FakeGateway, gateway  # noqa: F401
from truongso.core.authz import SYSTEM
from truongso.core.models import AuditEntry
from truongso.registry.models import OrgUnit

SITE = "https://truongso.example.vn"
URL = f"{SITE}/admissions/results/"
ROUND = "Ket qua tuyen sinh lop 6 nam hoc 2025-2026"
RESULTS = {
    "0912345678": f"{ROUND}: ho so TS25000001 trung tuyen Truong THCS Quynh Hai (NV1); "
    f"xac nhan nhap hoc truoc 17:00 15/07/2025 tai {URL}",
    "0987111222": f"{ROUND}: ho so TS25000002 trung tuyen Truong THCS An Bai (NV1); "
    f"xac nhan nhap hoc truoc 17:00 15/07/2025 tai {URL}",
    "0987333444": f"{ROUND}: ho so TS25000003 trung tuyen Truong THCS An Bai (NV2); "
    f"xac nhan nhap hoc truoc 17:00 15/07/2025 tai {URL}",
    "0987555666": f"{ROUND}: ho so TS25000004 da co ket qua. Xem tai {URL}",
}


@pytest.fixture
def outbox(settings: Any, tmp_path: Path) -> Callable[[], list[tuple[str, str]]]:
    """The file backend; returns a reader of the (to, text) lines written so far."""
    path = tmp_path / "sms.jsonl"
    settings.ADMISSIONS_SMS_BACKEND = "file"
    settings.ADMISSIONS_SMS_FILE = str(path)
    settings.SITE_ROOT = SITE
    settings.ADMISSIONS_REMIND_HOURS = 24

    def read() -> list[tuple[str, str]]:
        if not path.exists():
            return []
        lines = [json.loads(line) for line in path.read_text("utf-8").splitlines()]
        return [(line["to"], line["text"]) for line in lines]

    return read


@pytest.fixture
def pub(world: Any) -> Published:
    return published_round(world)


@pytest.fixture
def commit(django_capture_on_commit_callbacks: Any) -> Callable[[], Any]:
    """A block whose after-commit callbacks (the deliveries) run at its end, as they run
    after the commit outside a test's transaction."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


@pytest.fixture
def send(commit: Callable[[], Any]) -> Callable[..., dict[str, int]]:
    def run(now: dt.datetime, batch: int = notify.BATCH) -> dict[str, int]:
        with commit():
            return notify.notices_due_send(now=now, batch=batch)

    return run


Outbox = Callable[[], list[tuple[str, str]]]
Send = Callable[..., dict[str, int]]
Commit = Callable[[], Any]


@pytest.mark.django_db
def test_results_go_out_at_the_publication_time_not_before(
    pub: Published, outbox: Outbox, send: Send
) -> None:
    assert send(PUBLISHED - dt.timedelta(seconds=1)) == {"result": 0, "reminder": 0, "released": 0}
    assert outbox() == []
    assert not SmsMessage.objects.exists()
    assert send(PUBLISHED) == {"result": 4, "reminder": 0, "released": 0}
    assert dict(outbox()) == RESULTS
    assert len(outbox()) == 4
    assert set(SmsMessage.objects.values_list("backend", "status")) == {("file", "sent")}
    notices = ParentNotice.objects.filter(kind=NoticeKind.RESULT)
    assert sorted(notices.values_list("application__code", "message__phone")) == [
        ("TS25000001", "0912345678"),
        ("TS25000002", "0987111222"),
        ("TS25000003", "0987333444"),
        ("TS25000004", "0987555666"),
    ]
    entry = AuditEntry.objects.get(action="admissions.notify")
    assert entry.after is not None
    assert (entry.actor_name, entry.object_id, entry.after["kind"], entry.after["sent"]) == (
        "system",
        str(pub.round.pk),
        "result",
        4,
    )


@pytest.mark.django_db
def test_running_twice_and_in_small_batches_sends_each_once(
    pub: Published, outbox: Outbox, send: Send
) -> None:
    assert send(DURING, batch=3)["result"] == 4
    assert send(DURING, batch=3)["result"] == 0
    assert send(DURING + dt.timedelta(days=1))["result"] == 0
    assert dict(outbox()) == RESULTS and len(outbox()) == 4
    # Two batches (3 + 1), one audit entry each.
    assert AuditEntry.objects.filter(action="admissions.notify").count() == 2


@pytest.mark.django_db
def test_the_task_and_the_command_together_send_once(
    pub: Published, outbox: Outbox, send: Send, commit: Commit
) -> None:
    now = timezone.now()
    AdmissionRound.objects.filter(pk=pub.round.pk).update(
        results_publish_at=now - dt.timedelta(minutes=5),
        confirmation_deadline=now + dt.timedelta(days=5),
    )
    with commit():
        assert tasks.notify_due_task() == 4
    out = StringIO()
    with commit():
        call_command("admission_notify", stdout=out)
    assert out.getvalue() == ("Tin nhắn đã gửi: kết quả 0, nhắc xác nhận 0, giải phóng chỗ 0.\n")
    with commit():
        assert tasks.notify_due_task() == 0
    assert len(outbox()) == 4
    assert ParentNotice.objects.count() == 4


@pytest.mark.django_db
def test_results_are_not_sent_after_the_deadline(
    pub: Published, outbox: Outbox, send: Send
) -> None:
    assert send(DEADLINE)["result"] == 0
    assert outbox() == []


@pytest.mark.django_db
def test_a_withdrawn_application_gets_nothing(
    pub: Published, outbox: Outbox, send: Send, commit: Commit
) -> None:
    Application.objects.filter(code="TS25000003").update(status=ApplicationStatus.WITHDRAWN)
    send(DURING)
    send(DEADLINE - dt.timedelta(hours=2))
    with commit():
        confirm.round_release_unconfirmed(actor=SYSTEM, round_=pub.round, now=AFTER)
    send(AFTER)
    phones = [to for to, _text in outbox()]
    assert "0987333444" not in phones
    assert not ParentNotice.objects.filter(application__code="TS25000003").exists()
    # The others got their result, reminder and release notices.
    assert sorted(ParentNotice.objects.values_list("application__code", "kind")) == [
        ("TS25000001", "released"),
        ("TS25000001", "reminder"),
        ("TS25000001", "result"),
        ("TS25000002", "released"),
        ("TS25000002", "reminder"),
        ("TS25000002", "result"),
        ("TS25000004", "result"),
    ]


@pytest.mark.django_db
def test_reminder_goes_to_the_places_still_waiting_once(
    pub: Published, outbox: Outbox, send: Send, commit: Commit
) -> None:
    with commit():
        confirm.application_confirm(
            actor=ParentPhone("0987111222"), application=pub.apps["lan"], now=DURING
        )
    window = DEADLINE - dt.timedelta(hours=24)
    assert send(window - dt.timedelta(minutes=1))["reminder"] == 0
    assert send(window)["reminder"] == 2
    assert send(window + dt.timedelta(hours=3))["reminder"] == 0
    assert send(DEADLINE)["reminder"] == 0
    reminders = [line for line in outbox() if line[1].startswith("Nhac")]
    assert reminders == [
        (
            "0912345678",
            "Nhac: ho so TS25000001 trung tuyen Truong THCS Quynh Hai chua xac nhan nhap hoc. "
            f"Han cuoi 17:00 15/07/2025, xac nhan tai {URL}",
        ),
        (
            "0987333444",
            "Nhac: ho so TS25000003 trung tuyen Truong THCS An Bai chua xac nhan nhap hoc. "
            f"Han cuoi 17:00 15/07/2025, xac nhan tai {URL}",
        ),
    ]


@pytest.mark.django_db
def test_reminder_window_is_a_setting(
    pub: Published, settings: Any, outbox: Outbox, send: Send
) -> None:
    settings.ADMISSIONS_REMIND_HOURS = 48
    assert send(DEADLINE - dt.timedelta(hours=47))["reminder"] == 3


@pytest.mark.django_db
def test_no_reminder_when_the_results_came_out_inside_its_window(
    pub: Published, outbox: Outbox, send: Send
) -> None:
    late = DEADLINE - dt.timedelta(hours=10)
    AdmissionRound.objects.filter(pk=pub.round.pk).update(results_publish_at=late)
    assert send(late) == {"result": 4, "reminder": 0, "released": 0}


@pytest.mark.django_db
def test_released_places_are_told_once_even_if_the_release_runs_twice(
    pub: Published,
    outbox: Outbox,
    send: Send,
    commit: Commit,
    monkeypatch: Any,
) -> None:
    queued: list[dict[str, Any]] = []
    monkeypatch.setattr(tasks.notify_due_task, "apply_async", lambda **kw: queued.append(kw))
    with commit():
        confirm.application_confirm(
            actor=ParentPhone("0912345678"), application=pub.apps["an"], now=DURING
        )
    assert send(AFTER)["released"] == 0  # not released yet
    for _ in range(2):
        with commit():
            confirm.round_release_unconfirmed(actor=SYSTEM, round_=pub.round, now=AFTER)
    assert queued == [{}]  # the task right after the (first) release
    assert send(AFTER) == {"result": 0, "reminder": 0, "released": 2}
    assert send(AFTER)["released"] == 0
    released = [line for line in outbox() if line[1].startswith("Ho so")]
    assert released == [
        (
            "0987111222",
            "Ho so TS25000002 khong xac nhan nhap hoc truoc 17:00 15/07/2025 nen cho hoc tai "
            f"Truong THCS An Bai da duoc giai phong. Xem tai {URL}",
        ),
        (
            "0987333444",
            "Ho so TS25000003 khong xac nhan nhap hoc truoc 17:00 15/07/2025 nen cho hoc tai "
            f"Truong THCS An Bai da duoc giai phong. Xem tai {URL}",
        ),
    ]
    # A release long past is not news any more.
    ParentNotice.objects.filter(kind=NoticeKind.RELEASED).delete()
    assert send(AFTER + notify.LATE)["released"] == 0


@pytest.mark.django_db
def test_confirmation_receipt_by_the_parent_or_the_school_once(
    world: Any, pub: Published, outbox: Outbox, commit: Commit
) -> None:
    parent = ParentPhone("0912345678")
    with commit():
        confirm.application_confirm(actor=parent, application=pub.apps["an"], now=DURING)
        confirm.application_confirm(actor=parent, application=pub.apps["an"], now=DURING)
        confirm.application_confirm(actor=world.principal, application=pub.apps["minh"], now=DURING)
    assert outbox() == [
        (
            "0912345678",
            "Da xac nhan nhap hoc Truong THCS Quynh Hai cho ho so TS25000001 luc 09:00 10/07/2025.",
        ),
        (
            "0987333444",
            "Da xac nhan nhap hoc Truong THCS An Bai cho ho so TS25000003 luc 09:00 10/07/2025.",
        ),
    ]
    assert ParentNotice.objects.filter(kind=NoticeKind.CONFIRMED).count() == 2
    assert AuditEntry.objects.filter(action="admissions.notify").count() == 2


@pytest.mark.django_db
def test_a_refused_confirmation_sends_nothing(
    pub: Published, outbox: Outbox, commit: Commit
) -> None:
    with commit(), pytest.raises(ValidationError):
        confirm.application_confirm(
            actor=ParentPhone("0912345678"), application=pub.apps["an"], now=AFTER
        )
    assert outbox() == []
    assert not SmsMessage.objects.exists() and not ParentNotice.objects.exists()


@pytest.mark.django_db
def test_a_lost_delivery_is_made_by_the_next_run(pub: Published, outbox: Outbox) -> None:
    # No after-commit callbacks here: the messages stay queued, as if the worker died.
    notify.notices_due_send(now=DURING)
    assert set(SmsMessage.objects.values_list("status", flat=True)) == {"queued"}
    assert outbox() == []
    notify.notices_stuck_deliver()
    assert outbox() == []  # too recent: its own delivery may still be on the way
    SmsMessage.objects.update(created_at=timezone.now() - notify.STUCK - dt.timedelta(seconds=1))
    assert notify.notices_stuck_deliver() == 4
    assert dict(outbox()) == RESULTS
    assert notify.notices_stuck_deliver() == 0
    assert sms.sms_deliver_batch(list(SmsMessage.objects.values_list("pk", flat=True))) == 0
    assert len(outbox()) == 4


@pytest.mark.django_db
def test_publishing_schedules_the_notices_for_the_publication_time(
    world: Any, monkeypatch: Any, django_capture_on_commit_callbacks: Any
) -> None:
    r = make_round(world)
    apply(r, "HS0001", [world.school_a], score="27")
    apply(r, "HS0002", [world.school_b], score="20")
    at = timezone.now().replace(microsecond=0) + dt.timedelta(days=2)
    AdmissionRound.objects.filter(pk=r.pk).update(confirmation_deadline=at + dt.timedelta(days=5))
    r.refresh_from_db()
    queued: list[dict[str, Any]] = []
    monkeypatch.setattr(tasks.notify_due_task, "apply_async", lambda **kw: queued.append(kw))
    monkeypatch.setattr(tasks.release_due_task, "apply_async", lambda **kw: None)
    run = runs.run_create(actor=world.department, round=r)
    with django_capture_on_commit_callbacks(execute=True):
        runs.run_publish(actor=world.department, run=run, at=at)
    assert queued == [
        {"eta": at + tasks.NOTIFY_SLACK},
        {"eta": at + dt.timedelta(days=4) + tasks.NOTIFY_SLACK},  # 24 h before the deadline
    ]
    assert notify.notices_due_send(now=at - dt.timedelta(minutes=1))["result"] == 0
    assert notify.notices_due_send(now=at)["result"] == 2
    r.refresh_from_db()
    assert r.status == RoundStatus.PUBLISHED


@pytest.mark.django_db(transaction=True)
def test_http_gateway_gets_each_notice_once(
    world: Any,
    gateway: type[FakeGateway],  # noqa: F811 (the fixture imported from test_otp)
    settings: Any,
) -> None:
    settings.SITE_ROOT = SITE
    published_round(world)
    assert notify.notices_due_send(now=DURING)["result"] == 4
    assert sorted((body["to"], body["text"]) for _auth, body in gateway.received) == sorted(
        ("+84" + phone[1:], text) for phone, text in RESULTS.items()
    )
    assert set(SmsMessage.objects.values_list("backend", "status")) == {("http", "sent")}
    # A redelivered batch task and a second run send nothing more.
    assert sms.sms_deliver_batch(list(SmsMessage.objects.values_list("pk", flat=True))) == 0
    assert notify.notices_due_send(now=DURING)["result"] == 0
    assert len(gateway.received) == 4


def test_texts_without_diacritics_fit_two_segments(settings: Any) -> None:
    settings.SITE_ROOT = "https://tuyensinh.sogiaoducdaotao.example.gov.vn"
    assert sms.gsm7("Trường THPT Chuyên Đại học Sư phạm – Hà Nội") == (
        "Truong THPT Chuyen Dai hoc Su pham - Ha Noi"
    )
    assert sms.sms_segments("Trúng tuyển") == 1  # UCS-2, short
    assert sms.sms_segments("Kết quả tuyển sinh " * 4) == 2  # 76 UCS-2 characters
    assert sms.sms_segments("Ket qua tuyen sinh " * 4) == 1
    r = AdmissionRound(
        name="Tuyển sinh vào lớp 10 trung học phổ thông công lập không chuyên năm học "
        "2026-2027 của thành phố Hà Nội (đợt 1)",
        confirmation_deadline=DEADLINE,
    )
    school = OrgUnit(  # unsaved: only its name is read
        pk=1,
        name="Trường Trung học phổ thông Chuyên Khoa học Tự nhiên thuộc Trường Đại học "
        "Khoa học Tự nhiên, Đại học Quốc gia Hà Nội",
    )
    app = Application(code="TS26012345", admitted_school=school, admitted_preference=3)
    for text in (
        notify.result_text(app, r),
        notify.reminder_text(app, r),
        notify.released_text(app, r),
        notify.confirmed_text(app, DURING),
    ):
        assert sms.sms_segments(text) <= 2, text
        assert sms.gsm7(text) == text
    # The round's name gives way first (the school's would next).
    assert notify.result_text(app, r) == (
        "Ket qua tuyen sinh vao lop 10 trung...: ho so TS26012345 trung tuyen Truong Trung "
        "hoc pho thong Chuyen Khoa hoc Tu nhien thuoc Truong Dai hoc Khoa hoc Tu nhien, Dai "
        "hoc Quoc gia Ha Noi (NV3); xac nhan nhap hoc truoc 17:00 15/07/2025 tai "
        "https://tuyensinh.sogiaoducdaotao.example.gov.vn/admissions/results/"
    )
    school.name = "Trường THPT Chu Văn An"
    r.name = "Tuyển sinh vào lớp 10 THPT năm học 2026-2027"
    assert notify.result_text(app, r) == (
        "Ket qua tuyen sinh vao lop 10 THPT nam hoc 2026-2027: ho so TS26012345 trung tuyen "
        "Truong THPT Chu Van An (NV3); xac nhan nhap hoc truoc 17:00 15/07/2025 tai "
        "https://tuyensinh.sogiaoducdaotao.example.gov.vn/admissions/results/"
    )


@pytest.mark.django_db
def test_results_text_skips_places_already_answered(
    pub: Published, outbox: Outbox, send: Send, commit: Commit
) -> None:
    # Parents who answered on the result page before the texts went out (the first cron run
    # can come minutes after the publication minute) are not asked to confirm again.
    with commit():
        confirm.application_decline(
            actor=ParentPhone("0987111222"), application=pub.apps["lan"], now=PUBLISHED
        )
        confirm.application_confirm(
            actor=ParentPhone("0912345678"), application=pub.apps["an"], now=PUBLISHED
        )
    assert send(DURING) == {"result": 2, "reminder": 0, "released": 0}
    assert outbox() == [
        (
            "0912345678",
            "Da xac nhan nhap hoc Truong THCS Quynh Hai cho ho so TS25000001 luc 08:00 01/07/2025.",
        ),
        ("0987333444", RESULTS["0987333444"]),
        ("0987555666", RESULTS["0987555666"]),
    ]
    assert sorted(
        ParentNotice.objects.filter(kind=NoticeKind.RESULT).values_list(
            "application__code", flat=True
        )
    ) == ["TS25000003", "TS25000004"]


class WorkerLost(BaseException):
    """The worker killed mid-batch (an OOM kill, a deploy's SIGKILL after its grace time)."""


@pytest.mark.django_db
def test_a_worker_dying_mid_batch_loses_only_the_message_in_flight(
    pub: Published,
    gateway: type[FakeGateway],  # noqa: F811 (the fixture imported from test_otp)
    settings: Any,
    monkeypatch: Any,
) -> None:
    settings.SITE_ROOT = SITE
    # No after-commit callbacks here: the batch task is run by hand below.
    assert notify.notices_due_send(now=DURING)["result"] == 4
    ids = list(SmsMessage.objects.order_by("pk").values_list("pk", flat=True))
    deliver = sms.HttpJsonBackend.deliver
    calls: list[str] = []

    def dying(self: sms.HttpJsonBackend, *, phone: str, text: str) -> None:
        calls.append(phone)
        if len(calls) == 2:
            raise WorkerLost
        deliver(self, phone=phone, text=text)

    monkeypatch.setattr(sms.HttpJsonBackend, "deliver", dying)
    with pytest.raises(WorkerLost):
        sms.sms_deliver_batch(ids)
    monkeypatch.setattr(sms.HttpJsonBackend, "deliver", deliver)
    # acks_late: the broker hands the task to another worker, which sends what was not
    # attempted; the message in flight stays "sending" (perhaps sent: never twice).
    assert sms.sms_deliver_batch(ids) == 2
    assert list(SmsMessage.objects.order_by("pk").values_list("status", flat=True)) == [
        "sent",
        "sending",
        "sent",
        "sent",
    ]
    assert len(gateway.received) == 3
    assert sms.sms_deliver_batch(ids) == 0 and len(gateway.received) == 3
