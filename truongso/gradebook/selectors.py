"""Reads of the gradebook, through the authorization layer."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.http import Http404
from django.utils import timezone

from truongso.core import authz
from truongso.core.authz import Perm
from truongso.gradebook.models import GradingPeriod, StudentTerm, SubjectTerm, TermResult
from truongso.gradebook.rosters import roster
from truongso.gradebook.rules.engine import Column, Outcome
from truongso.gradebook.schemes import engine_for_class, subject_specs
from truongso.gradebook.services import cells as cell_services
from truongso.registry.models import SchoolClass, Student, Subject, TeachingAssignment


def may_view_class(user: Any, school_class: SchoolClass) -> bool:
    """Leaders and inspectors of the school, and the class's homeroom teacher."""
    if authz.can(user, Perm.GRADE_VIEW, school_class.school.path):
        return True
    return cell_services.may_enter_terms(user, school_class)


def may_view_subject(user: Any, school_class: SchoolClass, subject: Subject) -> bool:
    """Whoever may view the class, and the subject's teacher in it."""
    return may_view_class(user, school_class) or cell_services.may_enter(
        user, school_class, subject
    )


@dataclass
class GridRow:
    student: Student
    cells: dict[str, str]
    comment: str
    outcome: Outcome
    in_class: bool  # False: left the class during the semester (shown, read-only)


@dataclass
class Grid:
    school_class: SchoolClass
    subject: Subject
    semester: int
    columns: list[Column]
    rows: list[GridRow]
    editable: bool  # the user may enter scores (before locks)
    locks: dict[str, str | None] = field(default_factory=dict)  # column code -> why locked
    closed: bool = False


def grid(user: Any, school_class: SchoolClass, subject: Subject, semester: int) -> Grid:
    """One subject's page of the gradebook for a class and semester (404 when out of reach)."""
    if not may_view_subject(user, school_class, subject):
        raise Http404
    spec = subject_specs(school_class.grade).get(subject.code)
    if spec is None:
        raise Http404
    engine = engine_for_class(school_class)
    columns = engine.columns(spec, semester)
    students = list(roster(school_class, semester))
    rows = {
        r.student_id: r
        for r in SubjectTerm.objects.filter(
            student__in=students,
            subject=subject,
            school_year_id=school_class.school_year_id,
            semester=semester,
        )
    }
    current = set(school_class.current_students.values_list("pk", flat=True))
    grid_rows = []
    for student in students:
        row = rows.get(student.pk)
        cells = dict(row.cells) if row else {}
        grid_rows.append(
            GridRow(
                student,
                cells,
                row.comment if row else "",
                engine.semester_outcome(spec, cells),
                student.pk in current or not school_class.school_year.is_current,
            )
        )
    period = cell_services.period_for(school_class, semester)
    now = timezone.now()
    locks = {c.code: cell_services._lock_message(period, c.group, now) for c in columns}
    return Grid(
        school_class,
        subject,
        semester,
        columns,
        grid_rows,
        editable=cell_services.may_enter(user, school_class, subject),
        locks=locks,
        closed=bool(period and period.is_closed),
    )


@dataclass
class Assignment:
    school_class: SchoolClass
    subject: Subject | None  # None: the homeroom class itself


def my_gradebooks(user: Any) -> list[Assignment]:
    """The class-subjects the user teaches and the classes she leads, this school year."""
    taught = (
        authz.scope(user, Perm.GRADE_ENTER, TeachingAssignment.objects.all())
        .filter(school_class__school_year__is_current=True)
        .select_related("school_class__school", "school_class__school_year", "subject")
    )
    led = (
        authz.scope(user, Perm.CONDUCT_ENTER, SchoolClass.objects.all())
        .filter(school_year__is_current=True)
        .select_related("school", "school_year")
    )
    if authz.scope_q(user, Perm.GRADE_ENTER, TeachingAssignment) is None:
        return []  # superusers and the system do not have a personal list
    return [
        Assignment(a.school_class, a.subject)
        for a in taught.order_by("school_class__grade", "school_class__name", "subject__code")
    ] + [Assignment(c, None) for c in led.order_by("grade", "name")]


def class_terms(user: Any, school_class: SchoolClass, semester: int) -> dict[int, StudentTerm]:
    if not may_view_class(user, school_class):
        raise Http404
    return {
        t.student_id: t
        for t in StudentTerm.objects.filter(school_class=school_class, semester=semester)
    }


def student_results(user: Any, student: Student) -> list[TermResult]:
    """A student's stored official results (parent, student, teachers, leaders)."""
    found = authz.scope(user, Perm.GRADE_VIEW, TermResult.objects.filter(student=student))
    return list(
        found.select_related("school_year", "school_class").order_by(
            "-school_year__start_date", "period"
        )
    )


def student_subject_terms(user: Any, student: Student, school_year_id: int) -> list[SubjectTerm]:
    """A student's gradebook rows for a year, as far as the user may read them."""
    rows = authz.scope(
        user,
        Perm.GRADE_VIEW,
        SubjectTerm.objects.filter(student=student, school_year_id=school_year_id),
    )
    return list(rows.select_related("subject").order_by("subject__code", "semester"))


def period_of(user: Any, school_class: SchoolClass, semester: int) -> GradingPeriod | None:
    return cell_services.period_for(school_class, semester)
