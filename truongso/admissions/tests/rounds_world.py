"""A grade-10 round of the test world's Sở with its three schools, and applications made
directly through the ORM (the application service belongs to another module)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

import pytest
from django.utils import translation

from truongso.admissions.models import (
    AdmissionRound,
    Application,
    ExamScore,
    Preference,
    RoundKind,
    RoundSchool,
    RoundStatus,
)

UTC = dt.UTC
OPENS = dt.datetime(2026, 5, 1, 1, 0, tzinfo=UTC)
CLOSES = dt.datetime(2026, 5, 15, 10, 0, tzinfo=UTC)

FORMULA = {
    "subjects": [
        {"code": "toan", "name": "Toán", "weight": 1},
        {"code": "van", "name": "Ngữ văn", "weight": 1},
        {"code": "anh", "name": "Tiếng Anh", "weight": 1},
    ],
    "max_score": 10,
}


def round_data(**extra: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "name": "Tuyển sinh lớp 10 năm học 2026-2027",
        "kind": RoundKind.GRADE10,
        "registration_opens": OPENS,
        "registration_closes": CLOSES,
        "formula": FORMULA,
        "priority_bonus": {"1": "2.0", "2": "1.5", "3": "1.0"},
        "encouragement_max": Decimal("2"),
        "penalties": ["0", "1", "2"],
    }
    data.update(extra)
    return data


def make_round(
    world: Any, *, quotas: Sequence[int] = (2, 1, 1), status: str = RoundStatus.CLOSED
) -> AdmissionRound:
    r = AdmissionRound.objects.create(
        organiser=world.department_unit, **round_data(), status=status
    )
    for school, quota in zip((world.school_a, world.school_b, world.school_c), quotas, strict=True):
        RoundSchool.objects.create(round=r, school=school, quota=quota)
    return r


def apply(
    r: AdmissionRound,
    code: str,
    prefs: Sequence[Any],
    *,
    scores: dict[str, str] | None = None,
    learner_id: str = "",
    priority_group: str = "",
    encouragement: str = "0",
    score: str | None = None,
) -> Application:
    number = int(code[-4:]) if code[-4:].isdigit() else len(code)
    app = Application.objects.create(
        round=r,
        code=code,
        learner_id=learner_id or f"34{number:08d}",
        full_name=f"Học sinh {code}",
        birth_date=dt.date(2011, 3, 1),
        gender="F",
        guardian_name="Phụ huynh",
        phone="0912345678",
        priority_group=priority_group,
        encouragement=Decimal(encouragement),
        admission_score=Decimal(score) if score is not None else None,
    )
    for rank, school in enumerate(prefs, start=1):
        Preference.objects.create(application=app, rank=rank, school=school)
    for subject, value in (scores or {}).items():
        ExamScore.objects.create(application=app, subject=subject, score=Decimal(value))
    return app


@pytest.fixture
def english() -> Any:
    """Messages asserted in English (the msgids); the Vietnamese ones are tested apart."""
    with translation.override("en"):
        yield
