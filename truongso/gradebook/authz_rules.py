"""How gradebook rows are scoped: a subject teacher sees and enters only her class and
subject; the homeroom teacher sees the whole class; leaders the school; parents and
students their own; officers only aggregates (GRADE_STATS) unless granted GRADE_VIEW."""

from __future__ import annotations

from typing import Any

from django.db.models import Exists, OuterRef, Q

from truongso.core import authz
from truongso.core.authz import ScopeRule, path_q
from truongso.gradebook.models import GradingPeriod, StudentTerm, SubjectTerm, TermResult
from truongso.registry.authz_rules import teacher_classes, units_under
from truongso.registry.models import SchoolClass, StudentGuardian, TeachingAssignment


class ClassRowRule(ScopeRule):
    """Rows that belong to a student in a class (``school_class`` and ``student`` fields)."""

    def subtree(self, paths: list[str]) -> Q:
        return Q(school_class__school__in=units_under(paths))

    def classes(self, user: Any, school_paths: list[str]) -> Q:
        taught = SchoolClass.objects.filter(
            teacher_classes(user, school_paths, homeroom_only=False)
        )
        return Q(school_class__in=taught)

    def homeroom(self, user: Any, school_paths: list[str]) -> Q:
        led = SchoolClass.objects.filter(teacher_classes(user, school_paths, homeroom_only=True))
        return Q(school_class__in=led)

    def family(self, user: Any) -> Q:
        children = StudentGuardian.objects.filter(guardian__user=user).values("student_id")
        return Q(student__in=children)

    def self_(self, user: Any) -> Q:
        return Q(student__user=user)


class SubjectTermRule(ClassRowRule):
    """A subject teacher reaches only the rows of the subjects she teaches in the class."""

    def classes(self, user: Any, school_paths: list[str]) -> Q:
        assigned = TeachingAssignment.objects.filter(
            staff__user=user, school_class=OuterRef("school_class"), subject=OuterRef("subject")
        )
        return Q(Exists(assigned)) & path_q("school_class__school__path", school_paths)


class PeriodRule(ScopeRule):
    def subtree(self, paths: list[str]) -> Q:
        return Q(school__in=units_under(paths))

    def classes(self, user: Any, school_paths: list[str]) -> Q:
        return path_q("school__path", school_paths)

    homeroom = classes


def register_all() -> None:
    authz.register(SubjectTerm, SubjectTermRule())
    authz.register(StudentTerm, ClassRowRule())
    authz.register(TermResult, ClassRowRule())
    authz.register(GradingPeriod, PeriodRule())
