from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from truongso.core import authz
from truongso.core.audit import audit_record, audit_update, snapshot
from truongso.core.authz import Perm
from truongso.registry.cleaning import clean_text
from truongso.registry.models import (
    GradeSubject,
    OrgUnit,
    SchoolClass,
    SchoolYear,
    Staff,
    Subject,
    TeachingAssignment,
)


def _check_homeroom(school: OrgUnit, teacher: Staff | None) -> None:
    if teacher is not None and (teacher.org_unit_id != school.pk or not teacher.is_active):
        raise ValidationError(
            {"homeroom_teacher": _("The homeroom teacher must work at this school.")}
        )


def _check_grade(school: OrgUnit, grade: int) -> None:
    if grade not in school.grades:
        raise ValidationError(
            {"grade": _("This school does not teach grade %(g)s.") % {"g": grade}}
        )


def class_create(
    *,
    actor: Any,
    school: OrgUnit,
    school_year: SchoolYear,
    grade: int,
    name: str,
    homeroom_teacher: Staff | None = None,
) -> SchoolClass:
    if not school.is_school or not authz.can(actor, Perm.CLASS_MANAGE, school.path):
        raise PermissionDenied(_("You cannot add classes to this school."))
    name = clean_text(name, max_length=20, required=True).upper()
    _check_grade(school, grade)
    _check_homeroom(school, homeroom_teacher)
    if SchoolClass.objects.filter(school=school, school_year=school_year, name=name).exists():
        raise ValidationError({"name": _("Class %(n)s already exists this year.") % {"n": name}})
    with transaction.atomic():
        school_class = SchoolClass.objects.create(
            school=school,
            school_year=school_year,
            grade=grade,
            name=name,
            homeroom_teacher=homeroom_teacher,
        )
        audit_record(
            actor=actor,
            action="class.create",
            obj=school_class,
            org_path=school.path,
            after=snapshot(school_class),
        )
    return school_class


def class_update(
    *, actor: Any, school_class: SchoolClass, name: str, homeroom_teacher: Staff | None
) -> SchoolClass:
    school = school_class.school
    if not authz.can(actor, Perm.CLASS_MANAGE, school.path):
        raise PermissionDenied(_("You cannot change classes of this school."))
    name = clean_text(name, max_length=20, required=True).upper()
    _check_homeroom(school, homeroom_teacher)
    clash = SchoolClass.objects.filter(
        school=school, school_year=school_class.school_year, name=name
    ).exclude(pk=school_class.pk)
    if clash.exists():
        raise ValidationError({"name": _("Class %(n)s already exists this year.") % {"n": name}})
    before = snapshot(school_class, ["name", "homeroom_teacher"])
    with transaction.atomic():
        school_class.name = name
        school_class.homeroom_teacher = homeroom_teacher
        school_class.save(update_fields=["name", "homeroom_teacher"])
        audit_update(actor=actor, obj=school_class, before=before, action="class.update")
    return school_class


def teaching_assign(
    *,
    actor: Any,
    school_class: SchoolClass,
    subject: Subject,
    staff: Staff,
    semester: int | None = None,
) -> TeachingAssignment:
    """Assign (or reassign) the teacher of a subject in a class (phân công giảng dạy)."""
    school = school_class.school
    if not authz.can(actor, Perm.CLASS_MANAGE, school.path):
        raise PermissionDenied(_("You cannot assign teachers in this school."))
    if staff.org_unit_id != school.pk or not staff.is_active:
        raise ValidationError({"staff": _("The teacher must work at this school.")})
    if not GradeSubject.objects.filter(grade=school_class.grade, subject=subject).exists():
        raise ValidationError(
            {"subject": _("This subject is not taught in grade %(g)s.") % {"g": school_class.grade}}
        )
    if semester not in (None, 1, 2):
        raise ValidationError({"semester": _("Semester must be I, II or the whole year.")})
    with transaction.atomic():
        existing = (
            TeachingAssignment.objects.filter(
                school_class=school_class, subject=subject, semester=semester
            )
            .select_for_update()
            .first()
        )
        before = {"staff": existing.staff_id} if existing else None
        if existing:
            existing.staff = staff
            existing.save(update_fields=["staff"])
            assignment = existing
        else:
            assignment = TeachingAssignment.objects.create(
                school_class=school_class, subject=subject, staff=staff, semester=semester
            )
        audit_record(
            actor=actor,
            action="teaching.assign",
            obj=assignment,
            org_path=school.path,
            before=before,
            after={
                "staff": staff.pk,
                "subject": subject.code,
                "class": school_class.pk,
                "semester": semester,
            },
        )
    return assignment


def teaching_unassign(*, actor: Any, assignment: TeachingAssignment) -> None:
    school = assignment.school_class.school
    if not authz.can(actor, Perm.CLASS_MANAGE, school.path):
        raise PermissionDenied(_("You cannot change assignments in this school."))
    with transaction.atomic():
        audit_record(
            actor=actor,
            action="teaching.unassign",
            obj=assignment,
            org_path=school.path,
            before={
                "staff": assignment.staff_id,
                "subject": assignment.subject_id,
                "class": assignment.school_class_id,
            },
        )
        assignment.delete()
