"""Reads of the results pages, through the authorization layer.

* a class's results (individual: leaders, inspectors, the homeroom teacher), live from the
  cells while the period is open and the stored official results once it is closed;
* the year-end lists of a class or a school (the same people);
* summaries of a class, a school or a district (``GRADE_STATS``: officers and leaders; no
  names, no individual scores);
* a student's report (parent, student, teachers of the class, leaders; officers only as
  ``grade_inspector``).

Out of reach answers 404 (``Http404``), as everywhere.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models import QuerySet
from django.http import Http404
from django.utils.translation import gettext_lazy as _

from truongso.core import authz
from truongso.core.authz import Perm
from truongso.gradebook import stats
from truongso.gradebook.models import GradingPeriod, TermResult
from truongso.gradebook.results import YEAR, class_results, class_subjects
from truongso.gradebook.rules import levels
from truongso.gradebook.rules.engine import Outcome, SubjectSpec
from truongso.gradebook.rules.numbers import parse_decimal
from truongso.gradebook.schemes import engine_for_class
from truongso.gradebook.selectors import may_view_class
from truongso.gradebook.services import yearend
from truongso.registry.models import OrgUnit, SchoolClass, SchoolYear, Student, Subject

PERIODS = (1, 2, YEAR)
RANKS = {
    code: rank
    for order in (levels.RANKED, levels.PRIMARY_RESULTS)
    for rank, code in enumerate(order, start=1)
}


def parse_period(raw: str | None, default: int) -> int:
    return int(raw) if raw in ("0", "1", "2") else default


def closed_semesters(school: OrgUnit, year: SchoolYear) -> set[int]:
    return set(
        GradingPeriod.objects.filter(
            school=school, school_year=year, closed_at__isnull=False
        ).values_list("semester", flat=True)
    )


def default_period(closed: set[int]) -> int:
    """The year once semester II is closed, else the semester being worked on."""
    if 2 in closed:
        return YEAR
    return 2 if 1 in closed else 1


def is_closed(closed: set[int], period: int) -> bool:
    return (period or 2) in closed


# A class's results ---------------------------------------------------------------------------
@dataclass(frozen=True)
class SubjectCell:
    average: Any = None  # Decimal: a scored subject's average
    mark: str = ""  # Đ/CĐ, or HTT/HT/CHT
    test: int | None = None  # a primary pupil's periodic test

    @property
    def complete(self) -> bool:
        return self.average is not None or bool(self.mark)

    @property
    def text(self) -> str:
        """ "7,7", "Đ", "HTT (9)"; "" while not computable."""
        if self.average is not None:
            return stats.vn_decimal(self.average)
        if self.test is not None:
            return f"{self.mark} ({self.test})" if self.mark else str(self.test)
        return self.mark

    @classmethod
    def of_outcome(cls, outcome: Outcome | None) -> SubjectCell:
        if outcome is None:
            return cls()
        return cls(outcome.average, outcome.mark or "", outcome.test)

    @classmethod
    def of_stored(cls, stored: dict[str, Any] | None) -> SubjectCell:
        if not stored:
            return cls()
        average = parse_decimal(str(stored["average"])) if "average" in stored else None
        test = int(stored["test"]) if "test" in stored else None
        return cls(average, str(stored.get("mark", "")), test)


@dataclass
class ResultRow:
    student: Student
    subjects: list[SubjectCell]
    learning: str
    conduct: str
    absences: int
    award: str
    decision: str

    @property
    def rank(self) -> int:
        return RANKS.get(self.learning, 0)


@dataclass
class ClassResults:
    school_class: SchoolClass
    period: int
    official: bool  # stored when the period closed; else computed now from the entries
    closed: set[int]
    subjects: list[SubjectSpec]
    rows: list[ResultRow]
    computed_at: Any = None
    primary: bool = False

    @property
    def has_conduct(self) -> bool:
        return not self.primary


def class_for_results(user: Any, pk: int) -> SchoolClass:
    found = (
        SchoolClass.objects.filter(pk=pk)
        .select_related("school", "school_year", "homeroom_teacher")
        .first()
    )
    if found is None or not may_view_class(user, found):
        raise Http404
    return found


def class_results_for(
    user: Any, pk: int, period: int | None = None, sort: str = "name"
) -> ClassResults:
    """A class's results for a period, sorted by name or by learning result."""
    school_class = class_for_results(user, pk)
    closed = closed_semesters(school_class.school, school_class.school_year)
    period = default_period(closed) if period is None else period
    specs = list(class_subjects(school_class).values())
    primary = engine_for_class(school_class).code == "tt27"
    found = ClassResults(school_class, period, is_closed(closed, period), closed, specs, [])
    found.primary = primary
    if found.official:
        stored = TermResult.objects.filter(school_class=school_class, period=period)
        for row in stored.select_related("student").order_by("student__search_name", "pk"):
            cells = [SubjectCell.of_stored(row.subjects.get(s.code)) for s in specs]
            found.rows.append(
                ResultRow(
                    row.student,
                    cells,
                    row.learning,
                    row.conduct,
                    row.absences,
                    row.award,
                    row.decision,
                )
            )
            found.computed_at = row.computed_at
    else:
        for result in class_results(school_class, period):
            summary = result.summary
            cells = [SubjectCell.of_outcome(summary.subjects.get(s.code)) for s in specs]
            found.rows.append(
                ResultRow(
                    result.student,
                    cells,
                    summary.learning or "",
                    summary.conduct or "",
                    result.absences if period == YEAR else int(result.term["absences"]),
                    summary.award,
                    summary.decision,
                )
            )
    if sort == "result":
        found.rows.sort(key=lambda r: -r.rank)  # stable: names stay in order within a level
    return found


