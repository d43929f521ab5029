"""Helpers for the API tests: bearer-token clients for the named actors of the test world,
a fingerprint of the database to prove a refused request changed nothing, and throttles
kept apart per test."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import pytest
from rest_framework.test import APIClient
from rest_framework.throttling import SimpleRateThrottle

from truongso.accounts.models import RoleAssignment
from truongso.accounts.services import api_token_create
from truongso.core.models import AuditEntry
from truongso.registry.models import (
    EnrolmentEvent,
    Guardian,
    OrgUnit,
    Placement,
    RegisterEntry,
    SchoolClass,
    Staff,
    Student,
    StudentGuardian,
    TeachingAssignment,
    TransferRequest,
)

API = "/api/v1"
ROLES = [
    "ministry",
    "department",
    "bureau",
    "other_bureau",
    "principal",
    "vice",
    "clerk",
    "accountant",
    "teacher",
    "homeroom",
    "parent",
    "student",
    "principal_c",
    "nobody",
]
WATCHED = [
    OrgUnit,
    SchoolClass,
    Staff,
    TeachingAssignment,
    Student,
    Guardian,
    StudentGuardian,
    Placement,
    EnrolmentEvent,
    RegisterEntry,
    TransferRequest,
    RoleAssignment,
]


def bearer_client(user: Any) -> APIClient:
    _token, secret = api_token_create(user=user, name="tests")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}")
    return client


def api_clients(world: Any, monkeypatch: pytest.MonkeyPatch) -> Callable[[str], APIClient]:
    """``client_for("principal")`` is a client holding the principal's bearer token.

    Each test also counts its own requests for throttling: user IDs repeat between tests
    (rolled back) and the cache outlives them, so a long suite could trip the real limit.
    """
    monkeypatch.setattr(
        SimpleRateThrottle, "cache_format", f"throttle_{uuid.uuid4().hex}_%(scope)s_%(ident)s"
    )
    clients: dict[str, APIClient] = {}

    def client_for(username: str) -> APIClient:
        if username not in clients:
            clients[username] = bearer_client(world.users[username])
        return clients[username]

    return client_for


def fingerprint() -> dict[str, Any]:
    """Every row of every registry table plus the size of the audit log (API tokens, which
    the test clients create, left out)."""
    state: dict[str, Any] = {
        model.__name__: sorted(map(repr, model.objects.values_list())) for model in WATCHED
    }
    state["audit"] = AuditEntry.objects.exclude(action__startswith="api_token").count()
    return state


def ids(response: Any) -> set[int]:
    body = response.json()
    rows = body["results"] if isinstance(body, dict) else body
    return {row["id"] for row in rows}
