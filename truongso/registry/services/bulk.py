"""Bulk writes of the registry: admitting, correcting and linking thousands of students at
once with the same outcome, row for row, as the one-at-a-time services.

``student_admit`` delegates here with a single admission, so the admission logic (student
record, temporary code, open placement, admission event, numbered enrolment-register line,
audit entries) has one implementation. Each call takes the school's row lock once and
allocates register numbers and temporary codes in order under it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from truongso.core import authz
from truongso.core.audit import audit_build, diff, snapshot
from truongso.core.authz import Perm
from truongso.core.models import AuditEntry
from truongso.core.text import fold
from truongso.registry.models import (
    EnrolmentEvent,
    EventKind,
    Guardian,
    OrgUnit,
    Placement,
    RegisterEntry,
    SchoolClass,
    SchoolYear,
    Student,
    StudentGuardian,
)
from truongso.registry.reference import Relation

BATCH = 2000
ADMISSION_KINDS = {EventKind.ADMITTED, EventKind.TRANSFER_IN, EventKind.RETURNED}
LOOKUP_CHUNK = 500


@dataclass
class GuardianInput:
    """A parent or guardian of a row: cleaned fields (``clean_guardian_data``) and relation."""

    relation: str
    data: Mapping[str, Any]
    is_primary: bool = False


@dataclass
class Admission:
    """One learner to admit: cleaned student fields (``clean_student_data``) and where."""

    school_class: SchoolClass
    data: Mapping[str, Any]
    admitted_on: dt.date
    kind: str = EventKind.ADMITTED
    from_school_name: str = ""
    decision_no: str = ""
    guardians: list[GuardianInput] = field(default_factory=list)


def _actor_user(actor: Any) -> Any:
    return actor if getattr(actor, "pk", None) else None


def _check_date(year: SchoolYear, date: dt.date) -> None:
    # The same window as ``enrolment.place``: from 120 days before the year to its end.
    if year.end_date < date or date < year.start_date - dt.timedelta(days=120):
        raise ValidationError({"date": _("The date is outside the class's school year.")})


def temp_codes_next(school: OrgUnit, count: int) -> list[str]:
    """``count`` temporary codes ``TS<school>-<n>`` following the school's last one.

    Distinct from the 10-digit learner IDs by their prefix, unique nationwide because the
    school code is. Called under the school's lock (inside the admitting transaction).
    """
    prefix = f"TS{school.code}-"
    last = Student.objects.filter(temp_code__startswith=prefix).aggregate(m=Max("temp_code"))["m"]
    start = int(last.rsplit("-", 1)[1]) + 1 if last else 1
    return [f"{prefix}{number:05d}" for number in range(start, start + count)]


def _new_student(school: OrgUnit, admission: Admission, temp_code: str | None) -> Student:
    student = Student(school=school, current_class=admission.school_class, **admission.data)
    student.search_name = fold(student.full_name)
    if not student.learner_id:
        student.temp_code = temp_code
    return student


def _event_after(school: OrgUnit, admission: Admission) -> dict[str, Any]:
    return {
        "date": admission.admitted_on.isoformat(),
        "school": school.code,
        "class": admission.school_class.name,
        "other_school": admission.from_school_name or None,
        "reason": None,
    }


def _enrolment_rows(
    *, actor: Any, school: OrgUnit, students: Sequence[Student], admissions: Sequence[Admission]
) -> tuple[list[Placement], list[EnrolmentEvent], list[RegisterEntry]]:
    last = RegisterEntry.objects.filter(school=school).aggregate(m=Max("number"))["m"] or 0
    placements, events, lines = [], [], []
    for student, admission in zip(students, admissions, strict=True):
        school_class, date = admission.school_class, admission.admitted_on
        placements.append(Placement(student=student, school_class=school_class, start_date=date))
        if admission.kind in ADMISSION_KINDS:
            last += 1
            lines.append(
                RegisterEntry(
                    school=school,
                    student=student,
                    number=last,
                    admitted_on=date,
                    admitted_grade=school_class.grade,
                    admitted_class_name=school_class.name,
                    admission_kind=admission.kind,
                    from_school_name=admission.from_school_name[:255],
                )
            )
        events.append(
            EnrolmentEvent(
                student=student,
                kind=admission.kind,
                date=date,
                school=school,
                school_class=school_class,
                other_school_name=admission.from_school_name[:255],
                decision_no=admission.decision_no[:50],
                created_by=_actor_user(actor),
            )
        )
    return placements, events, lines


def _admission_audit(
    actor: Any, school: OrgUnit, students: Sequence[Student], admissions: Sequence[Admission]
) -> list[AuditEntry]:
    from truongso.registry.services.students import STUDENT_FIELDS

    fields = ["learner_id", "temp_code", *STUDENT_FIELDS]
    entries = []
    for student, admission in zip(students, admissions, strict=True):
        entries.append(
            audit_build(
                actor=actor,
                action="student.create",
                obj=student,
                org_path=school.path,
                after=snapshot(student, fields),
            )
        )
        entries.append(
            audit_build(
                actor=actor,
                action=f"enrolment.{admission.kind}",
                obj=student,
                org_path=school.path,
                after=_event_after(school, admission),
            )
        )
    return entries


def students_admit_bulk(
    *, actor: Any, school: OrgUnit, admissions: Sequence[Admission], batch_size: int = BATCH
) -> list[Student]:
    """Admit learners into classes of ``school``, all or nothing: student records (with a
    temporary code when there is no learner ID), open placements, admission events,
    enrolment-register lines numbered in order, their guardians, and the audit entries.

    The data must already be cleaned and checked for uniqueness by the caller.
    """
    if not authz.can(actor, Perm.ENROLMENT_MANAGE, school.path):
        raise PermissionDenied(_("You cannot admit students to this school."))
    years: dict[int, SchoolYear] = {}
    for admission in admissions:
        school_class = admission.school_class
        if school_class.school_id != school.pk:
            raise ValidationError({"school_class": _("Choose a class of this school.")})
        year = years.setdefault(school_class.school_year_id, school_class.school_year)
        _check_date(year, admission.admitted_on)
    with transaction.atomic():
        OrgUnit.objects.select_for_update().get(pk=school.pk)
        missing = sum(1 for a in admissions if not a.data.get("learner_id"))
        codes = iter(temp_codes_next(school, missing))
        students = [
            _new_student(school, a, None if a.data.get("learner_id") else next(codes))
            for a in admissions
        ]
        Student.objects.bulk_create(students, batch_size=batch_size)
        placements, events, lines = _enrolment_rows(
            actor=actor, school=school, students=students, admissions=admissions
        )
        Placement.objects.bulk_create(placements, batch_size=batch_size)
        RegisterEntry.objects.bulk_create(lines, batch_size=batch_size)
        EnrolmentEvent.objects.bulk_create(events, batch_size=batch_size)
        entries = _admission_audit(actor, school, students, admissions)
        AuditEntry.objects.bulk_create(entries, batch_size=batch_size)
        links = [(s, g) for s, a in zip(students, admissions, strict=True) for g in a.guardians]
        if links:
            guardians_link_bulk(
                actor=actor, school=school, links=links, fresh=True, batch_size=batch_size
            )
    return students


def _changed_entries(
    actor: Any, school: OrgUnit, student: Student, before: dict[str, Any]
) -> list[AuditEntry]:
    old, new = diff(before, snapshot(student, before.keys()))
    entries = []
    if "learner_id" in new:
        entries.append(
            audit_build(
                actor=actor,
                action="student.learner_id_assign",
                obj=student,
                org_path=school.path,
                before={"temp_code": student.temp_code},
                after={"learner_id": new.pop("learner_id")},
            )
        )
        old.pop("learner_id", None)
    if new:
        entries.append(
            audit_build(
                actor=actor,
                action="student.update",
                obj=student,
                org_path=school.path,
                before=old,
                after=new,
            )
        )
    return entries


def students_update_bulk(
    *,
    actor: Any,
    school: OrgUnit,
    updates: Sequence[tuple[Student, Mapping[str, Any]]],
    batch_size: int = BATCH,
) -> int:
    """Correct personal data of students of ``school`` (cleaned values), each change audited
    with before and after. A learner ID may be given to a pupil who has none, never changed."""
    if not authz.can(actor, Perm.STUDENT_EDIT, school.path):
        raise PermissionDenied(_("You cannot change this student's record."))
    changed: list[Student] = []
    entries: list[AuditEntry] = []
    fields: set[str] = set()
    now = timezone.now()
    for student, changes in updates:
        if student.school_id != school.pk:
            raise ValidationError(_("The student is not studying at this school."))
        if student.learner_id and changes.get("learner_id", student.learner_id) != (
            student.learner_id
        ):
            raise ValidationError({"learner_id": _("The learner ID never changes once assigned.")})
        before = snapshot(student, changes.keys())
        for name, value in changes.items():
            setattr(student, name, value)
        student.search_name = fold(student.full_name)
        found = _changed_entries(actor, school, student, before)
        if found:
            student.updated_at = now
            changed.append(student)
            entries += found
            fields |= set(changes)
    if not changed:
        return 0
    with transaction.atomic():
        Student.objects.bulk_update(
            changed, [*sorted(fields), "search_name", "updated_at"], batch_size=batch_size
        )
        AuditEntry.objects.bulk_create(entries, batch_size=batch_size)
    return len(changed)


def _chunks(values: Sequence[Any]) -> Iterable[Sequence[Any]]:
    for start in range(0, len(values), LOOKUP_CHUNK):
        yield values[start : start + LOOKUP_CHUNK]


def _guardian_key(data: Mapping[str, Any]) -> tuple[str, str] | None:
    """The same person, as ``guardian_link`` decides: by citizen ID, or by phone and name."""
    if data.get("citizen_id"):
        return ("cccd", str(data["citizen_id"]))
    if data.get("phone"):
        return (str(data["phone"]), fold(str(data["full_name"])))
    return None


def _known_guardians(inputs: Sequence[GuardianInput]) -> dict[tuple[str, str], Guardian]:
    known: dict[tuple[str, str], Guardian] = {}
    cids = sorted({str(g.data["citizen_id"]) for g in inputs if g.data.get("citizen_id")})
    phones = sorted({str(g.data["phone"]) for g in inputs if g.data.get("phone")})
    for batch in _chunks(cids):
        for guardian in Guardian.objects.filter(citizen_id__in=batch):
            known[("cccd", str(guardian.citizen_id))] = guardian
    for batch in _chunks(phones):
        for guardian in Guardian.objects.filter(phone__in=batch).order_by("pk"):
            known.setdefault((guardian.phone, guardian.search_name), guardian)
    return known


def _resolve_guardians(inputs: Sequence[GuardianInput], batch_size: int) -> list[Guardian]:
    """The guardian record of each input: an existing one, or a new one shared by siblings."""
    known = _known_guardians(inputs)
    resolved: list[Guardian] = []
    created: list[Guardian] = []
    for item in inputs:
        key = _guardian_key(item.data)
        guardian = known.get(key) if key else None
        if guardian is None:
            guardian = Guardian(**item.data)
            guardian.search_name = fold(guardian.full_name)
            created.append(guardian)
            if key:
                known[key] = guardian
        resolved.append(guardian)
    Guardian.objects.bulk_create(created, batch_size=batch_size)
    return resolved


def _linked_pairs(students: Sequence[Student]) -> set[tuple[int, int]]:
    pairs: set[tuple[int, int]] = set()
    ids = sorted({s.pk for s in students})
    for batch in _chunks(ids):
        rows = StudentGuardian.objects.filter(student_id__in=batch)
        pairs |= set(rows.values_list("student_id", "guardian_id"))
    return pairs


def guardians_link_bulk(
    *,
    actor: Any,
    school: OrgUnit,
    links: Sequence[tuple[Student, GuardianInput]],
    fresh: bool = False,
    batch_size: int = BATCH,
) -> list[StudentGuardian]:
    """Link parents/guardians to students of ``school`` as ``guardian_link`` does, in bulk:
    the same person (citizen ID, or phone and name) is reused, so siblings share one
    guardian. ``fresh`` says the students were just created (no links to look up)."""
    if not authz.can(actor, Perm.STUDENT_EDIT, school.path):
        raise PermissionDenied(_("You cannot change this student's record."))
    guardians = _resolve_guardians([g for _s, g in links], batch_size)
    existing = set() if fresh else _linked_pairs([s for s, _g in links])
    made: list[StudentGuardian] = []
    for (student, item), guardian in zip(links, guardians, strict=True):
        pair = (student.pk, guardian.pk)
        if pair in existing:
            continue
        existing.add(pair)
        made.append(
            StudentGuardian(
                student=student,
                guardian=guardian,
                relation=item.relation,
                is_primary=item.is_primary,
            )
        )
    with transaction.atomic():
        StudentGuardian.objects.bulk_create(made, batch_size=batch_size)
        labels = {value: str(label) for value, label in Relation.choices}
        entries = [_link_audit(actor, school, link, labels) for link in made]
        AuditEntry.objects.bulk_create(entries, batch_size=batch_size)
    return made


def _link_audit(
    actor: Any, school: OrgUnit, link: StudentGuardian, labels: Mapping[str, str]
) -> AuditEntry:
    guardian = link.guardian
    # The same text as ``str(link)``, without translating the relation once per row.
    shown = f"{guardian.full_name} ({labels[link.relation]}) – {link.student.full_name}"
    return audit_build(
        actor=actor,
        action="guardian.link",
        obj=link,
        object_repr=shown,
        org_path=school.path,
        after={
            "guardian": guardian.pk,
            "name": guardian.full_name,
            "phone": guardian.phone,
            "relation": link.relation,
        },
    )
