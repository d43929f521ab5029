"""Reads for the score-entry pages: completeness of entry (cells filled / cells expected)
for a teacher's cards and a leader's school tables, a row's history, late-change requests
as people read them. Every function that takes a user checks what the user may read."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Q
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from truongso.core import authz
from truongso.core.authz import Perm, path_q
from truongso.core.models import AuditEntry
from truongso.gradebook import selectors
from truongso.gradebook.models import GradingPeriod, StudentTerm, SubjectTerm
from truongso.gradebook.results import StudentResult, class_results, class_subjects
from truongso.gradebook.rosters import roster
from truongso.gradebook.rules.engine import BaseEngine, Column, SubjectSpec
from truongso.gradebook.schemes import engine_for_class, subject_specs
from truongso.gradebook.services import cells as cell_services
from truongso.gradebook.services.periods import incomplete_students
from truongso.registry.models import (
    GradeSubject,
    OrgUnit,
    Placement,
    SchoolClass,
    SchoolYear,
    Semester,
    Student,
    Subject,
    TeachingAssignment,
)
from truongso.registry.reference import OrgKind
from truongso.workflow.models import ApprovalRequest
from truongso.workflow.selectors import requests_for_target

HOMEROOM = "__homeroom__"


@dataclass
class Completeness:
    filled: int = 0
    expected: int = 0

    @property
    def percent(self) -> int:
        """Rounded down, so that 100 % means really complete."""
        return 100 * self.filled // self.expected if self.expected else 0

    @property
    def complete(self) -> bool:
        return self.expected > 0 and self.filled >= self.expected

    def __iadd__(self, other: Completeness) -> Completeness:
        self.filled += other.filled
        self.expected += other.expected
        return self


def current_semester(year: SchoolYear | None, today: dt.date | None = None) -> int:
    """The semester under way (II once semester I has ended), I by default."""
    if year is None:
        return 1
    today = today or timezone.localdate()
    first = Semester.objects.filter(school_year=year, number=1).first()
    return 2 if first is not None and today > first.end_date else 1


def roster_counts(classes: Sequence[SchoolClass], semester: int) -> dict[int, int]:
    """Students placed in each class at any time during the semester (as ``roster``)."""
    counts: dict[int, int] = {}
    by_year: dict[int, list[int]] = defaultdict(list)
    for school_class in classes:
        by_year[school_class.school_year_id].append(school_class.pk)
    terms = Semester.objects.filter(school_year_id__in=list(by_year), number=semester)
    for term in terms:
        rows = (
            Placement.objects.filter(
                Q(end_date__isnull=True) | Q(end_date__gte=term.start_date),
                school_class_id__in=by_year[term.school_year_id],
                start_date__lte=term.end_date,
            )
            .values("school_class_id")
            .annotate(n=Count("student_id", distinct=True))
        )
        counts.update({row["school_class_id"]: row["n"] for row in rows})
    return counts


class _Columns:
    """Columns per (class, subject), computed once per school year, level and grade."""

    def __init__(self, semester: int) -> None:
        self.semester = semester
        self._engines: dict[tuple[int, int], BaseEngine] = {}
        self._specs: dict[int, dict[str, SubjectSpec]] = {}

    def engine(self, school_class: SchoolClass) -> BaseEngine:
        key = (school_class.school_year_id, school_class.grade)
        if key not in self._engines:
            self._engines[key] = engine_for_class(school_class)
        return self._engines[key]

    def specs(self, grade: int) -> dict[str, SubjectSpec]:
        if grade not in self._specs:
            self._specs[grade] = subject_specs(grade)
        return self._specs[grade]

    def codes(self, school_class: SchoolClass, subject_code: str) -> list[str]:
        spec = self.specs(school_class.grade).get(subject_code)
        if spec is None:
            return []
        return [c.code for c in self.engine(school_class).columns(spec, self.semester)]

    def term_codes(self, school_class: SchoolClass) -> list[str]:
        """The homeroom record's required entries: conduct (TT22) or the ratings (TT27)."""
        engine = self.engine(school_class)
        if engine.code == "tt22":
            return ["conduct"]
        return [f"q:{code}" for code, _name in engine.params.get("qualities", [])]


def _filled(cells: dict[str, Any], codes: Iterable[str]) -> int:
    return sum(1 for code in codes if str(cells.get(code, "")) != "")


