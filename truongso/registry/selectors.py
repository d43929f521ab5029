"""Reads of the shared education database, always through the authorization layer."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet
from django.http import Http404

from truongso.core import authz
from truongso.core.authz import Perm
from truongso.core.text import fold
from truongso.registry.models import (
    EnrolmentEvent,
    GradeSubject,
    OrgUnit,
    Placement,
    RegisterEntry,
    SchoolClass,
    SchoolYear,
    Staff,
    Student,
    StudentGuardian,
    StudentStatus,
    Subject,
    TeachingAssignment,
    TransferRequest,
    TransferStatus,
)

_DIGITS = re.compile(r"^\d{3,12}$")


def name_filter(query: str, field: str = "search_name") -> Q:
    """Diacritic-insensitive match of every word: "nguyen an" finds "Nguyễn Văn An"."""
    q = Q()
    for word in fold(query).split():
        q &= Q(**{f"{field}__contains": word})
    return q


def current_year() -> SchoolYear | None:
    return SchoolYear.objects.filter(is_current=True).first()


def student_list(
    user: Any,
    *,
    query: str = "",
    school: OrgUnit | None = None,
    school_class: SchoolClass | None = None,
    grade: int | None = None,
    status: str | None = StudentStatus.STUDYING,
    perm: Perm = Perm.STUDENT_VIEW,
) -> QuerySet[Student]:
    """Students the user may see, with their current class, in one query."""
    students = authz.scope(user, perm, Student.objects.all()).select_related(
        "school", "current_class"
    )
    query = query.strip()
    if query:
        if _DIGITS.match(query):
            students = students.filter(
                Q(learner_id__startswith=query) | Q(citizen_id__startswith=query)
            )
        elif query.upper().startswith("TS"):
            students = students.filter(temp_code__istartswith=query)
        else:
            students = students.filter(name_filter(query))
    if school is not None:
        students = students.filter(school=school)
    if school_class is not None:
        students = students.filter(current_class=school_class)
    if grade is not None:
        students = students.filter(current_class__grade=grade)
    if status:
        students = students.filter(status=status)
    return students.order_by("search_name", "pk")


def student_detail(user: Any, pk: int) -> Student:
    """One student with history and guardians, or 404 when out of the user's reach."""
    students = authz.scope(user, Perm.STUDENT_RECORD, Student.objects.filter(pk=pk))
    student = (
        students.select_related("school", "user", "current_class__school_year")
        .prefetch_related(
            Prefetch("guardian_links", StudentGuardian.objects.select_related("guardian")),
            Prefetch(
                "placements",
                Placement.objects.select_related(
                    "school_class__school", "school_class__school_year"
                ).order_by("-start_date"),
            ),
            Prefetch(
                "events",
                EnrolmentEvent.objects.select_related(
                    "school", "school_class", "other_school"
                ).order_by("-date", "-id"),
            ),
            Prefetch(
                "transfer_requests",
                TransferRequest.objects.select_related("from_school", "to_school").order_by(
                    "-created_at"
                ),
            ),
        )
        .first()
    )
    if student is None:
        raise Http404
    return student


def current_placement(student: Student) -> Placement | None:
    for placement in student.placements.all():
        if placement.end_date is None:
            return placement
    return None


def org_unit_list(
    user: Any,
    *,
    query: str = "",
    kind: str = "",
    level: str = "",
    parent: OrgUnit | None = None,
    active: bool | None = True,
) -> QuerySet[OrgUnit]:
    units = authz.scope(user, Perm.ORG_VIEW, OrgUnit.objects.all()).select_related("parent")
    if query:
        units = units.filter(Q(code__istartswith=query.strip()) | name_filter(query))
    if kind:
        units = units.filter(kind=kind)
    if level:
        units = units.filter(level=level)
    if parent is not None:
        units = units.filter(path__startswith=parent.path).exclude(pk=parent.pk)
    if active is not None:
        units = units.filter(is_active=active)
    return units.order_by("path")


def org_unit_detail(user: Any, pk: int) -> OrgUnit:
    unit = (
        authz.scope(user, Perm.ORG_VIEW, OrgUnit.objects.filter(pk=pk))
        .select_related("parent")
        .first()
    )
    if unit is None:
        raise Http404
    return unit


