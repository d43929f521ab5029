"""The demo logins: one account per role, with simple usernames and published passwords.

Officers and the principal must pass a TOTP second factor (``accounts.middleware``); their
devices are created confirmed here, and a demo installation (``TRUONGSO_DEMO=1``) shows the
current code on the code page, so a visitor can try the whole flow without an app.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django_otp.plugins.otp_totp.models import TOTPDevice

from truongso.accounts.models import RoleAssignment, User
from truongso.accounts.services import role_grant, user_create
from truongso.core.audit import audit_record
from truongso.core.authz import SECOND_FACTOR_ROLES, SYSTEM, Role
from truongso.registry.models import Guardian, OrgUnit, Staff, Student


@dataclass(frozen=True)
class DemoAccount:
    role: str
    username: str
    password: str


# Passwords pass the project's validators (≥ 10 characters, not common, not like the name).
DEMO_ACCOUNTS: list[DemoAccount] = [
    DemoAccount(Role.MINISTRY_OFFICER, "bo.canbo", "sao-vang-2026"),
    DemoAccount(Role.DEPARTMENT_OFFICER, "so.canbo", "lua-xanh-2026"),
    DemoAccount(Role.BUREAU_OFFICER, "phong.canbo", "tre-lang-2026"),
    DemoAccount(Role.PRINCIPAL, "hieutruong", "trong-dong-2026"),
    DemoAccount(Role.VICE_PRINCIPAL, "phohieutruong", "hoa-sen-2026"),
    DemoAccount(Role.TEACHER, "giaovien", "phan-trang-2026"),
    DemoAccount(Role.HOMEROOM_TEACHER, "gvcn", "bang-den-2026"),
    DemoAccount(Role.ACCOUNTANT, "ketoan", "dong-xu-2026"),
    DemoAccount(Role.CLERK, "vanthu", "con-dau-2026"),
    DemoAccount(Role.PARENT, "phuhuynh", "me-hien-2026"),
    DemoAccount(Role.STUDENT, "hocsinh", "cap-sach-2026"),
    DemoAccount(Role.GRADE_INSPECTOR, "thanhtra", "so-diem-2026"),
]
ACCOUNTS_BY_ROLE = {account.role: account for account in DEMO_ACCOUNTS}


@dataclass
class DemoPeople:
    """Who each demo login is: the staff record and unit of each granted role, the
    guardian of two children (parent) and one of those children (student)."""

    staff: dict[str, tuple[Staff, OrgUnit]]
    guardian: Guardian
    student: Student


def _login(role: str, full_name: str, phone: str) -> User:
    account = ACCOUNTS_BY_ROLE[role]
    return user_create(
        username=account.username,
        password=account.password,
        full_name=full_name,
        phone=phone,
        actor=SYSTEM,
    )


def _second_factor(user: User) -> None:
    """A confirmed TOTP device, as if the person had enrolled an authenticator app."""
    TOTPDevice.objects.create(user=user, name="Demo", confirmed=True)
    audit_record(actor=SYSTEM, action="otp.enrol", obj=user, note="demo")


def create_accounts(people: DemoPeople) -> None:
    for role, (staff, unit) in people.staff.items():
        user = _login(role, staff.full_name, staff.phone)
        roles = [role, Role.TEACHER] if role == Role.HOMEROOM_TEACHER else [role]
        for granted in roles:
            role_grant(actor=SYSTEM, user=user, role=granted, org_unit=unit, check=False)
        Staff.objects.filter(pk=staff.pk).update(user=user)
        if role in SECOND_FACTOR_ROLES:
            _second_factor(user)
    guardian = people.guardian
    parent = _login(Role.PARENT, guardian.full_name, guardian.phone)
    Guardian.objects.filter(pk=guardian.pk).update(user=parent)
    student = people.student
    pupil = _login(Role.STUDENT, student.full_name, "")
    Student.objects.filter(pk=student.pk).update(user=pupil)


def _org_of(user: User, role: str) -> str:
    if role == Role.PARENT:
        child: Any = Student.objects.filter(guardians__user=user).select_related("school").first()
        return str(child.school) if child is not None and child.school else ""
    if role == Role.STUDENT:
        me = Student.objects.filter(user=user).select_related("school").first()
        return str(me.school) if me is not None and me.school else ""
    grant = RoleAssignment.objects.filter(user=user, role=role).select_related("org_unit").first()
    return str(grant.org_unit) if grant is not None else ""


def demo_logins() -> list[dict[str, str]]:
    """The demo accounts present in the database: role, username, password and unit."""
    users = {u.username: u for u in User.objects.filter(username__in=ACCOUNTS_BY_USERNAME)}
    rows = []
    for account in DEMO_ACCOUNTS:
        user = users.get(account.username)
        if user is None:
            continue
        rows.append(
            {
                "role": str(account.role),
                "username": account.username,
                "password": account.password,
                "org": _org_of(user, account.role),
            }
        )
    return rows


ACCOUNTS_BY_USERNAME = {account.username: account for account in DEMO_ACCOUNTS}
