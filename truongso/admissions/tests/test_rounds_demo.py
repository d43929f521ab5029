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
    ExamScore,
    RoundSchool,
    RoundStatus,
)
from truongso.admissions.services.runs import results_visible
from truongso.core.models import AuditEntry


def test_demo_round_is_published_with_the_parents_child_admitted(db: Any) -> None:
    with pytest.raises(CommandError, match="seed_demo"):
        call_command("seed_admissions_demo", verbosity=0)
    call_command("seed_demo", verbosity=0)
    out = StringIO()
    call_command("seed_admissions_demo", "--applicants", "300", stdout=out)
    assert "Done:" in out.getvalue()
    r = AdmissionRound.objects.get()
    assert r.name == demo_rounds.ROUND_NAME
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
    assert AdmissionRound.objects.count() == 1
