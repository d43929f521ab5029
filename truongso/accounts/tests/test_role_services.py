"""Role grants in the service itself (the API and the pages share it)."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied

from truongso.accounts.models import RoleAssignment
from truongso.accounts.services import role_grant, role_revoke
from truongso.core.authz import Role
from truongso.core.models import AuditEntry


def test_principal_grants_school_roles(world):
    grant = role_grant(
        actor=world.principal, user=world.nobody, role=Role.TEACHER, org_unit=world.school_a
    )
    assert grant.granted_by == world.principal
    assert AuditEntry.objects.filter(action="role.grant", actor=world.principal).count() == 1


@pytest.mark.parametrize("role", [Role.PRINCIPAL, Role.BUREAU_OFFICER])
def test_principal_cannot_make_a_principal_or_officer(world, role):
    unit = world.school_a if role == Role.PRINCIPAL else world.bureau_unit
    before = RoleAssignment.objects.count()
    with pytest.raises((PermissionDenied, Exception)):
        role_grant(actor=world.principal, user=world.nobody, role=role, org_unit=unit)
    assert RoleAssignment.objects.count() == before


def test_principal_cannot_remove_her_own_grant_but_the_bureau_can(world):
    own = RoleAssignment.objects.get(user=world.principal, role=Role.PRINCIPAL)
    with pytest.raises(PermissionDenied):
        role_revoke(actor=world.principal, assignment=own)
    assert RoleAssignment.objects.filter(pk=own.pk).exists()
    role_revoke(actor=world.bureau, assignment=own)
    assert not RoleAssignment.objects.filter(pk=own.pk).exists()


def test_bureau_appoints_a_principal_but_not_in_another_bureau(world):
    role_grant(actor=world.bureau, user=world.nobody, role=Role.PRINCIPAL, org_unit=world.school_b)
    with pytest.raises(PermissionDenied):
        role_grant(
            actor=world.bureau, user=world.nobody, role=Role.PRINCIPAL, org_unit=world.school_c
        )
    with pytest.raises(PermissionDenied):
        role_grant(
            actor=world.bureau,
            user=world.nobody,
            role=Role.BUREAU_OFFICER,
            org_unit=world.bureau_unit,
        )
    role_grant(
        actor=world.department,
        user=world.nobody,
        role=Role.BUREAU_OFFICER,
        org_unit=world.bureau_unit,
    )
