"""Staff services and the login a school creates for a staff member."""

from __future__ import annotations

import pytest
from django.contrib.auth import authenticate
from django.core.exceptions import PermissionDenied, ValidationError

from truongso.accounts.models import RoleAssignment, User
from truongso.accounts.services import (
    initial_password,
    staff_account_create,
    user_create,
    username_suggest,
)
from truongso.core import authz
from truongso.core.authz import SYSTEM, Perm
from truongso.core.models import AuditEntry
from truongso.registry.models import Staff
from truongso.registry.services.staff import staff_create, staff_update

GOOD = {
    "full_name": "Nguyễn Thị Mai",
    "gender": "F",
    "birth_date": "14/02/1990",
    "citizen_id": "034190001234",
    "staff_code": "GV0001",
    "phone": "+84 912 000 111",
}


def test_principal_adds_staff_with_cleaned_values(world):
    member = staff_create(actor=world.principal, org_unit=world.school_a, data=GOOD)
    assert (member.full_name, member.phone, member.citizen_id, member.position) == (
        "Nguyễn Thị Mai",
        "0912000111",
        "034190001234",
        "giao_vien",
    )
    entry = AuditEntry.objects.get(action="staff.create", object_id=str(member.pk))
    assert (entry.actor, entry.org_path) == (world.principal, world.school_a.path)


@pytest.mark.parametrize(
    "citizen_id",
    ["12345", "03419000123X", "999190001234", "034290001234", "034185001234", "034090001234"],
)
def test_citizen_id_is_validated_against_province_birth_year_and_gender(world, citizen_id):
    with pytest.raises(ValidationError) as caught:
        staff_create(
            actor=world.principal, org_unit=world.school_a, data={**GOOD, "citizen_id": citizen_id}
        )
    assert "citizen_id" in caught.value.error_dict
    assert not Staff.objects.filter(full_name="Nguyễn Thị Mai").exists()


def test_staff_code_and_citizen_id_are_unique(world):
    staff_create(actor=world.principal, org_unit=world.school_a, data=GOOD)
    with pytest.raises(ValidationError) as caught:
        staff_create(
            actor=world.principal_c,
            org_unit=world.school_c,
            data={**GOOD, "citizen_id": "", "full_name": "Trần Văn Nam", "gender": "M"},
        )
    assert caught.value.message_dict == {
        "staff_code": ["Đã có cán bộ, giáo viên khác dùng giá trị này."]
    }
    with pytest.raises(ValidationError) as caught:
        staff_create(
            actor=world.principal, org_unit=world.school_a, data={**GOOD, "staff_code": ""}
        )
    assert "citizen_id" in caught.value.error_dict
    assert Staff.objects.filter(full_name__in=["Nguyễn Thị Mai", "Trần Văn Nam"]).count() == 1


def test_every_bad_field_is_reported_at_once(world):
    with pytest.raises(ValidationError) as caught:
        staff_create(
            actor=world.principal,
            org_unit=world.school_a,
            data={"full_name": "<script>", "phone": "12", "email": "x@", "position": "king"},
        )
    assert set(caught.value.error_dict) == {"full_name", "phone", "email", "position"}


def test_update_keeps_unique_values_and_records_changes(world):
    member = staff_create(actor=world.principal, org_unit=world.school_a, data=GOOD)
    staff_update(actor=world.vice, staff=member, data={**GOOD, "position": "to_truong"})
    assert Staff.objects.get(pk=member.pk).position == "to_truong"
    entry = AuditEntry.objects.get(action="staff.update")
    assert (entry.before, entry.after) == ({"position": "giao_vien"}, {"position": "to_truong"})
    with pytest.raises(ValidationError):
        staff_update(
            actor=world.principal, staff=world.staff["teacher"], data={"staff_code": "GV0001"}
        )
    assert Staff.objects.get(pk=world.staff["teacher"].pk).staff_code is None


@pytest.mark.parametrize("username", ["principal_c", "other_bureau", "teacher", "clerk", "nobody"])
def test_who_may_not_add_or_change_staff_of_school_a(world, username):
    actor = world.users[username]
    with pytest.raises(PermissionDenied):
        staff_create(actor=actor, org_unit=world.school_a, data=GOOD)
    with pytest.raises(PermissionDenied):
        staff_update(actor=actor, staff=world.staff["teacher"], data={"full_name": "Tên khác"})
    assert Staff.objects.get(pk=world.staff["teacher"].pk).full_name == "Trần Thị Hoa"
    assert not Staff.objects.filter(full_name="Nguyễn Thị Mai").exists()


