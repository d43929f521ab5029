"""Reads of the org pages: units, classes with their teaching assignments, staff, calendar.

Everything a page lists is scoped by :mod:`truongso.core.authz` here; the detail readers
take an object the caller already obtained through a scoped selector (404 otherwise).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from truongso.accounts.models import RoleAssignment
from truongso.core import authz
from truongso.core.authz import Perm, Role
from truongso.registry.models import (
    GradeSubject,
    OrgUnit,
    SchoolClass,
    SchoolYear,
    Staff,
    Student,
    StudentStatus,
    TeachingAssignment,
)
from truongso.registry.reference import ALLOWED_PARENT_KINDS, OrgKind, Position

# Kinds under which another unit may be created.
PARENT_KINDS = sorted({kind for kinds in ALLOWED_PARENT_KINDS.values() for kind in kinds})


def _under(user: Any, perm: Perm, units: QuerySet[OrgUnit]) -> QuerySet[OrgUnit]:
    """``units`` inside the subtrees where ``user`` holds ``perm`` over whole nodes."""
    if getattr(user, "is_superuser", False) and user.is_active:
        return units
    return units.filter(authz.path_q("path", authz.grant_roots(user, perm)))


def parent_choices(user: Any) -> QuerySet[OrgUnit]:
    """Open units under which the user may create units (a Sở, a Phòng, the Bộ)."""
    units = OrgUnit.objects.filter(is_active=True, kind__in=PARENT_KINDS)
    return _under(user, Perm.ORG_MANAGE, units).order_by("path")


def bureau_choices(user: Any) -> QuerySet[OrgUnit]:
    """Units the user sees that have units under them (the "parent unit" filter)."""
    units = OrgUnit.objects.filter(kind__in=PARENT_KINDS)
    return authz.scope(user, Perm.ORG_VIEW, units).order_by("path")


def staff_unit_choices(user: Any) -> QuerySet[OrgUnit]:
    """Open units where the user may add or move staff."""
    units = OrgUnit.objects.filter(is_active=True)
    return _under(user, Perm.STAFF_MANAGE, units).order_by("path")


def staff_filter_units(user: Any) -> QuerySet[OrgUnit]:
    return authz.scope(user, Perm.ORG_VIEW, OrgUnit.objects.all()).order_by("path")


@dataclass(frozen=True)
class UnitFigures:
    """Counts for a unit's subtree in the given school year (classes) and today."""

    classes: int
    students: int
    staff: int


def org_unit_figures(unit: OrgUnit, year: SchoolYear | None) -> UnitFigures:
    """Aggregate counts only (no personal data) for a unit the caller may view."""
    classes = SchoolClass.objects.filter(school__path__startswith=unit.path)
    return UnitFigures(
        classes=classes.filter(school_year=year).count() if year else 0,
        students=Student.objects.filter(
            school__path__startswith=unit.path, status=StudentStatus.STUDYING
        ).count(),
        staff=Staff.objects.filter(org_unit__path__startswith=unit.path, is_active=True).count(),
    )


def org_unit_children(user: Any, unit: OrgUnit) -> QuerySet[OrgUnit]:
    """Units directly under ``unit`` that the user may see, with their studying students."""
    children = authz.scope(user, Perm.ORG_VIEW, unit.children.all())
    return children.annotate(
        studying=Count("students", filter=Q(students__status=StudentStatus.STUDYING))
    ).order_by("kind", "search_name", "pk")


def org_unit_heads(unit: OrgUnit) -> list[str]:
    """Names of the unit's principal(s): from principal grants, else from staff positions."""
    now = timezone.now()
    grants = (
        RoleAssignment.objects.filter(org_unit=unit, role=Role.PRINCIPAL)
        .filter(Q(valid_until__isnull=True) | Q(valid_until__gt=now))
        .select_related("user")
        .order_by("created_at")
    )
    names = [grant.user.get_full_name() for grant in grants]
    positions = Staff.objects.filter(
        org_unit=unit, position=Position.PRINCIPAL, is_active=True
    ).order_by("search_name")
    for member in positions:
        if member.full_name not in names:
            names.append(member.full_name)
    return names


