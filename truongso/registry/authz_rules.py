"""How each registry model is scoped by the core authorization layer (see core.authz)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db.models import Q, QuerySet

from truongso.core import authz
from truongso.core.authz import Perm, ScopeRule, path_q
from truongso.registry.models import (
    EnrolmentEvent,
    Guardian,
    ImportJob,
    OrgUnit,
    Placement,
    RegisterEntry,
    SchoolClass,
    Staff,
    Student,
    StudentGuardian,
    TeachingAssignment,
    TransferRequest,
    TransferStatus,
)


def teacher_classes(user: Any, school_paths: list[str], *, homeroom_only: bool) -> Q:
    """Classes of the user's staff record in the schools of her grants."""
    mine = Q(homeroom_teacher__user=user)
    if not homeroom_only:
        mine |= Q(pk__in=TeachingAssignment.objects.filter(staff__user=user).values("school_class"))
    return mine & path_q("school__path", school_paths)


def _students_in_classes(class_q: Q) -> Q:
    return Q(current_class__in=SchoolClass.objects.filter(class_q))


class OrgUnitRule(ScopeRule):
    def subtree(self, paths: list[str]) -> Q:
        return path_q("path", paths)

    def classes(self, user: Any, school_paths: list[str]) -> Q:
        return Q(path__in=school_paths)

    homeroom = classes


class SchoolClassRule(ScopeRule):
    def subtree(self, paths: list[str]) -> Q:
        return path_q("school__path", paths)

    def classes(self, user: Any, school_paths: list[str]) -> Q:
        return teacher_classes(user, school_paths, homeroom_only=False)

    def homeroom(self, user: Any, school_paths: list[str]) -> Q:
        return teacher_classes(user, school_paths, homeroom_only=True)


class StaffRule(ScopeRule):
    def subtree(self, paths: list[str]) -> Q:
        return path_q("org_unit__path", paths)

    def classes(self, user: Any, school_paths: list[str]) -> Q:
        return Q(user=user)

    homeroom = classes


def units_under(paths: list[str]) -> QuerySet[OrgUnit, Any]:
    """IDs of the org units under ``paths``, as a subquery.

    ``school__in=<subquery>`` lets the planner count through the (school, status) index and
    page through the name index; a join on ``school__path LIKE`` forced a scan of every
    student row for each count (measured 8 ms against 2 ms for 37,000 students).
    """
    return OrgUnit.objects.filter(path_q("path", paths)).values("pk")


class StudentRule(ScopeRule):
    """Students currently at a school of the subtree (for editing and enrolment actions)."""

    def subtree(self, paths: list[str]) -> Q:
        return Q(school__in=units_under(paths))

    def classes(self, user: Any, school_paths: list[str]) -> Q:
        return _students_in_classes(teacher_classes(user, school_paths, homeroom_only=False))

    def homeroom(self, user: Any, school_paths: list[str]) -> Q:
        return _students_in_classes(teacher_classes(user, school_paths, homeroom_only=True))

    def family(self, user: Any) -> Q:
        links = StudentGuardian.objects.filter(guardian__user=user)
        return Q(pk__in=links.values("student_id"))

    def self_(self, user: Any) -> Q:
        return Q(user=user)


class StudentReadRule(StudentRule):
    """For reading, also the subtree's former students (its register keeps them) and the
    students whose transfer into the subtree is waiting for a decision."""

    def subtree(self, paths: list[str]) -> Q:
        former = RegisterEntry.objects.filter(path_q("school__path", paths)).values("student_id")
        incoming = TransferRequest.objects.filter(
            path_q("to_school__path", paths), status=TransferStatus.PENDING
        ).values("student_id")
        return super().subtree(paths) | Q(pk__in=former) | Q(pk__in=incoming)


READ_PERMS = (Perm.STUDENT_RECORD, Perm.REGISTER_VIEW)


class FollowsStudent(ScopeRule):
    """Objects visible exactly when their student is (history, guardians, placements)."""

    def __init__(self, follow: Callable[[QuerySet[Student, Any]], Q]) -> None:
        self.follow = follow
        self.students = StudentReadRule()

    def _follow(self, q: Q) -> Q:
        return self.follow(Student.objects.filter(q).values("pk"))

    def subtree(self, paths: list[str]) -> Q:
        return self._follow(self.students.subtree(paths))

    def classes(self, user: Any, school_paths: list[str]) -> Q:
        return self._follow(self.students.classes(user, school_paths))

    def homeroom(self, user: Any, school_paths: list[str]) -> Q:
        return self._follow(self.students.homeroom(user, school_paths))

    def family(self, user: Any) -> Q:
        return self._follow(self.students.family(user))

    def self_(self, user: Any) -> Q:
        return self._follow(self.students.self_(user))


class RegisterEntryRule(ScopeRule):
    def subtree(self, paths: list[str]) -> Q:
        return path_q("school__path", paths)


class TransferRule(ScopeRule):
    def subtree(self, paths: list[str]) -> Q:
        return path_q("from_school__path", paths) | path_q("to_school__path", paths)


class AssignmentRule(ScopeRule):
    def subtree(self, paths: list[str]) -> Q:
        return path_q("school_class__school__path", paths)

    def classes(self, user: Any, school_paths: list[str]) -> Q:
        return Q(staff__user=user) & path_q("school_class__school__path", school_paths)

    homeroom = classes


class ImportJobRule(ScopeRule):
    """An import job is visible to those who may import over its unit (DATA_IMPORT)."""

    def subtree(self, paths: list[str]) -> Q:
        return path_q("org_unit__path", paths)


def register_all() -> None:
    authz.register(OrgUnit, OrgUnitRule())
    authz.register(SchoolClass, SchoolClassRule())
    authz.register(Staff, StaffRule())
    authz.register(Student, StudentRule())
    authz.register(Student, StudentReadRule(), perms=READ_PERMS)

    def by_student(students: QuerySet[Student, Any]) -> Q:
        return Q(student__in=students)

    def guardians_of(students: QuerySet[Student, Any]) -> Q:
        links = StudentGuardian.objects.filter(student__in=students)
        return Q(pk__in=links.values("guardian_id"))

    authz.register(Guardian, FollowsStudent(guardians_of))
    authz.register(StudentGuardian, FollowsStudent(by_student))
    authz.register(Placement, FollowsStudent(by_student))
    authz.register(EnrolmentEvent, FollowsStudent(by_student))
    authz.register(RegisterEntry, RegisterEntryRule())
    authz.register(TransferRequest, TransferRule())
    authz.register(TeachingAssignment, AssignmentRule())
    authz.register(ImportJob, ImportJobRule())