# --- Logins for staff ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("full_name", "unit", "expected"),
    [
        ("Trần Thị Hoa", "Trường THCS An Bài", "hoatt.anbai"),
        ("Nguyễn Văn Đạt", "Trường Tiểu học Quỳnh Hoa", "datnv.quynhhoa"),
        ("Lê Đức", "Trường THPT Trung Văn", "ducl.trungvan"),
        ("Hà", "Trường Mầm non Hoa Sen", "ha.hoasen"),
        ("H'Hen Niê", "Trường PTDTBT THCS Ea Tu", "nieh.eatu"),
    ],
)
def test_username_suggestion(db, full_name, unit, expected):
    assert username_suggest(full_name=full_name, unit_name=unit) == expected


def test_username_suggestion_avoids_taken_names(db):
    user_create(username="hoatt.anbai", password=None, actor=SYSTEM)
    user_create(username="HoaTT.AnBai2", password=None, actor=SYSTEM)
    assert username_suggest(full_name="Trần Thị Hoa", unit_name="THCS An Bài") == "hoatt.anbai3"


def test_initial_passwords_are_long_and_different():
    first, second = initial_password(), initial_password()
    assert len(first) == 19 and first.count("-") == 3
    assert first != second


def new_member(world, name="Phạm Thu Trang"):
    return staff_create(actor=world.principal, org_unit=world.school_a, data={"full_name": name})


def test_principal_creates_a_login_with_a_school_role(world):
    member = new_member(world)
    user, password = staff_account_create(actor=world.principal, staff=member, role="teacher")
    assert user.username == "trangpt.anbai"
    assert user.full_name == "Phạm Thu Trang"
    assert authenticate(username="trangpt.anbai", password=password) == user
    assert Staff.objects.get(pk=member.pk).user == user
    grant = RoleAssignment.objects.get(user=user)
    assert (grant.role, grant.org_unit, grant.granted_by) == (
        "teacher",
        world.school_a,
        world.principal,
    )
    assert authz.can(user, Perm.CLASS_VIEW, world.school_a.path) is False
    actions = set(AuditEntry.objects.filter(actor=world.principal).values_list("action", flat=True))
    assert {"user.create", "staff.account_create", "role.grant"} <= actions
    assert password not in str(list(AuditEntry.objects.values_list("after", flat=True)))


def test_login_rules(world):
    member = new_member(world)
    with pytest.raises(ValidationError) as caught:
        staff_account_create(actor=world.principal, staff=member, role="principal")
    assert "role" in caught.value.error_dict
    with pytest.raises(ValidationError) as caught:
        staff_account_create(actor=world.principal, staff=member, role="teacher", username="a b")
    assert "username" in caught.value.error_dict
    with pytest.raises(ValidationError) as caught:
        staff_account_create(
            actor=world.principal, staff=member, role="teacher", username="teacher"
        )
    assert "username" in caught.value.error_dict
    with pytest.raises(ValidationError):
        staff_account_create(actor=world.principal, staff=world.staff["teacher"], role="teacher")
    assert Staff.objects.get(pk=member.pk).user is None
    assert not User.objects.filter(username__startswith="trangpt").exists()


@pytest.mark.parametrize("username", ["vice", "clerk", "principal_c", "other_bureau", "teacher"])
def test_who_may_not_create_logins(world, username):
    member = new_member(world)
    with pytest.raises(PermissionDenied):
        staff_account_create(actor=world.users[username], staff=member, role="teacher")
    assert Staff.objects.get(pk=member.pk).user is None
    assert not User.objects.filter(username__startswith="trangpt").exists()


def test_bureau_officer_may_create_logins_in_its_schools(world):
    member = new_member(world)
    user, _password = staff_account_create(
        actor=world.bureau, staff=member, role="vice_principal", username="Trang.PT"
    )
    assert user.username == "trang.pt"
    assert RoleAssignment.objects.get(user=user).role == "vice_principal"
