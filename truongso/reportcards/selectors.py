"""Reads of the report-card pages, through the authorization layer (out of reach: 404)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from django.db.models import QuerySet
from django.http import Http404

from truongso.core import authz
from truongso.core.authz import Perm
from truongso.gradebook.models import GradingPeriod, TermResult
from truongso.registry.models import OrgUnit, SchoolClass, SchoolYear, Student
from truongso.reportcards.models import (
    BatchStage,
    CardStatus,
    IssueBatch,
    ReportCard,
    SignerKey,
    SignerRole,
)
from truongso.reportcards.services.cards import year_closed

CARD_RELATED = ("student", "school", "school_year", "school_class")


def cards(user: Any) -> QuerySet[ReportCard]:
    return authz.scope(user, Perm.REPORTCARD_VIEW, ReportCard.objects.all())


def card_for(user: Any, pk: int) -> ReportCard:
    found = cards(user).filter(pk=pk).select_related(*CARD_RELATED, "supersedes").first()
    if found is None:
        raise Http404
    return found


def versions_of(card: ReportCard) -> list[ReportCard]:
    return list(
        ReportCard.objects.filter(student_id=card.student_id, school_year_id=card.school_year_id)
        .order_by("-version")
        .only("pk", "version", "status", "stage", "issued_at", "correction_reason")
    )


def may_issue(user: Any, school: OrgUnit) -> bool:
    return authz.can(user, Perm.REPORTCARD_ISSUE, school.path)


# --- home ------------------------------------------------------------------------------------
@dataclass
class Home:
    led: list[SchoolClass] = field(default_factory=list)
    schools: list[tuple[OrgUnit, list[SchoolYear]]] = field(default_factory=list)
    children: list[tuple[Student, list[ReportCard]]] = field(default_factory=list)


def home(user: Any) -> Home:
    found = Home()
    found.led = list(
        authz.scope(user, Perm.REPORTCARD_SIGN, SchoolClass.objects.all())
        .select_related("school", "school_year")
        .order_by("-school_year__start_date", "grade", "name")
    )
    roots = authz.grant_roots(user, Perm.REPORTCARD_VIEW)
    schools = OrgUnit.objects.filter(kind="school", path__in=roots).order_by("name")
    for school in schools:
        found.schools.append((school, closed_years(school)))
    if authz.roles(user) & {"parent", "student"}:
        found.children = _children(user)
    return found


def closed_years(school: OrgUnit) -> list[SchoolYear]:
    """Years whose semester II the school closed (issuable), newest first."""
    closed = GradingPeriod.objects.filter(
        school=school, semester=2, closed_at__isnull=False
    ).values("school_year_id")
    return list(SchoolYear.objects.filter(pk__in=closed).order_by("-start_date"))


def _children(user: Any) -> list[tuple[Student, list[ReportCard]]]:
    students = authz.scope(user, Perm.REPORTCARD_VIEW, Student.objects.all()).order_by(
        "search_name", "pk"
    )
    issued = cards(user).filter(status=CardStatus.ISSUED).select_related("school", "school_year")
    by_student: dict[int, list[ReportCard]] = {}
    for card in issued.order_by("-school_year__start_date"):
        by_student.setdefault(card.student_id, []).append(card)
    return [(s, by_student.get(s.pk, [])) for s in students]


# --- a class -----------------------------------------------------------------------------------
@dataclass
class ClassRow:
    student: Student
    card: ReportCard | None


@dataclass
class ClassPage:
    school_class: SchoolClass
    closed: bool
    rows: list[ClassRow]
    may_sign: bool
    has_key: bool
    batch: IssueBatch | None
    counts: Counter[str]
    test_keys: bool = False


def class_for(user: Any, pk: int) -> SchoolClass:
    found = (
        authz.scope(user, Perm.REPORTCARD_VIEW, SchoolClass.objects.filter(pk=pk))
        .select_related("school", "school_year", "homeroom_teacher")
        .first()
    )
    if found is None:
        raise Http404
    return found


def class_page(user: Any, pk: int) -> ClassPage:
    school_class = class_for(user, pk)
    results = (
        TermResult.objects.filter(school_class=school_class, period=TermResult.YEAR)
        .select_related("student")
        .order_by("student__search_name", "student_id")
    )
    current = {
        c.student_id: c
        for c in ReportCard.objects.filter(
            school_class=school_class, status__in=[CardStatus.SIGNING, CardStatus.ISSUED]
        ).order_by("version")
    }
    rows = [ClassRow(r.student, current.get(r.student_id)) for r in results]
    teacher = school_class.homeroom_teacher
    may_sign = teacher is not None and teacher.user_id == getattr(user, "pk", None)
    return ClassPage(
        school_class,
        year_closed(school_class.school, school_class.school_year),
        rows,
        may_sign and authz.check(user, Perm.REPORTCARD_SIGN, school_class),
        _has_key(school_class.school, SignerRole.HOMEROOM, user),
        IssueBatch.objects.filter(school_class=school_class).order_by("-created_at").first(),
        Counter(_state(row.card) for row in rows),
        SignerKey.objects.filter(school=school_class.school, is_active=True, is_test=True).exists(),
    )


def _has_key(school: OrgUnit, role: str, user: Any) -> bool:
    keys = SignerKey.objects.filter(school=school, role=role, is_active=True)
    return keys.filter(user_id=getattr(user, "pk", None) or 0).exists()


def _state(card: ReportCard | None) -> str:
    if card is None:
        return "none"
    return "issued" if card.status == CardStatus.ISSUED else f"stage{card.stage}"


# --- a school's year ----------------------------------------------------------------------------
@dataclass
class ClassSummary:
    school_class: SchoolClass
    students: int
    counts: Counter[str]


@dataclass
class SchoolPage:
    school: OrgUnit
    year: SchoolYear
    closed: bool
    classes: list[ClassSummary]
    may_issue: bool
    has_keys: bool
    test_keys: bool
    batches: list[IssueBatch]

    @property
    def ready(self) -> int:
        """Cards the homeroom teachers signed, waiting for the principal and the seal."""
        return sum(c.counts["stage1"] + c.counts["stage2"] for c in self.classes)


def school_page(user: Any, school_pk: int, year_pk: int) -> SchoolPage:
    school = OrgUnit.objects.filter(pk=school_pk, kind="school").first()
    year = SchoolYear.objects.filter(pk=year_pk).first()
    if school is None or year is None or not authz.can(user, Perm.REPORTCARD_VIEW, school.path):
        raise Http404
    classes = list(
        SchoolClass.objects.filter(school=school, school_year=year)
        .select_related("homeroom_teacher")
        .order_by("grade", "name")
    )
    students = Counter(
        TermResult.objects.filter(school_class__in=classes, period=TermResult.YEAR).values_list(
            "school_class_id", flat=True
        )
    )
    states: dict[int, Counter[str]] = {c.pk: Counter() for c in classes}
    for class_id, status, stage in ReportCard.objects.filter(
        school=school, school_year=year, status__in=[CardStatus.SIGNING, CardStatus.ISSUED]
    ).values_list("school_class_id", "status", "stage"):
        states[class_id]["issued" if status == CardStatus.ISSUED else f"stage{stage}"] += 1
    keys = SignerKey.objects.filter(school=school, is_active=True)
    return SchoolPage(
        school,
        year,
        year_closed(school, year),
        [ClassSummary(c, students[c.pk], states[c.pk]) for c in classes],
        may_issue(user, school),
        keys.filter(role=SignerRole.PRINCIPAL, user_id=getattr(user, "pk", None) or 0).exists()
        and keys.filter(role=SignerRole.SEAL).exists(),
        keys.filter(is_test=True).exists(),
        list(
            IssueBatch.objects.filter(school=school, school_year=year, stage=BatchStage.PRINCIPAL)
            .select_related("created_by")
            .order_by("-created_at")[:5]
        ),
    )


def batch_for(user: Any, pk: int) -> IssueBatch:
    found = (
        authz.scope(user, Perm.REPORTCARD_VIEW, IssueBatch.objects.filter(pk=pk))
        .select_related("school", "school_year", "school_class")
        .first()
    )
    if found is None:
        raise Http404
    return found


# --- a student's cards (they travel with her) -------------------------------------------------
def student_for(user: Any, pk: int) -> Student:
    found = authz.scope(user, Perm.STUDENT_RECORD, Student.objects.filter(pk=pk)).first()
    if found is None:
        found = authz.scope(user, Perm.REPORTCARD_VIEW, Student.objects.filter(pk=pk)).first()
    if found is None or not cards(user).filter(student=found).exists():
        raise Http404
    return found


def student_cards(user: Any, student: Student) -> list[ReportCard]:
    return list(
        cards(user)
        .filter(student=student)
        .select_related("school", "school_year", "school_class")
        .order_by("-school_year__start_date", "-version")
    )


def issued_cards(user: Any, student: Student) -> list[ReportCard]:
    return [c for c in student_cards(user, student) if c.status == CardStatus.ISSUED]


# --- public verification ---------------------------------------------------------------------
def public_card(code: str) -> ReportCard | None:
    """A card by its printed code, for the public page (no login, no scope: the code is the
    capability, 50 random bits)."""
    return (
        ReportCard.objects.filter(verify_code=code)
        .select_related("school", "school_year", "student", "superseded_by")
        .first()
    )


def card_by_hash(sha256: str) -> ReportCard | None:
    return (
        ReportCard.objects.filter(sha256=sha256)
        .select_related("school", "school_year", "student")
        .first()
    )
