"""Org-unit services: who may create, change, close and reopen which node of the tree."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from truongso.core.authz import SYSTEM
from truongso.core.models import AuditEntry
from truongso.registry.models import OrgUnit
from truongso.registry.reference import OrgKind, SchoolLevel
from truongso.registry.services.org import (
    CONTACT_FIELDS,
    ORG_FIELDS,
    org_unit_create,
    org_unit_editable_fields,
    org_unit_set_active,
    org_unit_update,
)


def new_school(world, actor, code="34070009", parent=None, **extra):
    extra.setdefault("level", SchoolLevel.LOWER_SECONDARY)
    return org_unit_create(
        actor=actor,
        kind=OrgKind.SCHOOL,
        code=code,
        name="Trường THCS Quỳnh Mỹ",
        parent=parent or world.bureau_unit,
        **extra,
    )


def test_bureau_officer_creates_a_school_with_path_grades_and_audit(world):
    school = new_school(world, world.bureau, phone="02273 862 123", email=" qm@example.vn ")
    assert school.path == f"{world.bureau_unit.path}{school.pk}/"
    assert school.depth == 3
    assert (school.grade_from, school.grade_to) == (6, 9)
    assert (school.phone, school.email) == ("02273 862 123", "qm@example.vn")
    entry = AuditEntry.objects.get(action="org_unit.create", object_id=str(school.pk))
    assert entry.actor == world.bureau
    assert entry.org_path == school.path
    assert entry.after["code"] == "34070009"


def test_paths_are_right_in_a_deep_new_branch(world):
    department = org_unit_create(
        actor=SYSTEM, kind=OrgKind.DEPARTMENT, code="01", name="Sở GD&ĐT Hà Nội",
        parent=world.ministry_unit,
    )  # fmt: skip
    bureau = org_unit_create(
        actor=SYSTEM, kind=OrgKind.BUREAU, code="0101", name="Phòng GD&ĐT Ba Đình",
        parent=department,
    )  # fmt: skip
    school = new_school(world, SYSTEM, code="01010001", parent=bureau)
    ministry = world.ministry_unit
    assert department.path == f"/{ministry.pk}/{department.pk}/"
    assert bureau.path == f"/{ministry.pk}/{department.pk}/{bureau.pk}/"
    assert school.path == f"/{ministry.pk}/{department.pk}/{bureau.pk}/{school.pk}/"
    assert [u.depth for u in (ministry, department, bureau, school)] == [0, 1, 2, 3]
    school.refresh_from_db()
    assert school.path.startswith(bureau.path)


def test_department_officer_creates_a_bureau_and_a_school_directly_under_the_department(world):
    bureau = org_unit_create(
        actor=world.department, kind=OrgKind.BUREAU, code="3499", name="Phòng GD&ĐT Mới",
        parent=world.department_unit,
    )  # fmt: skip
    school = new_school(world, world.department, code="34990001", parent=world.department_unit)
    assert bureau.parent == world.department_unit
    assert school.parent == world.department_unit


@pytest.mark.parametrize(
    ("kind", "parent_name", "field"),
    [
        (OrgKind.SCHOOL, "ministry_unit", "parent"),
        (OrgKind.BUREAU, "bureau_unit", "parent"),
        (OrgKind.SCHOOL, "school_a", "parent"),
        (OrgKind.DEPARTMENT, "department_unit", "parent"),
        ("village", "bureau_unit", "kind"),
    ],
)
def test_kind_and_parent_rules(world, kind, parent_name, field):
    before = OrgUnit.objects.count()
    with pytest.raises(ValidationError) as caught:
        org_unit_create(
            actor=SYSTEM, kind=kind, code="X1234", name="Đơn vị thử",
            parent=getattr(world, parent_name),
            level=SchoolLevel.PRIMARY if kind == OrgKind.SCHOOL else "",
        )  # fmt: skip
    assert field in caught.value.error_dict
    assert OrgUnit.objects.count() == before


def test_a_school_needs_a_level_and_an_office_has_none(world):
    with pytest.raises(ValidationError) as caught:
        new_school(world, world.bureau, level="")
    assert "level" in caught.value.error_dict
    with pytest.raises(ValidationError) as caught:
        org_unit_create(
            actor=world.department, kind=OrgKind.BUREAU, code="3498", name="Phòng thử",
            parent=world.department_unit, level=SchoolLevel.PRIMARY,
        )  # fmt: skip
    assert "level" in caught.value.error_dict


def test_codes_are_unique_whatever_the_case(world):
    with pytest.raises(ValidationError) as caught:
        new_school(world, world.bureau, code="34070001")
    assert caught.value.message_dict["code"] == ["Mã 34070001 đã được sử dụng."]
    org_unit_create(
        actor=world.department, kind=OrgKind.BUREAU, code="th-01", name="Phòng thử",
        parent=world.department_unit,
    )  # fmt: skip
    with pytest.raises(ValidationError):
        org_unit_create(
            actor=world.department, kind=OrgKind.BUREAU, code="TH-01", name="Phòng thử 2",
            parent=world.department_unit,
        )  # fmt: skip
    assert OrgUnit.objects.filter(code="TH-01").count() == 1


@pytest.mark.parametrize("code", ["", "A", "34 07", "<script>", "X" * 21, "mã-việt"])
def test_malformed_codes_are_refused(world, code):
    with pytest.raises(ValidationError):
        new_school(world, world.bureau, code=code)
    assert not OrgUnit.objects.filter(name="Trường THCS Quỳnh Mỹ").exists()


@pytest.mark.parametrize(
    ("username", "parent_name"),
    [
        ("principal", "bureau_unit"),
        ("principal", "school_a"),
        ("other_bureau", "bureau_unit"),
        ("bureau", "other_bureau_unit"),
        ("bureau", "department_unit"),
        ("teacher", "bureau_unit"),
        ("clerk", "bureau_unit"),
        ("parent", "bureau_unit"),
        ("nobody", "bureau_unit"),
    ],
)
def test_who_may_not_create_units(world, username, parent_name):
    before = OrgUnit.objects.count()
    with pytest.raises((PermissionDenied, ValidationError)) as caught:
        new_school(world, world.users[username], parent=getattr(world, parent_name))
    # A school has no units under it: the principal's own school is refused as a place.
    expected = ValidationError if parent_name == "school_a" else PermissionDenied
    assert caught.type is expected
    assert OrgUnit.objects.count() == before
    assert not AuditEntry.objects.filter(action="org_unit.create", actor=world.users[username])


def test_only_a_superuser_creates_the_ministry_node(world):
    with pytest.raises(PermissionDenied):
        org_unit_create(
            actor=world.ministry, kind=OrgKind.MINISTRY, code="BGD2", name="Bộ 2", parent=None
        )


def test_bureau_officer_changes_everything_of_its_schools(world):
    assert org_unit_editable_fields(world.bureau, world.school_a) == ORG_FIELDS
    org_unit_update(
        actor=world.bureau,
        unit=world.school_a,
        data={"name": "  Trường  THCS An Bài  ", "grade_to": 8, "phone": "0227 3862 123"},
    )
    school = OrgUnit.objects.get(pk=world.school_a.pk)
    assert (school.name, school.search_name, school.grade_to) == (
        "Trường THCS An Bài",
        "truong thcs an bai",
        8,
    )
    entry = AuditEntry.objects.get(action="org_unit.update", object_id=str(school.pk))
    assert entry.before == {"grade_to": 9, "phone": ""}
    assert entry.after == {"grade_to": 8, "phone": "0227 3862 123"}


def test_principal_changes_only_the_contact_data_of_her_school(world):
    assert org_unit_editable_fields(world.principal, world.school_a) == CONTACT_FIELDS
    org_unit_update(
        actor=world.principal,
        unit=world.school_a,
        data={"address": "Xã An Bài, Thái Bình", "email": "anbai@example.vn"},
    )
    assert OrgUnit.objects.get(pk=world.school_a.pk).address == "Xã An Bài, Thái Bình"
    with pytest.raises(PermissionDenied):
        org_unit_update(actor=world.principal, unit=world.school_a, data={"name": "Trường khác"})
    assert OrgUnit.objects.get(pk=world.school_a.pk).name == "Trường THCS An Bài"


@pytest.mark.parametrize("username", ["other_bureau", "principal_c", "teacher", "clerk", "nobody"])
def test_others_change_nothing(world, username):
    actor = world.users[username]
    assert org_unit_editable_fields(actor, world.school_a) == ()
    with pytest.raises(PermissionDenied):
        org_unit_update(actor=actor, unit=world.school_a, data={"phone": "0912345678"})
    with pytest.raises(PermissionDenied):
        org_unit_set_active(actor=actor, unit=world.school_b, active=False)
    school_a, school_b = OrgUnit.objects.get(pk=world.school_a.pk), world.school_b
    school_b.refresh_from_db()
    assert (school_a.phone, school_b.is_active) == ("", True)


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"phone": "gọi cô Hoa"}, "phone"),
        ({"email": "not-an-email"}, "email"),
        ({"address": "x" * 256}, "address"),
        ({"name": "   "}, "name"),
        ({"grade_from": 9, "grade_to": 6}, "grade_to"),
        ({"level": ""}, "level"),
    ],
)
def test_bad_values_are_refused_with_the_field_named(world, data, field):
    with pytest.raises(ValidationError) as caught:
        org_unit_update(actor=world.bureau, unit=world.school_a, data=data)
    assert field in caught.value.error_dict
    school = OrgUnit.objects.get(pk=world.school_a.pk)
    assert (school.name, school.phone, school.grade_from) == ("Trường THCS An Bài", "", 6)


def test_fields_outside_the_list_cannot_be_changed(world):
    with pytest.raises(ValidationError):
        org_unit_update(actor=world.bureau, unit=world.school_a, data={"code": "X"})
    assert OrgUnit.objects.get(pk=world.school_a.pk).code == "34070001"


def test_a_school_with_studying_students_cannot_be_closed(world):
    with pytest.raises(ValidationError) as caught:
        org_unit_set_active(actor=world.bureau, unit=world.school_a, active=False)
    assert caught.value.messages == ["Trường vẫn còn học sinh; hãy chuyển học sinh trước."]
    assert OrgUnit.objects.get(pk=world.school_a.pk).is_active


def test_closing_and_reopening_an_empty_school(world):
    org_unit_set_active(actor=world.bureau, unit=world.school_b, active=False)
    assert not OrgUnit.objects.get(pk=world.school_b.pk).is_active
    org_unit_set_active(actor=world.bureau, unit=world.school_b, active=True)
    assert OrgUnit.objects.get(pk=world.school_b.pk).is_active
    actions = AuditEntry.objects.filter(object_id=str(world.school_b.pk)).values_list(
        "action", "after"
    )
    assert list(actions.filter(action="org_unit.set_active").order_by("id")) == [
        ("org_unit.set_active", {"is_active": False}),
        ("org_unit.set_active", {"is_active": True}),
    ]


def test_principal_cannot_close_her_own_school(world):
    with pytest.raises(PermissionDenied):
        org_unit_set_active(actor=world.principal_c, unit=world.school_c, active=False)
    assert OrgUnit.objects.get(pk=world.school_c.pk).is_active


def test_an_office_with_open_units_cannot_be_closed_nor_a_unit_reopened_under_a_closed_one(
    world,
):
    school = new_school(world, world.department, code="34020009", parent=world.other_bureau_unit)
    with pytest.raises(ValidationError) as caught:
        org_unit_set_active(actor=world.department, unit=world.bureau_unit, active=False)
    assert caught.value.messages == ["Hãy đóng các đơn vị trực thuộc trước."]
    org_unit_set_active(actor=world.department, unit=school, active=False)
    school_c = world.school_c
    school_c.students.update(status="left")
    org_unit_set_active(actor=world.department, unit=school_c, active=False)
    org_unit_set_active(actor=world.department, unit=world.other_bureau_unit, active=False)
    with pytest.raises(ValidationError) as caught:
        org_unit_set_active(actor=world.department, unit=school, active=True)
    assert caught.value.messages == ["Hãy mở lại đơn vị cấp trên trước."]
    school.refresh_from_db()
    assert not school.is_active
