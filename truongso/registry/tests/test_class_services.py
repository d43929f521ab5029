"""Class services and teaching assignments (phân công giảng dạy): rules and permissions."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from truongso.core.models import AuditEntry
from truongso.registry.models import SchoolClass, Staff, Subject, TeachingAssignment
from truongso.registry.services.classes import (
    class_create,
    class_update,
    teaching_assign,
    teaching_unassign,
)
from truongso.registry.services.staff import staff_create


def subject(code):
    return Subject.objects.get(code=code)


def test_principal_creates_a_class_with_a_homeroom_teacher(world):
    school_class = class_create(
        actor=world.principal,
        school=world.school_a,
        school_year=world.year,
        grade=7,
        name=" 7a1 ",
        homeroom_teacher=world.staff["teacher"],
    )
    assert (school_class.name, school_class.grade) == ("7A1", 7)
    assert school_class.homeroom_teacher == world.staff["teacher"]
    entry = AuditEntry.objects.get(action="class.create", object_id=str(school_class.pk))
    assert (entry.actor, entry.org_path) == (world.principal, world.school_a.path)


@pytest.mark.parametrize("grade", [5, 10, 12])
def test_grade_must_be_in_the_school_span(world, grade):
    with pytest.raises(ValidationError) as caught:
        class_create(
            actor=world.principal, school=world.school_a, school_year=world.year,
            grade=grade, name=f"{grade}A",
        )  # fmt: skip
    assert caught.value.message_dict == {"grade": [f"Trường này không có khối {grade}."]}
    assert not SchoolClass.objects.filter(name=f"{grade}A").exists()


def test_class_names_are_unique_per_school_and_year(world):
    with pytest.raises(ValidationError) as caught:
        class_create(
            actor=world.clerk, school=world.school_a, school_year=world.year, grade=6, name="6a1"
        )
    assert "name" in caught.value.error_dict
    # The same name in another school is fine.
    other = class_create(
        actor=world.principal_c, school=world.school_c, school_year=world.year, grade=6,
        name="6A1",
    )  # fmt: skip
    assert other.school == world.school_c
    assert SchoolClass.objects.filter(name="6A1").count() == 2


def test_homeroom_teacher_must_work_at_the_school(world):
    with pytest.raises(ValidationError) as caught:
        class_create(
            actor=world.principal, school=world.school_a, school_year=world.year, grade=6,
            name="6A3", homeroom_teacher=world.staff["c"],
        )  # fmt: skip
    assert "homeroom_teacher" in caught.value.error_dict
    Staff.objects.filter(pk=world.staff["homeroom"].pk).update(is_active=False)
    world.staff["homeroom"].refresh_from_db()
    with pytest.raises(ValidationError):
        class_update(
            actor=world.principal, school_class=world.class_6a1, name="6A1",
            homeroom_teacher=world.staff["homeroom"],
        )  # fmt: skip
    assert SchoolClass.objects.get(pk=world.class_6a1.pk).homeroom_teacher is None


@pytest.mark.parametrize(
    "username", ["teacher", "homeroom", "accountant", "principal_c", "bureau", "parent", "nobody"]
)
def test_who_may_not_create_or_change_classes(world, username):
    actor = world.users[username]
    with pytest.raises(PermissionDenied):
        class_create(
            actor=actor, school=world.school_a, school_year=world.year, grade=6, name="6A9"
        )
    with pytest.raises(PermissionDenied):
        class_update(actor=actor, school_class=world.class_6a2, name="6B", homeroom_teacher=None)
    class_6a2 = SchoolClass.objects.get(pk=world.class_6a2.pk)
    assert (class_6a2.name, class_6a2.homeroom_teacher) == ("6A2", world.staff["homeroom"])
    assert not SchoolClass.objects.filter(name="6A9").exists()


def test_class_update_renames_and_records_only_the_change(world):
    class_update(
        actor=world.clerk, school_class=world.class_6a1, name="6a5",
        homeroom_teacher=world.staff["teacher"],
    )  # fmt: skip
    entry = AuditEntry.objects.get(action="class.update")
    assert entry.before == {"name": "6A1", "homeroom_teacher_id": None}
    assert entry.after == {"name": "6A5", "homeroom_teacher_id": world.staff["teacher"].pk}
    with pytest.raises(ValidationError):
        class_update(
            actor=world.clerk, school_class=world.class_6a1, name="6A2", homeroom_teacher=None
        )
    assert SchoolClass.objects.get(pk=world.class_6a1.pk).name == "6A5"


def test_assign_then_reassign_keeps_one_row(world):
    math = subject("TOAN")
    assignment = teaching_assign(
        actor=world.principal, school_class=world.class_6a1, subject=math,
        staff=world.staff["homeroom"],
    )  # fmt: skip
    rows = TeachingAssignment.objects.filter(school_class=world.class_6a1, subject=math)
    assert list(rows.values_list("staff__full_name", flat=True)) == ["Lê Văn Bình"]
    assert assignment.pk == rows.get().pk
    entry = AuditEntry.objects.filter(action="teaching.assign").latest("id")
    assert entry.before == {"staff": world.staff["teacher"].pk}
    assert entry.after["staff"] == world.staff["homeroom"].pk


def test_subject_must_be_in_the_grade_curriculum(world):
    with pytest.raises(ValidationError) as caught:
        teaching_assign(
            actor=world.principal, school_class=world.class_6a2, subject=subject("TV"),
            staff=world.staff["teacher"],
        )  # fmt: skip
    assert caught.value.message_dict == {"subject": ["Môn này không được dạy ở khối 6."]}
    assert not TeachingAssignment.objects.filter(school_class=world.class_6a2).exists()


def test_teacher_must_be_working_at_the_school(world):
    with pytest.raises(ValidationError):
        teaching_assign(
            actor=world.principal, school_class=world.class_6a2, subject=subject("NV"),
            staff=world.staff["c"],
        )  # fmt: skip
    retired = staff_create(
        actor=world.principal, org_unit=world.school_a,
        data={"full_name": "Ngô Thị Lan", "is_active": False},
    )  # fmt: skip
    with pytest.raises(ValidationError):
        teaching_assign(
            actor=world.principal, school_class=world.class_6a2, subject=subject("NV"),
            staff=retired,
        )  # fmt: skip
    assert not TeachingAssignment.objects.filter(school_class=world.class_6a2).exists()


@pytest.mark.parametrize("username", ["teacher", "homeroom", "principal_c", "bureau", "nobody"])
def test_who_may_not_assign_or_unassign(world, username):
    actor = world.users[username]
    with pytest.raises(PermissionDenied):
        teaching_assign(
            actor=actor, school_class=world.class_6a2, subject=subject("NV"),
            staff=world.staff["teacher"],
        )  # fmt: skip
    existing = TeachingAssignment.objects.get(school_class=world.class_6a1)
    with pytest.raises(PermissionDenied):
        teaching_unassign(actor=actor, assignment=existing)
    assert TeachingAssignment.objects.filter(pk=existing.pk).exists()
    assert TeachingAssignment.objects.count() == 1


def test_unassign_removes_the_row_and_is_audited(world):
    existing = TeachingAssignment.objects.get(school_class=world.class_6a1)
    teaching_unassign(actor=world.vice, assignment=existing)
    assert not TeachingAssignment.objects.exists()
    entry = AuditEntry.objects.get(action="teaching.unassign")
    assert entry.before["staff"] == world.staff["teacher"].pk
    assert entry.org_path == world.school_a.path
