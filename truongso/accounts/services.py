"""Writes on accounts: users, role grants, API tokens, TOTP devices. Each is audited."""

from __future__ import annotations

import datetime as dt
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
from truongso.core.authz import ROLE_POLICIES, Perm


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
    if check and not authz.can(actor, Perm.ROLE_MANAGE, org_unit.path):
        raise PermissionDenied(_("You cannot grant roles on this unit."))
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
    if not authz.can(actor, Perm.ROLE_MANAGE, assignment.org_unit.path):
        raise PermissionDenied(_("You cannot revoke roles on this unit."))
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
