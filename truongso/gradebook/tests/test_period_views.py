"""Semester management: deadlines per column group, completeness, closing with and without
the confirmation that incomplete students get no result."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest
from django.urls import reverse
from django.utils.dateparse import parse_datetime

from truongso.core.authz import SYSTEM
from truongso.core.models import AuditEntry
from truongso.gradebook.models import GradingPeriod, TermResult
from truongso.gradebook.results import class_subjects
from truongso.gradebook.services.cells import CellChange, scores_save, subject_columns, terms_save
from truongso.gradebook.tests.test_services import fill_class
from truongso.registry.models import Subject
from truongso.registry.tests.test_org_views import login

pytestmark = pytest.mark.usefixtures("registry_consistent")
HCM = zoneinfo.ZoneInfo("Asia/Ho_Chi_Minh")


def url(world, name="period", semester=1, school=None):
    school = school or world.school_a
    return reverse(f"gradebook:{name}", args=[school.pk, world.year.pk, semester])


def test_principal_sees_deadlines_completeness_and_closing(
    client, world, django_assert_max_num_queries
):
    fill_class(world)
    login(client, world.principal)
    with django_assert_max_num_queries(60):
        response = client.get(url(world))
    assert response.status_code == 200
    state = response.context["state"]
    assert (state.period, state.incomplete) == (None, 1)  # chi (6A2) has nothing yet
    html = response.content.decode()
    assert "Còn 1 học sinh chưa đủ điểm" in html
    assert 'name="confirm"' in html
    [grade6] = response.context["overview"].tables
    codes = [s.code for s in grade6.subjects]
    toan = grade6.rows[0].cells[codes.index("TOAN")]
    assert toan.completeness.complete and grade6.rows[1].cells[codes.index("TOAN")].teacher == ""


def test_setting_and_clearing_deadlines(client, world):
    login(client, world.vice)
    response = client.post(
        url(world), {"tx": "2025-11-20T17:00", "gk": "", "ck": "", "conduct": ""}
    )
    assert response.status_code == 302
    period = GradingPeriod.objects.get(school=world.school_a, semester=1)
    assert parse_datetime(period.deadlines["tx"]) == dt.datetime(2025, 11, 20, 17, 0, tzinfo=HCM)
    assert set(period.deadlines) == {"tx"}
    page = client.get(url(world))
    assert 'value="2025-11-20T17:00"' in page.content.decode()
    client.post(url(world), {"tx": "", "gk": "", "ck": "", "conduct": ""})
    period.refresh_from_db()
    assert period.deadlines == {}
    assert AuditEntry.objects.filter(action="gradebook.deadlines", actor=world.vice).count() == 2


def test_bad_deadline_is_shown_at_its_field(client, world):
    login(client, world.principal)
    response = client.post(url(world), {"tx": "ngày mai", "gk": "", "ck": "", "conduct": ""})
    assert response.status_code == 400
    assert response.context["form"].errors["tx"]
    assert not GradingPeriod.objects.exists()


def test_closing_needs_confirmation_when_students_are_incomplete(client, world):
    fill_class(world)
    login(client, world.principal)
    response = client.post(url(world, "period_close"), follow=True)
    assert "Còn 1 học sinh chưa đủ điểm; hãy nhập đủ hoặc xác nhận vẫn khoá sổ." in (
        response.content.decode()
    )
    assert not GradingPeriod.objects.filter(closed_at__isnull=False).exists()
    assert not TermResult.objects.exists()
    response = client.post(url(world, "period_close"), {"confirm": "on"}, follow=True)
    assert "Đã khoá sổ học kì" in response.content.decode()
    period = GradingPeriod.objects.get(school=world.school_a, semester=1)
    assert period.is_closed and period.closed_by == world.principal
    assert TermResult.objects.get(student=world.students["an"], period=1).learning == "tot"
    assert response.context["state"].incomplete is None
    again = client.post(url(world, "period_close"), {"confirm": "on"}, follow=True)
    assert "đã được khoá sổ trước đó" in again.content.decode()


def test_closing_a_complete_semester_needs_no_confirmation(client, world):
    fill_class(world)
    # Complete 6A2 too: chi's entries in every subject, then her conduct.
    for code, spec in class_subjects(world.class_6a2).items():
        subject = Subject.objects.get(code=code)
        scores_save(
            actor=SYSTEM,
            school_class=world.class_6a2,
            subject=subject,
            semester=1,
            changes=[
                CellChange(world.students["chi"].pk, c.code, "", "7" if spec.scored else "Đ")
                for c in subject_columns(world.class_6a2, subject, 1)
            ],
        )
    terms_save(
        actor=world.homeroom,
        school_class=world.class_6a2,
        semester=1,
        changes=[CellChange(world.students["chi"].pk, "conduct", "", "Khá")],
    )
    login(client, world.principal)
    assert client.get(url(world)).context["state"].incomplete == 0
    client.post(url(world, "period_close"))
    assert GradingPeriod.objects.get(school=world.school_a, semester=1).is_closed
    assert TermResult.objects.filter(period=1).count() == 3


def test_semester_two_waits_for_semester_one(client, world):
    login(client, world.principal)
    response = client.get(url(world, semester=2))
    assert "Hãy khoá sổ học kì I trước." in response.content.decode()
    response = client.post(url(world, "period_close", semester=2), {"confirm": "on"}, follow=True)
    assert "Hãy khoá sổ học kì I trước." in response.content.decode()
    assert not GradingPeriod.objects.filter(closed_at__isnull=False).exists()


@pytest.mark.parametrize(
    "who", ["teacher", "homeroom", "parent", "student", "bureau", "clerk", "principal_c"]
)
def test_others_cannot_reach_or_close(client, world, who):
    login(client, world.users[who])
    assert client.get(url(world)).status_code == 404
    data = {"tx": "2025-11-20T17:00", "gk": "", "ck": "", "conduct": ""}
    assert client.post(url(world), data).status_code == 404
    assert client.post(url(world, "period_close"), {"confirm": "on"}).status_code == 404
    assert not GradingPeriod.objects.exists() and not TermResult.objects.exists()


def test_unknown_school_year_or_semester(client, world):
    login(client, world.principal)
    assert client.get(url(world, semester=3)).status_code == 404
    assert client.get(url(world, school=world.bureau_unit)).status_code == 404
    missing = reverse("gradebook:period", args=[world.school_a.pk, 999999, 1])
    assert client.get(missing).status_code == 404
