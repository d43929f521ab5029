"""The demo's grade-10 rehearsal round, walked by hand through the pages as the README says:
a parent applies from his phone, the Sở closes registration, imports the exam scores, runs the
assignment and a what-if, compares them, publishes; the parent sees the result and confirms;
the pupil is in the THPT's registry with his learner ID. Issue 7's "done when", end to end."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from truongso.accounts.models import User
from truongso.admissions import demo_rounds
from truongso.admissions.forms_rounds import penalties_text
from truongso.admissions.models import (
    AdmissionRound,
    Application,
    AssignmentRun,
    ConfirmationStatus,
    RoundSchool,
    RoundStatus,
    SmsMessage,
)
from truongso.registry.models import EnrolmentEvent, EventKind, Student, StudentStatus
from truongso.testing.live import client_login

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _console_sms(settings: Any) -> None:
    settings.ADMISSIONS_SMS_BACKEND = "console"
    cache.clear()


def phone_client(phone: str) -> Client:
    """A parent's phone browser after the OTP (the code read back from the SMS outbox)."""
    client = Client(HTTP_ACCEPT_LANGUAGE="vi")
    assert client.post(reverse("admissions_apply:phone"), {"phone": phone}).status_code == 200
    text = SmsMessage.objects.filter(phone=phone).latest("pk").text
    code = re.search(r"\b(\d{6})\b", text)
    assert code is not None
    verified = client.post(reverse("admissions_apply:verify"), {"phone": phone, "code": code[1]})
    assert verified.status_code == 302
    return client


def officer_client() -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="vi")
    client_login(client, User.objects.get(username="so.canbo"))
    return client


def run_post(r: AdmissionRound, label: str, quotas: dict[int, int]) -> dict[str, Any]:
    data: dict[str, Any] = {
        "label": label,
        "penalties": penalties_text(r.penalties),
        "tie_rule": r.tie_rule,
    }
    for rs in RoundSchool.objects.filter(round=r):
        data[f"quota_{rs.school_id}"] = str(quotas.get(rs.school_id, rs.quota))
    return data


