"""Gradebook demo data: a school year of Trường THCS An Bài (the demo school of
``seed_demo``) that a visitor can run end to end.

* Semester I: every column of every subject entered for every pupil (scores drawn around
  each pupil's level, a few comment-only "Chưa đạt"), conduct and absences, comments for
  some; deadlines that have passed; closed by the principal (``period_close``) with the
  official results stored.
* Semester II: regular and mid-term scores entered, end-of-term scores mostly (Tin học not
  yet in two classes, a few single gaps, so "chưa đủ điểm" shows), conduct in all classes
  but one; the regular-assessment columns locked yesterday, the others open for weeks.
* One late-change request from ``giaovien`` (a re-marked end-of-term test of semester I)
  waiting for ``hieutruong``.

Cells are generated with the real column definitions (``subject_columns``), cleaned by the
engine into the stored form ``scores_save`` writes ("7.5", "8", "Đ") and bulk-inserted with
one audit entry per row; closing, deadlines and the request go through the services.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils import timezone

from truongso.accounts.models import RoleAssignment, User
from truongso.core.audit import audit_build, audit_record
from truongso.core.authz import SYSTEM, Role
from truongso.core.models import AuditEntry
from truongso.gradebook.late_changes import late_change_request
from truongso.gradebook.models import StudentTerm, SubjectTerm
from truongso.gradebook.results import class_subjects
from truongso.gradebook.rosters import roster
from truongso.gradebook.rules import levels
from truongso.gradebook.rules.engine import BaseEngine, Column
from truongso.gradebook.schemes import engine_for_class
from truongso.gradebook.services.cells import subject_columns
from truongso.gradebook.services.periods import deadlines_set, period_close
from truongso.registry.demo.accounts import ACCOUNTS_BY_ROLE
from truongso.registry.models import (
    OrgUnit,
    SchoolClass,
    SchoolYear,
    Student,
    Subject,
    TeachingAssignment,
)

Log = Callable[[str], None]
DEFAULT_SEED = 2025
NOTE = "Dữ liệu mẫu (seed_gradebook_demo)"
HOMEROOM_COMMENTS = [
    "Ngoan, lễ phép, tích cực tham gia các hoạt động của lớp.",
    "Chăm chỉ, có ý thức tự học; cần mạnh dạn phát biểu hơn.",
    "Có tiến bộ rõ so với đầu năm, gia đình cần tiếp tục động viên.",
    "Còn nói chuyện riêng trong giờ học, cần chú ý hơn.",
    "Hoà đồng, giúp đỡ bạn bè, hoàn thành tốt nhiệm vụ được giao.",
    "Cần đi học đúng giờ và chuẩn bị bài đầy đủ hơn.",
]
SUBJECT_COMMENTS = [
    "Nắm vững kiến thức cơ bản, vận dụng tốt.",
    "Cần rèn thêm kĩ năng trình bày bài làm.",
    "Tích cực phát biểu xây dựng bài.",
    "Cần ôn lại kiến thức nền tảng của học kì.",
    "Có năng khiếu, nên tham gia đội tuyển của trường.",
]


def quiet(message: str) -> None:
    """A log that drops its messages."""


@dataclass
class DemoSchool:
    school: OrgUnit
    year: SchoolYear
    principal: User
    teacher: User
    classes: list[SchoolClass]
    subjects: dict[str, Subject]
    rng: random.Random
    levels: dict[int, float] = field(default_factory=dict)  # pupil -> level out of 10

    def level(self, student_id: int) -> float:
        """A pupil's usual level: most between 6 and 8, a few weaker or stronger."""
        if student_id not in self.levels:
            self.levels[student_id] = min(9.6, max(4.6, self.rng.gauss(7.1, 1.0)))
        return self.levels[student_id]


def demo_school() -> DemoSchool | None:
    """The demo school: the one the demo principal leads, this school year."""
    principal = User.objects.filter(username=ACCOUNTS_BY_ROLE[Role.PRINCIPAL].username).first()
    teacher = User.objects.filter(username=ACCOUNTS_BY_ROLE[Role.TEACHER].username).first()
    grant = RoleAssignment.objects.filter(user=principal, role=Role.PRINCIPAL).first()
    year = SchoolYear.objects.filter(is_current=True).first()
    if principal is None or teacher is None or grant is None or year is None:
        return None
    classes = SchoolClass.objects.filter(school=grant.org_unit, school_year=year)
    return DemoSchool(
        grant.org_unit,
        year,
        principal,
        teacher,
        list(classes.select_related("school", "school_year").order_by("grade", "name")),
        {s.code: s for s in Subject.objects.all()},
        random.Random(DEFAULT_SEED),
    )


