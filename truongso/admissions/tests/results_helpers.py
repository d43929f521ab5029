"""A published grade-6 round on the test world, for the result and confirmation tests.

Organised by the Quỳnh Phụ bureau; schools A (quota 2) and B (quota 1). The published run
admitted ``an`` (learner ``an``'s ID, already studying in A's 6A1) to B at NV1, ``lan`` to
A at NV1 and ``minh`` to A at NV2 (cut-offs: A 24.50, B 27.50); ``hoa`` got no place.
Results visible since 1 July 2025, confirmation until 15 July 2025 17:00 (Asia/Ho_Chi_Minh).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from truongso.admissions.models import (
    AdmissionRound,
    Application,
    AssignmentRun,
    ConfirmationStatus,
    Preference,
    RoundKind,
    RoundSchool,
    RoundStatus,
    RunResult,
)

HCM = ZoneInfo("Asia/Ho_Chi_Minh")
PUBLISHED = dt.datetime(2025, 7, 1, 8, 0, tzinfo=HCM)
DEADLINE = dt.datetime(2025, 7, 15, 17, 0, tzinfo=HCM)
DURING = dt.datetime(2025, 7, 10, 9, 0, tzinfo=HCM)
AFTER = dt.datetime(2025, 7, 16, 9, 0, tzinfo=HCM)


@dataclass
class Published:
    round: AdmissionRound
    run: AssignmentRun
    apps: dict[str, Application]


def _application(round_: AdmissionRound, code: str, **fields: Any) -> Application:
    defaults: dict[str, Any] = {
        "full_name": "Thí sinh",
        "birth_date": dt.date(2014, 5, 1),
        "gender": "F",
        "guardian_name": "Phụ huynh",
        "phone": "0987000000",
    }
    defaults.update(fields)
    return Application.objects.create(round=round_, code=code, **defaults)


def published_round(world: Any) -> Published:
    round_ = AdmissionRound.objects.create(
        organiser=world.bureau_unit,
        school_year=world.year,
        name="Tuyển sinh lớp 6 năm học 2025-2026",
        kind=RoundKind.GRADE6,
        status=RoundStatus.PUBLISHED,
        registration_opens=dt.datetime(2025, 6, 1, 7, 0, tzinfo=HCM),
        registration_closes=dt.datetime(2025, 6, 15, 17, 0, tzinfo=HCM),
        results_publish_at=PUBLISHED,
        confirmation_deadline=DEADLINE,
        penalties=["0", "1", "2"],
    )
    a, b = world.school_a, world.school_b
    RoundSchool.objects.create(round=round_, school=a, quota=2, zone="QP1")
    RoundSchool.objects.create(round=round_, school=b, quota=1, zone="QP2")
    an = world.students["an"]
    apps = {
        "an": _application(
            round_,
            "TS25000001",
            learner_id=an.learner_id,
            full_name=an.full_name,
            gender="M",
            birth_date=an.birth_date,
            guardian_name="Nguyễn Văn Cha",
            phone="0912345678",
            admission_score=Decimal("27.50"),
        ),
        "lan": _application(
            round_,
            "TS25000002",
            full_name="Trần Thị Lan",
            guardian_name="Trần Văn Ba",
            phone="0987111222",
            address="Thôn Đông, An Bài",
            admission_score=Decimal("26.00"),
        ),
        "minh": _application(
            round_,
            "TS25000003",
            full_name="Lê Văn Minh",
            gender="M",
            phone="0987333444",
            admission_score=Decimal("25.50"),
        ),
        "hoa": _application(
            round_,
            "TS25000004",
            full_name="Phạm Thị Hoa",
            phone="0987555666",
            admission_score=Decimal("24.00"),
        ),
    }
    prefs = {"an": [b, a], "lan": [a], "minh": [b, a], "hoa": [a, b]}
    for key, schools in prefs.items():
        for rank, school in enumerate(schools, start=1):
            Preference.objects.create(application=apps[key], rank=rank, school=school)
    run = AssignmentRun.objects.create(
        round=round_,
        label="Chính thức",
        params={"quotas": {str(a.pk): 2, str(b.pk): 1}, "penalties": ["0", "1", "2"]},
        applicants=4,
        admitted=3,
        is_published=True,
        published_at=PUBLISHED,
    )
    outcome = {"an": (b, 1, "admitted"), "lan": (a, 1, "admitted"), "minh": (a, 2, "admitted")}
    for key, app in apps.items():
        school, pref, reason = outcome.get(key, (None, None, "no_place"))
        RunResult.objects.create(
            run=run, application=app, school=school, preference=pref, reason=reason
        )
        app.admitted_school = school
        app.admitted_preference = pref
        app.result_reason = reason
        app.confirmation = ConfirmationStatus.PENDING if school else ""
        app.save()
    return Published(round_, run, apps)