def test_the_rehearsal_round_from_application_to_the_registry() -> None:
    call_command("seed_demo", verbosity=0)
    call_command("seed_admissions_demo", "--applicants", "100", verbosity=0)
    r = AdmissionRound.objects.get(name=demo_rounds.REHEARSAL_NAME)
    assert r.status == RoundStatus.OPEN
    assert Application.objects.filter(round=r).count() == demo_rounds.REHEARSAL_APPLICANTS
    schools = list(RoundSchool.objects.filter(round=r).order_by("school__code"))
    assert [rs.quota for rs in schools] == [demo_rounds.REHEARSAL_QUOTA] * 4

    # 1. A parent applies from his phone for a grade-9 pupil of the registry.
    pupil = Student.objects.filter(current_class__grade=9).order_by("pk")[3]
    parent = phone_client("0977000111")
    response = parent.post(
        reverse("admissions_apply:apply", args=[r.pk]),
        {
            "learner_id": pupil.learner_id,
            "full_name": pupil.full_name,
            "birth_date": pupil.birth_date.strftime("%d/%m/%Y"),
            "gender": "Nam" if pupil.gender == "M" else "Nữ",
            "guardian_name": "Phạm Văn Hoà",
            "address": "Quỳnh Phụ, Thái Bình",
            "zone": "",
            "priority_group": "",
            "encouragement": "0",
            "preferences": [schools[0].school_id, schools[1].school_id, ""],
        },
    )
    assert response.status_code == 302
    mine = Application.objects.get(round=r, learner_id=pupil.learner_id)
    assert mine.phone == "0977000111"

    # 2. The Sở closes registration early, and a late application is refused.
    officer = officer_client()
    officer.post(reverse("admission_rounds:step", args=[r.pk, "close"]))
    r.refresh_from_db()
    assert r.status == RoundStatus.CLOSED
    assert r.registration_closes <= timezone.now()
    late = phone_client("0977000222").post(reverse("admissions_apply:apply", args=[r.pk]), {})
    assert late.status_code == 400
    assert "không trong thời gian đăng ký" in late.content.decode()
    assert not Application.objects.filter(round=r, phone="0977000222").exists()

    # 3. The exam board's file (the demo's made-up one), his line as the board sent it.
    file = officer.get(reverse("admission_rounds:demo_scores", args=[r.pk]))
    assert file.status_code == 200
    lines = file.content.decode().splitlines()
    assert lines[0] == "ma_ho_so,toan,van,anh"
    assert len(lines) == 1 + demo_rounds.REHEARSAL_APPLICANTS + 1
    lines = [f"{mine.code},9.50,9.25,9.00" if ln.startswith(mine.code) else ln for ln in lines]
    upload = SimpleUploadedFile("diem-thi.csv", "\n".join(lines).encode(), "text/csv")
    response = officer.post(reverse("admission_rounds:scores", args=[r.pk]), {"file": upload})
    assert response.status_code == 302
    mine.refresh_from_db()
    assert str(mine.admission_score) == "27.75"

    # 4. The rules' run and a what-if with more places at the first school; side by side.
    first = schools[0].school_id
    response = officer.post(
        reverse("admission_rounds:runs", args=[r.pk]), run_post(r, "Quy chế", {})
    )
    assert response.status_code == 302
    rules = AssignmentRun.objects.get(round=r, label="Quy chế")
    response = officer.post(
        reverse("admission_rounds:runs", args=[r.pk]), run_post(r, "Thêm chỗ", {first: 25})
    )
    what_if = AssignmentRun.objects.get(round=r, label="Thêm chỗ")
    assert what_if.admitted > rules.admitted
    compared = officer.get(
        reverse("admission_rounds:compare", args=[rules.pk]), {"with": what_if.pk}
    )
    assert compared.status_code == 200
    assert "Thêm chỗ" in compared.content.decode()

    # 5. Publication now (typed to the minute, as the form does).
    at = timezone.localtime().strftime("%Y-%m-%dT%H:%M")
    response = officer.post(reverse("admission_rounds:publish", args=[rules.pk]), {"at": at})
    assert response.status_code == 302
    r.refresh_from_db()
    assert r.status == RoundStatus.PUBLISHED
    mine.refresh_from_db()
    assert (mine.admitted_school_id, mine.admitted_preference) == (first, 1)
    assert mine.confirmation == ConfirmationStatus.PENDING

    # 6. The parent reads the result and confirms; the pupil enters the THPT.
    page = parent.get(reverse("admissions_results:detail", args=[mine.code])).content.decode()
    assert f"Trúng tuyển vào {schools[0].school.name} theo nguyện vọng 1." in page
    parent.post(reverse("admissions_results:answer", args=[mine.code, "confirm"]))
    mine.refresh_from_db()
    assert mine.confirmation == ConfirmationStatus.CONFIRMED
    student = Student.objects.select_related("current_class").get(pk=pupil.pk)
    assert mine.student == student
    assert (student.school_id, student.status, student.learner_id) == (
        first,
        StudentStatus.STUDYING,
        pupil.learner_id,
    )
    assert student.current_class is not None and student.current_class.grade == 10
    last = EnrolmentEvent.objects.filter(student=student).order_by("pk").last()
    assert last is not None
    assert (last.kind, last.school_id, last.decision_no) == (EventKind.ADMITTED, first, mine.code)

    # 7. The school's list shows him confirmed and handed over.
    listing = officer.get(reverse("admissions_results:school", args=[r.pk, first]))
    assert listing.status_code == 200
    assert pupil.full_name in listing.content.decode()
    assert r.confirmation_deadline is not None
    assert r.confirmation_deadline > timezone.now() + dt.timedelta(days=7)
