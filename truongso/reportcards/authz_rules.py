"""How report cards are scoped.

A card follows its student: the school where she studies now, the schools whose register
holds her, a school receiving her on transfer (``StudentReadRule``), her family and herself
see her cards, so the cards travel with the learner. The issuing school also keeps seeing
what it issued. The homeroom teacher reaches the cards of the classes she leads; for
``REPORTCARD_SIGN`` that is all she reaches.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q

from truongso.core import authz
from truongso.core.authz import Perm, ScopeRule
from truongso.registry.authz_rules import StudentReadRule, teacher_classes, units_under
from truongso.registry.models import SchoolClass, Student
from truongso.reportcards.models import IssueBatch, ReportCard


class ReportCardRule(ScopeRule):
    def __init__(self) -> None:
        self.students = StudentReadRule()

    def _students(self, q: Q) -> Q:
        return Q(student__in=Student.objects.filter(q).values("pk"))

    def subtree(self, paths: list[str]) -> Q:
        return Q(school__in=units_under(paths)) | self._students(self.students.subtree(paths))

    def homeroom(self, user: Any, school_paths: list[str]) -> Q:
        led = SchoolClass.objects.filter(teacher_classes(user, school_paths, homeroom_only=True))
        return Q(school_class__in=led)

    def family(self, user: Any) -> Q:
        return self._students(self.students.family(user))

    def self_(self, user: Any) -> Q:
        return Q(student__user=user)


class SignOwnClassRule(ScopeRule):
    """Signing: only the classes the homeroom teacher leads (the principal acts on the
    school through ``authz.can(REPORTCARD_ISSUE)``, not through this rule)."""

    homeroom = ReportCardRule.homeroom


class BatchRule(ScopeRule):
    def subtree(self, paths: list[str]) -> Q:
        return Q(school__in=units_under(paths))

    def homeroom(self, user: Any, school_paths: list[str]) -> Q:
        led = SchoolClass.objects.filter(teacher_classes(user, school_paths, homeroom_only=True))
        return Q(school_class__in=led)


def register_all() -> None:
    authz.register(ReportCard, ReportCardRule())
    authz.register(ReportCard, SignOwnClassRule(), perms=[Perm.REPORTCARD_SIGN])
    authz.register(IssueBatch, BatchRule())
