from __future__ import annotations

from typing import Any

from django.db.models import Q

from truongso.core import authz
from truongso.core.authz import ScopeRule, path_q
from truongso.workflow.models import ApprovalRequest


class ApprovalRule(ScopeRule):
    """Deciders see the requests of their units; everyone sees the requests they filed."""

    def subtree(self, paths: list[str]) -> Q:
        return path_q("org_unit__path", paths)

    def classes(self, user: Any, school_paths: list[str]) -> Q:
        return Q(requested_by=user)

    homeroom = classes


def register_all() -> None:
    authz.register(ApprovalRequest, ApprovalRule())
