from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
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
    validate_org_code(code)
    _check_shape(kind=kind, parent=parent, level=level, grades=(grade_from, grade_to))
    if level and grade_from is None and grade_to is None and kind == OrgKind.SCHOOL:
        grade_from, grade_to = LEVEL_GRADES[level]
        grade_from, grade_to = (grade_from or None), (grade_to or None)
    if OrgUnit.objects.filter(code=code).exists():
        raise ValidationError({"code": _("Code %(code)s is already used.") % {"code": code}})
    unit = OrgUnit(
        kind=kind,
        code=code,
        name=normalize_name(name),
        parent=parent,
        level=level,
        grade_from=grade_from,
        grade_to=grade_to,
        ownership=ownership,
        address=address.strip(),
        phone=phone.strip(),
        email=email.strip(),
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
    """Change the descriptive fields of a unit (not its place in the tree or its code)."""
    if not authz.can(actor, Perm.ORG_MANAGE, unit.path):
        raise PermissionDenied(_("You cannot change this unit."))
    unknown = set(data) - set(ORG_FIELDS)
    if unknown:
        raise ValidationError(
            _("These fields cannot be changed: %(f)s") % {"f": ", ".join(sorted(unknown))}
        )
    before = snapshot(unit, ORG_FIELDS)
    for field, value in data.items():
        setattr(unit, field, normalize_name(value) if field == "name" else value)
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
    before = snapshot(unit, ["is_active"])
    with transaction.atomic():
        unit.is_active = active
        unit.save(update_fields=["is_active", "updated_at"])
        audit_update(actor=actor, obj=unit, before=before, action="org_unit.set_active")
    return unit
