from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from truongso.core import authz
from truongso.core.audit import audit_record, audit_update, snapshot
from truongso.core.authz import Perm
from truongso.core.text import fold
from truongso.registry.cleaning import clean_guardian_data, clean_learner_id, clean_student_data
from truongso.registry.models import (
    EventKind,
    Guardian,
    OrgUnit,
    SchoolClass,
    Student,
    StudentGuardian,
)
from truongso.registry.reference import Relation
from truongso.registry.services import bulk

STUDENT_FIELDS = (
    "learner_id",
    "citizen_id",
    "full_name",
    "birth_date",
    "gender",
    "ethnicity",
    "nationality",
    "birthplace",
    "hometown",
    "permanent_address",
    "current_address",
)


def _check_unique(cleaned: Mapping[str, Any], exclude_pk: int | None = None) -> None:
    errors = {}
    for field, label in (("learner_id", _("learner ID")), ("citizen_id", _("citizen ID"))):
        value = cleaned.get(field)
        others = Student.objects.filter(**{field: value})
        if exclude_pk is not None:
            others = others.exclude(pk=exclude_pk)
        if value and others.exists():
            errors[field] = _("Another student already has this %(what)s (%(v)s).") % {
                "what": label,
                "v": value,
            }
    if errors:
        raise ValidationError(errors)


def temp_code_next(school: OrgUnit) -> str:
    """Temporary code for a pupil without a Ministry learner ID yet: ``TS<school>-<n>``
    (see ``bulk.temp_codes_next``). Called inside the admitting transaction."""
    return bulk.temp_codes_next(school, 1)[0]


def student_admit(
    *,
    actor: Any,
    school_class: SchoolClass,
    data: Mapping[str, Any],
    admitted_on: dt.date,
    kind: str = EventKind.ADMITTED,
    from_school_name: str = "",
    decision_no: str = "",
) -> Student:
    """Admit a new learner into a class: the student record, the open placement, the
    admission event and the enrolment-register line, all or nothing."""
    school = school_class.school
    if not authz.can(actor, Perm.ENROLMENT_MANAGE, school.path):
        raise PermissionDenied(_("You cannot admit students to this school."))
    cleaned = clean_student_data(data)
    _check_unique(cleaned)
    admission = bulk.Admission(
        school_class=school_class,
        data=cleaned,
        admitted_on=admitted_on,
        kind=kind,
        from_school_name=from_school_name,
        decision_no=decision_no,
    )
    # One implementation of admission for forms, API and spreadsheets (services.bulk).
    return bulk.students_admit_bulk(actor=actor, school=school, admissions=[admission])[0]


def _learner_id_field(value: Any) -> str | None:
    """The cleaned learner ID; its error is keyed by field so that forms show it there."""
    try:
        return clean_learner_id(value)
    except ValidationError as exc:
        raise ValidationError({"learner_id": exc.error_list}) from exc


def student_update(*, actor: Any, student: Student, data: Mapping[str, Any]) -> Student:
    """Correct a student's personal data. The learner ID, once set, never changes."""
    if not authz.check(actor, Perm.STUDENT_EDIT, student):
        raise PermissionDenied(_("You cannot change this student's record."))
    current = snapshot(student, STUDENT_FIELDS)
    incoming_id = _learner_id_field(data.get("learner_id", student.learner_id))
    if student.learner_id and incoming_id != student.learner_id:
        raise ValidationError({"learner_id": _("The learner ID never changes once assigned.")})
    cleaned = clean_student_data({**current, **data})
    _check_unique(cleaned, exclude_pk=student.pk)
    with transaction.atomic():
        for field, value in cleaned.items():
            setattr(student, field, value)
        student.save()
        audit_update(actor=actor, obj=student, before=current, action="student.update")
    return student


