from __future__ import annotations

import datetime as dt

from truongso.core.audit import audit_export, audit_record, audit_update, diff, snapshot
from truongso.core.context import RequestContext, activate, reset
from truongso.core.models import AuditEntry
from truongso.registry.services.students import student_update


def test_snapshot_is_json_safe(world):
    data = snapshot(world.students["an"])
    assert data["birth_date"] == "2014-03-12"
    assert data["school_id"] == world.school_a.pk
    assert data["learner_id"] == "3407000001"


def test_diff_keeps_only_changes():
    assert diff({"a": 1, "b": 2}, {"a": 1, "b": 3}) == ({"b": 2}, {"b": 3})


def test_update_records_who_when_before_after_and_ip(world):
    token = activate(RequestContext(ip="10.1.2.3", request_id="req-1"))
    try:
        student_update(
            actor=world.principal,
            student=world.students["an"],
            data={"current_address": "Thôn Đông, xã An Bài"},
        )
    finally:
        reset(token)
    entry = AuditEntry.objects.get(action="student.update")
    assert entry.actor == world.principal and entry.actor_name == "principal"
    assert entry.before == {"current_address": ""}
    assert entry.after == {"current_address": "Thôn Đông, xã An Bài"}
    assert entry.org_path == world.school_a.path
    assert (entry.ip, entry.request_id) == ("10.1.2.3", "req-1")


def test_update_without_change_writes_nothing(world):
    before = AuditEntry.objects.count()
    student = world.students["an"]
    assert audit_update(actor=world.principal, obj=student, before=snapshot(student)) is None
    assert AuditEntry.objects.count() == before


def test_export_is_logged_with_scope_and_size(world):
    entry = audit_export(
        actor=world.principal,
        what="students.xlsx",
        org_path=world.school_a.path,
        rows=3,
        params={"grade": 6},
    )
    assert entry.action == "export" and entry.after == {"rows": 3, "grade": 6}


def test_system_actor_is_named(db):
    from truongso.core.authz import SYSTEM

    entry = audit_record(actor=SYSTEM, action="x", object_repr="y")
    assert entry.actor is None and entry.actor_name == "system"
    assert entry.at <= dt.datetime.now(dt.UTC)
