"""Class pages: list, roster, teaching assignments inline (HTMX), class form."""

from __future__ import annotations

import pytest
from django.urls import reverse

from truongso.core.models import AuditEntry
from truongso.registry.models import SchoolClass, Subject, TeachingAssignment
from truongso.registry.tests.test_org_views import login

LIST = reverse("registry:class_list")
HX = {"HTTP_HX_REQUEST": "true"}


def names(response):
    return [c.name for c in response.context["page_obj"]]


def test_principal_lists_her_classes_with_size_and_homeroom(
    client, world, django_assert_max_num_queries
):
    login(client, world.principal)
    with django_assert_max_num_queries(14):
        response = client.get(LIST)
    assert names(response) == ["6A1", "6A2"]
    assert [(c.size, c.homeroom_teacher_id) for c in response.context["page_obj"]] == [
        (2, None),
        (1, world.staff["homeroom"].pk),
    ]
    assert response.context["year"] == world.year
    assert "Lê Văn Bình" in response.content.decode()


def test_teacher_sees_only_her_classes(client, world):
    login(client, world.teacher)
    assert names(client.get(LIST)) == ["6A1"]
    login(client, world.homeroom)
    assert names(client.get(LIST)) == ["6A2"]


def test_filters_and_garbage_parameters(client, world):
    login(client, world.department)
    assert names(client.get(LIST, {"school": world.school_c.pk})) == ["6C"]
    assert names(client.get(LIST, {"grade": "7"})) == []
    response = client.get(LIST, {"page": "abc", "grade": "xx", "year": "999999", "school": "-1"})
    assert response.status_code == 200
    assert response.context["year"] == world.year
    assert names(response) == ["6A1", "6A2", "6C"]
    huge = client.get(LIST, {"year": "9" * 30, "school": "9" * 30})
    assert huge.status_code == 200


@pytest.mark.parametrize("username", ["parent", "student", "nobody"])
def test_class_list_denied_without_class_rights(client, world, username):
    login(client, world.users[username])
    assert client.get(LIST).status_code == 403


def test_class_page_shows_roster_homeroom_and_every_subject_of_the_grade(
    client, world, django_assert_max_num_queries
):
    login(client, world.principal)
    url = reverse("registry:class_detail", args=[world.class_6a1.pk])
    with django_assert_max_num_queries(16):
        response = client.get(url)
    html = response.content.decode()
    assert [s.full_name for s in response.context["roster"]] == ["Đỗ Thị Bình", "Nguyễn Văn An"]
    rows = response.context["rows"]
    assert len(rows) == 13
    math = next(r for r in rows if r.grade_subject.subject.code == "TOAN")
    assert math.whole_year.staff == world.staff["teacher"]
    assert [r.grade_subject.subject.code for r in rows if r.assignments] == ["TOAN"]
    assert response.context["may_manage"] is True
    assert "Phân công giảng dạy" in html


def test_teacher_reads_her_class_without_edit_controls(client, world):
    login(client, world.teacher)
    response = client.get(reverse("registry:class_detail", args=[world.class_6a1.pk]))
    assert response.status_code == 200
    assert response.context["may_manage"] is False
    assert "teaching/" not in response.content.decode()


@pytest.mark.parametrize(
    ("username", "class_name"),
    [("teacher", "class_6a2"), ("principal_c", "class_6a1"), ("other_bureau", "class_6a1"),
     ("parent", "class_6a1"), ("nobody", "class_6a1")],
)  # fmt: skip
def test_classes_out_of_scope_are_404(client, world, username, class_name):
    login(client, world.users[username])
    school_class = getattr(world, class_name)
    assert client.get(reverse("registry:class_detail", args=[school_class.pk])).status_code == 404
    math = Subject.objects.get(code="TOAN")
    url = reverse("registry:teaching_assign", args=[school_class.pk, math.pk])
    assert client.post(url, {"staff": world.staff["c"].pk}).status_code == 404
    assert TeachingAssignment.objects.count() == 1


def test_assign_inline_with_htmx_returns_the_row(client, world):
    login(client, world.clerk)
    literature = Subject.objects.get(code="NV")
    url = reverse("registry:teaching_assign", args=[world.class_6a1.pk, literature.pk])
    response = client.post(url, {"staff": world.staff["homeroom"].pk}, **HX)
    html = response.content.decode()
    assert response.status_code == 200
    assert html.lstrip().startswith(f'<tr id="subject-{literature.pk}"')
    assert "Lê Văn Bình" in html and "<html" not in html
    assignment = TeachingAssignment.objects.get(school_class=world.class_6a1, subject=literature)
    assert assignment.staff == world.staff["homeroom"]
    # Reassigning replaces the teacher in the same row.
    client.post(url, {"staff": world.staff["teacher"].pk}, **HX)
    rows = TeachingAssignment.objects.filter(school_class=world.class_6a1, subject=literature)
    assert list(rows.values_list("staff_id", flat=True)) == [world.staff["teacher"].pk]