def subject_completeness(
    classes: Sequence[SchoolClass], semester: int, columns: _Columns | None = None
) -> dict[tuple[int, str], Completeness]:
    """(class id, subject code) -> cells filled / cells expected, for every subject of the
    classes' grades, in three queries plus one per grade and scheme."""
    columns = columns or _Columns(semester)
    sizes = roster_counts(classes, semester)
    result: dict[tuple[int, str], Completeness] = {}
    by_id = {c.pk: c for c in classes}
    for school_class in classes:
        for code in columns.specs(school_class.grade):
            n = len(columns.codes(school_class, code))
            result[(school_class.pk, code)] = Completeness(0, n * sizes.get(school_class.pk, 0))
    rows = SubjectTerm.objects.filter(
        school_class_id__in=list(by_id), semester=semester
    ).values_list("school_class_id", "subject__code", "cells")
    for class_id, code, cells in rows:
        found = result.get((class_id, code))
        if found is not None:
            found.filled += _filled(cells, columns.codes(by_id[class_id], code))
    return result


def homeroom_completeness(
    classes: Sequence[SchoolClass], semester: int, columns: _Columns | None = None
) -> dict[int, Completeness]:
    columns = columns or _Columns(semester)
    sizes = roster_counts(classes, semester)
    result = {
        c.pk: Completeness(0, len(columns.term_codes(c)) * sizes.get(c.pk, 0)) for c in classes
    }
    by_id = {c.pk: c for c in classes}
    rows = StudentTerm.objects.filter(
        school_class_id__in=list(by_id), semester=semester
    ).values_list("school_class_id", "conduct", "qualities")
    for class_id, conduct, qualities in rows:
        flat = {"conduct": conduct, **{f"q:{k}": v for k, v in (qualities or {}).items()}}
        result[class_id].filled += _filled(flat, columns.term_codes(by_id[class_id]))
    return result


@dataclass
class Card:
    """A tile of "my gradebooks": a class-subject to enter, or a homeroom class."""

    school_class: SchoolClass
    subject: Subject | None
    completeness: Completeness


def my_cards(user: Any, semester: int) -> list[Card]:
    assignments = selectors.my_gradebooks(user)
    classes = list({a.school_class.pk: a.school_class for a in assignments}.values())
    columns = _Columns(semester)
    taught = subject_completeness(classes, semester, columns)
    led = homeroom_completeness(
        [a.school_class for a in assignments if a.subject is None], semester, columns
    )
    cards = []
    for a in assignments:
        if a.subject is None:
            done = led.get(a.school_class.pk, Completeness())
        else:
            done = taught.get((a.school_class.pk, a.subject.code), Completeness())
        cards.append(Card(a.school_class, a.subject, done))
    return cards


# Leaders: the school's classes × subjects, with who teaches what and how far they are ----
@dataclass
class TableCell:
    code: str  # the subject's
    teacher: str
    completeness: Completeness


@dataclass
class ClassRow:
    school_class: SchoolClass
    cells: list[TableCell | None]  # None: the subject is not taken by the class (elective)


@dataclass
class GradeTable:
    grade: int
    subjects: list[SubjectSpec]
    rows: list[ClassRow] = field(default_factory=list)


@dataclass
class TeacherLine:
    name: str
    assignments: int = 0
    completeness: Completeness = field(default_factory=Completeness)


@dataclass
class SchoolOverview:
    school: OrgUnit
    year: SchoolYear
    tables: list[GradeTable]
    teachers: list[TeacherLine]


def managed_schools(user: Any) -> list[OrgUnit]:
    """Schools where the user manages the gradebook (principal, vice-principal)."""
    roots = authz.grant_roots(user, Perm.GRADE_MANAGE)
    if not roots:
        return []
    schools = OrgUnit.objects.filter(path_q("path", roots), kind=OrgKind.SCHOOL, is_active=True)
    return list(schools.order_by("name")[:20])


def _teacher_of(assignments: list[TeachingAssignment], semester: int) -> str:
    for a in assignments:
        if a.semester in (None, semester):
            return a.staff.full_name
    return ""


