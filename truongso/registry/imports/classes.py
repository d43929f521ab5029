"""Importing classes (danh sách lớp) with their homeroom teachers. A class is matched by
school, school year and name; writes go through the class services."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, ClassVar

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from truongso.core import authz
from truongso.core.authz import Perm
from truongso.core.text import fold, normalize_name
from truongso.registry.cleaning import clean_text
from truongso.registry.imports.base import Counts, Importer, class_key
from truongso.registry.imports.headers import CLASSES
from truongso.registry.models import OrgUnit, SchoolClass, SchoolYear, Staff
from truongso.registry.services import classes as class_services

_YEAR = re.compile(r"^(\d{4})\s*[-–/]\s*(\d{4})$")


@dataclass
class ClassRow:
    number: int
    school: OrgUnit
    year: SchoolYear
    grade: int
    name: str
    homeroom: Staff | None
    homeroom_given: bool
    existing: SchoolClass | None = None
    changed: bool = False


class ClassImporter(Importer):
    spec = CLASSES
    perms: ClassVar[tuple[Any, ...]] = (Perm.CLASS_MANAGE,)

    def prepare(self) -> None:
        self.schools = {
            u.code: u
            for u in OrgUnit.objects.filter(
                path__startswith=self.unit.path, kind="school", is_active=True
            )
        }
        self.years = {y.code: y for y in SchoolYear.objects.all()}
        self.staff: dict[int, list[Staff]] = {}
        active = Staff.objects.filter(org_unit__in=self.schools.values(), is_active=True)
        for member in active:
            self.staff.setdefault(member.org_unit_id, []).append(member)
        self.rows: list[ClassRow] = []

    def check_row(self, number: int, row: dict[str, str]) -> None:
        school = self._school(number, row.get("school_code", ""))
        year = self._year(number, row.get("school_year", ""))
        grade = self._grade(number, row.get("grade", ""), school)
        try:
            name = class_key(clean_text(row.get("class_name"), max_length=20, required=True))
        except ValidationError as exc:
            self.report.add_invalid(number, ValidationError({"class_name": exc.error_list}))
            return
        raw_teacher = row.get("homeroom", "").strip()
        teacher = self._teacher(number, raw_teacher, school) if school and raw_teacher else None
        if school is None or year is None or grade is None:
            return
        self.duplicate(number, "class_name", "class", f"{school.code} {year.code} {name}")
        if not authz.can(self.actor, Perm.CLASS_MANAGE, school.path):
            self.report.add(number, "school_code", _("You cannot add classes to this school."))
        if not self.report.is_bad(number):
            self.rows.append(
                ClassRow(number, school, year, grade, name, teacher, bool(raw_teacher))
            )

    def _school(self, number: int, code: str) -> OrgUnit | None:
        code = code.strip().upper()
        if not code and self.unit.is_school:
            return self.unit
        school = self.schools.get(code)
        if school is None and code:
            self.report.add(
                number,
                "school_code",
                _("No open school with code %(code)s under %(unit)s.")
                % {"code": code[:20], "unit": self.unit.name},
            )
        elif school is None:
            self.report.add(number, "school_code", _("This field is required."))
        return school

    def _year(self, number: int, raw: str) -> SchoolYear | None:
        raw = raw.strip()
        if not raw:
            if self.school_year is None:
                self.report.add(number, "school_year", _("This field is required."))
            return self.school_year
        match = _YEAR.match(raw)
        year = self.years.get(f"{match[1]}-{match[2]}") if match else None
        if year is None:
            self.report.add(
                number,
                "school_year",
                _("Unknown school year “%(v)s” (write it as 2025-2026).") % {"v": raw[:20]},
            )
        return year

    def _grade(self, number: int, raw: str, school: OrgUnit | None) -> int | None:
        raw = raw.strip()
        grade = int(raw) if raw.isdigit() else None
        if grade is None or not 1 <= grade <= 12:
            self.report.add(number, "grade", _("The grade must be a number from 1 to 12."))
            return None
        if school is not None and grade not in school.grades:
            self.report.add(
                number,
                "grade",
                _("%(school)s does not teach grade %(g)s.") % {"school": school.name, "g": grade},
            )
            return None
        return grade

    def _teacher(self, number: int, raw: str, school: OrgUnit) -> Staff | None:
        members = self.staff.get(school.pk, [])
        found = [m for m in members if m.staff_code and m.staff_code == raw]
        if not found:
            found = [m for m in members if m.full_name == normalize_name(raw)]
        if not found:
            found = [m for m in members if m.search_name == fold(raw)]
        if len(found) == 1:
            return found[0]
        message = (
            _("Several staff members of the school are named “%(v)s”; give the staff ID.")
            if found
            else _("No staff member of the school has the staff ID or name “%(v)s”.")
        )
        self.report.add(number, "homeroom", message % {"v": raw[:40]})
        return None

    def resolve(self) -> None:
        existing: dict[tuple[int, int, str], SchoolClass] = {}
        found = SchoolClass.objects.filter(
            school__in={r.school.pk for r in self.rows},
            school_year__in={r.year.pk for r in self.rows},
        ).select_related("school", "school_year")
        for school_class in found if self.rows else []:
            key = (
                school_class.school_id,
                school_class.school_year_id,
                class_key(school_class.name),
            )
            existing[key] = school_class
        for row in self.rows:
            row.existing = existing.get((row.school.pk, row.year.pk, row.name))
            self._compare(row)
            if self.report.is_bad(row.number):
                continue
            if row.existing is None:
                self.counts.created += 1
            elif row.changed:
                self.counts.updated += 1
            else:
                self.counts.unchanged += 1

    def _compare(self, row: ClassRow) -> None:
        current = row.existing
        if current is None:
            return
        if current.grade != row.grade:
            self.report.add(
                row.number,
                "grade",
                _("Class %(name)s already exists in grade %(g)s; a class keeps its grade.")
                % {"name": current.name, "g": current.grade},
            )
            return
        teacher_id = row.homeroom.pk if row.homeroom else None
        row.changed = row.homeroom_given and current.homeroom_teacher_id != teacher_id

    def apply(self) -> Counts:
        for row in self.rows:
            if row.existing is None:
                class_services.class_create(
                    actor=self.actor,
                    school=row.school,
                    school_year=row.year,
                    grade=row.grade,
                    name=row.name,
                    homeroom_teacher=row.homeroom,
                )
            elif row.changed:
                class_services.class_update(
                    actor=self.actor,
                    school_class=row.existing,
                    name=row.existing.name,
                    homeroom_teacher=row.homeroom,
                )
        return self.counts
