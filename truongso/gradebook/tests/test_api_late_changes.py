"""Late changes through the API: a teacher asks after the closing, the principal approves
(the change is applied and the official results refreshed), rejects or returns; bad
requests are refused with a message naming the field and change nothing."""

from __future__ import annotations

import pytest

from truongso.core.models import AuditEntry
from truongso.gradebook.models import SubjectTerm, TermResult
from truongso.gradebook.services.periods import period_close
from truongso.gradebook.tests import api_world
from truongso.gradebook.tests.api_world import GB, fingerprint
from truongso.registry.tests.api_support import api_clients
from truongso.workflow.models import ApprovalRequest

pytestmark = pytest.mark.usefixtures("registry_consistent")
URL = f"{GB}/late-changes/"


@pytest.fixture
def api(world, monkeypatch):
    api_world.extend(world)
    api_world.fill(world.class_6a1)
    period_close(
        actor=world.principal,
        school=world.school_a,
        year=world.year,
        semester=1,
        allow_incomplete=True,
    )
    return api_clients(world, monkeypatch)


def ask(world, **changes):
    body = {
        "class": world.class_6a1.pk,
        "semester": 1,
        "student": world.students["an"].pk,
        "subject": "TOAN",
        "cells": [{"code": "ck", "old": "8", "new": "10"}],
        "reason": "Chấm phúc khảo bài cuối kì",
    }
    return {**body, **changes}


def toan(world):
    return SubjectTerm.objects.get(
        student=world.students["an"], subject__code="TOAN", semester=1
    ).cells


def test_the_closed_semester_refuses_a_direct_save(world, api):
    an = world.students["an"]
    response = api("teacher").post(
        api_world.grid_url(world.class_6a1),
        {"changes": [{"student": an.pk, "code": "ck", "old": "8", "new": "10"}]},
    )
    assert response.status_code == 400
    assert response.json()["cells"][0]["message"] == (
        "Học kì đã khoá sổ; hãy gửi đề nghị sửa điểm kèm lý do."
    )


def test_ask_then_approve_applies_and_refreshes_results(world, api):
    created = api("teacher").post(URL, ask(world))
    assert created.status_code == 201, created.json()
    body = created.json()
    request = ApprovalRequest.objects.get()
    assert body | {"requested_at": None} == {
        "id": request.pk,
        "status": "submitted",
        "status_name": "Chờ duyệt",
        "title": "Sửa Toán của Nguyễn Văn An (lớp 6A1, học kì 1)",
        "class": world.class_6a1.pk,
        "semester": 1,
        "student": world.students["an"].pk,
        "subject": "TOAN",
        "cells": [{"code": "ck", "old": "8", "new": "10"}],
        "reason": "Chấm phúc khảo bài cuối kì",
        "requested_by": {"id": world.teacher.pk, "full_name": "Trần Thị Hoa"},
        "requested_at": None,
        "decided_by": None,
        "decided_at": None,
        "decision_note": "",
    }
    assert toan(world)["ck"] == "8"  # nothing changes before the decision
    decided = api("principal").post(f"{URL}{request.pk}/decide/", {"decision": "approved"})
    assert decided.status_code == 200, decided.json()
    assert decided.json()["status"] == "approved"
    assert decided.json()["decided_by"]["id"] == world.principal.pk
    assert toan(world)["ck"] == "10"
    stored = TermResult.objects.get(student=world.students["an"], period=1)
    assert stored.subjects["TOAN"] == {"average": "8.7"}  # (8·4 + 2·8 + 3·10) / 9
    entry = AuditEntry.objects.filter(action="score.update").latest("id")
    assert entry.actor == world.principal and "phúc khảo" in entry.note
    again = api("principal").post(f"{URL}{request.pk}/decide/", {"decision": "approved"})
    assert again.status_code == 400
    assert again.json() == {"non_field_errors": ["Đề nghị này không ở trạng thái chờ duyệt."]}


@pytest.mark.parametrize("decision", ["rejected", "returned"])
def test_reject_or_return_needs_a_note_and_changes_nothing(world, api, decision):
    request_id = api("teacher").post(URL, ask(world)).json()["id"]
    url = f"{URL}{request_id}/decide/"
    refused = api("principal").post(url, {"decision": decision})
    assert refused.status_code == 400
    assert refused.json() == {"note": ["Hãy nêu lý do không duyệt."]}
    done = api("principal").post(url, {"decision": decision, "note": "Cần biên bản phúc khảo"})
    assert done.status_code == 200
    assert done.json()["status"] == decision
    assert done.json()["decision_note"] == "Cần biên bản phúc khảo"
    assert toan(world)["ck"] == "8"


def test_a_request_for_the_homeroom_record(world, api):
    an = world.students["an"]
    created = api("gvcn").post(
        URL,
        ask(world, subject=None, cells=[{"code": "conduct", "old": "tot", "new": "Khá"}]),
    )
    assert created.status_code == 201, created.json()
    assert created.json()["subject"] is None
    assert created.json()["cells"] == [{"code": "conduct", "old": "tot", "new": "kha"}]
    api("principal").post(f"{URL}{created.json()['id']}/decide/", {"decision": "approved"})
    assert TermResult.objects.get(student=an, period=1).conduct == "kha"


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"reason": "x"}, {"reason": ["Hãy nêu lý do của đề nghị."]}),
        (
            {"cells": [{"code": "ck", "old": "8", "new": "11"}]},
            {"non_field_errors": ["Cột CK chỉ nhận điểm từ 0 đến 10 (11)."]},
        ),
        (
            {"cells": [{"code": "tx9", "old": "", "new": "8"}]},
            {"non_field_errors": ["Không có cột tx9."]},
        ),
        (
            {
                "cells": [
                    {"code": "ck", "old": "8", "new": "9"},
                    {"code": "ck", "old": "8", "new": "9"},
                ]
            },
            {"cells": ["Một ô được gửi hai lần."]},
        ),
        ({"cells": []}, None),
        ({"semester": 3}, None),
        ({"subject": "XYZ"}, {"subject": ["Không có môn học mã XYZ."]}),
        ({"student": 999999}, None),
        (
            {"cells": [{"code": "ck", "old": "7", "new": "9"}]},
            {"non_field_errors": ["Mục ck đã thay đổi kể từ khi gửi đề nghị (hiện là “8”)."]},
        ),
    ],
)
def test_bad_requests_name_the_field_and_change_nothing(world, api, changes, expected):
    before = fingerprint()
    response = api("teacher").post(URL, ask(world, **changes))
    assert response.status_code == 400
    field = next(iter(changes))
    if expected is None:
        assert list(response.json()) == [field]
    else:
        assert response.json() == expected
    assert fingerprint() == before


def test_a_student_of_another_class_is_refused_at_once(world, api):
    """The teacher of 6A1 who also leads 6A2 cannot file Chi (6A2) under 6A1."""
    from truongso.registry.services import classes

    classes.class_update(
        actor=world.principal,
        school_class=world.class_6a2,
        name="6A2",
        homeroom_teacher=world.staff["teacher"],
    )
    before = fingerprint()
    response = api("teacher").post(URL, ask(world, student=world.students["chi"].pk))
    assert response.status_code == 400
    assert response.json() == {"student": ["Học sinh này không thuộc lớp trong học kì này."]}
    assert fingerprint() == before
