"""School years (code, semester order, one current year) and the curriculum pages."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from truongso.core.models import AuditEntry
from truongso.registry.models import GradeSubject, SchoolYear, Semester
from truongso.registry.services.calendar import school_year_create, school_year_set_current
from truongso.registry.services.curriculum import grade_subject_update
from truongso.registry.tests.test_org_views import login

D = dt.date
NEXT = ((D(2026, 9, 5), D(2027, 1, 16)), (D(2027, 1, 18), D(2027, 5, 31)))


def test_department_officer_creates_a_year_with_two_semesters(world):
    year = school_year_create(actor=world.department, code="2026-2027", semesters=NEXT)
    assert (year.start_date, year.end_date, year.is_current) == (
        D(2026, 9, 5),
        D(2027, 5, 31),
        False,
    )
    assert list(year.semesters.values_list("number", "start_date")) == [
        (1, D(2026, 9, 5)),
        (2, D(2027, 1, 18)),
    ]
    assert AuditEntry.objects.filter(action="school_year.create", actor=world.department).exists()


@pytest.mark.parametrize("code", ["2026-2028", "2026/2027", "26-27", "2027-2026", "", "abcd-efgh"])
def test_year_code_format(world, code):
    with pytest.raises(ValidationError) as caught:
        school_year_create(actor=world.department, code=code, semesters=NEXT)
    assert caught.value.message_dict == {"code": ["Năm học ghi theo dạng 2025-2026."]}
    assert SchoolYear.objects.count() == 1


@pytest.mark.parametrize(
    "semesters",
    [
        ((D(2026, 9, 5), D(2027, 1, 16)), (D(2027, 1, 10), D(2027, 5, 31))),  # overlap
        ((D(2027, 1, 16), D(2026, 9, 5)), (D(2027, 1, 18), D(2027, 5, 31))),  # reversed
        ((D(2026, 9, 5), D(2027, 1, 16)), (D(2027, 1, 18), D(2027, 1, 18))),  # empty
        ((D(2025, 9, 5), D(2026, 1, 16)), (D(2026, 1, 18), D(2026, 5, 31))),  # other year
    ],
)
def test_semester_order_and_span(world, semesters):
    with pytest.raises(ValidationError) as caught:
        school_year_create(actor=world.department, code="2026-2027", semesters=semesters)
    assert "semesters" in caught.value.error_dict
    assert not Semester.objects.filter(school_year__code="2026-2027").exists()


def test_there_is_one_current_year(world):
    new = school_year_create(
        actor=world.ministry, code="2026-2027", semesters=NEXT, make_current=True
    )
    assert list(SchoolYear.objects.filter(is_current=True)) == [new]
    school_year_set_current(actor=world.department, year=world.year)
    assert list(SchoolYear.objects.filter(is_current=True).values_list("code", flat=True)) == [
        "2025-2026"
    ]
    entry = AuditEntry.objects.get(action="school_year.set_current")
    assert (entry.before, entry.after) == ({"current": "2026-2027"}, {"current": "2025-2026"})


def test_duplicate_year_is_refused(world):
    with pytest.raises(ValidationError):
        school_year_create(
            actor=world.department,
            code="2025-2026",
            semesters=((D(2025, 9, 5), D(2026, 1, 16)), (D(2026, 1, 18), D(2026, 5, 31))),
        )
    assert SchoolYear.objects.count() == 1


@pytest.mark.parametrize("username", ["bureau", "principal", "teacher", "nobody"])
def test_who_may_not_manage_years(world, username):
    with pytest.raises(PermissionDenied):
        school_year_create(actor=world.users[username], code="2026-2027", semesters=NEXT)
    with pytest.raises(PermissionDenied):
        school_year_set_current(actor=world.users[username], year=world.year)
    assert SchoolYear.objects.count() == 1


YEARS = reverse("registry:year_list")


def year_post(**extra):
    data = {
        "code": "2026-2027",
        "semester1_start": "2026-09-05",
        "semester1_end": "2027-01-16",
        "semester2_start": "2027-01-18",
        "semester2_end": "2027-05-31",
        "make_current": "on",
    }
    data.update(extra)
    return data


def test_year_page_lists_years_and_lets_the_department_add_one(
    client, world, django_assert_max_num_queries
):
    login(client, world.department)
    with django_assert_max_num_queries(10):
        page = client.get(YEARS)
    assert page.context["form"] is not None
    assert "2025–2026" in page.content.decode()
    response = client.post(YEARS, year_post())
    assert response.status_code == 302
    assert SchoolYear.objects.get(is_current=True).code == "2026-2027"
    bad = client.post(YEARS, year_post(code="2027-2029"))
    assert bad.context["form"].errors["code"] == ["Năm học ghi theo dạng 2025-2026."]
    swapped = client.post(YEARS, year_post(code="2027-2028", semester2_start="2027-01-01"))
    assert "Học kì I phải kết thúc" in str(swapped.context["form"].non_field_errors())
    assert SchoolYear.objects.count() == 2


def test_year_page_is_read_only_for_others(client, world):
    login(client, world.teacher)
    page = client.get(YEARS)
    assert page.status_code == 200 and page.context["form"] is None
    assert client.post(YEARS, year_post()).status_code == 403
    current = reverse("registry:year_set_current", args=[world.year.pk])
    assert client.post(current).status_code == 403
    assert SchoolYear.objects.count() == 1


def test_set_current_from_the_page(client, world):
    other = school_year_create(actor=world.ministry, code="2026-2027", semesters=NEXT)
    login(client, world.department)
    assert client.post(reverse("registry:year_set_current", args=[other.pk])).status_code == 302
    assert SchoolYear.objects.get(is_current=True) == other
    assert client.post(reverse("registry:year_set_current", args=[99999])).status_code == 404


CURRICULUM = reverse("registry:curriculum")


def test_curriculum_shows_periods_and_regular_assessments(
    client, world, django_assert_max_num_queries
):
    login(client, world.teacher)
    with django_assert_max_num_queries(8):
        page = client.get(CURRICULUM, {"grade": "6"})
    rows = {gs.subject.code: gs for gs in page.context["subjects"]}
    assert len(rows) == 13
    assert (rows["TOAN"].periods_per_year, rows["TOAN"].regular_assessments) == (140, 4)
    assert (rows["GDTC"].periods_per_year, rows["GDTC"].regular_assessments) == (70, 3)
    assert (rows["TIN"].periods_per_year, rows["TIN"].regular_assessments) == (35, 2)
    assert page.context["may_manage"] is False
    assert "/edit/" not in page.content.decode()


@pytest.mark.parametrize("grade", ["xx", "13", "0", "-1", "9" * 30, ""])
def test_curriculum_falls_back_on_a_bad_grade(client, world, grade):
    login(client, world.teacher)
    page = client.get(CURRICULUM, {"grade": grade})
    assert page.status_code == 200
    assert page.context["grade"] == 6


def test_ministry_officer_edits_a_subject_inline(client, world):
    math = GradeSubject.objects.get(grade=6, subject__code="TOAN")
    url = reverse("registry:curriculum_edit", args=[math.pk])
    login(client, world.ministry)
    row = client.get(url, HTTP_HX_REQUEST="true")
    assert row.content.decode().lstrip().startswith(f'<tr id="gs-{math.pk}"')
    response = client.post(
        url, {"periods_per_year": "70", "assessment_type": "scored"}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    math.refresh_from_db()
    assert (math.periods_per_year, math.regular_assessments) == (70, 3)
    bad = client.post(url, {"periods_per_year": "0", "assessment_type": "nope"})
    assert bad.status_code == 200
    assert set(bad.context["form"].errors) == {"periods_per_year", "assessment_type"}
    math.refresh_from_db()
    assert math.periods_per_year == 70


@pytest.mark.parametrize("username", ["department", "principal", "teacher"])
def test_curriculum_is_changed_only_by_the_ministry(client, world, username):
    math = GradeSubject.objects.get(grade=6, subject__code="TOAN")
    login(client, world.users[username])
    url = reverse("registry:curriculum_edit", args=[math.pk])
    assert (
        client.post(url, {"periods_per_year": "1", "assessment_type": "comment"}).status_code == 403
    )
    math.refresh_from_db()
    assert (math.periods_per_year, math.assessment_type) == (140, "scored")
    with pytest.raises(PermissionDenied):
        grade_subject_update(
            actor=world.users[username], grade_subject=math, periods_per_year=1,
            assessment_type="comment",
        )  # fmt: skip