def has_entries(demo: DemoSchool) -> bool:
    return SubjectTerm.objects.filter(school_class__in=demo.classes).exists()


# Drawing values -------------------------------------------------------------------------------
def _score(demo: DemoSchool, student_id: int, bias: float, column: Column) -> str:
    """A score near the pupil's level: regular assessments in whole or half points, tests
    in tenths (a test marked 7.25 is entered 7.3)."""
    raw = min(10.0, max(0.0, demo.level(student_id) + bias + demo.rng.gauss(0, 0.8)))
    if column.group == "tx":
        return str(round(raw * 2) / 2)
    return str(round(round(raw * 4) / 4 + 1e-9, 1))


def _mark(demo: DemoSchool, failing: bool, column: Column) -> str:
    return levels.FAIL_MARK if failing and column.group == "ck" else levels.PASS_MARK


def _row_cells(
    demo: DemoSchool, engine: BaseEngine, columns: list[Column], student_id: int, scored: bool
) -> dict[str, str]:
    bias = demo.rng.gauss(0, 0.5)
    failing = demo.rng.random() < 0.004
    cells = {}
    for column in columns:
        raw = _score(demo, student_id, bias, column) if scored else _mark(demo, failing, column)
        cells[column.code] = engine.clean(column, raw)
    return cells


def _conduct(demo: DemoSchool, student_id: int) -> str:
    """Mostly Tốt, more often for pupils who do well; Chưa đạt rare."""
    shift = min(2.0, max(-2.0, demo.level(student_id) - 7.0))
    weights = [70 + 8 * shift, 24 - 4 * shift, max(1.0, 5 - 3 * shift), 0.4]
    return demo.rng.choices([levels.TOT, levels.KHA, levels.DAT, levels.CHUA_DAT], weights)[0]


# Entering a semester --------------------------------------------------------------------------
@dataclass
class Gaps:
    """What semester II still misses: a subject's end-of-term scores in some classes, a few
    single end-of-term scores, the conduct of one class."""

    subject_missing: dict[int, str] = field(default_factory=dict)  # class -> subject code
    single_rate: float = 0.0
    conduct_missing: set[int] = field(default_factory=set)


def _enter_semester(demo: DemoSchool, semester: int, gaps: Gaps, seen: set[int]) -> dict[str, int]:
    """Every class's rows for the semester, bulk-inserted with their audit entries."""
    rows: list[SubjectTerm] = []
    terms: list[StudentTerm] = []
    for school_class in demo.classes:
        engine = engine_for_class(school_class)
        students = [s for s in roster(school_class, semester) if s.pk not in seen]
        seen.update(s.pk for s in students)
        for code, spec in class_subjects(school_class).items():
            subject = demo.subjects[code]
            columns = subject_columns(school_class, subject, semester)
            for student in students:
                cells = _row_cells(demo, engine, columns, student.pk, spec.scored)
                if gaps.subject_missing.get(school_class.pk) == code or (
                    spec.scored and demo.rng.random() < gaps.single_rate
                ):
                    cells.pop("ck")
                comment = demo.rng.choice(SUBJECT_COMMENTS) if demo.rng.random() < 0.06 else ""
                rows.append(_subject_row(school_class, subject, student, semester, cells, comment))
        if school_class.pk not in gaps.conduct_missing:
            terms += [_term_row(demo, school_class, student, semester) for student in students]
    SubjectTerm.objects.bulk_create(rows, batch_size=2000)
    StudentTerm.objects.bulk_create(terms, batch_size=2000)
    _audit(rows, "score.update", _row_audit)
    _audit(terms, "conduct.update", _term_audit)
    return {"rows": len(rows), "records": len(terms)}


def _subject_row(
    school_class: SchoolClass,
    subject: Subject,
    student: Student,
    semester: int,
    cells: dict[str, str],
    comment: str,
) -> SubjectTerm:
    return SubjectTerm(
        student=student,
        school_class=school_class,
        subject=subject,
        school_year=school_class.school_year,
        semester=semester,
        cells=cells,
        comment=comment,
    )


def _term_row(
    demo: DemoSchool, school_class: SchoolClass, student: Student, semester: int
) -> StudentTerm:
    rng = demo.rng
    return StudentTerm(
        student=student,
        school_class=school_class,
        school_year=school_class.school_year,
        semester=semester,
        conduct=_conduct(demo, student.pk),
        absences_excused=rng.choices([0, 1, 2, 3, 4, 6], [40, 22, 15, 10, 8, 5])[0],
        absences_unexcused=rng.choices([0, 1, 2], [92, 6, 2])[0],
        comment=rng.choice(HOMEROOM_COMMENTS) if rng.random() < 0.3 else "",
    )


def _row_audit(row: SubjectTerm) -> dict[str, Any]:
    return {**row.cells, **({"comment": row.comment} if row.comment else {})}