def school_overview(user: Any, school: OrgUnit, year: SchoolYear, semester: int) -> SchoolOverview:
    if not authz.can(user, Perm.GRADE_MANAGE, school.path):
        raise Http404
    classes = list(
        SchoolClass.objects.filter(school=school, school_year=year)
        .select_related("school", "school_year")
        .order_by("grade", "name")
    )
    columns = _Columns(semester)
    done = subject_completeness(classes, semester, columns)
    assigned: dict[tuple[int, str], list[TeachingAssignment]] = defaultdict(list)
    for a in TeachingAssignment.objects.filter(school_class__in=classes).select_related(
        "staff", "subject"
    ):
        assigned[(a.school_class_id, a.subject.code)].append(a)
    electives = set(
        GradeSubject.objects.filter(is_elective=True).values_list("grade", "subject__code")
    )
    tables: dict[int, GradeTable] = {}
    teachers: dict[str, TeacherLine] = {}
    for school_class in classes:
        specs = list(columns.specs(school_class.grade).values())
        table = tables.setdefault(school_class.grade, GradeTable(school_class.grade, specs))
        cells: list[TableCell | None] = []
        for spec in specs:
            key = (school_class.pk, spec.code)
            if (spec.grade, spec.code) in electives and key not in assigned:
                cells.append(None)
                continue
            teacher = _teacher_of(assigned.get(key, []), semester)
            cells.append(TableCell(spec.code, teacher, done[key]))
            if teacher:
                line = teachers.setdefault(teacher, TeacherLine(teacher))
                line.assignments += 1
                line.completeness += done[key]
        table.rows.append(ClassRow(school_class, cells))
    return SchoolOverview(
        school,
        year,
        [tables[g] for g in sorted(tables)],
        sorted(teachers.values(), key=lambda t: (t.completeness.percent, t.name)),
    )


# History of a row --------------------------------------------------------------------------
@dataclass
class HistoryLine:
    at: dt.datetime
    actor: str
    changes: list[tuple[str, str, str]]  # (column label, before, after)
    note: str


@dataclass
class RowHistory:
    student: Student
    lines: list[HistoryLine]
    requests: list[ApprovalRequest]


def subject_row_history(
    user: Any, school_class: SchoolClass, subject: Subject, semester: int, student_id: int
) -> RowHistory:
    """Every change of every cell of a student's row in a subject: who, when, before and
    after, the note citing an approved request; and the late-change requests of the row."""
    if not selectors.may_view_subject(user, school_class, subject):
        raise Http404
    student = roster(school_class, semester).filter(pk=student_id).first()
    if student is None:
        raise Http404
    labels = {c.code: c.label for c in cell_services.subject_columns(school_class, subject, 1)}
    labels.update(
        {c.code: c.label for c in cell_services.subject_columns(school_class, subject, 2)}
    )
    row = SubjectTerm.objects.filter(
        student=student,
        subject=subject,
        school_year_id=school_class.school_year_id,
        semester=semester,
    ).first()
    entries: list[AuditEntry] = []
    if row is not None:
        entries = list(
            AuditEntry.objects.filter(
                object_type="gradebook.subjectterm", object_id=str(row.pk)
            ).order_by("at", "id")
        )
    lines = [
        HistoryLine(
            e.at,
            e.actor_name,
            [
                (labels.get(code, code), str((e.before or {}).get(code, "")), str(value))
                for code, value in (e.after or {}).items()
            ],
            e.note,
        )
        for e in entries
    ]
    target = f"{student.pk}:{subject.pk}:{semester}"
    requests = list(
        requests_for_target("gradebook.subjectterm", target).select_related(
            "requested_by", "decided_by"
        )
    )
    return RowHistory(student, lines, requests)


# Late-change requests as people read them ------------------------------------------------
@dataclass
class RequestView:
    request: ApprovalRequest
    student: Student | None
    school_class: SchoolClass | None
    subject: Subject | None
    semester: int
    cells: list[tuple[str, str, str, str]]  # (code, label, old, new)


def _labels(
    school_class: SchoolClass | None, subject: Subject | None, semester: int
) -> dict[str, str]:
    if school_class is None:
        return {}
    if subject is None:
        return {code: str(label) for code, label in term_labels(school_class).items()}
    try:
        columns: list[Column] = cell_services.subject_columns(school_class, subject, semester)
    except KeyError:
        return {}
    return {c.code: c.label for c in columns}


