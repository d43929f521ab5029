"""Text messages to parents about their application (thông báo tuyển sinh qua SMS).

Four notices, each sent to the application's registered phone at most once
(:class:`ParentNotice`, unique per application and kind, written in the same transaction as
the outbox row):

* ``result``: when the results become visible (``results_visible``: the round published and
  its ``results_publish_at`` come; publishing days ahead sends nothing until then), to every
  application with a result that was not withdrawn nor answered yet (a place confirmed or
  declined on the result page before the text went out), until the confirmation deadline;
* ``reminder``: ``ADMISSIONS_REMIND_HOURS`` (24) before the confirmation deadline, to the
  admitted places still waiting; not when the results themselves came out inside that window
  (their text already gives the deadline);
* ``released``: after the release (``round_release_unconfirmed``), to each released place,
  up to :data:`LATE` after the deadline (an older release is not news any more);
* ``confirmed``: a receipt, inside the confirmation's own transaction (``application_confirm``,
  by the parent or by the school in person).

The first three are sent by :func:`notices_due_send`, in batches of :data:`BATCH` (one insert
of outbox rows, one of notices and one audit entry per batch, under the round's row lock), by
the task ``admissions.notify_due`` (queued for the publication time, the opening of the
reminder window and right after the release) and by ``manage.py admission_notify`` (cron).
Whatever runs, and however often, finds the notices already written and sends nothing twice.

Texts are Vietnamese whatever the server language, **without diacritics**, in the GSM 7-bit
alphabet: a single Vietnamese letter with a mark (or ``đ``) turns the whole message into
UCS-2, 70 characters a segment (67 when split) instead of 160 (153). The result notice is
about 200 characters: two segments without diacritics, four with them, for each of 100,000
parents of a province; brandname SMS in Vietnam are commonly sent this way, and the full
Vietnamese text is one tap away on the result page. No score or personal data is in a text,
only the application code; long round or school names are shortened so that every notice
fits two segments.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.urls import reverse
from django.utils import timezone

from truongso.admissions.models import (
    AdmissionRound,
    Application,
    ApplicationStatus,
    ConfirmationStatus,
    NoticeKind,
    ParentNotice,
    RoundStatus,
    SmsMessage,
)
from truongso.admissions.services.runs import results_visible
from truongso.admissions.sms import GSM7_EXTENSION, gsm7, sms_dispatch, sms_queue_bulk, sms_segments
from truongso.core.audit import audit_record
from truongso.core.authz import SYSTEM

BATCH = 1000
# A release notice more than this after the deadline is not sent (nor, on a first deploy,
# notices for rounds released long ago).
LATE = dt.timedelta(days=7)
# Notice messages still queued this long after their commit lost their delivery (a worker
# or broker failure): the next run delivers them (claimed, so never twice).
STUCK = dt.timedelta(minutes=15)
TWO_SEGMENTS = 2
HCM = ZoneInfo("Asia/Ho_Chi_Minh")
SCHEDULED = (NoticeKind.RESULT, NoticeKind.REMINDER, NoticeKind.RELEASED)
# Confirmation states in which the result is still news (no answer given yet).
WAITING = (ConfirmationStatus.NONE, ConfirmationStatus.PENDING)


def remind_before() -> dt.timedelta:
    return dt.timedelta(hours=int(getattr(settings, "ADMISSIONS_REMIND_HOURS", 24)))


# -- texts ---------------------------------------------------------------------------------


def _when(value: dt.datetime) -> str:
    """17:00 15/07/2025, in Vietnam's time whatever the active time zone."""
    return value.astimezone(HCM).strftime("%H:%M %d/%m/%Y")


def results_url() -> str:
    return f"{settings.SITE_ROOT}{reverse('admissions_results:mine')}"


def _round_label(round_: AdmissionRound) -> str:
    """The round's name after "Ket qua tuyen sinh", without repeating "Tuyen sinh"."""
    name = gsm7(round_.name).strip()
    return name[len("tuyen sinh ") :] if name.lower().startswith("tuyen sinh ") else name


def _shorten(value: str, by: int, keep: int) -> str:
    if by <= 0 or len(value) <= keep:
        return value
    return value[: max(keep, len(value) - by - 3)].rstrip() + "..."