def test_assign_errors_are_vietnamese_and_change_nothing(client, world):
    login(client, world.principal)
    vietnamese = Subject.objects.get(code="TV")
    bad_subject = reverse("registry:teaching_assign", args=[world.class_6a1.pk, vietnamese.pk])
    response = client.post(bad_subject, {"staff": world.staff["teacher"].pk}, **HX)
    assert response.status_code == 404
    math = Subject.objects.get(code="TOAN")
    url = reverse("registry:teaching_assign", args=[world.class_6a1.pk, math.pk])
    response = client.post(url, {"staff": world.staff["c"].pk}, **HX)
    assert "Hãy chọn một giáo viên của trường." in response.content.decode()
    response = client.post(url, {"staff": "abc"})
    assert response.status_code == 302
    assert TeachingAssignment.objects.get().staff == world.staff["teacher"]


def test_teacher_cannot_assign_in_her_own_class(client, world):
    login(client, world.teacher)
    math = Subject.objects.get(code="TOAN")
    url = reverse("registry:teaching_assign", args=[world.class_6a1.pk, math.pk])
    assert client.post(url, {"staff": world.staff["homeroom"].pk}).status_code == 403
    existing = TeachingAssignment.objects.get()
    remove = reverse("registry:teaching_unassign", args=[world.class_6a1.pk, existing.pk])
    assert client.post(remove).status_code == 403
    assert TeachingAssignment.objects.get().staff == world.staff["teacher"]


def test_unassign_with_and_without_htmx(client, world):
    login(client, world.principal)
    existing = TeachingAssignment.objects.get()
    url = reverse("registry:teaching_unassign", args=[world.class_6a1.pk, existing.pk])
    assert client.get(url).status_code == 405
    wrong_class = reverse("registry:teaching_unassign", args=[world.class_6a2.pk, existing.pk])
    assert client.post(wrong_class).status_code == 404
    response = client.post(url, **HX)
    assert response.status_code == 200
    assert not TeachingAssignment.objects.exists()
    assert AuditEntry.objects.filter(action="teaching.unassign", actor=world.principal).exists()


def test_create_and_edit_a_class(client, world):
    login(client, world.principal)
    url = reverse("registry:class_create")
    form = client.get(url).context["form"]
    assert [s.code for s in form.fields["school"].queryset] == ["34070001"]
    data = {
        "school": world.school_a.pk,
        "school_year": world.year.pk,
        "grade": "7",
        "name": "7a1",
        "homeroom_teacher": world.staff["teacher"].pk,
    }
    response = client.post(url, data)
    created = SchoolClass.objects.get(name="7A1")
    assert response.url == reverse("registry:class_detail", args=[created.pk])
    bad = client.post(url, {**data, "grade": "10", "name": "10A"})
    assert bad.context["form"].errors["grade"] == ["Trường này không có khối 10."]
    duplicate = client.post(url, data)
    assert "name" in duplicate.context["form"].errors
    edit = reverse("registry:class_edit", args=[created.pk])
    assert list(client.get(edit).context["form"].fields) == ["name", "homeroom_teacher"]
    client.post(edit, {"name": "7A2", "homeroom_teacher": ""})
    created.refresh_from_db()
    assert (created.name, created.homeroom_teacher) == ("7A2", None)


def test_homeroom_must_work_at_the_school_in_the_form(client, world):
    login(client, world.principal)
    edit = reverse("registry:class_edit", args=[world.class_6a1.pk])
    response = client.post(edit, {"name": "6A1", "homeroom_teacher": world.staff["c"].pk})
    assert "homeroom_teacher" in response.context["form"].errors
    assert SchoolClass.objects.get(pk=world.class_6a1.pk).homeroom_teacher is None


@pytest.mark.parametrize("username", ["teacher", "homeroom", "accountant", "bureau"])
def test_class_form_denied_for_viewers(client, world, username):
    login(client, world.users[username])
    assert client.get(reverse("registry:class_create")).status_code == 403
    edit = reverse("registry:class_edit", args=[world.class_6a2.pk])
    expected = 404 if username == "teacher" else 403
    assert client.post(edit, {"name": "X"}).status_code == expected
    assert SchoolClass.objects.get(pk=world.class_6a2.pk).name == "6A2"