# --- Classes -----------------------------------------------------------------------------


@dataclass
class TeachingRow:
    """One subject of the class's grade (GradeSubject) and who teaches it."""

    grade_subject: GradeSubject
    assignments: list[TeachingAssignment] = field(default_factory=list)

    @property
    def whole_year(self) -> TeachingAssignment | None:
        return next((a for a in self.assignments if a.semester is None), None)


def teaching_table(school_class: SchoolClass) -> list[TeachingRow]:
    """Phân công giảng dạy of a class: every subject of its grade with its teachers."""
    subjects = (
        GradeSubject.objects.filter(grade=school_class.grade)
        .select_related("subject")
        .order_by("order", "subject__code")
    )
    by_subject: dict[int, list[TeachingAssignment]] = defaultdict(list)
    assignments = (
        TeachingAssignment.objects.filter(school_class=school_class)
        .select_related("staff")
        .order_by("semester")
    )
    for assignment in assignments:
        by_subject[assignment.subject_id].append(assignment)
    return [TeachingRow(gs, by_subject.get(gs.subject_id, [])) for gs in subjects]


def teaching_row(school_class: SchoolClass, subject_id: int) -> TeachingRow | None:
    for row in teaching_table(school_class):
        if row.grade_subject.subject_id == subject_id:
            return row
    return None


def school_teachers(school: OrgUnit) -> QuerySet[Staff]:
    """Active staff of a school: the homeroom teachers and subject teachers to choose from."""
    return Staff.objects.filter(org_unit=school, is_active=True).order_by("search_name", "pk")


def class_roster(school_class: SchoolClass) -> QuerySet[Student]:
    """Students studying in the class (the caller has checked CLASS_VIEW)."""
    return Student.objects.filter(
        current_class=school_class, status=StudentStatus.STUDYING
    ).order_by("search_name", "pk")


def year_from_param(raw: str | None) -> SchoolYear | None:
    """The school year named by a query parameter (its pk), or None when garbage."""
    if not raw or not str(raw).isdigit() or len(str(raw)) > 9:
        return None
    return SchoolYear.objects.filter(pk=int(raw)).first()


# --- Staff -------------------------------------------------------------------------------


def staff_assignments(staff: Staff) -> QuerySet[TeachingAssignment]:
    return (
        TeachingAssignment.objects.filter(staff=staff)
        .select_related("school_class__school_year", "subject")
        .order_by("-school_class__school_year__start_date", "school_class__name", "subject__code")
    )


def staff_homeroom_classes(staff: Staff) -> QuerySet[SchoolClass]:
    return (
        SchoolClass.objects.filter(homeroom_teacher=staff)
        .select_related("school_year")
        .order_by("-school_year__start_date", "name")
    )


def staff_grants(staff: Staff) -> QuerySet[RoleAssignment]:
    if staff.user_id is None:
        return RoleAssignment.objects.none()
    return (
        RoleAssignment.objects.filter(user_id=staff.user_id)
        .select_related("org_unit")
        .order_by("org_unit__path", "role")
    )


# --- Calendar and curriculum ------------------------------------------------------------


def school_years() -> QuerySet[SchoolYear]:
    return SchoolYear.objects.prefetch_related("semesters").order_by("-start_date")


def curriculum(grade: int) -> QuerySet[GradeSubject]:
    """Subjects of a grade in programme order (Chương trình GDPT 2018)."""
    return (
        GradeSubject.objects.filter(grade=grade)
        .select_related("subject")
        .order_by("order", "subject__code")
    )


def is_school(unit: OrgUnit) -> bool:
    return unit.kind == OrgKind.SCHOOL
