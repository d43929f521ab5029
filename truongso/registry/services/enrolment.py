"""Enrolment history: admission, class change, transfer, leaving, graduation, promotion.

Every change closes/opens placements, appends an ``EnrolmentEvent`` and keeps the school's
enrolment register (sổ đăng bộ) in step. A transfer keeps the learner ID and the history
(Thông tư 42/2021/TT-BGDĐT, Art. 10).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from truongso.core import authz
from truongso.core.audit import audit_record
from truongso.core.authz import Perm
from truongso.registry.models import (
    EnrolmentEvent,
    EventKind,
    OrgUnit,
    Placement,
    RegisterEntry,
    SchoolClass,
    Student,
    StudentStatus,
    TransferRequest,
    TransferStatus,
)

ADMISSION_KINDS = {EventKind.ADMITTED, EventKind.TRANSFER_IN, EventKind.RETURNED}


def _require(actor: Any, school: OrgUnit) -> None:
    if not authz.can(actor, Perm.ENROLMENT_MANAGE, school.path):
        raise PermissionDenied(_("You cannot manage enrolment at %(school)s.") % {"school": school})


def _event(
    *,
    actor: Any,
    student: Student,
    kind: str,
    date: dt.date,
    school: OrgUnit,
    school_class: SchoolClass | None = None,
    other_school: OrgUnit | None = None,
    other_school_name: str = "",
    reason: str = "",
    decision_no: str = "",
) -> EnrolmentEvent:
    event = EnrolmentEvent.objects.create(
        student=student,
        kind=kind,
        date=date,
        school=school,
        school_class=school_class,
        other_school=other_school,
        other_school_name=other_school_name[:255],
        reason=reason[:255],
        decision_no=decision_no[:50],
        created_by=actor if getattr(actor, "pk", None) else None,
    )
    audit_record(
        actor=actor,
        action=f"enrolment.{kind}",
        obj=student,
        org_path=school.path,
        after={
            "date": date.isoformat(),
            "school": school.code,
            "class": school_class.name if school_class else None,
            "other_school": other_school.code if other_school else other_school_name or None,
            "reason": reason or None,
        },
    )
    return event


def _close_placement(student: Student, date: dt.date) -> Placement | None:
    placement = (
        Placement.objects.select_for_update()
        .filter(student=student, end_date__isnull=True)
        .select_related("school_class")
        .first()
    )
    if placement is not None:
        if date < placement.start_date:
            raise ValidationError({"date": _("The date is before the current class began.")})
        placement.end_date = date
        placement.save(update_fields=["end_date"])
    if student.current_class_id is not None:
        student.current_class = None
        student.save(update_fields=["current_class", "updated_at"])
    return placement


def _register_admit(
    student: Student, school_class: SchoolClass, date: dt.date, kind: str, from_school_name: str
) -> RegisterEntry:
    school = school_class.school
    OrgUnit.objects.select_for_update().get(pk=school.pk)
    last = RegisterEntry.objects.filter(school=school).aggregate(m=Max("number"))["m"] or 0
    return RegisterEntry.objects.create(
        school=school,
        student=student,
        number=last + 1,
        admitted_on=date,
        admitted_grade=school_class.grade,
        admitted_class_name=school_class.name,
        admission_kind=kind,
        from_school_name=from_school_name[:255],
    )


def _register_leave(student: Student, school: OrgUnit, date: dt.date, kind: str, note: str) -> None:
    RegisterEntry.objects.filter(school=school, student=student, left_on__isnull=True).update(
        left_on=date, leave_kind=kind, leave_note=note[:255]
    )


def _open_placement(student: Student, school_class: SchoolClass, date: dt.date) -> Placement:
    placement = Placement.objects.create(
        student=student, school_class=school_class, start_date=date
    )
    student.current_class = school_class
    student.save(update_fields=["current_class", "updated_at"])
    return placement


def place(
    *,
    actor: Any,
    student: Student,
    school_class: SchoolClass,
    date: dt.date,
    kind: str,
    other_school: OrgUnit | None = None,
    other_school_name: str = "",
    decision_no: str = "",
) -> Placement:
    """Open a placement in ``school_class`` and record why; admissions get a register line.
    Called inside the caller's transaction, after the caller's permission check."""
    if (
        school_class.school_year.end_date < date
        or date < school_class.school_year.start_date - dt.timedelta(days=120)
    ):
        raise ValidationError({"date": _("The date is outside the class's school year.")})
    placement = _open_placement(student, school_class, date)
    if kind in ADMISSION_KINDS:
        from_name = other_school.name if other_school else other_school_name
        _register_admit(student, school_class, date, kind, from_name)
    _event(
        actor=actor,
        student=student,
        kind=kind,
        date=date,
        school=school_class.school,
        school_class=school_class,
        other_school=other_school,
        other_school_name=other_school_name,
        decision_no=decision_no,
    )
    return placement


def _lock(student: Student) -> Student:
    # of=self: PostgreSQL cannot lock the nullable side of the outer join to the school.
    return (
        Student.objects.select_for_update(of=("self",)).select_related("school").get(pk=student.pk)
    )


def class_change(
    *, actor: Any, student: Student, to_class: SchoolClass, date: dt.date, reason: str = ""
) -> Placement:
    """Move a student to another class of the same school and year."""
    _require(actor, to_class.school)
    with transaction.atomic():
        student = _lock(student)
        current = _close_placement(student, date)
        if current is None or current.school_class.school_id != to_class.school_id:
            raise ValidationError(_("The student is not studying at this school."))
        if current.school_class_id == to_class.pk:
            raise ValidationError({"to_class": _("The student is already in this class.")})
        if current.school_class.school_year_id != to_class.school_year_id:
            raise ValidationError({"to_class": _("Use promotion to move to next year's class.")})
        placement = _open_placement(student, to_class, date)
        _event(
            actor=actor,
            student=student,
            kind=EventKind.CLASS_CHANGE,
            date=date,
            school=to_class.school,
            school_class=to_class,
            reason=reason,
        )
    return placement


def transfer_request(
    *, actor: Any, student: Student, to_school: OrgUnit, date: dt.date, reason: str
) -> TransferRequest:
    """The sending school asks another school in the system to take the student."""
    if student.school is None or student.status != StudentStatus.STUDYING:
        raise ValidationError(_("Only a studying student can be transferred."))
    _require(actor, student.school)
    if not to_school.is_school or not to_school.is_active or to_school.pk == student.school_id:
        raise ValidationError({"to_school": _("Choose another open school.")})
    if not reason.strip():
        raise ValidationError({"reason": _("Give the reason for the transfer.")})
    with transaction.atomic():
        _lock(student)
        if TransferRequest.objects.filter(student=student, status=TransferStatus.PENDING).exists():
            raise ValidationError(_("A transfer of this student is already waiting."))
        request = TransferRequest.objects.create(
            student=student,
            from_school=student.school,
            to_school=to_school,
            reason=reason.strip(),
            requested_on=date,
            requested_by=actor if getattr(actor, "pk", None) else None,
        )
        audit_record(
            actor=actor,
            action="transfer.request",
            obj=request,
            org_path=student.school.path,
            after={
                "student": student.pk,
                "to_school": to_school.code,
                "date": date.isoformat(),
                "reason": reason,
            },
        )
    return request


def transfer_accept(
    *, actor: Any, request: TransferRequest, to_class: SchoolClass, date: dt.date | None = None
) -> Student:
    """The receiving school accepts and places the student; the sending school's register
    and placement close on the same date. Same student record, same learner ID."""
    _require(actor, request.to_school)
    if to_class.school_id != request.to_school_id:
        raise ValidationError({"to_class": _("Choose a class of the receiving school.")})
    date = date or request.requested_on
    with transaction.atomic():
        request = TransferRequest.objects.select_for_update().get(pk=request.pk)
        if request.status != TransferStatus.PENDING:
            raise ValidationError(_("This transfer has already been decided."))
        student = _lock(request.student)
        _close_placement(student, date)
        _register_leave(student, request.from_school, date, EventKind.TRANSFER_OUT, request.reason)
        _event(
            actor=actor,
            student=student,
            kind=EventKind.TRANSFER_OUT,
            date=date,
            school=request.from_school,
            other_school=request.to_school,
            reason=request.reason,
        )
        student.school = request.to_school
        student.status = StudentStatus.STUDYING
        student.save(update_fields=["school", "status", "updated_at"])
        place(
            actor=actor,
            student=student,
            school_class=to_class,
            date=date,
            kind=EventKind.TRANSFER_IN,
            other_school=request.from_school,
        )
        request.status = TransferStatus.ACCEPTED
        request.target_class = to_class
        request.decided_by = actor if getattr(actor, "pk", None) else None
        request.decided_at = timezone.now()
        request.save(update_fields=["status", "target_class", "decided_by", "decided_at"])
        audit_record(
            actor=actor,
            action="transfer.accept",
            obj=request,
            org_path=request.to_school.path,
            after={"class": to_class.name},
        )
    return student


def transfer_decline(
    *, actor: Any, request: TransferRequest, note: str, cancel: bool = False
) -> None:
    """The receiving school refuses, or the sending school cancels, a waiting transfer."""
    _require(actor, request.from_school if cancel else request.to_school)
    with transaction.atomic():
        request = TransferRequest.objects.select_for_update().get(pk=request.pk)
        if request.status != TransferStatus.PENDING:
            raise ValidationError(_("This transfer has already been decided."))
        request.status = TransferStatus.CANCELLED if cancel else TransferStatus.REJECTED
        request.decision_note = note[:255]
        request.decided_by = actor if getattr(actor, "pk", None) else None
        request.decided_at = timezone.now()
        request.save(update_fields=["status", "decision_note", "decided_by", "decided_at"])
        audit_record(
            actor=actor,
            action=f"transfer.{request.status}",
            obj=request,
            org_path=request.from_school.path,
            after={"note": note},
        )


def student_exit(
    *,
    actor: Any,
    student: Student,
    kind: str,
    date: dt.date,
    reason: str = "",
    other_school_name: str = "",
) -> Student:
    """The student leaves the school: transferred outside the system, dropped out, or
    graduated. The record stays, visible to the school through its register."""
    statuses: dict[str, str] = {
        EventKind.TRANSFER_OUT: StudentStatus.TRANSFERRED,
        EventKind.LEFT: StudentStatus.LEFT,
        EventKind.GRADUATED: StudentStatus.GRADUATED,
    }
    if kind not in statuses:
        raise ValidationError({"kind": _("Unknown way of leaving.")})
    school = student.school
    if school is None or student.status != StudentStatus.STUDYING:
        raise ValidationError(_("Only a studying student can leave."))
    _require(actor, school)
    if kind == EventKind.TRANSFER_OUT and not other_school_name.strip():
        raise ValidationError({"other_school_name": _("Name the school the student moves to.")})
    with transaction.atomic():
        student = _lock(student)
        if student.status != StudentStatus.STUDYING:  # the caller's copy may be stale
            raise ValidationError(_("Only a studying student can leave."))
        placement = _close_placement(student, date)
        _register_leave(student, school, date, kind, reason or other_school_name)
        _event(
            actor=actor,
            student=student,
            kind=kind,
            date=date,
            school=school,
            school_class=placement.school_class if placement else None,
            other_school_name=other_school_name,
            reason=reason,
        )
        student.status = statuses[kind]
        student.save(update_fields=["status", "updated_at"])
    return student


def student_return(
    *, actor: Any, student: Student, to_class: SchoolClass, date: dt.date, reason: str = ""
) -> Student:
    """A student who left comes back to a school of the system (new register line)."""
    _require(actor, to_class.school)
    with transaction.atomic():
        student = _lock(student)
        if student.status == StudentStatus.STUDYING:  # checked on the locked row
            raise ValidationError(_("The student is already studying."))
        student.school = to_class.school
        student.status = StudentStatus.STUDYING
        student.save(update_fields=["school", "status", "updated_at"])
        place(
            actor=actor,
            student=student,
            school_class=to_class,
            date=date,
            kind=EventKind.RETURNED,
            other_school_name=reason,
        )
    return student


def class_promote(
    *,
    actor: Any,
    from_class: SchoolClass,
    to_class: SchoolClass,
    students: list[Student],
    date: dt.date,
    repeat: bool = False,
) -> int:
    """Move students of a class into next year's class (promoted, or repeating the grade)."""
    _require(actor, from_class.school)
    if to_class.school_id != from_class.school_id:
        raise ValidationError({"to_class": _("Choose a class of the same school.")})
    if to_class.school_year.start_date <= from_class.school_year.start_date:
        raise ValidationError({"to_class": _("Choose a class of a later school year.")})
    expected = from_class.grade if repeat else from_class.grade + 1
    if to_class.grade != expected:
        raise ValidationError(
            {"to_class": _("The new class must be grade %(g)s.") % {"g": expected}}
        )
    kind = EventKind.REPEATED if repeat else EventKind.PROMOTED
    with transaction.atomic():
        moved = 0
        for student in students:
            student = _lock(student)
            current = _close_placement(student, date)
            if current is None or current.school_class_id != from_class.pk:
                raise ValidationError(
                    _("%(name)s is not in class %(cls)s.") % {"name": student, "cls": from_class}
                )
            place(actor=actor, student=student, school_class=to_class, date=date, kind=kind)
            moved += 1
    return moved