def _fit(build: Callable[[str, str], str], round_name: str, school: str) -> str:
    """``build(round_name, school)``, with the round's name (then the school's) shortened
    by "..." when the text would take more than two segments."""
    text = build(round_name, school)
    if sms_segments(text) > TWO_SEGMENTS:
        round_name = _shorten(round_name, _over(text), 15)
        text = build(round_name, school)
    if sms_segments(text) > TWO_SEGMENTS:
        school = _shorten(school, _over(text), 20)
        text = build(round_name, school)
    return text


def _over(text: str) -> int:
    """Septets beyond two concatenated GSM 7-bit segments (153 each)."""
    return len(text) + sum(ch in GSM7_EXTENSION for ch in text) - 153 * TWO_SEGMENTS


def _school(application: Application) -> str:
    school = application.admitted_school
    return gsm7(school.name) if school is not None else ""


def result_text(application: Application, round_: AdmissionRound) -> str:
    url = results_url()
    code = application.code
    if application.admitted_school_id is None:
        return _fit(
            lambda r, _s: f"Ket qua tuyen sinh {r}: ho so {code} da co ket qua. Xem tai {url}",
            _round_label(round_),
            "",
        )
    deadline = round_.confirmation_deadline
    before = f" truoc {_when(deadline)}" if deadline else ""
    k = application.admitted_preference
    return _fit(
        lambda r, s: (
            f"Ket qua tuyen sinh {r}: ho so {code} trung tuyen {s} (NV{k}); "
            f"xac nhan nhap hoc{before} tai {url}"
        ),
        _round_label(round_),
        _school(application),
    )


def reminder_text(application: Application, round_: AdmissionRound) -> str:
    url, code = results_url(), application.code
    deadline = round_.confirmation_deadline
    until = f"Han cuoi {_when(deadline)}, xac nhan tai" if deadline else "Xac nhan tai"
    return _fit(
        lambda _r, s: f"Nhac: ho so {code} trung tuyen {s} chua xac nhan nhap hoc. {until} {url}",
        "",
        _school(application),
    )


def released_text(application: Application, round_: AdmissionRound) -> str:
    url, code = results_url(), application.code
    deadline = round_.confirmation_deadline
    before = f" truoc {_when(deadline)}" if deadline else ""
    return _fit(
        lambda _r, s: (
            f"Ho so {code} khong xac nhan nhap hoc{before} nen cho hoc tai {s} "
            f"da duoc giai phong. Xem tai {url}"
        ),
        "",
        _school(application),
    )


def confirmed_text(application: Application, at: dt.datetime) -> str:
    code = application.code
    return _fit(
        lambda _r, s: f"Da xac nhan nhap hoc {s} cho ho so {code} luc {_when(at)}.",
        "",
        _school(application),
    )


TEXTS: dict[str, Callable[[Application, AdmissionRound], str]] = {
    NoticeKind.RESULT: result_text,
    NoticeKind.REMINDER: reminder_text,
    NoticeKind.RELEASED: released_text,
}


# -- when a notice is due ------------------------------------------------------------------


def notice_due(kind: str, round_: AdmissionRound, now: dt.datetime) -> bool:
    """Whether notices of ``kind`` are due for ``round_`` at ``now`` (the rule of each kind
    is in the module docstring)."""
    deadline = round_.confirmation_deadline
    if kind == NoticeKind.RESULT:
        return (
            round_.status == RoundStatus.PUBLISHED
            and results_visible(round_, now)
            and (deadline is None or now < deadline)
        )
    if kind == NoticeKind.REMINDER:
        if round_.status != RoundStatus.PUBLISHED or deadline is None:
            return False
        opens = deadline - remind_before()
        published = round_.results_publish_at
        return (
            results_visible(round_, now)
            and opens <= now < deadline
            and (published is None or published < opens)
        )
    if kind == NoticeKind.RELEASED:
        return (
            round_.status == RoundStatus.FINISHED
            and deadline is not None
            and deadline < now <= deadline + LATE
        )
    return False  # the receipt is sent by the confirmation itself