def term_labels(school_class: SchoolClass) -> dict[str, Any]:
    """Labels of the homeroom record's entries (conduct, absences, ratings, comment)."""
    engine = engine_for_class(school_class)
    labels: dict[str, Any] = {}
    if engine.code == "tt22":
        labels["conduct"] = _("Conduct")
    labels["absences_excused"] = _("Absent, excused")
    labels["absences_unexcused"] = _("Absent, unexcused")
    for code, name in engine.params.get("qualities", []):
        labels[f"q:{code}"] = name
    labels["comment"] = _("Comment")
    return labels


def request_views(requests: Iterable[ApprovalRequest]) -> list[RequestView]:
    """Late-change requests with their student, class, subject and each cell's label."""
    found = list(requests)
    payloads = [r.payload if isinstance(r.payload, dict) else {} for r in found]
    students = Student.objects.in_bulk([p.get("student") for p in payloads if p.get("student")])
    classes = SchoolClass.objects.select_related("school", "school_year").in_bulk(
        [p.get("class") for p in payloads if p.get("class")]
    )
    subjects = Subject.objects.in_bulk([p.get("subject") for p in payloads if p.get("subject")])
    labels: dict[tuple[Any, Any, Any], dict[str, str]] = {}
    views = []
    for request, p in zip(found, payloads, strict=True):
        school_class = classes.get(p.get("class"))
        subject = subjects.get(p.get("subject")) if p.get("subject") else None
        semester = int(p.get("semester") or 1)
        key = (p.get("class"), p.get("subject"), semester)
        if key not in labels:
            labels[key] = _labels(school_class, subject, semester)
        cells = [
            (code, labels[key].get(code, code), str(pair[0]), str(pair[1]))
            for code, pair in (p.get("cells") or {}).items()
        ]
        views.append(
            RequestView(
                request, students.get(p.get("student")), school_class, subject, semester, cells
            )
        )
    return views


def family_students(user: Any) -> list[Student]:
    """A parent's children, or a student's own record (for the way to their report)."""
    found = authz.scope(user, Perm.GRADE_VIEW, Student.objects.all())
    return list(found.order_by("search_name")[:20])


def subject_rows(
    school_class: SchoolClass, subject: Subject, semester: int, student_ids: Iterable[int]
) -> dict[int, SubjectTerm]:
    """Rows just saved, to answer the grid with the values as stored."""
    rows = SubjectTerm.objects.filter(
        student_id__in=list(student_ids),
        subject=subject,
        school_year_id=school_class.school_year_id,
        semester=semester,
    )
    return {row.student_id: row for row in rows}


@dataclass
class Overview:
    subjects: list[SubjectSpec]
    results: list[StudentResult]
    primary: bool  # Thông tư 27: results are Hoàn thành ..., no conduct


def class_overview(user: Any, school_class: SchoolClass, period: int) -> Overview:
    """Every subject's result per student with the computed learning result and conduct
    (semester 1, 2, or the year as period 0), for the homeroom teacher and leaders."""
    if not selectors.may_view_class(user, school_class):
        raise Http404
    specs = class_subjects(school_class)
    primary = engine_for_class(school_class).code != "tt22"
    return Overview(list(specs.values()), class_results(school_class, period), primary)


@dataclass
class PeriodState:
    school: OrgUnit
    year: SchoolYear
    semester: int
    period: GradingPeriod | None
    incomplete: int | None  # students whose result cannot be computed yet (open semesters)
    first_closed: bool  # semester II can only be closed after semester I


def period_state(
    user: Any, school_pk: int, year_pk: int, semester: int, *, count: bool = True
) -> PeriodState:
    """A school's semester as its leaders manage it; 404 for everyone else."""
    school = OrgUnit.objects.filter(pk=school_pk, kind=OrgKind.SCHOOL).first()
    year = SchoolYear.objects.filter(pk=year_pk).first()
    if school is None or year is None or not authz.can(user, Perm.GRADE_MANAGE, school.path):
        raise Http404
    periods = {
        p.semester: p
        for p in GradingPeriod.objects.filter(school=school, school_year=year).select_related(
            "closed_by"
        )
    }
    period = periods.get(semester)
    is_open = period is None or not period.is_closed
    first = periods.get(1)
    return PeriodState(
        school,
        year,
        semester,
        period,
        incomplete_students(school, year, semester) if count and is_open else None,
        first is not None and first.is_closed,
    )