# Year-end lists ------------------------------------------------------------------------------
@dataclass
class ListsScope:
    school: OrgUnit
    year: SchoolYear
    school_class: SchoolClass | None
    closed: bool
    lists: yearend.YearLists = field(default_factory=yearend.YearLists)
    may_record: bool = False  # the school's leaders record re-tests and finalise
    subject_names: dict[str, str] = field(default_factory=dict)


def year_lists(
    user: Any, *, school_pk: int | None, class_pk: int | None, year: SchoolYear
) -> ListsScope:
    """The year-end lists of a class (whoever may view its results) or of a school (its
    leaders and inspectors)."""
    school_class: SchoolClass | None = None
    school: OrgUnit | None
    if class_pk is not None:
        school_class = class_for_results(user, class_pk)
        school, year = school_class.school, school_class.school_year
    else:
        school = OrgUnit.objects.filter(pk=school_pk or 0, kind="school").first()
        if school is None or not authz.can(user, Perm.GRADE_VIEW, school.path):
            raise Http404
    rows: QuerySet[TermResult] = TermResult.objects.filter(period=YEAR, school_year=year)
    rows = (
        rows.filter(school_class=school_class)
        if school_class
        else rows.filter(school_class__school=school)
    )
    found = ListsScope(school, year, school_class, 2 in closed_semesters(school, year))
    found.lists = yearend.YearLists.of(
        yearend.year_rows(
            rows.select_related("school_class", "student").order_by(
                "school_class__grade", "school_class__name", "student__search_name", "pk"
            )
        )
    )
    found.may_record = authz.can(user, Perm.GRADE_MANAGE, school.path)
    found.subject_names = dict(Subject.objects.values_list("code", "name"))
    return found


def lists_school(user: Any) -> OrgUnit | None:
    """The school whose lists a leader sees by default (the only one she leads)."""
    roots = authz.grant_roots(user, Perm.GRADE_VIEW)
    schools = OrgUnit.objects.filter(kind="school", path__in=roots)
    return schools.first() if len(roots) == 1 else None


# Summaries (aggregates only) -----------------------------------------------------------------
@dataclass
class GroupRow:
    key: int
    name: str
    tally: stats.Tally
    unit: OrgUnit | None = None  # a child unit to drill into
    school_class: SchoolClass | None = None


@dataclass
class ResultsSummary:
    unit: OrgUnit
    year: SchoolYear
    period: int
    school_class: SchoolClass | None
    official: bool
    tally: stats.Tally
    groups: list[GroupRow]
    trail: list[OrgUnit]  # the units above, within the user's reach
    closed_count: int = 0
    school_count: int = 0
    individual: bool = False  # the user may open each class's individual results


def stats_unit(user: Any, unit_pk: int | None) -> OrgUnit:
    """The unit whose summary is asked, or the user's own top unit; 404 out of reach."""
    if unit_pk is None:
        roots = authz.grant_roots(user, Perm.GRADE_STATS)
        if getattr(user, "is_superuser", False):
            unit = OrgUnit.objects.filter(parent=None).order_by("pk").first()
        else:
            unit = OrgUnit.objects.filter(path__in=roots[:1]).first()
    else:
        unit = OrgUnit.objects.filter(pk=unit_pk, is_active=True).first()
    if unit is None or not authz.can(user, Perm.GRADE_STATS, unit.path):
        raise Http404
    return unit


def _trail(user: Any, unit: OrgUnit) -> list[OrgUnit]:
    ids = [int(part) for part in unit.path.strip("/").split("/") if part.isdigit()]
    above = OrgUnit.objects.in_bulk(ids[:-1])
    return [
        u for i in ids[:-1] if (u := above.get(i)) and authz.can(user, Perm.GRADE_STATS, u.path)
    ]


