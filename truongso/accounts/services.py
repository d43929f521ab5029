"""Writes on accounts: users, role grants, API tokens, TOTP devices. Each is audited."""

from __future__ import annotations

import datetime as dt
import re
import secrets
from typing import Any

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from truongso.accounts.api import TOKEN_PREFIX
from truongso.accounts.models import ApiToken, RoleAssignment, User
from truongso.core import authz
from truongso.core.audit import audit_record, snapshot
from truongso.core.authz import ROLE_POLICIES, Perm, Role
from truongso.core.text import fold
from truongso.registry.models import Staff

_USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{2,149}$")


def user_create(
    *,
    username: str,
    password: str | None,
    full_name: str = "",
    phone: str = "",
    email: str = "",
    validate: bool = True,
    actor: Any = None,
) -> User:
    """Create a login. ``password=None`` creates an account that cannot log in by password
    yet (parents activated by OTP later)."""
    if User.objects.filter(username__iexact=username).exists():
        raise ValidationError({"username": _("This username is already taken.")})
    user = User(username=username, full_name=full_name, phone=phone, email=email)
    if password is None:
        user.set_unusable_password()
    else:
        if validate:
            validate_password(password, user)
        user.set_password(password)
    with transaction.atomic():
        user.save()
        audit_record(
            actor=actor,
            action="user.create",
            obj=user,
            after=snapshot(user, ["username", "full_name", "phone", "email"]),
        )
    return user


def role_grant(
    *,
    actor: Any,
    user: User,
    role: str,
    org_unit: Any,
    valid_until: dt.datetime | None = None,
    check: bool = True,
) -> RoleAssignment:
    """Grant ``role`` on ``org_unit``. The actor needs ROLE_MANAGE over the node, and a role
    can only be granted on the kind of node it belongs to (a principal on a school ...)."""
    policy = ROLE_POLICIES.get(role)
    if policy is None or not policy.kinds:
        raise ValidationError({"role": _("This role cannot be granted directly.")})
    if org_unit.kind not in policy.kinds:
        raise ValidationError({"org_unit": _("This role cannot be granted on this kind of unit.")})
    parent_path = org_unit.parent.path if org_unit.parent is not None else None
    if check and not authz.can_grant(actor, role, org_unit.path, parent_path):
        raise PermissionDenied(_("You cannot grant this role on this unit."))
    with transaction.atomic():
        assignment, created = RoleAssignment.objects.get_or_create(
            user=user,
            role=role,
            org_unit=org_unit,
            defaults={
                "valid_until": valid_until,
                "granted_by": actor if getattr(actor, "pk", None) else None,
            },
        )
        if created:
            audit_record(
                actor=actor,
                action="role.grant",
                obj=assignment,
                after={"user": user.username, "role": role, "org_unit": org_unit.code},
            )
    authz.forget(user)
    return assignment


def role_revoke(*, actor: Any, assignment: RoleAssignment) -> None:
    unit = assignment.org_unit
    parent_path = unit.parent.path if unit.parent is not None else None
    if not authz.can_grant(actor, assignment.role, unit.path, parent_path):
        raise PermissionDenied(_("You cannot revoke this role on this unit."))
    with transaction.atomic():
        audit_record(
            actor=actor,
            action="role.revoke",
            obj=assignment,
            before={
                "user": assignment.user.username,
                "role": assignment.role,
                "org_unit": assignment.org_unit.code,
            },
        )
        assignment.delete()
    authz.forget(assignment.user)


def api_token_create(*, user: User, name: str, days: int | None = 90) -> tuple[ApiToken, str]:
    """A new personal token; returns it with the secret, which is never stored or shown again."""
    prefix = secrets.token_hex(4)
    secret = f"{TOKEN_PREFIX}{prefix}_{secrets.token_urlsafe(32)}"
    expires = timezone.now() + dt.timedelta(days=days) if days else None
    with transaction.atomic():
        token = ApiToken.objects.create(
            user=user,
            name=name[:100],
            prefix=prefix,
            digest=ApiToken.hash_secret(secret),
            expires_at=expires,
        )
        audit_record(
            actor=user,
            action="api_token.create",
            obj=token,
            after={
                "name": token.name,
                "prefix": prefix,
                "expires_at": expires.isoformat() if expires else None,
            },
        )
    return token, secret


def api_token_revoke(*, user: User, token: ApiToken) -> None:
    if token.user_id != user.pk:
        raise PermissionDenied
    with transaction.atomic():
        ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(
            revoked_at=timezone.now()
        )
        audit_record(actor=user, action="api_token.revoke", obj=token)