def schools_for(user: Any, perm: Perm) -> QuerySet[OrgUnit]:
    """Schools where the user holds ``perm`` over the whole school (for choosers)."""
    roots = authz.grant_roots(user, perm)
    schools = OrgUnit.objects.filter(kind="school", is_active=True)
    if getattr(user, "is_superuser", False):
        return schools.order_by("name")
    return schools.filter(authz.path_q("path", roots)).order_by("name")


def class_list(
    user: Any,
    *,
    school: OrgUnit | None = None,
    year: SchoolYear | None = None,
    grade: int | None = None,
) -> QuerySet[SchoolClass]:
    classes = authz.scope(user, Perm.CLASS_VIEW, SchoolClass.objects.all())
    if school is not None:
        classes = classes.filter(school=school)
    if year is not None:
        classes = classes.filter(school_year=year)
    if grade is not None:
        classes = classes.filter(grade=grade)
    return (
        classes.select_related("school", "school_year", "homeroom_teacher")
        .annotate(size=Count("current_students"))
        .order_by("school__name", "grade", "name")
    )


def class_detail(user: Any, pk: int) -> SchoolClass:
    found = (
        authz.scope(user, Perm.CLASS_VIEW, SchoolClass.objects.filter(pk=pk))
        .select_related("school", "school_year", "homeroom_teacher")
        .first()
    )
    if found is None:
        raise Http404
    return found


def class_roster(school_class: SchoolClass) -> QuerySet[Student]:
    """Students currently in the class (caller has already checked CLASS_VIEW)."""
    return Student.objects.filter(current_class=school_class).order_by("search_name", "pk")


def class_assignments(school_class: SchoolClass) -> QuerySet[TeachingAssignment]:
    return (
        TeachingAssignment.objects.filter(school_class=school_class)
        .select_related("staff", "subject")
        .order_by("subject__code", "semester")
    )


def staff_list(
    user: Any,
    *,
    query: str = "",
    org_unit: OrgUnit | None = None,
    position: str = "",
    active: bool | None = True,
) -> QuerySet[Staff]:
    staff = authz.scope(user, Perm.STAFF_VIEW, Staff.objects.all()).select_related(
        "org_unit", "main_subject"
    )
    if query:
        staff = staff.filter(Q(staff_code__startswith=query.strip()) | name_filter(query))
    if org_unit is not None:
        staff = staff.filter(org_unit=org_unit)
    if position:
        staff = staff.filter(position=position)
    if active is not None:
        staff = staff.filter(is_active=active)
    return staff.order_by("search_name", "pk")


def staff_detail(user: Any, pk: int) -> Staff:
    found = (
        authz.scope(user, Perm.STAFF_VIEW, Staff.objects.filter(pk=pk))
        .select_related("org_unit", "main_subject", "user")
        .first()
    )
    if found is None:
        raise Http404
    return found


def register_for(user: Any, school: OrgUnit) -> QuerySet[RegisterEntry]:
    """The enrolment register of one school (REGISTER_VIEW over the school required)."""
    if not authz.can(user, Perm.REGISTER_VIEW, school.path):
        raise Http404
    return (
        RegisterEntry.objects.filter(school=school)
        .select_related("student")
        .prefetch_related(
            Prefetch("student__guardian_links", StudentGuardian.objects.select_related("guardian"))
        )
        .order_by("number")
    )


def pending_transfers(
    user: Any, *, incoming_to: OrgUnit | None = None
) -> QuerySet[TransferRequest]:
    transfers = authz.scope(user, Perm.ENROLMENT_MANAGE, TransferRequest.objects.all()).filter(
        status=TransferStatus.PENDING
    )
    if incoming_to is not None:
        transfers = transfers.filter(to_school=incoming_to)
    return transfers.select_related("student", "from_school", "to_school").order_by("created_at")


def school_directory(query: str = "") -> QuerySet[OrgUnit]:
    """The national directory of open schools, name and code only (public, no personal data),
    for choosing the destination of a transfer."""
    schools = OrgUnit.objects.filter(kind="school", is_active=True).only("pk", "code", "name")
    query = query.strip()
    if query:
        schools = schools.filter(Q(code__istartswith=query) | name_filter(query))
    return schools.order_by("search_name", "pk")


