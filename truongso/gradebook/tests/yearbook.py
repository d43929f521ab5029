"""Building a class's whole school year for results tests, through the real services.

``fill_year`` enters every column of every subject of a class in both semesters (each
student's value per subject, so that a subject's averages equal that value), the homeroom
records, and closes the semesters as the principal; ``primary_world`` adds a primary school
(Thông tư 27/2020) to the test world.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from truongso.core.authz import SYSTEM
from truongso.gradebook.results import class_subjects
from truongso.gradebook.services.cells import (
    CellChange,
    scores_save_many,
    subject_columns,
    terms_save,
)
from truongso.gradebook.services.periods import period_close
from truongso.registry.models import OrgUnit, SchoolClass, Student, Subject
from truongso.registry.reference import OrgKind, SchoolLevel
from truongso.registry.services import classes, org, students
from truongso.testing.world import YEAR_START

_numbers = iter(range(100, 100000))


def admit(school_class: SchoolClass, name: str, gender: str = "F") -> Student:
    """A new pupil in the class (unique learner ID), admitted at the start of the year."""
    prefix = school_class.school.code[:4]
    return students.student_admit(
        actor=SYSTEM,
        school_class=school_class,
        admitted_on=YEAR_START,
        data={
            "learner_id": f"{prefix}{next(_numbers):06d}",
            "full_name": name,
            "birth_date": "12/03/2014",
            "gender": gender,
            "ethnicity": "01",
            "birthplace": "Thái Bình",
        },
    )


@dataclass
class Pupil:
    """What one pupil gets: a value per subject code (every column), else the default."""

    scores: dict[str, str] = field(default_factory=dict)
    default: str = "8"
    mark: str = "Đ"  # comment-only subjects (TT22) or levels (TT27: "HTT")
    conduct: tuple[str, str] = ("Tốt", "Tốt")
    absences: tuple[int, int] = (0, 0)
    qualities: str = "T"  # TT27 qualities and competences
    test: str = "9"  # TT27 periodic tests


def _subject_changes(
    school_class: SchoolClass, semester: int, pupils: Mapping[Student, Pupil]
) -> dict[Subject, list[CellChange]]:
    changes: dict[Subject, list[CellChange]] = {}
    subjects = {s.code: s for s in Subject.objects.filter(code__in=class_subjects(school_class))}
    for code, spec in class_subjects(school_class).items():
        subject = subjects[code]
        rows = []
        for student, pupil in pupils.items():
            for column in subject_columns(school_class, subject, semester):
                if column.kind == "test":
                    value = pupil.scores.get(f"{code}:test", pupil.test)
                elif spec.scored:
                    value = pupil.scores.get(code, pupil.default)
                else:
                    value = pupil.scores.get(code, pupil.mark)
                rows.append(CellChange(student.pk, column.code, "", value))
        changes[subject] = rows
    return changes


def _term_changes(
    school_class: SchoolClass, semester: int, pupils: Mapping[Student, Pupil], qualities: list[Any]
) -> list[CellChange]:
    rows = []
    for student, pupil in pupils.items():
        if not qualities:
            rows.append(CellChange(student.pk, "conduct", "", pupil.conduct[semester - 1]))
        absent = pupil.absences[semester - 1]
        rows.append(CellChange(student.pk, "absences_unexcused", "", str(absent) if absent else ""))
        rows += [CellChange(student.pk, f"q:{code}", "", pupil.qualities) for code, _n in qualities]
    return rows


def enter_semester(
    school_class: SchoolClass, semester: int, pupils: Mapping[Student, Pupil]
) -> None:
    from truongso.gradebook.schemes import engine_for_class

    qualities = engine_for_class(school_class).params.get("qualities", [])
    scores_save_many(
        actor=SYSTEM,
        school_class=school_class,
        semester=semester,
        changes=_subject_changes(school_class, semester, pupils),
    )
    terms_save(
        actor=SYSTEM,
        school_class=school_class,
        semester=semester,
        changes=_term_changes(school_class, semester, pupils, qualities),
    )


def fill_year(
    school_class: SchoolClass, pupils: Mapping[Student, Pupil], closer: Any, *, close: int = 2
) -> None:
    """Enter both semesters; close semester I (``close`` ≥ 1) and II (``close`` = 2)."""
    for semester in (1, 2):
        enter_semester(school_class, semester, pupils)
    for semester in range(1, close + 1):
        period_close(
            actor=closer,
            school=school_class.school,
            year=school_class.school_year,
            semester=semester,
            allow_incomplete=True,
        )


def primary_school(world: Any) -> tuple[OrgUnit, SchoolClass]:
    """Trường Tiểu học An Bài under Phòng Quỳnh Phụ, with class 1A (Thông tư 27/2020)."""
    school = org.org_unit_create(
        actor=SYSTEM,
        kind=OrgKind.SCHOOL,
        code="34070101",
        name="Trường Tiểu học An Bài",
        parent=world.bureau_unit,
        level=SchoolLevel.PRIMARY,
    )
    class_1a = classes.class_create(
        actor=SYSTEM, school=school, school_year=world.year, grade=1, name="1A"
    )
    return school, class_1a