# --- Logins for staff members ---------------------------------------------------------------

# Roles a school may give a staff member together with a new login. Principals are appointed
# by the Phòng/Sở and granted on the role page, not here.
STAFF_LOGIN_ROLES = (
    Role.TEACHER,
    Role.HOMEROOM_TEACHER,
    Role.VICE_PRINCIPAL,
    Role.ACCOUNTANT,
    Role.CLERK,
)
# Leading words that name the kind of school rather than the school itself, folded
# ("Trường THCS An Bài" -> "an bai"); longest phrases first.
_SCHOOL_PREFIXES = (
    "trung hoc pho thong",
    "trung hoc co so",
    "trung tam gdtx",
    "tieu hoc",
    "mam non",
    "lien cap",
    "truong",
    "ptdtbt",
    "ptdtnt",
    "thcs",
    "thpt",
    "gdtx",
    "th",
    "mn",
    "va",
    "&",
)
_NOT_ALNUM = re.compile(r"[^a-z0-9]")


def _place_name(unit_name: str) -> str:
    text = fold(unit_name).replace("&", " & ")
    text = " ".join(text.split())
    stripped = True
    while stripped:
        stripped = False
        for prefix in _SCHOOL_PREFIXES:
            if text == prefix or text.startswith(prefix + " "):
                text = text[len(prefix) :].strip()
                stripped = True
                break
    return _NOT_ALNUM.sub("", text)[:20]


def username_suggest(*, full_name: str, unit_name: str) -> str:
    """A free username in the usual Vietnamese pattern: given name + initials of the other
    names, then the school: "Trần Thị Hoa" at "Trường THCS An Bài" -> ``hoatt.anbai``."""
    words = [_NOT_ALNUM.sub("", w) for w in fold(full_name).split()]
    words = [w for w in words if w] or ["gv"]
    person = words[-1] + "".join(w[0] for w in words[:-1])
    place = _place_name(unit_name)
    base = (f"{person}.{place}" if place else person)[:140]
    taken = {
        name.lower()
        for name in User.objects.filter(username__istartswith=base).values_list(
            "username", flat=True
        )
    }
    candidate, number = base, 1
    while candidate in taken:
        number += 1
        candidate = f"{base}{number}"
    return candidate


def initial_password() -> str:
    """A one-time password that is easy to read aloud or copy: four groups of four."""
    alphabet = "abcdefghjkmnpqrstuvwxyz23456789"
    groups = ["".join(secrets.choice(alphabet) for _ in range(4)) for _ in range(4)]
    return "-".join(groups)


def staff_account_create(
    *, actor: Any, staff: Staff, role: str, username: str = ""
) -> tuple[User, str]:
    """Create the login of a staff member and grant ``role`` on the school she works at.

    The actor needs ROLE_MANAGE over the school and must be able to manage the staff record.
    Returns the user and the initial password, which is shown once and never stored in clear.
    """
    unit = staff.org_unit
    if not (
        authz.can(actor, Perm.ROLE_MANAGE, unit.path)
        and authz.check(actor, Perm.STAFF_MANAGE, staff)
    ):
        raise PermissionDenied(_("You cannot create logins for this staff member."))
    if staff.user_id is not None:
        raise ValidationError(_("This staff member already has a login."))
    if not staff.is_active:
        raise ValidationError(_("This staff member no longer works here."))
    if role not in STAFF_LOGIN_ROLES or unit.kind not in ROLE_POLICIES[role].kinds:
        raise ValidationError({"role": _("Choose one of the school roles offered.")})
    username = (username or "").strip().lower() or username_suggest(
        full_name=staff.full_name, unit_name=unit.name
    )
    if not _USERNAME.match(username):
        raise ValidationError(
            {"username": _("A username has 3–150 letters, digits or . _ - (no spaces).")}
        )
    password = initial_password()
    with transaction.atomic():
        user = user_create(
            username=username,
            password=password,
            full_name=staff.full_name,
            phone=staff.phone,
            email=staff.email,
            validate=False,
            actor=actor,
        )
        locked = Staff.objects.select_for_update().get(pk=staff.pk)
        if locked.user_id is not None:
            raise ValidationError(_("This staff member already has a login."))
        locked.user = user
        locked.save(update_fields=["user", "updated_at"])
        staff.user = user
        audit_record(
            actor=actor,
            action="staff.account_create",
            obj=staff,
            after={"user": user.username, "role": role},
        )
        role_grant(actor=actor, user=user, role=role, org_unit=unit)
    return user, password
