"""A student's report: who may read it (parent, student, teachers of the class, leaders,
inspectors) and who gets 404 (officers, other schools); a subject teacher sees her subject
only; a parent with two children picks one; the profile links to it only when allowed."""

from __future__ import annotations

import pytest
from django.urls import reverse

from truongso.accounts.services import role_grant
from truongso.core.authz import SYSTEM, Role
from truongso.gradebook.tests.yearbook import Pupil, enter_semester, fill_year
from truongso.registry.services.students import guardian_link
from truongso.testing.live import client_login

pytestmark = pytest.mark.usefixtures("registry_consistent")


def report_url(student):
    return f"/gradebook/students/{student.pk}/report/"


def get(client, user, path):
    client_login(client, user)
    return client.get(path)


@pytest.fixture
def semester_one(world):
    an = world.students["an"]
    enter_semester(world.class_6a1, 1, {an: Pupil(scores={"TOAN": "8.5"})})
    return an


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("parent", 200),
        ("student", 200),
        ("teacher", 200),
        ("principal", 200),
        ("vice", 200),
        ("homeroom", 404),  # leads 6A2
        ("clerk", 404),
        ("bureau", 404),
        ("department", 404),
        ("principal_c", 404),
        ("nobody", 404),
    ],
)
def test_who_reads_a_report(client, world, semester_one, who, status):
    response = get(client, world.users[who], report_url(semester_one))
    assert response.status_code == status
    if status == 404:
        assert "8,5" not in response.content.decode()


def test_parent_reads_every_subject(client, world, semester_one):
    response = get(client, world.parent, report_url(semester_one))
    report = response.context["report"]
    assert len(report.cards) == 13
    toan = next(c for c in report.cards if c.spec.code == "TOAN")
    assert toan.semesters[0].cells == [
        ("TX1", "8,5"),
        ("TX2", "8,5"),
        ("TX3", "8,5"),
        ("TX4", "8,5"),
        ("GK", "8,5"),
        ("CK", "8,5"),
    ]
    assert toan.semesters[0].result.text == "8,5" and not toan.semesters[1].result.complete
    first = report.periods[0]
    assert (first.official, first.learning, first.conduct) == (False, "tot", "tot")
    page = response.content.decode()
    assert "tạm tính" in page and "Toán" in page and "Giáo dục thể chất" in page
    assert "chưa đủ điểm" in page  # semester II is empty


def test_subject_teacher_sees_only_her_subject(client, world, semester_one):
    report = get(client, world.teacher, report_url(semester_one)).context["report"]
    assert [c.spec.code for c in report.cards] == ["TOAN"]


def test_inspector_reads_reports(client, world, semester_one):
    role_grant(
        actor=SYSTEM,
        user=world.bureau,
        role=Role.GRADE_INSPECTOR,
        org_unit=world.bureau_unit,
        check=False,
    )
    assert get(client, world.bureau, report_url(semester_one)).status_code == 200
    assert get(client, world.other_bureau, report_url(semester_one)).status_code == 404


def test_official_year_results_and_decision(client, world):
    binh = world.students["binh"]
    fill_year(world.class_6a1, {binh: Pupil(scores={"TOAN": "3", "NV": "4"})}, world.principal)
    from truongso.gradebook.services.yearend import retest_save

    retest_save(actor=world.principal, student=binh, year=world.year, values={"TOAN": "6"})
    client_login(client, world.principal)
    report = client.get(report_url(binh)).context["report"]
    year = report.periods[-1]
    assert (year.official, year.learning, year.decision) == (True, "chua_dat", "retest")
    assert year.retests == [("Toán", "6")]
    assert year.learning_after == "dat"
    toan = next(c for c in report.cards if c.spec.code == "TOAN")
    assert toan.year.text == "3"


def test_parent_with_two_children_picks_one(client, world, semester_one):
    binh = world.students["binh"]
    guardian_link(
        actor=SYSTEM,
        student=binh,
        relation="father",
        data={"full_name": "Nguyễn Văn Cha", "phone": "0912345678"},
    )
    client_login(client, world.parent)
    response = client.get("/gradebook/reports/")
    assert response.status_code == 200
    assert [c.full_name for c in response.context["children"]] == ["Đỗ Thị Bình", "Nguyễn Văn An"]
    response = client.get(report_url(binh))
    assert response.status_code == 200
    page = response.content.decode()
    assert report_url(semester_one) in page  # the other child is one tap away


def test_a_single_child_goes_straight_to_the_report(client, world):
    response = get(client, world.parent, "/gradebook/reports/")
    assert response.status_code == 302 and response.url == report_url(world.students["an"])


@pytest.mark.parametrize(
    ("who", "shown"), [("parent", True), ("principal", True), ("clerk", False)]
)
def test_profile_links_to_the_report_when_allowed(client, world, who, shown):
    an = world.students["an"]
    response = get(client, world.users[who], reverse("registry:student_detail", args=[an.pk]))
    assert response.status_code == 200
    assert ('id="grade-report-link"' in response.content.decode()) is shown
