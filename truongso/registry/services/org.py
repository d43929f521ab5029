from __future__ import annotations

import re
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils.translation import gettext as _

from truongso.core import authz
from truongso.core.audit import audit_record, audit_update, snapshot
from truongso.core.authz import Perm
from truongso.core.text import normalize_name
from truongso.registry.models import OrgUnit
from truongso.registry.reference import ALLOWED_PARENT_KINDS, LEVEL_GRADES, OrgKind
from truongso.registry.validators import validate_org_code

ORG_FIELDS = ("name", "level", "grade_from", "grade_to", "ownership", "address", "phone", "email")
# What the managers of a unit itself (a principal of her school) may change; the rest of
# ORG_FIELDS belongs to the managers of the parent unit (the Phòng for its schools).
CONTACT_FIELDS = ("address", "phone", "email")
# Office numbers include landlines (0 + area code + number, 11 digits) and extensions.
_ORG_PHONE = re.compile(r"^\+?[0-9][0-9 .()\-]{7,19}$")


def org_unit_editable_fields(actor: Any, unit: OrgUnit) -> tuple[str, ...]:
    """The fields of ``unit`` that ``actor`` may change (empty: none)."""
    above = unit.parent.path if unit.parent is not None else None
    if getattr(actor, "is_superuser", False) or (
        above is not None and authz.can(actor, Perm.ORG_MANAGE, above)
    ):
        return ORG_FIELDS
    if authz.can(actor, Perm.ORG_MANAGE, unit.path):
        return CONTACT_FIELDS
    return ()


def _check_contact(data: dict[str, Any]) -> None:
    """Name and contact data of a unit, cleaned in place (one rule for forms and imports)."""
    errors: dict[str, str] = {}
    if "name" in data:
        data["name"] = normalize_name(str(data["name"] or ""))
        if not data["name"] or len(data["name"]) > 255:
            errors["name"] = _("Give a name of at most 255 characters.")
    for field in CONTACT_FIELDS:
        if field in data:
            data[field] = str(data[field] or "").strip()
    if len(data.get("address", "")) > 255:
        errors["address"] = _("The address is longer than 255 characters.")
    if data.get("phone") and not _ORG_PHONE.match(data["phone"]):
        errors["phone"] = _("Write the phone number with digits only, e.g. 02273 862 123.")
    if data.get("email"):
        try:
            validate_email(data["email"])
        except ValidationError:
            errors["email"] = _("This is not a valid email address.")
    if errors:
        raise ValidationError(errors)


def _check_shape(*, kind: str, parent: OrgUnit | None, level: str, grades: tuple[Any, Any]) -> None:
    allowed = ALLOWED_PARENT_KINDS.get(kind)
    if allowed is None:
        raise ValidationError({"kind": _("Unknown kind of unit.")})
    if (parent is None) != (not allowed) or (parent is not None and parent.kind not in allowed):
        raise ValidationError({"parent": _("A unit of this kind cannot be placed here.")})
    if kind == OrgKind.SCHOOL and not level:
        raise ValidationError({"level": _("A school needs a school level.")})
    if kind != OrgKind.SCHOOL and level:
        raise ValidationError({"level": _("Only schools have a school level.")})
    low, high = grades
    if low is not None and high is not None and low > high:
        raise ValidationError({"grade_to": _("The highest grade is below the lowest grade.")})
    for value in (low, high):
        if value is not None and not 1 <= value <= 12:
            raise ValidationError({"grade_from": _("Grades run from 1 to 12.")})


