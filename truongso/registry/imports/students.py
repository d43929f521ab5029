"""Importing learners into one school and school year (danh sách học sinh).

A row is matched with an existing learner by learner ID, else temporary code, else citizen
ID, else name and birth date among the school's pupils without a learner ID. A match is
updated (only the cells that are filled in); anything else is admitted to its class through
``services.bulk`` exactly as ``student_admit`` would.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any, ClassVar

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from truongso.core.authz import Perm
from truongso.core.text import fold
from truongso.registry.cleaning import clean_date, clean_guardian_data, clean_student_data
from truongso.registry.imports.base import (
    Counts,
    Importer,
    chunks,
    class_key,
    fetch_by,
    id_text,
)
from truongso.registry.imports.headers import STUDENTS
from truongso.registry.models import (
    EventKind,
    OrgUnit,
    SchoolClass,
    Student,
    StudentGuardian,
    StudentStatus,
)
from truongso.registry.reference import OrgKind, Relation
from truongso.registry.services import bulk, enrolment, students

PERSONAL = (
    "full_name",
    "birth_date",
    "gender",
    "ethnicity",
    "citizen_id",
    "nationality",
    "birthplace",
    "hometown",
    "permanent_address",
    "current_address",
)
GUARDIAN_COLUMNS = (
    (Relation.FATHER, "father_name", "father_phone"),
    (Relation.MOTHER, "mother_name", "mother_phone"),
    (Relation.GUARDIAN, "guardian_name", "guardian_phone"),
)
_WHITESPACE = re.compile(r"\s")


@dataclass
class GuardianRow:
    relation: str
    data: dict[str, Any]


@dataclass
class StudentRow:
    number: int
    data: dict[str, Any]
    given: set[str]
    temp_code: str | None
    school_class: SchoolClass
    admitted_on: dt.date
    guardians: list[GuardianRow]
    student: Student | None = None
    changes: dict[str, Any] = field(default_factory=dict)
    move: bool = False
    new_links: list[GuardianRow] = field(default_factory=list)
    phone_updates: list[tuple[StudentGuardian, str]] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.changes or self.move or self.new_links or self.phone_updates)


def _split_any_id(row: dict[str, str]) -> str | None:
    """The portal's "Mã định danh": 12 digits is the citizen ID, 10 the learner ID."""
    value = _WHITESPACE.sub("", row.get("any_id", ""))
    if not value:
        return None
    if value.isdigit() and len(value) == 12:
        row.setdefault("citizen_id", "")
        row["citizen_id"] = row["citizen_id"] or value
        return None
    if value.isdigit() and len(value) == 10:
        row["learner_id"] = row.get("learner_id") or value
        return None
    return _("“%(v)s” is neither a 10-digit learner ID nor a 12-digit citizen ID.") % {
        "v": value[:20]
    }