def learner_id_assign(*, actor: Any, student: Student, learner_id: str) -> Student:
    """Give a pupil known by a temporary code the learner ID issued by the Ministry."""
    if not authz.check(actor, Perm.STUDENT_EDIT, student):
        raise PermissionDenied(_("You cannot change this student's record."))
    if student.learner_id:
        raise ValidationError({"learner_id": _("This student already has a learner ID.")})
    value = _learner_id_field(learner_id)
    if value is None:
        raise ValidationError({"learner_id": _("This field is required.")})
    _check_unique({"learner_id": value}, exclude_pk=student.pk)
    with transaction.atomic():
        student.learner_id = value
        student.save(update_fields=["learner_id", "updated_at"])
        audit_record(
            actor=actor,
            action="student.learner_id_assign",
            obj=student,
            before={"temp_code": student.temp_code},
            after={"learner_id": value},
        )
    return student


def _find_guardian(cleaned: Mapping[str, Any]) -> Guardian | None:
    if cleaned.get("citizen_id"):
        found = Guardian.objects.filter(citizen_id=cleaned["citizen_id"]).first()
        if found:
            return found
    if cleaned.get("phone"):
        return Guardian.objects.filter(
            phone=cleaned["phone"], search_name=fold(cleaned["full_name"])
        ).first()
    return None


def guardian_link(
    *,
    actor: Any,
    student: Student,
    data: Mapping[str, Any],
    relation: str,
    is_primary: bool = False,
) -> StudentGuardian:
    """Add a parent/guardian to a student; the same person (by citizen ID, or phone and
    name) is reused, so siblings share one guardian and one parent login."""
    if not authz.check(actor, Perm.STUDENT_EDIT, student):
        raise PermissionDenied(_("You cannot change this student's record."))
    if relation not in Relation.values:
        raise ValidationError({"relation": _("Unknown relation.")})
    cleaned = clean_guardian_data(data)
    with transaction.atomic():
        guardian = _find_guardian(cleaned)
        if guardian is None:
            guardian = Guardian.objects.create(**cleaned)
        if StudentGuardian.objects.filter(student=student, guardian=guardian).exists():
            raise ValidationError(_("This guardian is already linked to the student."))
        if is_primary:
            StudentGuardian.objects.filter(student=student).update(is_primary=False)
        link = StudentGuardian.objects.create(
            student=student, guardian=guardian, relation=relation, is_primary=is_primary
        )
        audit_record(
            actor=actor,
            action="guardian.link",
            obj=link,
            after={
                "guardian": guardian.pk,
                "name": guardian.full_name,
                "phone": guardian.phone,
                "relation": relation,
            },
        )
    return link


def guardian_update(
    *, actor: Any, link: StudentGuardian, data: Mapping[str, Any], relation: str | None = None
) -> Guardian:
    if not authz.check(actor, Perm.STUDENT_EDIT, link.student):
        raise PermissionDenied(_("You cannot change this student's record."))
    guardian = link.guardian
    fields = ("full_name", "phone", "email", "citizen_id", "occupation")
    before = snapshot(guardian, fields)
    cleaned = clean_guardian_data({**before, **data})
    taken = Guardian.objects.filter(citizen_id=cleaned.get("citizen_id")).exclude(pk=guardian.pk)
    if cleaned.get("citizen_id") and taken.exists():
        raise ValidationError(
            {
                "citizen_id": _("Another parent already has this citizen ID (%(v)s).")
                % {"v": cleaned["citizen_id"]}
            }
        )
    with transaction.atomic():
        for field, value in cleaned.items():
            setattr(guardian, field, value)
        guardian.save()
        audit_update(
            actor=actor,
            obj=guardian,
            before=before,
            action="guardian.update",
            org_path=link.student.audit_org_path,
        )
        if relation and relation != link.relation:
            if relation not in Relation.values:
                raise ValidationError({"relation": _("Unknown relation.")})
            audit_record(
                actor=actor,
                action="guardian.relation",
                obj=link,
                before={"relation": link.relation},
                after={"relation": relation},
            )
            link.relation = relation
            link.save(update_fields=["relation"])
    return guardian


def guardian_unlink(*, actor: Any, link: StudentGuardian) -> None:
    if not authz.check(actor, Perm.STUDENT_EDIT, link.student):
        raise PermissionDenied(_("You cannot change this student's record."))
    with transaction.atomic():
        audit_record(
            actor=actor,
            action="guardian.unlink",
            obj=link,
            before={"guardian": link.guardian_id, "relation": link.relation},
        )
        link.delete()
