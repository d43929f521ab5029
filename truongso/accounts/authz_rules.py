"""Scope rules of the accounts models: grants are visible under the org node they are on."""

from __future__ import annotations

from django.db.models import Q

from truongso.accounts.models import RoleAssignment
from truongso.core import authz
from truongso.core.authz import ScopeRule, path_q


class RoleAssignmentRule(ScopeRule):
    def subtree(self, paths: list[str]) -> Q:
        return path_q("org_unit__path", paths)


def register_all() -> None:
    authz.register(RoleAssignment, RoleAssignmentRule())
