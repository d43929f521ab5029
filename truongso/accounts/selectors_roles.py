"""Reads of the role pages, always through ``authz.scope(user, Perm.ROLE_MANAGE, ...)``."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from truongso.accounts.models import RoleAssignment, User
from truongso.core import authz
from truongso.core.authz import ROLE_POLICIES, Perm
from truongso.registry.models import OrgUnit, Staff


def role_manage_units(actor: Any) -> QuerySet[OrgUnit]:
    """Open units under the actor's ROLE_MANAGE grants."""
    units = OrgUnit.objects.filter(is_active=True)
    if not (getattr(actor, "is_superuser", False) and actor.is_active):
        units = units.filter(authz.path_q("path", authz.grant_roots(actor, Perm.ROLE_MANAGE)))
    return units.order_by("path")


def grants_in_scope(actor: Any) -> QuerySet[RoleAssignment]:
    return authz.scope(actor, Perm.ROLE_MANAGE, RoleAssignment.objects.all())


def known_users(actor: Any) -> QuerySet[User]:
    """People the actor may give a role to: staff with a login in the actor's reach, and
    holders of a grant the actor manages."""
    staff = authz.scope(actor, Perm.STAFF_VIEW, Staff.objects.filter(user__isnull=False))
    holders = grants_in_scope(actor).values("user_id")
    return User.objects.filter(
        Q(pk__in=staff.values("user_id")) | Q(pk__in=holders), is_active=True
    )


def manages_roles(role: str) -> bool:
    return Perm.ROLE_MANAGE in ROLE_POLICIES[role].perms


def may_handle(actor: Any, role: str, unit: OrgUnit) -> bool:
    """A role that itself manages roles (principal, officers) is granted and revoked from
    the office above: a principal cannot make another principal or remove herself."""
    parent_path = unit.parent.path if unit.parent is not None else None
    return authz.can_grant(actor, role, unit.path, parent_path)


def grant_list(
    actor: Any, *, query: str = "", role: str = "", unit: OrgUnit | None = None
) -> QuerySet[RoleAssignment]:
    """Grants the actor manages, searched by name or username, role and subtree."""
    grants = grants_in_scope(actor).select_related("user", "org_unit__parent", "granted_by")
    query = query.strip()
    if query:
        grants = grants.filter(
            Q(user__username__icontains=query) | Q(user__full_name__icontains=query)
        )
    if role:
        grants = grants.filter(role=role)
    if unit is not None:
        grants = grants.filter(org_unit__path__startswith=unit.path)
    return grants.order_by("org_unit__path", "role", "user__username")
