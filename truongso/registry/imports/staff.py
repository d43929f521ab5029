"""Importing teachers and staff (danh sách cán bộ, giáo viên, nhân viên) into the units of
a subtree. Staff are matched by Ministry staff ID, else by citizen ID; writes go through
the staff services one by one (a district has thousands of staff, not tens of thousands).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, ClassVar

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from truongso.core import authz
from truongso.core.authz import Perm
from truongso.core.text import fold
from truongso.registry.imports.base import Counts, Importer, fetch_by, id_text
from truongso.registry.imports.headers import (
    EMPLOYMENT_NAMES,
    POSITION_NAMES,
    STAFF,
    choice_value,
)
from truongso.registry.models import OrgUnit, Staff, Subject
from truongso.registry.services import staff as staff_services
from truongso.registry.services.staff import clean_staff_data

# What a re-import compares: every staff field but "working", which a file never sets.
COMPARED = tuple(f for f in staff_services.STAFF_FIELDS if f != "is_active")


@dataclass
class StaffRow:
    number: int
    unit: OrgUnit
    data: dict[str, Any]
    given: set[str]
    staff: Staff | None = None
    changes: dict[str, Any] = field(default_factory=dict)
    move: bool = False


class StaffImporter(Importer):
    spec = STAFF
    perms: ClassVar[tuple[Any, ...]] = (Perm.STAFF_MANAGE,)

    def prepare(self) -> None:
        self.units = {
            u.code: u
            for u in OrgUnit.objects.filter(path__startswith=self.unit.path, is_active=True)
        }
        self.subjects: dict[str, Subject] = {}
        for subject in Subject.objects.all():
            self.subjects[subject.code.upper()] = subject
            self.subjects.setdefault(fold(subject.name), subject)
        self.rows: list[StaffRow] = []

    def check_row(self, number: int, row: dict[str, str]) -> None:
        self.duplicate(number, "staff_code", "staff_code", id_text(row.get("staff_code")))
        self.duplicate(number, "citizen_id", "citizen_id", id_text(row.get("citizen_id")))
        unit = self._unit(number, row.get("school_code", ""))
        data: dict[str, Any] = {
            key: row.get(key, "")
            for key in ("staff_code", "full_name", "birth_date", "gender", "citizen_id")
        }
        data |= {"phone": row.get("phone", ""), "email": row.get("email", "")}
        given = {key for key, value in {**data, **row}.items() if value}
        data["position"] = self._choice(number, row, "position", POSITION_NAMES)
        data["employment"] = self._choice(number, row, "employment", EMPLOYMENT_NAMES)
        data["main_subject"] = self._subject(number, row.get("main_subject", ""))
        try:
            cleaned = clean_staff_data(data)
        except ValidationError as exc:
            self.report.add_invalid(number, exc)
            return
        if unit is not None and not self.report.is_bad(number):
            self.rows.append(StaffRow(number, unit, cleaned, given & set(COMPARED)))

    def _unit(self, number: int, code: str) -> OrgUnit | None:
        code = code.strip().upper()
        if not code:
            return self.unit
        unit = self.units.get(code)
        if unit is None:
            self.report.add(
                number,
                "school_code",
                _("No open unit with code %(code)s under %(unit)s.")
                % {"code": code[:20], "unit": self.unit.name},
            )
        return unit

    def _choice(self, number: int, row: dict[str, str], key: str, names: dict[str, str]) -> str:
        raw = row.get(key, "").strip()
        if not raw:
            return ""
        value = choice_value(names, raw)
        if value is None:
            self.report.add(
                number,
                key,
                _("“%(v)s” is not in the list (%(choices)s).")
                % {"v": raw[:30], "choices": ", ".join(names.values())},
            )
            return ""
        return value

    def _subject(self, number: int, raw: str) -> Subject | None:
        raw = raw.strip()
        if not raw:
            return None
        subject = self.subjects.get(raw.upper()) or self.subjects.get(fold(raw))
        if subject is None:
            self.report.add(number, "main_subject", _("Unknown subject “%(v)s”.") % {"v": raw[:30]})
        return subject

    def resolve(self) -> None:
        staff = Staff.objects.select_related("org_unit", "main_subject")
        by_code = fetch_by(staff, "staff_code", (r.data["staff_code"] for r in self.rows))
        by_cid = fetch_by(staff, "citizen_id", (r.data["citizen_id"] for r in self.rows))
        found = {s.pk for s in [*by_code.values(), *by_cid.values()]}
        manageable = set(
            authz.scope(self.actor, Perm.STAFF_MANAGE, Staff.objects.filter(pk__in=found))
            .values_list("pk", flat=True)
            .iterator()
        )
        for row in self.rows:
            self._match(row, by_code, by_cid, manageable)
            if self.report.is_bad(row.number):
                continue
            if row.staff is None:
                self.counts.created += 1
            elif row.changes or row.move:
                self.counts.updated += 1
            else:
                self.counts.unchanged += 1

    def _match(
        self,
        row: StaffRow,
        by_code: dict[Any, Staff],
        by_cid: dict[Any, Staff],
        manageable: set[int],
    ) -> None:
        one = by_code.get(row.data["staff_code"])
        two = by_cid.get(row.data["citizen_id"])
        if one is not None and two is not None and one.pk != two.pk:
            self.report.add(
                row.number,
                "citizen_id",
                _("The staff ID and the citizen ID belong to two different staff members."),
            )
            return
        existing = one or two
        if existing is None:
            if not authz.can(self.actor, Perm.STAFF_MANAGE, row.unit.path):
                self.report.add(row.number, "school_code", _("You cannot add staff to this unit."))
            return
        if existing.pk not in manageable:
            key = "staff_code" if one is not None else "citizen_id"
            self.report.add(
                row.number, key, _("This belongs to a staff member of a unit outside your area.")
            )
            return
        row.staff = existing
        for key in sorted(row.given):
            if row.data[key] != getattr(existing, key):
                row.changes[key] = row.data[key]
        row.move = existing.org_unit_id != row.unit.pk

    def apply(self) -> Counts:
        for row in self.rows:
            if row.staff is None:
                staff_services.staff_create(actor=self.actor, org_unit=row.unit, data=row.data)
                continue
            if row.changes:
                staff_services.staff_update(actor=self.actor, staff=row.staff, data=row.changes)
            if row.move:
                staff_services.staff_move(actor=self.actor, staff=row.staff, to_unit=row.unit)
        return self.counts
