"""The audit log: every write to people, grades, money and documents, and every export.

Services call :func:`audit_record` inside their transaction, so an entry exists exactly when
the change it describes was committed.
"""

from __future__ import annotations

import datetime as dt
import decimal
import uuid
from collections.abc import Iterable, Mapping
from typing import Any, Protocol

from django.db import models
from django.db.models.fields.files import FieldFile

from truongso.core import context
from truongso.core.models import AuditEntry

Snapshot = dict[str, Any]


class HasOrgPath(Protocol):
    @property
    def audit_org_path(self) -> str: ...


def _json_value(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, FieldFile):
        return value.name or ""
    if isinstance(value, bytes | memoryview):
        return f"<{len(value)} bytes>"
    return value


def snapshot(obj: models.Model, fields: Iterable[str] | None = None) -> Snapshot:
    """JSON-safe dict of the object's concrete fields (foreign keys by ID)."""
    names = set(fields) if fields is not None else None
    data: Snapshot = {}
    for field in obj._meta.concrete_fields:
        # Either name works ("school" or "school_id"): audit_update passes the keys back.
        if names is not None and field.name not in names and field.attname not in names:
            continue
        data[field.attname if field.is_relation else field.name] = _json_value(
            getattr(obj, field.attname)
        )
    return data


def diff(before: Mapping[str, Any], after: Mapping[str, Any]) -> tuple[Snapshot, Snapshot]:
    """The keys whose values changed, as (before, after) pairs of dicts."""
    keys = [key for key in after if before.get(key) != after.get(key)]
    return {key: before.get(key) for key in keys}, {key: after[key] for key in keys}


def _actor_name(actor: Any) -> str:
    if actor is None:
        return "system"
    return str(getattr(actor, "username", "") or actor)[:150]


def audit_record(
    *,
    actor: Any,
    action: str,
    obj: models.Model | None = None,
    org_path: str | None = None,
    before: Mapping[str, Any] | None = None,
    after: Mapping[str, Any] | None = None,
    note: str = "",
    object_type: str = "",
    object_id: str = "",
    object_repr: str = "",
) -> AuditEntry:
    entry = audit_build(
        actor=actor,
        action=action,
        obj=obj,
        org_path=org_path,
        before=before,
        after=after,
        note=note,
        object_type=object_type,
        object_id=object_id,
        object_repr=object_repr,
    )
    entry.save(force_insert=True)
    return entry


def audit_build(
    *,
    actor: Any,
    action: str,
    obj: models.Model | None = None,
    org_path: str | None = None,
    before: Mapping[str, Any] | None = None,
    after: Mapping[str, Any] | None = None,
    note: str = "",
    object_type: str = "",
    object_id: str = "",
    object_repr: str = "",
) -> AuditEntry:
    """The entry :func:`audit_record` would write, unsaved, for bulk paths that insert
    thousands at once with ``AuditEntry.objects.bulk_create``."""
    ctx = context.current()
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or str(obj.pk)
        object_repr = object_repr or str(obj)
        if org_path is None:
            org_path = getattr(obj, "audit_org_path", "") or ""
    return AuditEntry(
        actor=actor if getattr(actor, "pk", None) else None,
        actor_name=_actor_name(actor),
        action=action,
        object_type=object_type,
        object_id=object_id,
        object_repr=object_repr[:255],
        org_path=org_path or "",
        before=dict(before) if before is not None else None,
        after=dict(after) if after is not None else None,
        note=note,
        ip=ctx.ip,
        request_id=ctx.request_id,
    )


def audit_update(
    *,
    actor: Any,
    obj: models.Model,
    before: Snapshot,
    action: str = "update",
    note: str = "",
    org_path: str | None = None,
) -> AuditEntry | None:
    """Record an update with only the changed fields; nothing when nothing changed."""
    old, new = diff(before, snapshot(obj, before.keys()))
    if not new:
        return None
    return audit_record(
        actor=actor, action=action, obj=obj, before=old, after=new, note=note, org_path=org_path
    )


def audit_export(
    *, actor: Any, what: str, org_path: str, rows: int, params: Mapping[str, Any] | None = None
) -> AuditEntry:
    """Every export of personal data is logged with its scope and size.

    Law 91/2025/QH15 on Personal Data Protection requires a record of processing and access.
    """
    return audit_record(
        actor=actor,
        action="export",
        object_type=what,
        org_path=org_path,
        after={"rows": rows, **dict(params or {})},
        object_repr=what,
    )
