"""The demo end to end: the demo parent confirms his child's place and the pupil is in the
THPT's registry, in a grade-10 class, under the same learner ID."""

from __future__ import annotations

from typing import Any

from django.core.management import call_command
from django.http import HttpResponse
from django.test import Client
from django.urls import reverse

from truongso.accounts.models import User
from truongso.admissions import demo_rounds, results
from truongso.admissions.models import Application, ConfirmationStatus
from truongso.admissions.parent_session import COOKIE, session_open
from truongso.registry.models import EnrolmentEvent, EventKind, StudentStatus


def test_demo_parent_confirms_and_the_pupil_enters_the_thpt(db: Any) -> None:
    call_command("seed_demo", verbosity=0)
    call_command("seed_admissions_demo", "--applicants", "300", verbosity=0)
    phone = User.objects.get(username=demo_rounds.DEMO_PARENT).phone
    child = Application.objects.select_related("admitted_school").get(phone=phone)
    assert child.admitted_school is not None
    client = Client(HTTP_ACCEPT_LANGUAGE="vi")
    cookie = HttpResponse()
    session_open(cookie, phone)
    client.cookies[COOKIE] = cookie.cookies[COOKIE].value
    mine = client.get(reverse("admissions_apply:mine")).content.decode()
    assert reverse("admissions_results:detail", args=[child.code]) in mine  # results are out
    page = client.get(reverse("admissions_results:detail", args=[child.code])).content.decode()
    assert f"Trúng tuyển vào {child.admitted_school.name} theo nguyện vọng 1." in page
    client.post(reverse("admissions_results:answer", args=[child.code, "confirm"]))
    child.refresh_from_db()
    assert child.confirmation == ConfirmationStatus.CONFIRMED
    student = child.student
    assert student is not None
    assert student.current_class is not None
    assert (student.school, student.status, student.current_class.grade) == (
        child.admitted_school,
        StudentStatus.STUDYING,
        10,
    )
    assert student.learner_id == child.learner_id != ""
    events = EnrolmentEvent.objects.filter(student=student).order_by("pk")
    kinds = list(events.values_list("kind", flat=True))
    assert kinds[-2] == EventKind.GRADUATED  # from the THCS, as a grade-9 pupil
    last = EnrolmentEvent.objects.filter(student=student).order_by("pk").last()
    assert last is not None
    assert (last.kind, last.school, last.decision_no) == (
        EventKind.ADMITTED,
        child.admitted_school,
        child.code,
    )
    progress = results.school_progress(child.round, child.admitted_school)
    assert (progress.confirmed, progress.handed_over) == (1, 1)