def results_summary(
    user: Any,
    *,
    unit_pk: int | None,
    class_pk: int | None,
    year: SchoolYear,
    period: int,
) -> ResultsSummary:
    """Counts of a district, a school (by class) or a class. Closed periods from the stored
    results (one query whatever the number of students); an open period live for a class."""
    school_class: SchoolClass | None = None
    if class_pk is not None:
        school_class = (
            SchoolClass.objects.select_related("school", "school_year").filter(pk=class_pk).first()
        )
        if school_class is None or not authz.can(user, Perm.GRADE_STATS, school_class.school.path):
            raise Http404
        unit, year = school_class.school, school_class.school_year
    else:
        unit = stats_unit(user, unit_pk)
    closed_count, school_count = stats.closed_schools(unit, year, period)
    summary = ResultsSummary(
        unit,
        year,
        period,
        school_class,
        True,
        stats.Tally(),
        [],
        _trail(user, unit),
        closed_count,
        school_count,
    )
    if school_class is not None:
        official = is_closed(closed_semesters(unit, year), period)
        summary.official = official
        summary.tally = (
            stats.stored_tallies(unit, year, period, [], school_class)[0]
            if official
            else stats.live_tally(school_class, period)
        )
        return summary
    if unit.kind == "school":
        classes = list(
            SchoolClass.objects.filter(school=unit, school_year=year).order_by("grade", "name")
        )
        total, tallies = stats.stored_tallies(unit, year, period, [(c.pk, "") for c in classes])
        summary.groups = [GroupRow(c.pk, c.name, tallies[c.pk], school_class=c) for c in classes]
        summary.individual = authz.can(user, Perm.GRADE_VIEW, unit.path)
    else:
        children = list(OrgUnit.objects.filter(parent=unit, is_active=True).order_by("name"))
        total, tallies = stats.stored_tallies(
            unit, year, period, [(c.pk, c.path) for c in children]
        )
        summary.groups = [GroupRow(c.pk, c.name, tallies[c.pk], unit=c) for c in children]
    summary.tally = total
    return summary


# A student's report --------------------------------------------------------------------------
def report_student(user: Any, pk: int) -> Student:
    """The student, if the user may read his grades (404 otherwise)."""
    found = authz.scope(user, Perm.GRADE_VIEW, Student.objects.filter(pk=pk)).first()
    if found is None:
        raise Http404
    return found


def family_children(user: Any) -> list[Student]:
    """A parent's children (or a student himself), for choosing whose report to read."""
    roles = authz.roles(user)
    if not roles or not roles <= {"parent", "student"} or user.is_superuser:
        return []
    return list(
        authz.scope(user, Perm.GRADE_VIEW, Student.objects.all())
        .select_related("current_class", "school")
        .order_by("search_name", "pk")
    )


@dataclass
class SemesterEntries:
    semester: int
    cells: list[tuple[str, str]]  # (column label, value as entered or "")
    result: SubjectCell
    comment: str


@dataclass
class SubjectCard:
    spec: SubjectSpec
    semesters: list[SemesterEntries]
    year: SubjectCell


@dataclass
class PeriodSummary:
    period: int
    official: bool
    learning: str
    conduct: str
    absences: int
    award: str = ""
    decision: str = ""
    comment: str = ""
    qualities: list[tuple[str, str]] = field(default_factory=list)
    retests: list[tuple[str, str]] = field(default_factory=list)
    summer_conduct: str = ""
    learning_after: str = ""


@dataclass
class StudentReport:
    student: Student
    year: SchoolYear | None
    years: list[SchoolYear]
    school_class: SchoolClass | None
    primary: bool = False
    cards: list[SubjectCard] = field(default_factory=list)
    periods: list[PeriodSummary] = field(default_factory=list)


def _classes_by_year(student: Student) -> dict[int, SchoolClass]:
    """The student's class in each school year (the latest placement of the year)."""
    found: dict[int, SchoolClass] = {}
    placements = student.placements.select_related(
        "school_class__school", "school_class__school_year"
    ).order_by("start_date", "pk")
    for placement in placements:
        found[placement.school_class.school_year_id] = placement.school_class
    return found


def _visible_subjects(user: Any, student: Student, school_class: SchoolClass) -> set[str] | None:
    """None: every subject; else the subjects a subject teacher of the class teaches."""
    from truongso.registry.models import StudentGuardian, TeachingAssignment

    if may_view_class(user, school_class) or student.user_id == getattr(user, "pk", None):
        return None
    if StudentGuardian.objects.filter(student=student, guardian__user=user).exists():
        return None
    taught = authz.scope(
        user, Perm.GRADE_ENTER, TeachingAssignment.objects.filter(school_class=school_class)
    )
    return set(taught.values_list("subject__code", flat=True))


