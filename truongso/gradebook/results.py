"""Computing results for a class, a school or a district: subject averages, learning
result, conduct, awards and year-end decisions, from the stored cells.

Nothing here writes; ``services.periods`` stores the official results when a semester
closes. A result is ``None`` while any of its inputs is missing ("not computable yet").
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from truongso.gradebook.models import StudentTerm, SubjectTerm
from truongso.gradebook.rosters import roster
from truongso.gradebook.rules.engine import BaseEngine, Outcome, SubjectSpec, Summary
from truongso.gradebook.schemes import engine_for_class, subject_specs
from truongso.registry.models import SchoolClass, Student, TeachingAssignment

YEAR = 0


def class_subjects(school_class: SchoolClass) -> dict[str, SubjectSpec]:
    """The subjects a class is assessed in: the grade's compulsory subjects, and the
    electives the class is taught (THPT classes are formed by their elective subjects)."""
    specs = subject_specs(school_class.grade)
    from truongso.registry.models import GradeSubject

    electives = set(
        GradeSubject.objects.filter(grade=school_class.grade, is_elective=True).values_list(
            "subject__code", flat=True
        )
    )
    taught = set(
        TeachingAssignment.objects.filter(school_class=school_class).values_list(
            "subject__code", flat=True
        )
    )
    return {code: spec for code, spec in specs.items() if code not in electives or code in taught}


@dataclass
class StudentResult:
    student: Student
    summary: Summary
    absences: int
    term: dict[str, Any]


def _term_dict(row: StudentTerm | None) -> dict[str, Any]:
    if row is None:
        return {"conduct": "", "absences": 0, "qualities": {}}
    return {
        "conduct": row.conduct,
        "absences": row.absences_excused + row.absences_unexcused,
        "qualities": dict(row.qualities),
        "comment": row.comment,
    }


def summarise_student(
    engine: BaseEngine,
    specs: Mapping[str, SubjectSpec],
    cells: Mapping[tuple[str, int], Mapping[str, str]],
    terms: Mapping[int, dict[str, Any]],
    period: int,
) -> Summary:
    """One student's summary for semester 1, 2 or the year (``period`` 0) from raw cells
    keyed by (subject code, semester) and semester records keyed by semester."""
    outcomes: dict[str, tuple[SubjectSpec, Outcome]] = {}
    for code, spec in specs.items():
        if period == YEAR:
            first = engine.semester_outcome(spec, cells.get((code, 1), {}))
            second = engine.semester_outcome(spec, cells.get((code, 2), {}))
            outcomes[code] = (spec, engine.year_outcome(spec, first, second))
        else:
            outcomes[code] = (spec, engine.semester_outcome(spec, cells.get((code, period), {})))
    if period == YEAR:
        first_term = terms.get(1, _term_dict(None))
        second_term = dict(terms.get(2, _term_dict(None)))
        second_term["absences"] = first_term["absences"] + second_term["absences"]
        return engine.summarise(outcomes, second_term, year=True, first_term=first_term)
    return engine.summarise(outcomes, terms.get(period, _term_dict(None)), year=False)


def class_results(school_class: SchoolClass, period: int) -> list[StudentResult]:
    """Every student of the class for the period, computed from the stored cells."""
    engine = engine_for_class(school_class)
    specs = class_subjects(school_class)
    semesters = [1, 2] if period == YEAR else [period]
    students = list(roster(school_class, 2 if period == YEAR else period))
    ids = [s.pk for s in students]
    cells: dict[int, dict[tuple[str, int], dict[str, str]]] = defaultdict(dict)
    rows = SubjectTerm.objects.filter(
        student_id__in=ids, school_year_id=school_class.school_year_id, semester__in=semesters
    ).values_list("student_id", "subject__code", "semester", "cells")
    for student_id, code, semester, row_cells in rows:
        cells[student_id][(code, semester)] = row_cells
    terms: dict[int, dict[int, dict[str, Any]]] = defaultdict(dict)
    for row in StudentTerm.objects.filter(
        student_id__in=ids, school_year_id=school_class.school_year_id, semester__in=semesters
    ):
        terms[row.student_id][row.semester] = _term_dict(row)
    results = []
    for student in students:
        summary = summarise_student(engine, specs, cells[student.pk], terms[student.pk], period)
        student_terms = terms[student.pk]
        absences = sum(t["absences"] for t in student_terms.values())
        results.append(
            StudentResult(
                student, summary, absences, student_terms.get(period or 2, _term_dict(None))
            )
        )
    return results


def level_counts(results: Iterable[StudentResult], attribute: str) -> dict[str, int]:
    counts: dict[str, int] = defaultdict(int)
    for result in results:
        counts[getattr(result.summary, attribute) or ""] += 1
    return dict(counts)
