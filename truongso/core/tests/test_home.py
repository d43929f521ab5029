"""The role-aware home page: each role sees its own figures, in a bounded number of queries."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from truongso.core import selectors
from truongso.core.authz import SYSTEM
from truongso.registry.models import Staff, Subject
from truongso.registry.services import enrolment
from truongso.registry.services.classes import teaching_assign
from truongso.registry.tests.test_org_views import login

HOME = reverse("core:home")


def home(client, user, django_assert_max_num_queries, limit):
    login(client, user)
    with django_assert_max_num_queries(limit):
        response = client.get(HOME)
    assert response.status_code == 200
    return response.context["dashboard"], response.content.decode()


def test_bureau_officer_sees_its_area(client, world, django_assert_max_num_queries):
    board, html = home(client, world.bureau, django_assert_max_num_queries, 16)
    figures = board.officer
    assert (figures.schools, figures.classes, figures.students, figures.staff) == (2, 2, 3, 2)
    assert [(s.name, s.studying) for s in board.officer_schools] == [
        ("Trường THCS An Bài", 3),
        ("Trường THCS Quỳnh Hải", 0),
    ]
    assert board.schools == [] and board.my_classes == [] and board.children == []
    assert "Trường THCS Đông Hợp" not in html
    assert "Nhật ký thao tác" in html or reverse("core:audit_list") in html


def test_department_officer_counts_the_whole_province(client, world, django_assert_max_num_queries):
    board, _html = home(client, world.department, django_assert_max_num_queries, 16)
    figures = board.officer
    assert (figures.schools, figures.classes, figures.students, figures.staff) == (3, 3, 4, 3)


def test_only_studying_students_are_counted(client, world, django_assert_max_num_queries):
    enrolment.student_exit(
        actor=SYSTEM, student=world.students["binh"], kind="left",
        date=world.year.start_date + dt.timedelta(days=30), reason="Chuyển vùng",
    )  # fmt: skip
    board, _html = home(client, world.bureau, django_assert_max_num_queries, 16)
    assert board.officer.students == 2
    assert [s.studying for s in board.officer_schools] == [2, 0]


def test_principal_sees_her_school_and_pending_transfers(
    client, world, django_assert_max_num_queries
):
    enrolment.transfer_request(
        actor=world.principal_c, student=world.students["dung"], to_school=world.school_a,
        date=world.year.start_date + dt.timedelta(days=30), reason="Gia đình chuyển nhà",
    )  # fmt: skip
    board, html = home(client, world.principal, django_assert_max_num_queries, 16)
    assert board.officer is None
    [panel] = board.schools
    assert panel.school == world.school_a
    f = panel.figures
    assert (f.classes, f.students, f.staff, f.pending_transfers) == (2, 3, 2, 1)
    assert "Trường THCS An Bài" in html


def test_accountant_sees_the_school_without_transfers(client, world, django_assert_max_num_queries):
    board, _html = home(client, world.accountant, django_assert_max_num_queries, 14)
    [panel] = board.schools
    assert panel.figures.pending_transfers is None
    assert panel.figures.students == 3


def test_teacher_sees_her_classes(client, world, django_assert_max_num_queries):
    teaching_assign(
        actor=SYSTEM, school_class=world.class_6a2, subject=Subject.objects.get(code="NV"),
        staff=world.staff["teacher"],
    )  # fmt: skip
    board, html = home(client, world.teacher, django_assert_max_num_queries, 14)
    rows = [(c.name, c.size, c.is_homeroom, c.subjects_taught) for c in board.my_classes]
    assert rows == [("6A1", 2, False, ["Toán"]), ("6A2", 1, False, ["Ngữ văn"])]
    assert board.schools == [] and board.officer is None
    assert "Lớp 6A1" in html


def test_homeroom_teacher_sees_her_homeroom_class(client, world, django_assert_max_num_queries):
    board, _html = home(client, world.homeroom, django_assert_max_num_queries, 14)
    assert [(c.name, c.size, c.is_homeroom) for c in board.my_classes] == [("6A2", 1, True)]


def test_parent_sees_child_cards(client, world, django_assert_max_num_queries):
    board, html = home(client, world.parent, django_assert_max_num_queries, 12)
    assert [(c.full_name, c.school.name, c.current_class.name) for c in board.children] == [
        ("Nguyễn Văn An", "Trường THCS An Bài", "6A1")
    ]
    assert "Nguyễn Văn An" in html and "Đỗ Thị Bình" not in html
    assert board.links == []


def test_student_sees_own_class(client, world, django_assert_max_num_queries):
    board, html = home(client, world.student, django_assert_max_num_queries, 12)
    assert board.own == world.students["an"]
    assert "6A1" in html and "Trường THCS An Bài" in html


def test_nobody_is_told_to_ask_for_a_role(client, world, django_assert_max_num_queries):
    board, html = home(client, world.nobody, django_assert_max_num_queries, 8)
    assert board.is_empty and board.links == []
    assert "chưa có vai trò" in html


@pytest.mark.parametrize("schools", [5, 40])
def test_officer_home_queries_do_not_grow_with_the_area(
    client, world, django_assert_max_num_queries, schools
):
    from truongso.registry.services.org import org_unit_create

    for number in range(schools):
        org_unit_create(
            actor=SYSTEM, kind="school", code=f"3407{number + 100:04d}",
            name=f"Trường Tiểu học số {number}", parent=world.bureau_unit, level="tieu_hoc",
        )  # fmt: skip
    board, _html = home(client, world.bureau, django_assert_max_num_queries, 16)
    assert board.officer.schools == schools + 2
    assert len(board.officer_schools) == min(schools + 2, selectors.OFFICER_SCHOOL_ROWS)


def test_staff_member_with_a_login_but_no_teaching_role_sees_her_classes(world):
    Staff.objects.filter(pk=world.staff["homeroom"].pk).update(user=world.clerk)
    board = selectors.dashboard_for(world.clerk)
    assert [c.name for c in board.my_classes] == ["6A2"]
