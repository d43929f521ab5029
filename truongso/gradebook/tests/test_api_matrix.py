"""The gradebook API's authorization matrix: every role × every endpoint.

Allowed calls answer 200/201; a call on something out of the caller's reach answers 404 (a
guessed ID reveals nothing), a write on something she may see but not change 403, and a
refused write changes nothing at all (gradebook rows, approval requests, audit log).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from truongso.core.authz import SYSTEM
from truongso.gradebook.late_changes import late_change_request
from truongso.gradebook.services.cells import CellChange, scores_save
from truongso.gradebook.tests import api_world
from truongso.gradebook.tests.api_world import GB, ROLES, fingerprint, grid_url
from truongso.registry.models import Subject
from truongso.registry.tests.api_support import api_clients

pytestmark = pytest.mark.usefixtures("registry_consistent")


@pytest.fixture
def api(world, monkeypatch):
    api_world.extend(world)
    toan = Subject.objects.get(code="TOAN")
    an = world.students["an"]
    scores_save(
        actor=SYSTEM,
        school_class=world.class_6a1,
        subject=toan,
        semester=1,
        changes=[CellChange(an.pk, "tx1", "", "7")],
    )
    world.request = late_change_request(
        actor=world.teacher,
        school_class=world.class_6a1,
        semester=1,
        student=an,
        subject=toan,
        cells={"tx1": ("7", "8")},
        reason="Nhập nhầm điểm thường xuyên",
    )
    return api_clients(world, monkeypatch)


def change(world: Any, code: str = "tx2", new: str = "9") -> dict[str, Any]:
    return {"student": world.students["an"].pk, "code": code, "old": "", "new": new}


Call = Callable[[Any, Any], Any]
CALLS: dict[str, tuple[bool, Call]] = {  # name: (writes, call)
    "grid": (False, lambda w, c: c.get(grid_url(w.class_6a1))),
    "grid_save": (True, lambda w, c: c.post(grid_url(w.class_6a1), {"changes": [change(w)]})),
    "scores_save": (
        True,
        lambda w, c: c.post(
            f"{GB}/classes/{w.class_6a1.pk}/semesters/1/scores/",
            {"changes": [{**change(w), "subject": "TOAN"}]},
        ),
    ),
    "homeroom": (False, lambda w, c: c.get(f"{GB}/classes/{w.class_6a1.pk}/semesters/1/homeroom/")),
    "homeroom_save": (
        True,
        lambda w, c: c.post(
            f"{GB}/classes/{w.class_6a1.pk}/semesters/1/homeroom/",
            {"changes": [change(w, "conduct", "Tốt")]},
        ),
    ),
    "class_results": (
        False,
        lambda w, c: c.get(f"{GB}/classes/{w.class_6a1.pk}/results/", {"period": 1}),
    ),
    "student_results": (
        False,
        lambda w, c: c.get(f"{GB}/students/{w.students['an'].pk}/results/"),
    ),
    "summary": (
        False,
        lambda w, c: c.get(f"{GB}/schools/{w.school_a.pk}/summary/", {"period": 1}),
    ),
    "late_change": (
        True,
        lambda w, c: c.post(
            f"{GB}/late-changes/",
            {
                "class": w.class_6a1.pk,
                "semester": 1,
                "student": w.students["an"].pk,
                "subject": "TOAN",
                "cells": [{"code": "gk", "old": "", "new": "6"}],
                "reason": "Bổ sung điểm giữa kì",
            },
        ),
    ),
    "late_change_detail": (False, lambda w, c: c.get(f"{GB}/late-changes/{w.request.pk}/")),
    "decide": (
        True,
        lambda w, c: c.post(
            f"{GB}/late-changes/{w.request.pk}/decide/", {"decision": "approved", "note": ""}
        ),
    ),
}
LEADERS = {"principal", "vice", "inspector"}
EXPECTED: dict[str, dict[int, set[str]]] = {
    "grid": {200: {"teacher", "gvcn", *LEADERS}},
    "grid_save": {200: {"teacher"}, 403: {"gvcn", *LEADERS}},
    "scores_save": {200: {"teacher"}, 403: {"other", "gvcn", "bureau", *LEADERS}},
    "homeroom": {200: {"gvcn", *LEADERS}},
    "homeroom_save": {200: {"gvcn"}, 403: LEADERS},
    "class_results": {200: {"gvcn", *LEADERS}},
    "student_results": {
        200: {"teacher", "other", "gvcn", "parent", "student", *LEADERS},
        403: {"bureau"},
    },
    "summary": {200: {"bureau", *LEADERS}, 403: {"teacher", "other", "gvcn", "homeroom"}},
    "late_change": {
        201: {"teacher"},
        403: {"other", "gvcn", "bureau", *LEADERS},
        400: {"homeroom", "parent", "student", "principal_c", "other_bureau", "nobody"},
    },
    "late_change_detail": {200: {"teacher", "principal", "vice"}},
    "decide": {200: {"principal", "vice"}, 403: {"teacher"}},
}


def expected_status(endpoint: str, role: str) -> int:
    for status, roles in EXPECTED[endpoint].items():
        if role in roles:
            return status
    return 404


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("endpoint", list(CALLS))
def test_matrix(world, api, endpoint, role):
    writes, call = CALLS[endpoint]
    before = fingerprint()
    response = call(world, api(role))
    expected = expected_status(endpoint, role)
    assert response.status_code == expected, (response.status_code, response.content[:300])
    if writes and expected >= 400:
        assert fingerprint() == before
    if expected == 404:
        assert set(response.json()) == {"detail"}


def test_denied_reads_show_no_score(world, api):
    """Refusals carry a message only, never a name or a score."""
    for role in ("bureau", "other", "parent", "principal_c"):
        for endpoint in ("grid", "homeroom", "class_results"):
            body = CALLS[endpoint][1](world, api(role)).content.decode()
            assert "Nguyễn Văn An" not in body and '"7"' not in body


def test_late_change_list_shows_each_their_own(world, api):
    listed = {
        role: [row["id"] for row in api(role).get(f"{GB}/late-changes/").json()["results"]]
        for role in ROLES
    }
    mine = [world.request.pk]
    assert listed == {
        role: mine if role in {"teacher", "principal", "vice"} else [] for role in ROLES
    }


@pytest.mark.parametrize(
    "url",
    [
        "/classes/999999/subjects/TOAN/semesters/1/",
        "/classes/999999/semesters/1/homeroom/",
        "/classes/999999/results/?period=1",
        "/students/999999/results/",
        "/schools/999999/summary/?period=1",
        "/late-changes/999999/",
    ],
)
def test_guessed_ids_answer_404(world, api, url):
    for role in ("principal", "bureau", "teacher"):
        response = api(role).get(f"{GB}{url}")
        assert response.status_code == 404
        assert response.json() == {"detail": "Không tìm thấy."}


def test_a_school_that_is_not_a_school_answers_404(world, api):
    response = api("bureau").get(f"{GB}/schools/{world.bureau_unit.pk}/summary/", {"period": 1})
    assert response.status_code == 404