class StudentImporter(Importer):
    spec = STUDENTS
    perms: ClassVar[tuple[Any, ...]] = (Perm.ENROLMENT_MANAGE, Perm.STUDENT_EDIT)

    def prepare(self) -> None:
        assert self.school_year is not None
        self.year = self.school_year
        self.schools = {
            s.code: s
            for s in OrgUnit.objects.filter(
                path__startswith=self.unit.path, kind=OrgKind.SCHOOL, is_active=True
            )
        }
        self.classes = {
            (c.school_id, class_key(c.name)): c
            for c in SchoolClass.objects.filter(
                school__in=self.schools.values(), school_year=self.year
            ).select_related("school_year")
        }
        self.rows: list[StudentRow] = []

    # --- one row ------------------------------------------------------------------------

    def check_row(self, number: int, row: dict[str, str]) -> None:
        report = self.report
        bad_id = _split_any_id(row)
        if bad_id:
            report.add(number, "any_id", bad_id)
        raw_id = id_text(row.get("learner_id"))
        temp_code = raw_id if raw_id.startswith("TS") else None
        self.duplicate(number, "learner_id", "temp_code" if temp_code else "learner_id", raw_id)
        self.duplicate(number, "citizen_id", "citizen_id", id_text(row.get("citizen_id")))
        data = {key: row.get(key, "") for key in PERSONAL}
        data["learner_id"] = "" if temp_code else raw_id
        given = {key for key, value in data.items() if value}
        try:
            cleaned = clean_student_data(data, today=self.today)
        except ValidationError as exc:
            report.add_invalid(number, exc)
            cleaned = {}
        school = self._school(number, row.get("school_code", ""))
        school_class = self._class(number, school, row.get("class_name", "")) if school else None
        admitted_on = self._admitted_on(number, row.get("admitted_on", ""))
        guardians = self._guardians(number, row)
        if report.is_bad(number) or school_class is None or admitted_on is None:
            return
        self.rows.append(
            StudentRow(number, cleaned, given, temp_code, school_class, admitted_on, guardians)
        )

    def _school(self, number: int, code: str) -> OrgUnit | None:
        """The row's school: its "Mã trường" cell, or the school the file is imported into."""
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

    def _class(self, number: int, school: OrgUnit, name: str) -> SchoolClass | None:
        if not name.strip():
            self.report.add(number, "class_name", _("This field is required."))
            return None
        found = self.classes.get((school.pk, class_key(name)))
        if found is None:
            self.report.add(
                number,
                "class_name",
                _("Class %(name)s does not exist at %(school)s in the school year %(year)s.")
                % {"name": name.strip()[:20], "school": school.name, "year": self.year},
            )
        return found

    def _admitted_on(self, number: int, value: str) -> dt.date | None:
        year = self.year
        if not value.strip():
            return year.start_date
        try:
            date = clean_date(value)
        except ValidationError as exc:
            self.report.add_invalid(number, ValidationError({"admitted_on": exc.error_list}))
            return None
        if not year.start_date - dt.timedelta(days=120) <= date <= year.end_date:
            self.report.add(
                number,
                "admitted_on",
                _(
                    "The admission date must fall within the school year %(year)s; leave it "
                    "empty for pupils admitted in earlier years."
                )
                % {"year": year},
            )
            return None
        return date

    def _guardians(self, number: int, row: dict[str, str]) -> list[GuardianRow]:
        found = []
        for relation, name_key, phone_key in GUARDIAN_COLUMNS:
            name, phone = row.get(name_key, ""), row.get(phone_key, "")
            if not name and not phone:
                continue
            try:
                data = clean_guardian_data({"full_name": name, "phone": phone})
            except ValidationError as exc:
                self.report.add_invalid(number, exc, {"full_name": name_key, "phone": phone_key})
                continue
            found.append(GuardianRow(relation, data))
        return found

    # --- against the database -------------------------------------------------------------

    def resolve(self) -> None:
        rows = self.rows
        by_learner = fetch_by(
            self._candidates(), "learner_id", (r.data.get("learner_id") for r in rows)
        )
        by_temp = fetch_by(self._candidates(), "temp_code", (r.temp_code for r in rows))
        by_citizen = fetch_by(
            self._candidates(), "citizen_id", (r.data.get("citizen_id") for r in rows)
        )
        by_name = self._unidentified()
        for row in rows:
            self._match(row, by_learner, by_temp, by_citizen, by_name)
        self._load_links([r for r in rows if r.student is not None and r.guardians])
        for row in rows:
            if self.report.is_bad(row.number):
                continue
            if row.student is None:
                self.counts.created += 1
                continue
            self._compare(row)
            if self.report.is_bad(row.number):
                continue
            if row.changed:
                self.counts.updated += 1
            else:
                self.counts.unchanged += 1

    def _candidates(self) -> Any:
        return Student.objects.select_related("current_class__school_year")

    def _unidentified(self) -> dict[tuple[int, str, dt.date], list[Student]]:
        """Pupils of the schools without a learner ID, by school, folded name, birth date."""
        names = {fold(r.data["full_name"]) for r in self.rows}
        found: dict[tuple[int, str, dt.date], list[Student]] = {}
        pupils = self._candidates().filter(
            school__in={r.school_class.school_id for r in self.rows},
            learner_id__isnull=True,
            status=StudentStatus.STUDYING,
        )
        for batch in chunks(sorted(names)):
            for student in pupils.filter(search_name__in=batch):
                key = (student.school_id or 0, student.search_name, student.birth_date)
                found.setdefault(key, []).append(student)
        return found

    def _match(
        self,
        row: StudentRow,
        by_learner: dict[Any, Student],
        by_temp: dict[Any, Student],
        by_citizen: dict[Any, Student],
        by_name: dict[tuple[int, str, dt.date], list[Student]],
    ) -> None:
        report, number = self.report, row.number
        learner_id, citizen_id = row.data.get("learner_id"), row.data.get("citizen_id")
        by_id = by_learner.get(learner_id) or by_temp.get(row.temp_code)
        if row.temp_code and by_id is None:
            report.add(
                number, "learner_id", _("Unknown temporary code %(v)s.") % {"v": row.temp_code}
            )
            return
        other = by_citizen.get(citizen_id)
        if other is not None and by_id is not None and other.pk != by_id.pk:
            report.add(
                number, "citizen_id", _("This citizen ID is already recorded for another pupil.")
            )
            return
        if other is not None and by_id is None and learner_id and other.learner_id:
            report.add(
                number, "citizen_id", _("This citizen ID is already recorded for another pupil.")
            )
            return
        student = by_id or other
        if student is None:
            key = (row.school_class.school_id, fold(row.data["full_name"]), row.data["birth_date"])
            same = by_name.get(key, [])
            student = same[0] if len(same) == 1 else None
        row.student = student
        if student is not None:
            self._check_school(row, student)

    def _check_school(self, row: StudentRow, student: Student) -> None:
        school_id = row.school_class.school_id
        if student.school_id == school_id and student.status == StudentStatus.STUDYING:
            return
        if student.status == StudentStatus.STUDYING:
            message = _(
                "This pupil is studying at another school. A pupil changes school by a "
                "transfer (chuyển trường), which the current school starts; the import "
                "cannot move them."
            )
        else:
            message = _(
                "This pupil is recorded as “%(status)s”; re-admit them from their profile "
                "page (return to school) instead of importing."
            ) % {"status": student.get_status_display()}
        self.report.add(row.number, "learner_id", message)

    def _load_links(self, rows: list[StudentRow]) -> None:
        links = StudentGuardian.objects.select_related("guardian")
        self.links: dict[int, list[StudentGuardian]] = {}
        for batch in chunks(sorted({r.student.pk for r in rows if r.student is not None})):
            for link in links.filter(student_id__in=batch):
                self.links.setdefault(link.student_id, []).append(link)

    def _compare(self, row: StudentRow) -> None:
        student = row.student
        assert student is not None
        for key in sorted(row.given):
            value = row.data.get(key)
            if key == "learner_id" and student.learner_id:
                continue  # matched by it, or compared below
            if value != getattr(student, key):
                row.changes[key] = value
        current = student.current_class
        if current is None or current.pk != row.school_class.pk:
            if current is not None and current.school_year_id != self.year.pk:
                self.report.add(
                    row.number,
                    "class_name",
                    _(
                        "The pupil is in class %(cls)s of %(year)s; move the class to the new "
                        "school year (promotion) before importing into %(new)s."
                    )
                    % {"cls": current.name, "year": current.school_year, "new": self.year},
                )
                return
            row.move = current is not None
        self._compare_guardians(row)

    def _compare_guardians(self, row: StudentRow) -> None:
        assert row.student is not None
        links = self.links.get(row.student.pk, [])
        for item in row.guardians:
            name = fold(item.data["full_name"])
            same = [link for link in links if link.guardian.search_name == name]
            if not same:
                row.new_links.append(item)
                continue
            phone = item.data.get("phone")
            if phone and same[0].guardian.phone != phone:
                row.phone_updates.append((same[0], phone))

    # --- writing --------------------------------------------------------------------------

    def apply(self) -> Counts:
        """Write every school's rows: one call (and one school lock) per school."""
        rows = [r for r in self.rows if not self.report.is_bad(r.number)]
        by_school: dict[int, list[StudentRow]] = {}
        for row in rows:
            by_school.setdefault(row.school_class.school_id, []).append(row)
        for school_rows in by_school.values():
            self._apply_school(school_rows[0].school_class.school, school_rows)
        return self.counts

    def _apply_school(self, school: OrgUnit, rows: list[StudentRow]) -> None:
        new = [r for r in rows if r.student is None]
        if new:
            bulk.students_admit_bulk(
                actor=self.actor, school=school, admissions=[_admission(r) for r in new]
            )
        changed = [r for r in rows if r.student is not None and r.changed]
        updates = [(r.student, r.changes) for r in changed if r.student and r.changes]
        if updates:
            bulk.students_update_bulk(actor=self.actor, school=school, updates=updates)
        self._moves([r for r in changed if r.move])
        links = [(r.student, _link(g)) for r in changed if r.student for g in r.new_links]
        if links:
            bulk.guardians_link_bulk(actor=self.actor, school=school, links=links)
        for row in changed:
            for link, phone in row.phone_updates:
                students.guardian_update(actor=self.actor, link=link, data={"phone": phone})

    def _moves(self, rows: list[StudentRow]) -> None:
        year = self.year
        date = min(max(self.today, year.start_date), year.end_date)
        for row in rows:
            assert row.student is not None
            enrolment.class_change(
                actor=self.actor,
                student=row.student,
                to_class=row.school_class,
                date=date,
                reason=_("Spreadsheet import"),
            )


def _link(item: GuardianRow, primary: bool = False) -> bulk.GuardianInput:
    return bulk.GuardianInput(relation=item.relation, data=item.data, is_primary=primary)


def _admission(row: StudentRow) -> bulk.Admission:
    return bulk.Admission(
        school_class=row.school_class,
        data=row.data,
        admitted_on=row.admitted_on,
        kind=EventKind.ADMITTED,
        guardians=[_link(g, primary=i == 0) for i, g in enumerate(row.guardians)],
    )
