"""Reads behind the gradebook API: the homeroom sheet, a class's results (official once the
period is closed, computed before), and a school's aggregates. Every function that takes a
user checks what the user may read: out of reach is ``Http404``; a school the user sees but
may not read aggregates of is ``PermissionDenied``."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from truongso.core import authz
from truongso.core.authz import Perm
from truongso.gradebook import stats
from truongso.gradebook.late_changes import KIND
from truongso.gradebook.models import GradingPeriod, StudentTerm, SubjectTerm, TermResult
from truongso.gradebook.results import (
    StudentResult,
    class_results,
    class_subjects,
    classes_results,
)
from truongso.gradebook.rosters import roster
from truongso.gradebook.rules import levels
from truongso.gradebook.rules.engine import SubjectSpec
from truongso.gradebook.schemes import engine_for_class
from truongso.gradebook.selectors import may_view_class
from truongso.gradebook.services import cells as cell_services
from truongso.registry.models import OrgUnit, SchoolClass, SchoolYear, Student, Subject
from truongso.workflow.models import ApprovalRequest
from truongso.workflow.selectors import request_detail

CONDUCT_CHOICES = tuple(reversed(levels.RANKED))  # tot, kha, dat, chua_dat
QUALITY_CHOICES = (levels.Q_GOOD, levels.Q_PASS, levels.Q_EFFORT)


# The homeroom sheet -------------------------------------------------------------------------
@dataclass(frozen=True)
class TermColumn:
    code: str
    label: str
    kind: str  # "level" (conduct), "count" (absent sessions), "text", "rating" (TT27)
    choices: tuple[str, ...] = ()


@dataclass
class HomeroomRow:
    student: Student
    cells: dict[str, str]
    in_class: bool


@dataclass
class HomeroomSheet:
    school_class: SchoolClass
    semester: int
    columns: list[TermColumn]
    rows: list[HomeroomRow]
    editable: bool
    lock: str | None  # why the homeroom columns can no longer be changed directly
    closed: bool


def _term_columns(school_class: SchoolClass) -> list[TermColumn]:
    codes = cell_services.term_cleaners(school_class)
    columns = []
    if "conduct" in codes:
        columns.append(TermColumn("conduct", str(_("Conduct")), "level", CONDUCT_CHOICES))
    columns += [
        TermColumn("absences_excused", str(_("Absences with leave")), "count"),
        TermColumn("absences_unexcused", str(_("Absences without leave")), "count"),
        TermColumn("comment", str(_("Homeroom teacher's comment")), "text"),
    ]
    for code, name in engine_for_class(school_class).params.get("qualities", []):
        columns.append(TermColumn(f"q:{code}", name, "rating", QUALITY_CHOICES))
    return columns


def homeroom_sheet(user: Any, school_class: SchoolClass, semester: int) -> HomeroomSheet:
    """The homeroom teacher's columns of a class for a semester (conduct, absences, comment,
    and the TT27 qualities): leaders, inspectors and the homeroom teacher; 404 otherwise."""
    if not may_view_class(user, school_class):
        raise Http404
    columns = _term_columns(school_class)
    students = list(roster(school_class, semester))
    terms = {
        t.student_id: t
        for t in StudentTerm.objects.filter(
            student__in=students, school_year_id=school_class.school_year_id, semester=semester
        )
    }
    current = set(school_class.current_students.values_list("pk", flat=True))
    finished = not school_class.school_year.is_current
    rows = []
    for student in students:
        term = terms.get(student.pk)
        cells = {c.code: cell_services._term_get(term, c.code) if term else "" for c in columns}
        rows.append(HomeroomRow(student, cells, student.pk in current or finished))
    period = cell_services.period_for(school_class, semester)
    return HomeroomSheet(
        school_class,
        semester,
        columns,
        rows,
        editable=cell_services.may_enter_terms(user, school_class),
        lock=cell_services._lock_message(period, "conduct", timezone.now()),
        closed=bool(period and period.is_closed),
    )


# A class's results --------------------------------------------------------------------------
@dataclass
class ResultRow:
    student: Student
    learning: str | None  # None: not computable yet
    conduct: str | None
    award: str
    decision: str
    absences: int
    subjects: dict[str, dict[str, Any]]  # code -> {"average": "7.7"} / {"mark": "Đ"} ...


@dataclass
class ClassResults:
    school_class: SchoolClass
    period: int
    official: bool  # stored when the period was closed; computed from the cells otherwise
    computed_at: dt.datetime | None
    subjects: list[SubjectSpec]
    rows: list[ResultRow]


def period_closed(school: OrgUnit | int, year: SchoolYear | int, period: int) -> bool:
    """Whether the official results of ``period`` are stored: semester 1 or 2 closed; the
    year (0) once semester II is closed."""
    return GradingPeriod.objects.filter(
        school=school, school_year=year, semester=period or 2, closed_at__isnull=False
    ).exists()


def _computed_row(result: StudentResult) -> ResultRow:
    summary = result.summary
    return ResultRow(
        result.student,
        summary.learning,
        summary.conduct,
        summary.award,
        summary.decision,
        result.absences,
        {code: outcome.as_json() for code, outcome in summary.subjects.items()},
    )


def _stored_row(stored: TermResult) -> ResultRow:
    return ResultRow(
        stored.student,
        stored.learning or None,
        stored.conduct or None,
        stored.award,
        stored.decision,
        stored.absences,
        dict(stored.subjects),
    )


def class_results_read(user: Any, school_class: SchoolClass, period: int) -> ClassResults:
    """Every student's result for semester 1, 2 or the year (0): the official results once
    the period is closed, computed from the cells before. Leaders, inspectors and the
    homeroom teacher; 404 otherwise (a subject teacher sees her subject's grid only)."""
    if not may_view_class(user, school_class):
        raise Http404
    subjects = list(class_subjects(school_class).values())
    if period_closed(school_class.school_id, school_class.school_year_id, period):
        stored = list(
            TermResult.objects.filter(school_class=school_class, period=period)
            .select_related("student")
            .order_by("student__search_name", "student_id")
        )
        computed_at = max((s.computed_at for s in stored), default=None)
        rows = [_stored_row(s) for s in stored]
        return ClassResults(school_class, period, True, computed_at, subjects, rows)
    rows = [_computed_row(r) for r in class_results(school_class, period)]
    return ClassResults(school_class, period, False, None, subjects, rows)


# A school's aggregates ----------------------------------------------------------------------
@dataclass
class SchoolSummary:
    """Counts per level for the school and each grade, and each subject's distribution of
    averages (``stats.BINS``): the figures of the results pages, without any name."""

    school: OrgUnit
    school_year: SchoolYear
    period: int
    official: bool
    total: stats.Tally
    grades: dict[int, stats.Tally]
    subject_names: dict[str, str]


def _tally(results: Iterable[StudentResult]) -> stats.Tally:
    tally = stats.Tally()
    for result in results:
        summary = result.summary
        averages = [(c, o.tenths) for c, o in summary.subjects.items() if o.tenths is not None]
        tally.add(
            summary.learning or stats.NOT_YET,
            summary.conduct or stats.NOT_YET,
            summary.award,
            summary.decision,
            averages,
        )
    return tally


def school_summary(user: Any, school: OrgUnit, year: SchoolYear, period: int) -> SchoolSummary:
    """A school's semester or year in figures, for holders of GRADE_STATS over the school
    (officers, leaders, inspectors): the stored official results once the period is closed,
    computed from the entries of every class before (in a fixed number of queries)."""
    if not authz.can(user, Perm.GRADE_STATS, school.path):
        raise PermissionDenied(_("You may not read this school's gradebook statistics."))
    classes = list(SchoolClass.objects.filter(school=school, school_year=year))
    official = period_closed(school, year, period)
    if official:
        total, by_class = stats.stored_tallies(school, year, period, [(c.pk, "") for c in classes])
    else:
        computed = classes_results(classes, period)
        by_class = {class_id: _tally(rows) for class_id, rows in computed.items()}
        total = stats.Tally()
        for tally in by_class.values():
            total.merge(tally)
    grades: dict[int, stats.Tally] = {}
    for school_class in sorted(classes, key=lambda c: c.grade):
        grades.setdefault(school_class.grade, stats.Tally()).merge(by_class[school_class.pk])
    names = dict(Subject.objects.filter(code__in=total.scores).values_list("code", "name"))
    return SchoolSummary(school, year, period, official, total, grades, names)


# Just saved ---------------------------------------------------------------------------------
def stored_cells(
    school_class: SchoolClass, semester: int, subject_ids: set[int], student_ids: set[int]
) -> dict[tuple[int, int], tuple[dict[str, str], str]]:
    """(subject ID, student ID) -> (cells, comment) as stored, to answer the caller who has
    just saved them (and so may read them)."""
    rows = SubjectTerm.objects.filter(
        school_year_id=school_class.school_year_id,
        semester=semester,
        subject_id__in=subject_ids,
        student_id__in=student_ids,
    ).values_list("subject_id", "student_id", "cells", "comment")
    return {(subject, student): (cells, comment) for subject, student, cells, comment in rows}


# Late-change requests -----------------------------------------------------------------------
def late_changes(user: Any, *, status: str = "") -> QuerySet[ApprovalRequest]:
    """Late-change requests of the schools the user leads (to decide, and decided), and
    those she filed herself; newest first."""
    deciding = authz.scope(user, Perm.GRADE_MANAGE, ApprovalRequest.objects.filter(kind=KIND))
    found = ApprovalRequest.objects.filter(
        Q(pk__in=deciding.values("pk")) | Q(requested_by=user), kind=KIND
    )
    if status:
        found = found.filter(status=status)
    return found.select_related("requested_by", "decided_by").order_by("-requested_at", "-id")


def late_change_detail(user: Any, pk: int) -> ApprovalRequest:
    """A late-change request its requester or one of its deciders may open; 404 otherwise."""
    found = request_detail(user, pk)
    if found.kind != KIND:
        raise Http404
    return found