def _term_audit(term: StudentTerm) -> dict[str, Any]:
    after: dict[str, Any] = {"conduct": term.conduct}
    for name in ("absences_excused", "absences_unexcused", "comment"):
        if getattr(term, name):
            after[name] = str(getattr(term, name))
    return after


def _audit(rows: list[Any], action: str, after: Callable[[Any], dict[str, Any]]) -> None:
    AuditEntry.objects.bulk_create(
        [
            audit_build(
                actor=SYSTEM,
                action=action,
                obj=row,
                org_path=row.school_class.school.path,
                before={},
                after=after(row),
                note=NOTE,
            )
            for row in rows
        ],
        batch_size=2000,
    )


# The year as the visitor finds it -----------------------------------------------------------
def _at(day: dt.date, hour: int = 17) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


def _semester_one(demo: DemoSchool, log: Log) -> dict[str, int]:
    counts = _enter_semester(demo, 1, Gaps(), set())
    deadlines_set(
        actor=demo.principal,
        school=demo.school,
        year=demo.year,
        semester=1,
        deadlines={
            "tx": _at(dt.date(2025, 12, 20)),
            "gk": _at(dt.date(2025, 11, 8)),
            "ck": _at(dt.date(2026, 1, 10)),
            "conduct": _at(dt.date(2026, 1, 14)),
        },
    )
    period_close(
        actor=demo.principal,
        school=demo.school,
        year=demo.year,
        semester=1,
        allow_incomplete=True,
    )
    log(f"semester I: {counts['rows']} gradebook rows, closed with official results")
    return counts


def _semester_two(demo: DemoSchool, log: Log, now: dt.datetime) -> dict[str, int]:
    last_of_grade = {c.grade: c.pk for c in demo.classes}  # in name order: the last class
    late = [last_of_grade[grade] for grade in sorted(last_of_grade)[:2]]
    gaps = Gaps(
        subject_missing=dict.fromkeys(late, "TIN"),
        single_rate=0.01,
        conduct_missing={demo.classes[-1].pk},
    )
    counts = _enter_semester(demo, 2, gaps, set())
    deadlines_set(
        actor=demo.principal,
        school=demo.school,
        year=demo.year,
        semester=2,
        deadlines={
            "tx": now - dt.timedelta(days=1),
            "gk": now + dt.timedelta(days=10),
            "ck": now + dt.timedelta(days=30),
            "conduct": now + dt.timedelta(days=35),
        },
    )
    log(f"semester II: {counts['rows']} gradebook rows, regular columns locked")
    return counts


def _pending_request(demo: DemoSchool) -> int:
    """``giaovien`` asks to raise a semester I end-of-term score after re-marking."""
    assignments = TeachingAssignment.objects.filter(
        staff__user=demo.teacher, school_class__in=demo.classes
    ).select_related("school_class__school", "school_class__school_year", "subject")
    scored = [
        a
        for a in assignments.order_by("subject__code", "school_class__name")
        if class_subjects(a.school_class)[a.subject.code].scored
    ]
    chosen = next((a for a in scored if a.subject.code == "TOAN"), scored[0] if scored else None)
    if chosen is None:
        return 0
    school_class, subject = chosen.school_class, chosen.subject
    pupils = list(roster(school_class, 1))
    student = pupils[min(3, len(pupils) - 1)]
    row = SubjectTerm.objects.get(
        student=student, subject=subject, semester=1, school_year=demo.year
    )
    old = row.cells["ck"]
    new = min(10.0, float(old) + 0.5)
    late_change_request(
        actor=demo.teacher,
        school_class=school_class,
        semester=1,
        student=student,
        subject=subject,
        cells={"ck": (old, f"{new:g}")},
        reason="Kết quả phúc khảo bài kiểm tra cuối học kì I: bài làm được cộng thêm 0,5 điểm.",
    )
    return 1


def build_gradebook_demo(*, seed: int = DEFAULT_SEED, log: Log = quiet) -> dict[str, int]:
    """Fill the demo school's gradebook (see the module docstring); returns row counts.
    Needs ``seed_demo``'s district; does nothing (returns {}) when it is not there."""
    demo = demo_school()
    if demo is None:
        return {}
    demo.rng.seed(seed)
    now = timezone.now()
    with transaction.atomic():
        first = _semester_one(demo, log)
        second = _semester_two(demo, log, now)
        requests = _pending_request(demo)
        counts = {
            "gradebook rows": first["rows"] + second["rows"],
            "semester records": first["records"] + second["records"],
            "late-change requests": requests,
        }
        audit_record(actor=SYSTEM, action="demo.gradebook", obj=demo.school, after=counts)
    return counts
