"""The authorization matrix: every role × every scoped model, allowed and denied, exactly."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied

from truongso.accounts.models import RoleAssignment
from truongso.core import authz
from truongso.core.authz import SYSTEM, Perm
from truongso.core.models import AuditEntry
from truongso.registry.models import (
    EnrolmentEvent,
    Guardian,
    OrgUnit,
    RegisterEntry,
    SchoolClass,
    Staff,
    Student,
)

ALL_STUDENTS = {"an", "binh", "chi", "dung"}
SCHOOL_A = {"an", "binh", "chi"}

# role -> students visible with STUDENT_VIEW
STUDENT_VIEW = {
    "ministry": ALL_STUDENTS,
    "department": ALL_STUDENTS,
    "bureau": SCHOOL_A,
    "other_bureau": {"dung"},
    "principal": SCHOOL_A,
    "vice": SCHOOL_A,
    "clerk": SCHOOL_A,
    "accountant": SCHOOL_A,
    "teacher": {"an", "binh"},
    "homeroom": {"chi"},
    "parent": {"an"},
    "student": {"an"},
    "principal_c": {"dung"},
    "nobody": set(),
}
STUDENT_EDIT = {
    "ministry": set(),
    "department": set(),
    "bureau": set(),
    "other_bureau": set(),
    "principal": SCHOOL_A,
    "vice": SCHOOL_A,
    "clerk": SCHOOL_A,
    "accountant": set(),
    "teacher": set(),
    "homeroom": {"chi"},
    "parent": set(),
    "student": set(),
    "principal_c": {"dung"},
    "nobody": set(),
}


def visible(world, username, perm, model=Student):
    user = world.users[username]
    return authz.scope(user, perm, model.objects.all())


def student_keys(world, queryset):
    by_pk = {s.pk: key for key, s in world.students.items()}
    return {by_pk[s.pk] for s in queryset}


@pytest.mark.parametrize("username", sorted(STUDENT_VIEW))
def test_student_view(world, username):
    assert (
        student_keys(world, visible(world, username, Perm.STUDENT_VIEW)) == STUDENT_VIEW[username]
    )


@pytest.mark.parametrize("username", sorted(STUDENT_EDIT))
def test_student_edit(world, username):
    assert (
        student_keys(world, visible(world, username, Perm.STUDENT_EDIT)) == STUDENT_EDIT[username]
    )


@pytest.mark.parametrize(
    ("username", "expected"),
    [
        ("principal", {"6A1", "6A2"}),
        ("teacher", {"6A1"}),
        ("homeroom", {"6A2"}),
        ("principal_c", {"6C"}),
        ("bureau", {"6A1", "6A2"}),
        ("department", {"6A1", "6A2", "6C"}),
        ("parent", set()),
        ("nobody", set()),
    ],
)
def test_class_view(world, username, expected):
    classes = visible(world, username, Perm.CLASS_VIEW, SchoolClass)
    assert {c.name for c in classes} == expected


@pytest.mark.parametrize(
    ("username", "expected"),
    [
        ("principal", {"Trần Thị Hoa", "Lê Văn Bình"}),
        ("bureau", {"Trần Thị Hoa", "Lê Văn Bình"}),
        ("other_bureau", {"Phạm Văn Cường"}),
        ("teacher", set()),
        ("parent", set()),
    ],
)
def test_staff_view(world, username, expected):
    assert {s.full_name for s in visible(world, username, Perm.STAFF_VIEW, Staff)} == expected


def test_org_view_follows_the_tree(world):
    codes = lambda u: {o.code for o in visible(world, u, Perm.ORG_VIEW, OrgUnit)}  # noqa: E731
    assert codes("bureau") == {"3407", "34070001", "34070002"}
    assert codes("principal") == {"34070001"}
    assert codes("teacher") == {"34070001"}
    assert codes("department") == {"34", "3407", "3402", "34070001", "34070002", "34020001"}
    assert codes("parent") == set()


def test_guardians_history_and_register_follow_the_student(world):
    assert {g.full_name for g in visible(world, "teacher", Perm.STUDENT_VIEW, Guardian)} == {
        "Nguyễn Văn Cha"
    }
    assert visible(world, "homeroom", Perm.STUDENT_VIEW, Guardian).count() == 0
    events = visible(world, "parent", Perm.STUDENT_RECORD, EnrolmentEvent)
    assert {e.student_id for e in events} == {world.students["an"].pk}
    register = visible(world, "principal", Perm.REGISTER_VIEW, RegisterEntry)
    assert sorted(r.number for r in register) == [1, 2, 3]
    assert visible(world, "principal_c", Perm.REGISTER_VIEW, RegisterEntry).count() == 1


def test_can_is_about_whole_nodes(world):
    a, c = world.school_a.path, world.school_c.path
    assert authz.can(world.principal, Perm.ENROLMENT_MANAGE, a)
    assert not authz.can(world.principal, Perm.ENROLMENT_MANAGE, c)
    assert authz.can(world.bureau, Perm.ENROLMENT_MANAGE, a)
    assert not authz.can(world.bureau, Perm.ENROLMENT_MANAGE, c)
    # Limited reaches never act on a node as a whole.
    assert not authz.can(world.teacher, Perm.STUDENT_VIEW, a)
    assert not authz.can(world.homeroom, Perm.STUDENT_EDIT, a)
    assert authz.can(SYSTEM, Perm.ORG_MANAGE, a)


def test_require_raises_for_objects_out_of_reach(world):
    dung = world.students["dung"]
    with pytest.raises(PermissionDenied):
        authz.require(world.principal, Perm.STUDENT_VIEW, dung)
    authz.require(world.principal_c, Perm.STUDENT_VIEW, dung)


def test_expired_grant_and_closed_unit_stop_working(world):
    import datetime as dt

    from django.utils import timezone

    RoleAssignment.objects.filter(user=world.clerk).update(
        valid_until=timezone.now() - dt.timedelta(seconds=1)
    )
    authz.forget(world.clerk)
    assert visible(world, "clerk", Perm.STUDENT_VIEW).count() == 0
    OrgUnit.objects.filter(pk=world.school_c.pk).update(is_active=False)
    authz.forget(world.principal_c)
    assert visible(world, "principal_c", Perm.STUDENT_VIEW).count() == 0


def test_transfer_moves_visibility_but_keeps_the_old_schools_register(world):
    import datetime as dt

    from truongso.registry.services import enrolment

    binh = world.students["binh"]
    request = enrolment.transfer_request(
        actor=world.principal,
        student=binh,
        to_school=world.school_c,
        date=dt.date(2025, 11, 3),
        reason="Gia đình chuyển nơi ở",
    )
    # The receiving school may open the record while the transfer waits.
    assert "binh" in student_keys(world, visible(world, "principal_c", Perm.STUDENT_RECORD))
    assert "binh" not in student_keys(world, visible(world, "principal_c", Perm.STUDENT_VIEW))
    enrolment.transfer_accept(actor=world.principal_c, request=request, to_class=world.class_c)
    authz.forget(world.teacher)
    assert "binh" not in student_keys(world, visible(world, "teacher", Perm.STUDENT_VIEW))
    # The old school keeps the record (its register) but no longer lists or edits her.
    assert "binh" in student_keys(world, visible(world, "principal", Perm.STUDENT_RECORD))
    assert "binh" not in student_keys(world, visible(world, "principal", Perm.STUDENT_VIEW))
    assert "binh" not in student_keys(world, visible(world, "principal", Perm.STUDENT_EDIT))
    assert "binh" in student_keys(world, visible(world, "principal_c", Perm.STUDENT_EDIT))


def test_audit_entries_are_scoped_by_org_path(world):
    mine = visible(world, "principal", Perm.AUDIT_VIEW, AuditEntry)
    assert mine.exists()
    assert all(e.org_path.startswith(world.school_a.path) for e in mine)
    theirs = visible(world, "principal_c", Perm.AUDIT_VIEW, AuditEntry)
    assert not theirs.filter(org_path__startswith=world.school_a.path).exists()
    assert visible(world, "teacher", Perm.AUDIT_VIEW, AuditEntry).count() == 0


def test_scope_is_one_query(world, django_assert_num_queries):
    user = world.users["bureau"]
    authz.grants(user)  # loaded once per request
    with django_assert_num_queries(1):
        list(authz.scope(user, Perm.STUDENT_VIEW, Student.objects.all()))
