"""How admission rows are scoped (tuyển sinh).

The organiser's subtree (the Sở or Phòng running a round, and officers above it) sees
everything of its rounds; a school (or a bureau above it) sees the rounds it takes part in
and the applications that name it in a preference or were admitted to it.
"""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q

from truongso.admissions.models import (
    AdmissionRound,
    Application,
    AssignmentRun,
    ExamScore,
    Preference,
    RoundSchool,
    RunResult,
)
from truongso.core import authz
from truongso.core.authz import ScopeRule
from truongso.registry.authz_rules import units_under


def _round_q(paths: list[str], prefix: str = "") -> Q:
    """Rounds organised inside ``paths`` or in which a school inside ``paths`` takes part."""
    taking_part = RoundSchool.objects.filter(
        round=OuterRef(f"{prefix}pk" if not prefix else f"{prefix}id"),
        school__in=units_under(paths),
    )
    return Q(**{f"{prefix}organiser__in": units_under(paths)}) | Q(Exists(taking_part))


class RoundRule(ScopeRule):
    def subtree(self, paths: list[str]) -> Q:
        return _round_q(paths)


class RoundChildRule(ScopeRule):
    """Rows hanging from a round (``round`` field): runs and round schools."""

    def subtree(self, paths: list[str]) -> Q:
        return _round_q(paths, "round__")


def application_q(paths: list[str], prefix: str = "") -> Q:
    named = Preference.objects.filter(
        application=OuterRef(f"{prefix}pk" if not prefix else f"{prefix}id"),
        school__in=units_under(paths),
    )
    return (
        Q(**{f"{prefix}round__organiser__in": units_under(paths)})
        | Q(**{f"{prefix}admitted_school__in": units_under(paths)})
        | Q(Exists(named))
    )


class ApplicationRule(ScopeRule):
    def subtree(self, paths: list[str]) -> Q:
        return application_q(paths)


class ApplicationChildRule(ScopeRule):
    """Rows hanging from an application (``application`` field): exam scores, results."""

    def subtree(self, paths: list[str]) -> Q:
        return application_q(paths, "application__")


def register_all() -> None:
    authz.register(AdmissionRound, RoundRule())
    authz.register(RoundSchool, RoundChildRule())
    authz.register(AssignmentRun, RoundChildRule())
    authz.register(Application, ApplicationRule())
    authz.register(ExamScore, ApplicationChildRule())
    authz.register(RunResult, ApplicationChildRule())