def org_unit_create(
    *,
    actor: Any,
    kind: str,
    code: str,
    name: str,
    parent: OrgUnit | None,
    level: str = "",
    grade_from: int | None = None,
    grade_to: int | None = None,
    ownership: str = "",
    address: str = "",
    phone: str = "",
    email: str = "",
) -> OrgUnit:
    """Add a unit under ``parent``; the actor needs ORG_MANAGE on the parent's subtree."""
    if parent is None:
        if not getattr(actor, "is_superuser", False):
            raise PermissionDenied(_("Only an administrator can create the ministry node."))
    elif not authz.can(actor, Perm.ORG_MANAGE, parent.path):
        raise PermissionDenied(_("You cannot add units here."))
    code = code.strip().upper()
    try:
        validate_org_code(code)
    except ValidationError as exc:
        raise ValidationError({"code": exc.error_list}) from exc
    contact = {"name": name, "address": address, "phone": phone, "email": email}
    _check_contact(contact)
    _check_shape(kind=kind, parent=parent, level=level, grades=(grade_from, grade_to))
    if level and grade_from is None and grade_to is None and kind == OrgKind.SCHOOL:
        grade_from, grade_to = LEVEL_GRADES[level]
        grade_from, grade_to = (grade_from or None), (grade_to or None)
    if OrgUnit.objects.filter(code=code).exists():
        raise ValidationError({"code": _("Code %(code)s is already used.") % {"code": code}})
    unit = OrgUnit(
        kind=kind,
        code=code,
        name=contact["name"],
        parent=parent,
        level=level,
        grade_from=grade_from,
        grade_to=grade_to,
        ownership=ownership,
        address=contact["address"],
        phone=contact["phone"],
        email=contact["email"],
        depth=(parent.depth + 1) if parent else 0,
    )
    with transaction.atomic():
        unit.path = "/"
        unit.save()
        unit.path = f"{parent.path if parent else '/'}{unit.pk}/"
        unit.save(update_fields=["path"])
        audit_record(actor=actor, action="org_unit.create", obj=unit, after=snapshot(unit))
    return unit


def org_unit_update(*, actor: Any, unit: OrgUnit, data: dict[str, Any]) -> OrgUnit:
    """Change the descriptive fields of a unit (not its place in the tree or its code).

    The managers of the parent unit change everything; the unit's own managers (a principal)
    only its contact data (see :func:`org_unit_editable_fields`)."""
    allowed = org_unit_editable_fields(actor, unit)
    if not allowed:
        raise PermissionDenied(_("You cannot change this unit."))
    unknown = set(data) - set(ORG_FIELDS)
    if unknown:
        raise ValidationError(
            _("These fields cannot be changed: %(f)s") % {"f": ", ".join(sorted(unknown))}
        )
    if set(data) - set(allowed):
        raise PermissionDenied(_("You may change only the contact data of this unit."))
    data = dict(data)
    _check_contact(data)
    before = snapshot(unit, ORG_FIELDS)
    for field, value in data.items():
        setattr(unit, field, value)
    _check_shape(
        kind=unit.kind,
        parent=unit.parent,
        level=unit.level,
        grades=(unit.grade_from, unit.grade_to),
    )
    with transaction.atomic():
        unit.save(update_fields=[*data.keys(), "search_name", "updated_at"])
        audit_update(actor=actor, obj=unit, before=before, action="org_unit.update")
    return unit


def org_unit_set_active(*, actor: Any, unit: OrgUnit, active: bool) -> OrgUnit:
    """Close (or reopen) a unit. A closed unit keeps its history; its grants stop working."""
    parent_path = unit.parent.path if unit.parent else unit.path
    if not authz.can(actor, Perm.ORG_MANAGE, parent_path):
        raise PermissionDenied(_("You cannot close this unit."))
    if not active and unit.students.filter(status="studying").exists():
        raise ValidationError(_("The school still has students; transfer them first."))
    if not active and unit.children.filter(is_active=True).exists():
        raise ValidationError(_("Close the units under this one first."))
    if active and unit.parent is not None and not unit.parent.is_active:
        raise ValidationError(_("Reopen the parent unit first."))
    before = snapshot(unit, ["is_active"])
    with transaction.atomic():
        unit.is_active = active
        unit.save(update_fields=["is_active", "updated_at"])
        audit_update(actor=actor, obj=unit, before=before, action="org_unit.set_active")
    return unit