def _recipients(round_: AdmissionRound, kind: str) -> QuerySet[Application]:
    """Applications of ``round_`` owed a notice of ``kind`` and not sent one yet."""
    wanted = {
        # Not to a place already confirmed or declined on the result page: the text would
        # ask the parent to confirm again (the confirmation sends its own receipt).
        NoticeKind.RESULT: ~Q(result_reason="") & Q(confirmation__in=WAITING),
        NoticeKind.REMINDER: Q(
            admitted_school__isnull=False, confirmation=ConfirmationStatus.PENDING
        ),
        NoticeKind.RELEASED: Q(confirmation=ConfirmationStatus.RELEASED),
    }[NoticeKind(kind)]
    sent = ParentNotice.objects.filter(application=OuterRef("pk"), kind=kind)
    return (
        Application.objects.filter(wanted, round=round_)
        .exclude(status=ApplicationStatus.WITHDRAWN)
        .filter(~Exists(sent))
    )


# -- sending -------------------------------------------------------------------------------


def _notices_write(
    round_: AdmissionRound, kind: str, applications: list[Application], texts: list[str]
) -> list[ParentNotice]:
    """Outbox rows, notices and one audit entry, in the caller's transaction."""
    messages = sms_queue_bulk(
        messages=[(a.phone, text) for a, text in zip(applications, texts, strict=True)]
    )
    notices = ParentNotice.objects.bulk_create(
        [
            ParentNotice(application=a, kind=kind, message=m)
            for a, m in zip(applications, messages, strict=True)
        ]
    )
    audit_record(
        actor=SYSTEM,
        action="admissions.notify",
        obj=round_,
        org_path=round_.organiser.path,
        after={
            "kind": str(kind),
            "sent": len(notices),
            "applications": [a.pk for a in applications],
        },
    )
    return notices


def _batch_send(*, round_id: int, kind: str, now: dt.datetime, after: int, limit: int) -> list[int]:
    """One batch of ``kind`` for a round past application ``after``, under the round's row
    lock (a concurrent run waits, then finds these notices written); returns the ids sent."""
    with transaction.atomic():
        round_ = (
            AdmissionRound.objects.select_for_update(of=("self",))
            .select_related("organiser")
            .get(pk=round_id)
        )
        if not notice_due(kind, round_, now):
            return []
        applications = list(
            _recipients(round_, kind)
            .filter(pk__gt=after)
            .select_related("admitted_school")
            .select_for_update(of=("self",))
            .order_by("pk")[:limit]
        )
        if applications:
            text = TEXTS[kind]
            _notices_write(round_, kind, applications, [text(a, round_) for a in applications])
    return [a.pk for a in applications]


def _round_send(round_: AdmissionRound, kind: str, now: dt.datetime, batch: int) -> int:
    sent, after = 0, 0
    while True:
        ids = _batch_send(round_id=round_.pk, kind=kind, now=now, after=after, limit=batch)
        sent += len(ids)
        if len(ids) < batch:
            return sent
        after = ids[-1]


def notices_due_send(*, now: dt.datetime | None = None, batch: int = BATCH) -> dict[str, int]:
    """Send every result, reminder and release notice due at ``now``, in batches; returns
    the number sent per kind. Idempotent: run it from a task, from cron, twice at once."""
    now = now or timezone.now()
    sent = {str(kind): 0 for kind in SCHEDULED}
    rounds = list(
        AdmissionRound.objects.filter(
            status__in=(RoundStatus.PUBLISHED, RoundStatus.FINISHED)
        ).order_by("pk")
    )
    for kind in SCHEDULED:
        for round_ in rounds:
            if notice_due(kind, round_, now):
                sent[str(kind)] += _round_send(round_, kind, now, batch)
    notices_stuck_deliver()
    return sent


def notices_stuck_deliver() -> int:
    """Deliver notice messages still queued :data:`STUCK` after they were written (their
    after-commit delivery was lost); each is claimed first, so none goes twice."""
    ids = list(
        SmsMessage.objects.filter(
            status="queued", notice__isnull=False, created_at__lt=timezone.now() - STUCK
        )
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    for start in range(0, len(ids), BATCH):
        sms_dispatch(ids[start : start + BATCH])
    return len(ids)


def notice_confirmed_send(*, application: Application, at: dt.datetime) -> ParentNotice | None:
    """The receipt of a confirmation, in the confirmation's transaction (the caller holds the
    application's row lock); once per application."""
    if application.status == ApplicationStatus.WITHDRAWN:
        return None
    if ParentNotice.objects.filter(application=application, kind=NoticeKind.CONFIRMED).exists():
        return None
    text = confirmed_text(application, at)
    return _notices_write(application.round, NoticeKind.CONFIRMED, [application], [text])[0]
