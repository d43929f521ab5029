from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from truongso.core import authz
from truongso.core.audit import audit_record, audit_update, snapshot
from truongso.core.authz import Perm
from truongso.registry.cleaning import (
    clean_birth_date,
    clean_citizen_id,
    clean_email,
    clean_full_name,
    clean_gender,
    clean_phone,
    clean_text,
    collect,
)
from truongso.registry.models import OrgUnit, Staff
from truongso.registry.reference import Employment, Position

STAFF_FIELDS = (
    "staff_code",
    "full_name",
    "birth_date",
    "gender",
    "citizen_id",
    "phone",
    "email",
    "position",
    "employment",
    "main_subject",
    "is_active",
)


def clean_staff_data(data: Mapping[str, Any]) -> dict[str, Any]:
    """Every field at once; all errors keyed by field name, not just the first group."""
    cleaned: dict[str, Any] = {}
    collect(
        {
            "full_name": lambda: clean_full_name(data.get("full_name")),
            "birth_date": lambda: (
                clean_birth_date(data["birth_date"], min_age=18, max_age=80)
                if data.get("birth_date")
                else None
            ),
            "gender": lambda: clean_gender(data["gender"]) if data.get("gender") else "",
            "phone": lambda: clean_phone(data.get("phone")),
            "email": lambda: clean_email(data.get("email")),
            "staff_code": lambda: clean_text(data.get("staff_code"), max_length=20) or None,
            "position": lambda: _choice(data.get("position") or Position.TEACHER, Position),
            "employment": lambda: _choice(data.get("employment") or "", Employment, blank=True),
            # Last: compared with the birth date and gender cleaned above.
            "citizen_id": lambda: clean_citizen_id(
                data.get("citizen_id"),
                birth_date=cleaned.get("birth_date"),
                gender=cleaned.get("gender") or None,
            ),
        },
        into=cleaned,
    )
    if "main_subject" in data:
        cleaned["main_subject"] = data["main_subject"]
    if "is_active" in data:
        cleaned["is_active"] = bool(data["is_active"])
    return cleaned


def _choice(value: str, choices: Any, *, blank: bool = False) -> str:
    if blank and not value:
        return ""
    if value not in choices.values:
        raise ValidationError(_("“%(v)s” is not one of the allowed values.") % {"v": value})
    return str(value)


def _unique(field: str, value: Any, exclude_pk: int | None) -> None:
    others = Staff.objects.filter(**{field: value})
    if exclude_pk is not None:
        others = others.exclude(pk=exclude_pk)
    if value and others.exists():
        raise ValidationError({field: _("Another staff member already has this value.")})


def staff_create(*, actor: Any, org_unit: OrgUnit, data: Mapping[str, Any]) -> Staff:
    if not authz.can(actor, Perm.STAFF_MANAGE, org_unit.path):
        raise PermissionDenied(_("You cannot add staff to this unit."))
    cleaned = clean_staff_data(data)
    _unique("staff_code", cleaned["staff_code"], None)
    _unique("citizen_id", cleaned["citizen_id"], None)
    with transaction.atomic():
        staff = Staff.objects.create(org_unit=org_unit, **cleaned)
        audit_record(actor=actor, action="staff.create", obj=staff, after=snapshot(staff))
    return staff


def staff_update(*, actor: Any, staff: Staff, data: Mapping[str, Any]) -> Staff:
    if not authz.check(actor, Perm.STAFF_MANAGE, staff):
        raise PermissionDenied(_("You cannot change this staff record."))
    merged = {**snapshot(staff, STAFF_FIELDS), "main_subject": staff.main_subject, **data}
    cleaned = clean_staff_data(merged)
    _unique("staff_code", cleaned["staff_code"], staff.pk)
    _unique("citizen_id", cleaned["citizen_id"], staff.pk)
    before = snapshot(staff, STAFF_FIELDS)
    with transaction.atomic():
        for field, value in cleaned.items():
            setattr(staff, field, value)
        staff.save()
        audit_update(actor=actor, obj=staff, before=before, action="staff.update")
    return staff


def staff_move(*, actor: Any, staff: Staff, to_unit: OrgUnit) -> Staff:
    """Move a staff member to another unit (a teacher rotated to another school)."""
    if not (
        authz.check(actor, Perm.STAFF_MANAGE, staff)
        and authz.can(actor, Perm.STAFF_MANAGE, to_unit.path)
    ):
        raise PermissionDenied(_("You need staff rights at both units."))
    before = snapshot(staff, ["org_unit"])
    with transaction.atomic():
        staff.org_unit = to_unit
        staff.save(update_fields=["org_unit", "updated_at"])
        audit_update(actor=actor, obj=staff, before=before, action="staff.move")
    return staff