def student_report(user: Any, student: Student, year_pk: int | None) -> StudentReport:
    """Every subject's entries, averages and comments per semester and the year, with
    conduct, results, awards and decisions (the caller got ``student`` from
    ``report_student``)."""
    from truongso.gradebook.models import StudentTerm, SubjectTerm
    from truongso.gradebook.results import _term_dict, summarise_student

    classes = _classes_by_year(student)
    years = sorted(
        (c.school_year for c in classes.values()), key=lambda y: y.start_date, reverse=True
    )
    year = next((y for y in years if y.pk == year_pk), years[0] if years else None)
    if year is None:
        return StudentReport(student, None, [], None)
    school_class = classes[year.pk]
    engine = engine_for_class(school_class)
    specs = class_subjects(school_class)
    visible = _visible_subjects(user, student, school_class)
    report = StudentReport(student, year, years, school_class, engine.code == "tt27")
    rows = {
        (r.subject.code, r.semester): r
        for r in authz.scope(
            user,
            Perm.GRADE_VIEW,
            SubjectTerm.objects.filter(student=student, school_year=year).select_related("subject"),
        )
    }
    all_cells = {
        (code, semester): cells
        for code, semester, cells in SubjectTerm.objects.filter(
            student=student, school_year=year
        ).values_list("subject__code", "semester", "cells")
    }
    terms = {
        t.semester: t
        for t in authz.scope(
            user, Perm.GRADE_VIEW, StudentTerm.objects.filter(student=student, school_year=year)
        )
    }
    stored = {
        r.period: r
        for r in authz.scope(
            user, Perm.GRADE_VIEW, TermResult.objects.filter(student=student, school_year=year)
        ).select_related("school_class")
    }
    term_dicts = {s: _term_dict(t) for s, t in terms.items()}
    live = {p: summarise_student(engine, specs, all_cells, term_dicts, p) for p in PERIODS}
    quality_names = dict(engine.params.get("qualities", []))
    for period in PERIODS:
        report.periods.append(_period_summary(period, stored.get(period), live[period], terms))
        summary = report.periods[-1]
        term = terms.get(period or 2)
        if report.primary and term is not None and period:
            summary.qualities = [
                (name, str(QUALITY_NAMES.get(term.qualities.get(code, ""), "")))
                for code, name in quality_names.items()
            ]
    year_row = stored.get(YEAR)
    if year_row is not None:
        _year_end(report.periods[-1], engine, year_row, specs)
    for code, spec in specs.items():
        if visible is not None and code not in visible:
            continue
        semesters = []
        for semester in (1, 2):
            row = rows.get((code, semester))
            cells = row.cells if row else {}
            official = stored.get(semester)
            semesters.append(
                SemesterEntries(
                    semester,
                    [
                        (c.label, _shown(cells.get(c.code, "")))
                        for c in engine.columns(spec, semester)
                    ],
                    SubjectCell.of_stored(official.subjects.get(code))
                    if official
                    else SubjectCell.of_outcome(engine.semester_outcome(spec, cells)),
                    row.comment if row else "",
                )
            )
        year_cell = (
            SubjectCell.of_stored(year_row.subjects.get(code))
            if year_row
            else SubjectCell.of_outcome(live[YEAR].subjects.get(code))
        )
        report.cards.append(SubjectCard(spec, semesters, year_cell))
    return report


QUALITY_NAMES = {
    levels.Q_GOOD: _("Good"),
    levels.Q_PASS: _("Pass"),
    levels.Q_EFFORT: _("Needs effort"),
}


def _shown(value: str) -> str:
    """A cell as Vietnamese write it: "8,5"."""
    return value.replace(".", ",")


def _period_summary(
    period: int, row: TermResult | None, live: Any, terms: dict[int, Any]
) -> PeriodSummary:
    term = terms.get(period) if period else None
    comment = term.comment if term is not None else ""
    absences = sum(
        t.absences_excused + t.absences_unexcused
        for s, t in terms.items()
        if not period or s == period
    )
    if row is not None:
        return PeriodSummary(
            period,
            True,
            row.learning,
            row.conduct,
            row.absences,
            row.award,
            row.decision,
            comment,
        )
    return PeriodSummary(
        period,
        False,
        live.learning or "",
        live.conduct or "",
        absences,
        live.award,
        live.decision,
        comment,
    )


def _year_end(
    summary: PeriodSummary, engine: Any, row: TermResult, specs: dict[str, SubjectSpec]
) -> None:
    found = yearend.year_row(engine, row)
    summary.retests = [
        (specs[code].name if code in specs else code, value)
        for code, value in row.retests.items()
        if code != yearend.REVIEW
    ]
    summary.summer_conduct = row.summer_conduct
    summary.learning_after = found.learning_after
