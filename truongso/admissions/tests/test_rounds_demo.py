"""The admission demo: a published grade-10 round of the demo Sở with its THPT schools."""

from __future__ import annotations

from decimal import Decimal
from io import StringIO
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from truongso.accounts.models import User
from truongso.admissions import demo_rounds
from truongso.admissions.models import (
    AdmissionRound,
    Application,
    AssignmentRun,
    EnrolmentCode,
    ExamScore,
    Preference,
    RoundKind,
    RoundSchool,
    RoundStatus,
    RunResult,
)
from truongso.admissions.services import rounds
from truongso.admissions.services.applications import application_apply, window_is_open
from truongso.admissions.services.runs import results_visible
from truongso.admissions.services.zones import zone_run_create
from truongso.core.authz import SYSTEM
from truongso.core.models import AuditEntry
from truongso.registry.models import Student


def test_demo_round_is_published_with_the_parents_child_admitted(db: Any) -> None:
    with pytest.raises(CommandError, match="seed_demo"):
        call_command("seed_admissions_demo", verbosity=0)
    call_command("seed_demo", verbosity=0)
    out = StringIO()
    call_command("seed_admissions_demo", "--applicants", "300", stdout=out)
    assert "Done:" in out.getvalue()
    r = AdmissionRound.objects.get(name=demo_rounds.ROUND_NAME)
    assert r.kind == RoundKind.GRADE10
    assert r.status == RoundStatus.PUBLISHED
    assert results_visible(r)
    schools = RoundSchool.objects.filter(round=r).select_related("school")
    assert schools.count() >= 1
    assert all(rs.school.name.startswith("Trường THPT") for rs in schools)
    assert Application.objects.filter(round=r).count() == 300
    assert ExamScore.objects.filter(application__round=r).count() == 900
    runs = AssignmentRun.objects.filter(round=r)
    assert runs.count() == 2
    published = runs.get(is_published=True)
    assert published.admitted == Application.objects.filter(admitted_school__isnull=False).count()
    assert published.admitted > 0
    parent = User.objects.get(username=demo_rounds.DEMO_PARENT)
    child = Application.objects.get(phone=parent.phone)
    assert (child.admitted_preference, child.confirmation) == (1, "pending")
    assert child.admission_score >= Decimal("27.50")  # 9,25 + 8,75 + 9,5 (+ any bonus)
    assert AuditEntry.objects.filter(action="admissions.publish").count() == 1
    out = StringIO()
    call_command("seed_admissions_demo", "--if-empty", stdout=out)
    assert "nothing seeded" in out.getvalue()
    assert AdmissionRound.objects.count() == 3


def test_demo_has_a_grade_6_round_open_where_a_parent_can_apply(db: Any) -> None:
    call_command("seed_demo", verbosity=0)
    call_command("seed_admissions_demo", "--applicants", "50", verbosity=0)
    r = AdmissionRound.objects.get(kind=RoundKind.GRADE6)
    assert (r.name, r.status, r.birth_year) == (demo_rounds.OPEN_ROUND_NAME, "open", 2015)
    assert window_is_open(r)
    schools = list(RoundSchool.objects.filter(round=r).order_by("school__code"))
    assert schools and all(rs.quota == 120 for rs in schools)
    # Every school teaching grade 6 (THCS and TH&THCS), its commune as its zone.
    assert [(rs.school.name, rs.zone) for rs in schools] == [
        ("Trường THCS An Bài", "An Bài"),
        ("Trường TH&THCS Quỳnh Hải", "Quỳnh Hải"),
    ]
    # Codes for the grade-5 pupils born in 2015, each in the zone of her primary school.
    pupils = Student.objects.filter(current_class__grade=5, birth_date__year=2015)
    assert EnrolmentCode.objects.filter(round=r).count() == pupils.count() > 0
    code = EnrolmentCode.objects.get(round=r, learner_id=pupils.first().learner_id)
    assert code.zone == demo_rounds.commune(pupils.first().school)
    # Most have applied through the parents' service, NV1 mostly the school of their zone.
    applied = Application.objects.filter(round=r)
    assert 0.5 * pupils.count() < applied.count() < pupils.count()
    first_choices = Preference.objects.filter(application__round=r, rank=1).select_related(
        "school", "application"
    )
    at_home = sum(1 for p in first_choices if demo_rounds.commune(p.school) == p.application.zone)
    assert at_home >= 0.75 * applied.count()
    application = application_apply(
        round=r,
        phone="0912345678",
        data={
            "learner_id": "3499123456",
            "full_name": "Trần Minh Khang",
            "birth_date": "04/07/2015",
            "gender": "Nam",
            "guardian_name": "Trần Văn Hưng",
            "address": "Quỳnh Phụ, Thái Bình",
            "zone": "",
            "priority_group": "",
            "encouragement": "0",
        },
        preferences=[str(schools[0].school_id)],
    )
    assert application.code and application.preferences.get().school == schools[0].school
    # Closed and placed by zone: every child who chose the school of her zone first is there.
    r = rounds.round_close(actor=SYSTEM, round=r)
    run = zone_run_create(actor=SYSTEM, round=r, label="Theo tuyến")
    home_first = {
        p.application_id: p.school_id
        for p in first_choices
        if demo_rounds.commune(p.school) == p.application.zone
    }
    placed = dict(
        RunResult.objects.filter(run=run, application_id__in=home_first).values_list(
            "application_id", "school_id"
        )
    )
    assert placed == home_first
    assert sum(school["in_zone"] for school in run.summary["schools"]) >= len(home_first)
