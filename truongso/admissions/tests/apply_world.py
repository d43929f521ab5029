"""An open grade-10 round of the test world for the application tests (window around now)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.utils import timezone

from truongso.admissions.models import AdmissionRound, RoundKind, RoundSchool, RoundStatus

PHONE = "0912345678"
OTHER_PHONE = "0987654321"

FORMULA = {
    "subjects": [
        {"code": "toan", "name": "Toán", "weight": 1},
        {"code": "van", "name": "Ngữ văn", "weight": 1},
        {"code": "anh", "name": "Tiếng Anh", "weight": 1},
    ],
    "max_score": 10,
}


def open_round(world: Any, **extra: Any) -> AdmissionRound:
    now = timezone.now()
    data: dict[str, Any] = {
        "organiser": world.department_unit,
        "name": "Tuyển sinh lớp 10 năm học 2026-2027",
        "kind": RoundKind.GRADE10,
        "status": RoundStatus.OPEN,
        "registration_opens": now - dt.timedelta(days=1),
        "registration_closes": now + dt.timedelta(days=7),
        "formula": FORMULA,
        "priority_bonus": {"1": "2.0", "2": "1.5", "3": "1.0"},
        "encouragement_max": Decimal("2"),
        "penalties": ["0", "1", "2"],
    }
    data.update(extra)
    r = AdmissionRound.objects.create(**data)
    for school, zone in ((world.school_a, "Z1"), (world.school_b, "Z1"), (world.school_c, "Z2")):
        RoundSchool.objects.create(round=r, school=school, quota=100, zone=zone)
    return r


def form(**extra: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "learner_id": "3407000001",
        "full_name": "Nguyễn Văn An",
        "birth_date": "12/03/2014",
        "gender": "Nam",
        "guardian_name": "Nguyễn Văn Ba",
        "address": "Thôn Đông, xã An Bài",
        "zone": "Z1",
        "priority_group": "",
        "encouragement": "0",
    }
    data.update(extra)
    return data