def school_choices(user: Any) -> QuerySet[OrgUnit]:
    """Open schools the user may see (the school filter of list pages)."""
    schools = OrgUnit.objects.filter(kind="school", is_active=True)
    return authz.scope(user, Perm.ORG_VIEW, schools).order_by("search_name", "pk")


def enrolment_classes(
    user: Any, *, school: OrgUnit | None = None, year: SchoolYear | None = None
) -> QuerySet[SchoolClass]:
    """Classes of schools where the user manages enrolment (admit, move, accept), current
    school year first."""
    classes = SchoolClass.objects.filter(school__in=schools_for(user, Perm.ENROLMENT_MANAGE))
    if school is not None:
        classes = classes.filter(school=school)
    if year is not None:
        classes = classes.filter(school_year=year)
    return classes.select_related("school", "school_year").order_by(
        "-school_year__is_current", "-school_year__start_date", "school__name", "grade", "name"
    )


def student_register_lines(student: Student) -> QuerySet[RegisterEntry]:
    """Register lines of a student the caller was already allowed to see (profile page)."""
    return (
        RegisterEntry.objects.filter(student=student)
        .select_related("school")
        .order_by("admitted_on", "pk")
    )


def register_search(
    entries: QuerySet[RegisterEntry], *, query: str = "", year: SchoolYear | None = None
) -> QuerySet[RegisterEntry]:
    """Narrow a register already scoped by :func:`register_for`: by the school year of
    admission (from the day after the previous year ended) and by name, number or ID."""
    if year is not None:
        previous = (
            SchoolYear.objects.filter(end_date__lt=year.start_date).order_by("-end_date").first()
        )
        opens = previous.end_date + dt.timedelta(days=1) if previous else year.start_date
        entries = entries.filter(admitted_on__gte=opens, admitted_on__lte=year.end_date)
    query = query.strip()
    if query.isdigit() and len(query) <= 6:
        entries = entries.filter(number=int(query))
    elif _DIGITS.match(query):
        entries = entries.filter(
            Q(student__learner_id__startswith=query) | Q(student__citizen_id__startswith=query)
        )
    elif query:
        entries = entries.filter(name_filter(query, "student__search_name"))
    return entries


def school_year_list() -> QuerySet[SchoolYear]:
    """School years with their semesters (the same nationwide; no personal data)."""
    return SchoolYear.objects.prefetch_related("semesters").order_by("-start_date")


def subject_list() -> QuerySet[Subject]:
    return Subject.objects.order_by("code")


def grade_subject_list(*, grade: int | None = None) -> QuerySet[GradeSubject]:
    """The curriculum: subjects per grade with periods and assessment type."""
    rows = GradeSubject.objects.select_related("subject")
    if grade is not None:
        rows = rows.filter(grade=grade)
    return rows.order_by("grade", "order", "subject__code")


def teaching_assignment_list(
    user: Any, *, school_class: SchoolClass | None = None, staff: Staff | None = None
) -> QuerySet[TeachingAssignment]:
    """Teaching assignments (phân công giảng dạy) the user may see."""
    rows = authz.scope(user, Perm.CLASS_VIEW, TeachingAssignment.objects.all())
    if school_class is not None:
        rows = rows.filter(school_class=school_class)
    if staff is not None:
        rows = rows.filter(staff=staff)
    return rows.select_related("staff", "subject", "school_class__school").order_by(
        "school_class__school__name", "school_class__grade", "school_class__name", "subject__code"
    )


def teaching_assignment_detail(user: Any, pk: int) -> TeachingAssignment:
    found = teaching_assignment_list(user).filter(pk=pk).first()
    if found is None:
        raise Http404
    return found


def transfer_list(user: Any, *, status: str = "") -> QuerySet[TransferRequest]:
    """Transfers from or to the user's schools, waiting and decided, newest first."""
    transfers = authz.scope(user, Perm.ENROLMENT_MANAGE, TransferRequest.objects.all())
    if status:
        transfers = transfers.filter(status=status)
    return transfers.select_related("student", "from_school", "to_school", "target_class").order_by(
        "-created_at", "-pk"
    )


def transfer_detail(user: Any, pk: int) -> TransferRequest:
    found = transfer_list(user).filter(pk=pk).first()
    if found is None:
        raise Http404
    return found
