"""A few changes of the school year, made with the real enrolment services.

Two transfers between schools of the district (one in each direction for the demo school),
one transfer still waiting for the demo principal, a pupil who moved to Hà Nội, a pupil
who dropped out, and a change of class: the register and history pages show each kind.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from django.core.exceptions import ValidationError

from truongso.core.authz import SYSTEM
from truongso.registry.models import EventKind, OrgUnit, SchoolClass, Student
from truongso.registry.services import enrolment

Log = Callable[[str], None]


def _pupil(school: OrgUnit, grade: int, skip: set[int], *, index: int = 0) -> Student | None:
    """A pupil of ``school`` in ``grade`` who was there from the first day of the year."""
    found = (
        Student.objects.filter(
            school=school,
            current_class__grade=grade,
            status="studying",
            placements__end_date__isnull=True,
            placements__start_date__lte=dt.date(2025, 9, 5),
        )
        .exclude(pk__in=skip)
        .order_by("current_class__name", "search_name", "pk")
    )
    student = found[index : index + 1].first()
    if student is not None:
        skip.add(student.pk)
    return student


def _class(school: OrgUnit, grade: int, *, other_than: int | None = None) -> SchoolClass | None:
    classes = SchoolClass.objects.filter(school=school, grade=grade, school_year__is_current=True)
    if other_than is not None:
        classes = classes.exclude(pk=other_than)
    return classes.order_by("name").first()


def _transfer(
    student: Student, to_school: OrgUnit, day: dt.date, reason: str, *, accept: bool
) -> None:
    assert student.current_class is not None
    to_class = _class(to_school, student.current_class.grade)
    if to_class is None:
        return
    request = enrolment.transfer_request(
        actor=SYSTEM, student=student, to_school=to_school, date=day, reason=reason
    )
    if accept:
        enrolment.transfer_accept(actor=SYSTEM, request=request, to_class=to_class, date=day)


def make_history(
    *, demo: OrgUnit, peer: OrgUnit, primary: OrgUnit, upper: OrgUnit, skip: set[int], log: Log
) -> None:
    """``demo`` is the demo lower-secondary school, ``peer`` another school teaching grades
    6–9, ``primary`` a primary school and ``upper`` an upper-secondary school."""
    moves = [
        (demo, peer, 7, dt.date(2025, 10, 20), "Gia đình chuyển về xã Quỳnh Hải", True),
        (peer, demo, 8, dt.date(2026, 1, 12), "Gia đình chuyển về thị trấn An Bài", True),
        (peer, demo, 6, dt.date(2026, 3, 2), "Gần nhà ông bà, thuận tiện đưa đón", False),
    ]
    for source, target, grade, day, reason, accept in moves:
        student = _pupil(source, grade, skip)
        if student is not None:
            _transfer(student, target, day, reason, accept=accept)
    leaver = _pupil(primary, 4, skip)
    if leaver is not None:
        enrolment.student_exit(
            actor=SYSTEM,
            student=leaver,
            kind=EventKind.TRANSFER_OUT,
            date=dt.date(2025, 12, 15),
            reason="Gia đình chuyển nơi ở",
            other_school_name="Trường Tiểu học Nghĩa Tân, quận Cầu Giấy, Hà Nội",
        )
    dropout = _pupil(upper, 11, skip)
    if dropout is not None:
        enrolment.student_exit(
            actor=SYSTEM,
            student=dropout,
            kind=EventKind.LEFT,
            date=dt.date(2026, 2, 23),
            reason="Nghỉ học để đi làm",
        )
    _class_change(demo, skip, log)


def _class_change(school: OrgUnit, skip: set[int], log: Log) -> None:
    student = _pupil(school, 6, skip)
    if student is None or student.current_class is None:
        return
    other = _class(school, 6, other_than=student.current_class_id)
    if other is None:
        log("  (no second grade-6 class: no class change in the history)")
        return
    try:
        enrolment.class_change(
            actor=SYSTEM,
            student=student,
            to_class=other,
            date=dt.date(2025, 9, 22),
            reason="Theo nguyện vọng của gia đình",
        )
    except ValidationError as exc:  # pragma: no cover - the seed controls the data
        log(f"  class change skipped: {exc}")
