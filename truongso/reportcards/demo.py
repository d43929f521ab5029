"""Report-card demo: last school year's học bạ of one class of the demo school, issued.

Only a closed year can be issued, and the gradebook demo keeps this year open (its
walkthrough needs semester II in progress). So the demo closes **2024–2025** instead: the
class the demo student (``hocsinh``, child of ``phuhuynh``) was in that year gets its
gradebook entered through the real services, ``gvcn`` is recorded as its homeroom teacher
that year, and the school closes both semesters. The test CA (the signing package's
``reportcards_test_ca``) makes test certificates for the school; ``gvcn`` signs the class and
``hieutruong`` signs and seals the school's batch, both through the real batch services (run
here in the foreground). The visitor then verifies a card from its QR code, corrects one
(a new version, signed again) and sees the old one superseded.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import Any

from django.core.management import call_command
from django.db import transaction

from truongso.accounts.models import RoleAssignment, User
from truongso.core.audit import audit_record
from truongso.core.authz import SYSTEM, Role
from truongso.gradebook.models import GradingPeriod
from truongso.gradebook.results import class_subjects
from truongso.gradebook.rosters import roster
from truongso.gradebook.services.cells import (
    CellChange,
    scores_save_many,
    subject_columns,
    terms_save,
)
from truongso.gradebook.services.periods import period_close
from truongso.registry.demo.accounts import ACCOUNTS_BY_ROLE
from truongso.registry.models import OrgUnit, Placement, SchoolClass, SchoolYear, Staff, Subject
from truongso.reportcards.models import ReportCard
from truongso.reportcards.services.batches import batch_execute, batch_start
from truongso.reportcards.services.keys import signer_keys_from_test_ca

Log = Callable[[str], None]
SEED = 2024
COMMENTS = [
    "Chăm ngoan, có ý thức tự học, tích cực tham gia hoạt động của lớp.",
    "Tiến bộ rõ trong học kì II; cần mạnh dạn phát biểu hơn.",
    "Lễ phép, hoà đồng với bạn bè; cần cẩn thận hơn khi làm bài.",
]


def _user(role: str) -> User | None:
    return User.objects.filter(username=ACCOUNTS_BY_ROLE[role].username).first()


def _demo_class() -> tuple[OrgUnit, SchoolYear, SchoolClass, User, User] | None:
    principal, homeroom, child = (
        _user(Role.PRINCIPAL),
        _user(Role.HOMEROOM_TEACHER),
        _user(Role.STUDENT),
    )
    grant = RoleAssignment.objects.filter(user=principal, role=Role.PRINCIPAL).first()
    if principal is None or homeroom is None or child is None or grant is None:
        return None
    placement = (
        Placement.objects.filter(
            student__user=child,
            school_class__school=grant.org_unit,
            school_class__school_year__is_current=False,
        )
        .select_related("school_class__school_year", "school_class__school")
        .order_by("-school_class__school_year__start_date")
        .first()
    )
    if placement is None:
        return None
    school_class = placement.school_class
    return school_class.school, school_class.school_year, school_class, principal, homeroom


def _value(rng: random.Random, level: float, scored: bool) -> str:
    if not scored:
        return "Đ"
    return f"{min(10.0, max(3.5, round(rng.gauss(level, 0.8) * 2) / 2)):g}"


def _enter(school_class: SchoolClass, rng: random.Random) -> None:
    subjects = {s.code: s for s in Subject.objects.filter(code__in=class_subjects(school_class))}
    specs = class_subjects(school_class)
    for semester in (1, 2):
        pupils = list(roster(school_class, semester))
        levels = {p.pk: rng.uniform(6.2, 9.2) for p in pupils}
        changes = {
            subjects[code]: [
                CellChange(p.pk, column.code, "", _value(rng, levels[p.pk], spec.scored))
                for p in pupils
                for column in subject_columns(school_class, subjects[code], semester)
            ]
            for code, spec in specs.items()
        }
        scores_save_many(
            actor=SYSTEM, school_class=school_class, semester=semester, changes=changes
        )
        terms: list[CellChange] = []
        for index, pupil in enumerate(pupils):
            conduct = "Tốt" if levels[pupil.pk] > 6.8 else "Khá"
            terms.append(CellChange(pupil.pk, "conduct", "", conduct))
            if semester == 2:
                terms.append(CellChange(pupil.pk, "comment", "", COMMENTS[index % len(COMMENTS)]))
        terms_save(actor=SYSTEM, school_class=school_class, semester=semester, changes=terms)


def _lead(school_class: SchoolClass, homeroom: User) -> None:
    staff = Staff.objects.get(user=homeroom)
    SchoolClass.objects.filter(pk=school_class.pk).update(homeroom_teacher=staff)
    audit_record(
        actor=SYSTEM,
        action="update",
        obj=school_class,
        after={"homeroom_teacher": staff.pk},
        note="Dữ liệu mẫu (seed_reportcards_demo)",
    )
    school_class.refresh_from_db()


def has_cards() -> bool:
    return ReportCard.objects.exists()


def build_reportcards_demo(*, log: Log = print) -> dict[str, Any]:
    """Close 2024–2025 for the demo class, make test certificates, issue the class."""
    found = _demo_class()
    if found is None:
        raise RuntimeError("Run seed_demo first: the demo school, logins and last year's classes.")
    school, year, school_class, principal, homeroom = found
    with transaction.atomic():
        _lead(school_class, homeroom)
        closed = set(
            GradingPeriod.objects.filter(
                school=school, school_year=year, closed_at__isnull=False
            ).values_list("semester", flat=True)
        )
        if not closed:
            _enter(school_class, random.Random(SEED))
        for semester in (1, 2):
            if semester not in closed:
                period_close(
                    actor=SYSTEM,
                    school=school,
                    year=year,
                    semester=semester,
                    allow_incomplete=True,
                )
    log(f"{year.code}: class {school_class.name} entered and the year closed")
    call_command("reportcards_test_ca", school=[school.code], verbosity=0)
    keys = signer_keys_from_test_ca(actor=SYSTEM, school=school)
    log(f"test certificates (CHỨNG THƯ THỬ NGHIỆM) registered: {len(keys)}")
    for actor, kwargs in (
        (homeroom, {"school_class": school_class}),
        (principal, {"school": school}),
    ):
        batch = batch_start(actor=actor, school_year=year, enqueue=False, **kwargs)
        batch_execute(batch_id=batch.pk)
    cards = ReportCard.objects.filter(school_class=school_class)
    child = cards.filter(student__user__username=ACCOUNTS_BY_ROLE[Role.STUDENT].username).first()
    log(f"{cards.count()} report cards issued in {school_class.name} ({year.code})")
    if child is not None:
        log(f"the demo student's card: /verify/{child.verify_code}/")
    return {"cards": cards.count(), "code": child.verify_code if child else ""}
