"""Computing results for a class, a school or a district: subject averages, learning
result, conduct, awards and year-end decisions, from the stored cells.

Nothing here writes; ``services.periods`` stores the official results when a semester
closes. A result is ``None`` while any of its inputs is missing ("not computable yet").
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from truongso.gradebook.models import StudentTerm, SubjectTerm
from truongso.gradebook.rosters import roster
from truongso.gradebook.rules.engine import BaseEngine, Outcome, SubjectSpec, Summary, engine_for
from truongso.gradebook.schemes import engine_for_class, scheme_for, subject_specs
from truongso.registry.models import (
    GradeSubject,
    Placement,
    SchoolClass,
    SchoolYear,
    Semester,
    Student,
    Subject,
    TeachingAssignment,
)
from truongso.registry.reference import level_of_grade

YEAR = 0


def class_subjects(school_class: SchoolClass) -> dict[str, SubjectSpec]:
    """The subjects a class is assessed in: the grade's compulsory subjects, and the
    electives the class is taught (THPT classes are formed by their elective subjects)."""
    specs = subject_specs(school_class.grade)
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
    return assessed_subjects(specs, electives, taught)


def assessed_subjects(
    specs: Mapping[str, SubjectSpec], electives: set[str], taught: set[str]
) -> dict[str, SubjectSpec]:
    """Compulsory subjects, and electives only where the class is taught them."""
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


# Many classes at once ----------------------------------------------------------------------
def classes_results(classes: Sequence[SchoolClass], period: int) -> dict[int, list[StudentResult]]:
    """``class_results`` of many classes (by class ID) in a fixed number of queries, whatever
    the number of classes and students: closing a school's semester, a school's summary, a
    district's year. Every student is summarised by ``summarise_student`` exactly as
    ``class_results`` does it one class at a time."""
    if not classes:
        return {}
    loaded = _Loaded(classes, period)
    results: dict[int, list[StudentResult]] = {}
    for school_class in classes:
        engine, specs = loaded.engine(school_class), loaded.subjects(school_class)
        rows = []
        for student in loaded.roster[school_class.pk]:
            key = (student.pk, school_class.school_year_id)
            terms = loaded.terms[key]
            summary = summarise_student(engine, specs, loaded.cells[key], terms, period)
            absences = sum(t["absences"] for t in terms.values())
            term = terms.get(period or 2, _term_dict(None))
            rows.append(StudentResult(student, summary, absences, term))
        results[school_class.pk] = rows
    return results


class _Loaded:
    """Everything ``classes_results`` reads, one query per kind of row."""

    def __init__(self, classes: Sequence[SchoolClass], period: int) -> None:
        self.classes = classes
        ids = [c.pk for c in classes]
        self.years = SchoolYear.objects.in_bulk({c.school_year_id for c in classes})
        placed = Placement.objects.filter(school_class_id__in=ids).values("student_id")
        self.roster = self._rosters(ids, 2 if period == YEAR else period)
        semesters = [1, 2] if period == YEAR else [period]
        rows = {"student_id__in": placed, "school_year_id__in": list(self.years)}
        code_of = dict(Subject.objects.values_list("pk", "code"))
        self.cells: dict[tuple[int, int], dict[tuple[str, int], dict[str, str]]]
        self.cells = defaultdict(dict)
        for student_id, year_id, subject_id, semester, cells in SubjectTerm.objects.filter(
            semester__in=semesters, **rows
        ).values_list("student_id", "school_year_id", "subject_id", "semester", "cells"):
            self.cells[(student_id, year_id)][(code_of[subject_id], semester)] = cells
        self.terms: dict[tuple[int, int], dict[int, dict[str, Any]]] = defaultdict(dict)
        for term in StudentTerm.objects.filter(semester__in=semesters, **rows):
            self.terms[(term.student_id, term.school_year_id)][term.semester] = _term_dict(term)
        self.taught: dict[int, set[str]] = defaultdict(set)
        for class_id, code in TeachingAssignment.objects.filter(
            school_class_id__in=ids
        ).values_list("school_class_id", "subject__code"):
            self.taught[class_id].add(code)
        self.electives: dict[int, set[str]] = defaultdict(set)
        for grade, code in GradeSubject.objects.filter(is_elective=True).values_list(
            "grade", "subject__code"
        ):
            self.electives[grade].add(code)
        self._engines: dict[tuple[int, str], BaseEngine] = {}
        self._specs: dict[int, dict[str, SubjectSpec]] = {}

    def _rosters(self, class_ids: list[int], semester: int) -> dict[int, list[Student]]:
        """Who ``rosters.roster`` would list for each class (placed during the semester),
        in name order."""
        terms = {
            t.school_year_id: t
            for t in Semester.objects.filter(school_year_id__in=list(self.years), number=semester)
        }
        year_of = {c.pk: c.school_year_id for c in self.classes}
        placements = Placement.objects.filter(school_class_id__in=class_ids).values_list(
            "school_class_id", "student_id", "start_date", "end_date"
        )
        members: dict[int, set[int]] = defaultdict(set)
        for class_id, student_id, start, end in placements:
            term = terms[year_of[class_id]]
            if start <= term.end_date and (end is None or end >= term.start_date):
                members[class_id].add(student_id)
        students = Student.objects.in_bulk({s for ids in members.values() for s in ids})
        return {
            class_id: sorted(
                (students[s] for s in members[class_id]), key=lambda s: (s.search_name, s.pk)
            )
            for class_id in class_ids
        }

    def engine(self, school_class: SchoolClass) -> BaseEngine:
        key = (school_class.school_year_id, level_of_grade(school_class.grade))
        if key not in self._engines:
            scheme = scheme_for(self.years[school_class.school_year_id], school_class.grade)
            self._engines[key] = engine_for(scheme.engine, scheme.params)
        return self._engines[key]

    def subjects(self, school_class: SchoolClass) -> dict[str, SubjectSpec]:
        grade = school_class.grade
        if grade not in self._specs:
            self._specs[grade] = subject_specs(grade)
        return assessed_subjects(
            self._specs[grade], self.electives[grade], self.taught[school_class.pk]
        )


def level_counts(results: Iterable[StudentResult], attribute: str) -> dict[str, int]:
    counts: dict[str, int] = defaultdict(int)
    for result in results:
        counts[getattr(result.summary, attribute) or ""] += 1
    return dict(counts)
