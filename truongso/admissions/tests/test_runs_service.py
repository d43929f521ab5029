"""Assignment runs from the database: stored results and summary, what-if parameters,
comparison, publication (copied to applications, refused when stale), permissions."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from truongso.admissions.models import (
    AdmissionRound,
    Application,
    AssignmentRun,
    RoundSchool,
    RoundStatus,
    RunResult,
)
from truongso.admissions.services import runs
from truongso.admissions.tests.rounds_world import apply, english, make_round  # noqa: F401
from truongso.core.models import AuditEntry

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


@pytest.fixture
def round10(world):
    r = make_round(world, quotas=(2, 1, 1))
    a, b, c = world.school_a, world.school_b, world.school_c
    apply(r, "HS0001", [a], score="27")
    apply(r, "HS0002", [a, b], score="26")
    apply(r, "HS0003", [a, b], score="25")
    apply(r, "HS0004", [b], score="24.5")
    apply(r, "HS0005", [c], score=None)
    apply(r, "HS0006", [], score="20")
    apply(r, "HS0007", [c], score="22")
    return r


def placements(run):
    return {
        code: (school, pref, reason)
        for code, school, pref, reason in RunResult.objects.filter(run=run).values_list(
            "application__code", "school__code", "preference", "reason"
        )
    }


def test_run_stores_results_and_summary(world, round10):
    run = runs.run_create(actor=world.department, round=round10, label="Lần 1")
    assert (run.applicants, run.admitted, run.is_published) == (7, 4, False)
    assert placements(run) == {
        "HS0001": ("34070001", 1, "admitted"),
        "HS0002": ("34070001", 1, "admitted"),
        "HS0003": (None, None, "no_place"),
        "HS0004": ("34070002", 1, "admitted"),
        "HS0005": (None, None, "excluded"),
        "HS0006": (None, None, "no_preferences"),
        "HS0007": ("34020001", 1, "admitted"),
    }
    a = run.summary["schools"][1]
    assert a == {
        "school_id": world.school_a.pk,
        "code": "34070001",
        "name": "Trường THCS An Bài",
        "quota": 2,
        "admitted": 2,
        "by_preference": [2, 0, 0],
        "cutoff": "26.00",
        "marks": ["26.00", "27.00", "28.00"],
        "lowest": "26.00",
        "tied_admitted": 1,
        "tied_refused": 0,
        "over_quota": 0,
        "fill_rate": 1.0,
    }
    assert run.summary["reasons"] == {
        "admitted": 4,
        "excluded": 1,
        "no_preferences": 1,
        "no_place": 1,
    }
    assert run.params["quotas"] == {
        str(world.school_a.pk): 2,
        str(world.school_b.pk): 1,
        str(world.school_c.pk): 1,
    }
    assert AuditEntry.objects.get(action="admissions.run").after["admitted"] == 4


def test_what_if_penalties_and_quotas_and_compare(world, round10):
    first = runs.run_create(actor=world.department, round=round10)
    plain = runs.run_create(actor=world.department, round=round10, penalties=["0", "0", "0"])
    assert placements(plain)["HS0003"] == ("34070002", 2, "admitted")
    assert placements(plain)["HS0004"] == (None, None, "no_place")
    bigger = runs.run_create(
        actor=world.department, round=round10, quotas={world.school_a.pk: 3}, tie_rule="tiebreak"
    )
    assert placements(bigger)["HS0003"] == ("34070001", 1, "admitted")
    assert bigger.params["tie_rule"] == "tiebreak"
    comparison = runs.runs_compare(first, plain)
    assert comparison.moved == 2
    b_row = next(s for s in comparison.schools if s.school_id == world.school_b.pk)
    assert (b_row.cutoff_a, b_row.cutoff_b, b_row.cutoff_delta) == (
        runs.Decimal("24.50"),
        runs.Decimal("25.00"),
        runs.Decimal("0.50"),
    )
    # the round's own settings are untouched by simulations
    assert RoundSchool.objects.get(round=round10, school=world.school_a).quota == 2


def test_what_if_refuses_bad_parameters(world, round10):
    with pytest.raises(ValidationError) as exc:
        runs.run_create(
            actor=world.department,
            round=round10,
            quotas={world.school_a.pk: -1, 999999: 3},
            penalties=["0", "2", "1"],
        )
    assert exc.value.messages == [
        "A quota must be a whole number, 0 or more.",
        "School 999999 does not take part in the round.",
        "The penalty of NV3 (1) is lower than that of NV2: penalties never decrease.",
    ]
    assert not AssignmentRun.objects.exists()


def test_runs_denied_and_only_after_closing(world, round10):
    for user in (world.principal, world.bureau, world.parent):
        with pytest.raises(PermissionDenied):
            runs.run_create(actor=user, round=round10)
    AdmissionRound.objects.filter(pk=round10.pk).update(status=RoundStatus.OPEN)
    round10.refresh_from_db()
    with pytest.raises(ValidationError, match="after registration closes"):
        runs.run_create(actor=world.department, round=round10)
    assert not AssignmentRun.objects.exists()


def test_publish_copies_results_and_adopts_parameters(world, round10):
    runs.run_create(actor=world.department, round=round10)
    plain = runs.run_create(actor=world.department, round=round10, penalties=["0", "0", "0"])
    at = timezone.now() + dt.timedelta(hours=2)
    runs.run_publish(actor=world.department, run=plain, at=at)
    round10.refresh_from_db()
    assert round10.status == RoundStatus.PUBLISHED
    assert round10.penalties == ["0", "0", "0"]
    assert round10.results_publish_at == at
    assert not runs.results_visible(round10)
    assert runs.results_visible(round10, now=at)
    got = {
        a.code: (a.admitted_school_id, a.admitted_preference, a.confirmation)
        for a in Application.objects.all()
    }
    assert got == {
        "HS0001": (world.school_a.pk, 1, "pending"),
        "HS0002": (world.school_a.pk, 1, "pending"),
        "HS0003": (world.school_b.pk, 2, "pending"),
        "HS0004": (None, None, ""),
        "HS0005": (None, None, ""),
        "HS0006": (None, None, ""),
        "HS0007": (world.school_c.pk, 1, "pending"),
    }
    assert Application.objects.get(code="HS0004").result_reason == (
        "Not admitted: below the cut-off at every preference."
    )
    assert Application.objects.get(code="HS0005").result_reason == (
        "Not admitted: excluded (no score or a zero in an exam)."
    )
    assert Application.objects.get(code="HS0003").result_reason == "Admitted at NV2."
    assert AuditEntry.objects.filter(action="admissions.result").count() == 7
    with pytest.raises(ValidationError, match="only a closed round"):
        runs.run_publish(actor=world.department, run=plain)


def test_publish_refused_when_stale_or_denied(world, round10):
    run = runs.run_create(actor=world.department, round=round10)
    with pytest.raises(PermissionDenied):
        runs.run_publish(actor=world.principal, run=run)
    Application.objects.filter(code="HS0003").update(admission_score="26.5")
    with pytest.raises(ValidationError, match="changed since this run"):
        runs.run_publish(actor=world.department, run=run)
    round10.refresh_from_db()
    assert round10.status == RoundStatus.CLOSED
    assert not Application.objects.exclude(confirmation="").exists()
    assert not AssignmentRun.objects.filter(is_published=True).exists()


def test_publish_schedules_the_release_at_the_deadline(
    world, round10, django_capture_on_commit_callbacks, monkeypatch
):
    from truongso.admissions import tasks

    queued = []
    monkeypatch.setattr(
        tasks.release_due_task, "apply_async", lambda **kwargs: queued.append(kwargs)
    )
    round10.results_publish_at = round10.registration_closes
    round10.confirmation_deadline = timezone.now() + dt.timedelta(days=3)
    round10.save()
    run = runs.run_create(actor=world.department, round=round10)
    with django_capture_on_commit_callbacks(execute=True):
        runs.run_publish(actor=world.department, run=run)
    assert queued == [{"eta": round10.confirmation_deadline + dt.timedelta(minutes=1)}]


def test_publish_without_a_time_keeps_the_planned_one(world, round10):
    planned = timezone.now() + dt.timedelta(days=1)
    round10.results_publish_at = planned
    round10.save()
    run = runs.run_create(actor=world.department, round=round10)
    runs.run_publish(actor=world.department, run=run)
    round10.refresh_from_db()
    assert round10.results_publish_at == planned
    assert not runs.results_visible(round10)
    assert runs.results_visible(round10, now=planned)
