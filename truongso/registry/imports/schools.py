"""Importing schools (danh sách trường) under a Sở or Phòng. A school is matched by its
Ministry code; writes go through the org-unit services."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, ClassVar

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from truongso.core import authz
from truongso.core.authz import Perm
from truongso.core.text import normalize_name
from truongso.registry.cleaning import clean_email, clean_text, collect
from truongso.registry.imports.base import Counts, Importer, fetch_by, id_text
from truongso.registry.imports.headers import LEVEL_NAMES, OWNERSHIP_NAMES, SCHOOLS, choice_value
from truongso.registry.models import OrgUnit
from truongso.registry.reference import LEVEL_GRADES, OrgKind
from truongso.registry.services import org as org_services
from truongso.registry.validators import validate_org_code

_SPAN = re.compile(r"^(\d{1,2})\s*[-–]\s*(\d{1,2})$")
DESCRIPTIVE = ("name", "level", "grade_from", "grade_to", "ownership", "address", "phone", "email")


@dataclass
class SchoolRow:
    number: int
    code: str
    parent: OrgUnit
    data: dict[str, Any]
    given: set[str]
    existing: OrgUnit | None = None
    changes: dict[str, Any] = field(default_factory=dict)


def _choice(names: dict[str, str], raw: str) -> str:
    if not raw.strip():
        return ""
    value = choice_value(names, raw)
    if value is None:
        raise ValidationError(
            _("“%(v)s” is not in the list (%(choices)s).")
            % {"v": raw[:30], "choices": ", ".join(names.values())}
        )
    return value


def _span(raw: str, level: str) -> tuple[int | None, int | None]:
    raw = raw.strip()
    if not raw:
        low, high = LEVEL_GRADES.get(level, (0, 0))
        return (low or None, high or None)
    match = _SPAN.match(raw)
    if match is None or not 1 <= int(match[1]) <= int(match[2]) <= 12:
        raise ValidationError(_("Write the grade span as 6-9 (grades 1 to 12)."))
    return int(match[1]), int(match[2])


def _code(raw: str) -> str:
    code = raw.strip().upper()
    if not code:
        raise ValidationError(_("This field is required."))
    validate_org_code(code)
    return code


class SchoolImporter(Importer):
    spec = SCHOOLS
    perms: ClassVar[tuple[Any, ...]] = (Perm.ORG_MANAGE,)

    def prepare(self) -> None:
        self.parents = {
            u.code: u
            for u in OrgUnit.objects.filter(path__startswith=self.unit.path, is_active=True)
            .exclude(kind=OrgKind.SCHOOL)
            .only("pk", "code", "name", "path", "kind", "depth")
        }
        self.rows: list[SchoolRow] = []

    def check_row(self, number: int, row: dict[str, str]) -> None:
        self.duplicate(number, "code", "code", id_text(row.get("code")))
        cleaned: dict[str, Any] = {}
        try:
            collect(
                {
                    "code": lambda: _code(row.get("code", "")),
                    "name": lambda: normalize_name(
                        clean_text(row.get("name"), max_length=255, required=True)
                    ),
                    "level": lambda: _choice(LEVEL_NAMES, row.get("level", "")),
                    "grades": lambda: _span(row.get("grades", ""), cleaned.get("level", "")),
                    "ownership": lambda: _choice(OWNERSHIP_NAMES, row.get("ownership", "")),
                    "address": lambda: clean_text(row.get("address"), max_length=255),
                    "phone": lambda: clean_text(row.get("phone"), max_length=20),
                    "email": lambda: clean_email(row.get("email")),
                },
                into=cleaned,
            )
        except ValidationError as exc:
            self.report.add_invalid(number, exc)
            return
        if not cleaned["level"]:
            self.report.add(number, "level", _("This field is required."))
            return
        parent = self._parent(number, row.get("parent_code", ""))
        if parent is None or self.report.is_bad(number):
            return
        code = cleaned.pop("code")
        cleaned["grade_from"], cleaned["grade_to"] = cleaned.pop("grades")
        given = {k for k in DESCRIPTIVE if row.get(k) or k in ("name", "level")}
        if row.get("grades"):
            given |= {"grade_from", "grade_to"}
        self.rows.append(SchoolRow(number, code, parent, cleaned, given))

    def _parent(self, number: int, raw: str) -> OrgUnit | None:
        code = raw.strip().upper()
        if not code:
            if self.unit.is_school:
                self.report.add(number, "parent_code", _("This field is required."))
                return None
            return self.unit
        parent = self.parents.get(code)
        if parent is None:
            self.report.add(
                number,
                "parent_code",
                _("No open Sở or Phòng with code %(code)s under %(unit)s.")
                % {"code": code[:20], "unit": self.unit.name},
            )
        return parent

    def resolve(self) -> None:
        existing = fetch_by(OrgUnit.objects.all(), "code", (r.code for r in self.rows))
        for row in self.rows:
            row.existing = existing.get(row.code)
            self._compare(row)
            if self.report.is_bad(row.number):
                continue
            if row.existing is None:
                self.counts.created += 1
            elif row.changes:
                self.counts.updated += 1
            else:
                self.counts.unchanged += 1

    def _compare(self, row: SchoolRow) -> None:
        unit = row.existing
        if unit is None:
            if not authz.can(self.actor, Perm.ORG_MANAGE, row.parent.path):
                self.report.add(row.number, "parent_code", _("You cannot add units here."))
            return
        if not unit.is_school or not authz.can(self.actor, Perm.ORG_MANAGE, unit.path):
            self.report.add(
                row.number,
                "code",
                _("Code %(code)s is already used by a unit outside your area.")
                % {"code": row.code},
            )
            return
        if unit.parent_id != row.parent.pk:
            self.report.add(
                row.number,
                "parent_code",
                _("The school belongs to another unit; an import does not move schools."),
            )
            return
        for key in sorted(row.given):
            if row.data[key] != getattr(unit, key):
                row.changes[key] = row.data[key]

    def apply(self) -> Counts:
        for row in self.rows:
            if row.existing is None:
                org_services.org_unit_create(
                    actor=self.actor,
                    kind=OrgKind.SCHOOL,
                    code=row.code,
                    parent=row.parent,
                    **row.data,
                )
            elif row.changes:
                org_services.org_unit_update(actor=self.actor, unit=row.existing, data=row.changes)
        return self.counts
