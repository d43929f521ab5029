"""Placement by zone for grade-1/6 rounds: in-zone first (over quota reported, not refused),
out-of-zone by the published seeded lottery, then NV2; stored as an ordinary run and
published unchanged; permissions and kind checks change nothing."""

from __future__ import annotations

import hashlib

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from truongso.admissions.models import (
    AdmissionRound,
    Application,
    AssignmentRun,
    RoundKind,
    RoundSchool,
    RoundStatus,
    RunResult,
)
from truongso.admissions.services import applications, runs, zones
from truongso.admissions.services import rounds as round_services
from truongso.admissions.tests.rounds_world import (  # noqa: F401
    apply,
    english,
    make_round,
    round_data,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


def grade1(world, *, zone_rules: bool, quotas=(2, 1, 1)) -> AdmissionRound:
    r = AdmissionRound.objects.create(
        organiser=world.department_unit,
        **round_data(kind=RoundKind.GRADE1, formula={}, priority_bonus={}, zone_rules=zone_rules),
        status=RoundStatus.CLOSED,
    )
    for school, quota, zone in zip(
        (world.school_a, world.school_b, world.school_c), quotas, ("Z1", "Z2", "Z3"), strict=True
    ):
        RoundSchool.objects.create(round=r, school=school, quota=quota, zone=zone)
    return r


def child(r, code, prefs, zone):
    app = apply(r, code, prefs)
    Application.objects.filter(pk=app.pk).update(zone=zone)
    return app


def placements(run):
    return {
        code: (school, pref, reason)
        for code, school, pref, reason in RunResult.objects.filter(run=run).values_list(
            "application__code", "school__code", "preference", "reason"
        )
    }


def test_lottery_key_is_published_hash():
    assert zones.lottery_key(7, "TS0001") == hashlib.sha256(b"7:TS0001").hexdigest()


def test_in_zone_all_admitted_over_quota_and_reported(world):
    r = grade1(world, zone_rules=True, quotas=(2, 1, 1))
    a, b = world.school_a, world.school_b
    for n in range(1, 4):
        child(r, f"TS000{n}", [a], "Z1")
    child(r, "TS0004", [a, b], "Z2")  # out of zone for A: refused with zone rules on
    child(r, "TS0005", [], "Z1")
    run = zones.zone_run_create(actor=world.department, round=r, label="Tuyến")
    assert placements(run) == {
        "TS0001": ("34070001", 1, "admitted"),
        "TS0002": ("34070001", 1, "admitted"),
        "TS0003": ("34070001", 1, "admitted"),
        "TS0004": ("34070002", 2, "admitted"),
        "TS0005": (None, None, "no_preferences"),
    }
    row = next(s for s in run.summary["schools"] if s["code"] == "34070001")
    assert (row["quota"], row["admitted"], row["over_quota"], row["in_zone"]) == (2, 3, 1, 3)
    assert run.summary["reasons"] == {
        "admitted": 4,
        "excluded": 0,
        "no_preferences": 1,
        "no_place": 0,
    }
    assert (run.applicants, run.admitted, run.params["method"]) == (5, 4, "zone")


def test_out_of_zone_by_lottery_not_registration_order(world):
    r = grade1(world, zone_rules=False, quotas=(2, 1, 1))
    a, b = world.school_a, world.school_b
    child(r, "TS0001", [a], "Z1")  # in zone: first whatever the lottery
    codes = ["TS0002", "TS0003", "TS0004"]
    for code in codes:
        child(r, code, [a, b], "Z9")
    run = zones.zone_run_create(actor=world.department, round=r)
    order = sorted(codes, key=lambda c: zones.lottery_key(r.pk, c))
    got = placements(run)
    assert got["TS0001"] == ("34070001", 1, "admitted")
    assert got[order[0]] == ("34070001", 1, "admitted")
    assert got[order[1]] == ("34070002", 2, "admitted")
    assert got[order[2]] == (None, None, "no_place")


def test_zone_place_is_deterministic_and_ignores_input_order():
    apps = [(i, f"TS{i:04d}", "Z9") for i in range(1, 30)]
    prefs = {i: [10] for i in range(1, 30)}
    kwargs = {"round_id": 3, "zone_rules": False, "quotas": {10: 5}, "school_zones": {10: "Z1"}}
    one = zones.zone_place(applicants=apps, preferences=prefs, **kwargs)
    two = zones.zone_place(applicants=list(reversed(apps)), preferences=prefs, **kwargs)
    assert one == two
    winners = sorted(apps, key=lambda a: zones.lottery_key(3, a[1]))[:5]
    assert {pk for pk, p in one.items() if p[0] == 10} == {pk for pk, _c, _z in winners}


def test_zone_run_publishes_unchanged(world):
    r = grade1(world, zone_rules=True)
    child(r, "TS0001", [world.school_a], "Z1")
    run = zones.zone_run_create(actor=world.department, round=r)
    runs.run_publish(actor=world.department, run=run)
    app = Application.objects.get(code="TS0001")
    assert (app.admitted_school_id, app.admitted_preference, app.confirmation) == (
        world.school_a.pk,
        1,
        "pending",
    )


def test_zone_run_denied_and_wrong_kind_change_nothing(world):
    r = grade1(world, zone_rules=True)
    child(r, "TS0001", [world.school_a], "Z1")
    with pytest.raises(PermissionDenied):
        zones.zone_run_create(actor=world.principal, round=r)
    r10 = make_round(world)
    with pytest.raises(ValidationError):
        zones.zone_run_create(actor=world.department, round=r10)
    assert AssignmentRun.objects.count() == 0


def test_published_zone_refusal_does_not_speak_of_scores(world):
    from truongso.admissions import results

    r = grade1(world, zone_rules=True, quotas=(0, 0, 0))
    child(r, "TS0001", [world.school_a], "Z9")
    run = zones.zone_run_create(actor=world.department, round=r)
    runs.run_publish(actor=world.department, run=run)
    app = Application.objects.get(code="TS0001")
    expected = "Not admitted: no place at any of your preferences (placement by zone)."
    assert app.result_reason == expected
    assert results.application_result(app).headline == expected


def school_row(run, school):
    row = next(s for s in run.summary["schools"] if s["school_id"] == school.pk)
    keys = ("quota", "admitted", "in_zone", "by_lottery", "over_quota", "in_zone_refused")
    return (*[row[k] for k in keys], row["fill_rate"])


def test_quota_0_admits_nobody_not_even_its_zone(world):
    from truongso.admissions import results

    r = grade1(world, zone_rules=False, quotas=(0, 2, 1))
    a, b = world.school_a, world.school_b
    child(r, "TS0001", [a, b], "Z1")  # refused by A (its zone), then B by lottery
    child(r, "TS0002", [a], "Z1")  # refused by A, nothing left
    child(r, "TS0003", [b], "Z2")  # B's own zone
    child(r, "TS0004", [a], "Z9")  # out of zone, refused by A too
    run = zones.zone_run_create(actor=world.department, round=r)
    assert placements(run) == {
        "TS0001": ("34070002", 2, "admitted"),
        "TS0002": (None, None, "no_place"),
        "TS0003": ("34070002", 1, "admitted"),
        "TS0004": (None, None, "no_place"),
    }
    assert school_row(run, a) == (0, 0, 0, 0, 0, 2, 0.0)
    assert school_row(run, b) == (2, 2, 1, 1, 0, 0, 1.0)
    assert run.summary["in_zone_refused"] == 2
    runs.run_publish(actor=world.department, run=run)
    nobody = "NV1 Trường THCS An Bài: the school admits nobody this round (quota 0)."
    got = results.application_result(Application.objects.get(code="TS0001"))
    assert got.lines == [nobody, "NV2 Trường THCS Quỳnh Hải: admitted by the lottery."]
    got = results.application_result(Application.objects.get(code="TS0002"))
    assert got.lines == [nobody]
    got = results.application_result(Application.objects.get(code="TS0003"))
    assert got.lines == ["NV1 Trường THCS Quỳnh Hải: admitted, a child of the school's zone."]


def test_what_if_quota_0_refuses_the_zone_and_counts_it(world):
    r = grade1(world, zone_rules=True, quotas=(2, 1, 1))
    a = world.school_a
    child(r, "TS0001", [a], "Z1")
    child(r, "TS0002", [a, world.school_b], "Z1")
    run = zones.zone_run_create(actor=world.department, round=r, quotas={a.pk: 0})
    assert placements(run) == {
        "TS0001": (None, None, "no_place"),
        "TS0002": (None, None, "no_place"),  # B is not her zone, and zone rules are on
    }
    assert school_row(run, a) == (0, 0, 0, 0, 0, 2, 0.0)
    assert RoundSchool.objects.get(round=r, school=a).quota == 2  # the round is unchanged


def test_in_zone_beyond_a_quota_of_1_all_admitted(world):
    r = grade1(world, zone_rules=False, quotas=(1, 1, 1))
    a, b = world.school_a, world.school_b
    child(r, "TS0001", [a], "Z1")
    child(r, "TS0002", [a], "Z1")
    child(r, "TS0003", [a, b], "Z9")  # A is full with its zone: B by lottery
    run = zones.zone_run_create(actor=world.department, round=r)
    assert placements(run) == {
        "TS0001": ("34070001", 1, "admitted"),
        "TS0002": ("34070001", 1, "admitted"),
        "TS0003": ("34070002", 2, "admitted"),
    }
    assert school_row(run, a) == (1, 2, 2, 0, 1, 0, 2.0)
    assert school_row(run, b) == (1, 1, 0, 1, 0, 0, 1.0)
    assert run.summary["in_zone_refused"] == 0


def test_closed_school_placed_like_the_exam_run_places_it(world):
    """Not accepting applications stops new ones; both methods still place the children who
    named the school before, within its quota (the exam run reads every school)."""
    r = grade1(world, zone_rules=True, quotas=(1, 1, 1))
    RoundSchool.objects.filter(round=r, school=world.school_a).update(is_open=False)
    child(r, "TS0001", [world.school_a], "Z1")
    child(r, "TS0002", [world.school_a], "Z1")
    run = zones.zone_run_create(actor=world.department, round=r)
    assert placements(run)["TS0001"] == ("34070001", 1, "admitted")
    assert school_row(run, world.school_a) == (1, 2, 2, 0, 1, 0, 2.0)
    r10 = make_round(world, quotas=(1, 1, 1))
    RoundSchool.objects.filter(round=r10, school=world.school_a).update(is_open=False)
    apply(r10, "HS0001", [world.school_a], score="20")
    exam = runs.run_create(actor=world.department, round=r10)
    assert placements(exam) == {"HS0001": ("34070001", 1, "admitted")}


def _publish_refused(world, run):
    with pytest.raises(ValidationError) as refused:
        runs.run_publish(actor=world.department, run=run)
    assert refused.value.messages == [
        "Scores, applications or preferences changed since this run: run the assignment again."
    ]
    run.refresh_from_db()
    assert not run.is_published
    assert AdmissionRound.objects.get(pk=run.round_id).status == RoundStatus.CLOSED
    assert set(Application.objects.values_list("confirmation", flat=True)) == {""}


def test_zone_run_is_stale_once_a_child_zone_is_corrected(world):
    # The zone decides the place: a run made before a reviewer corrected it must not be
    # published (NV1 at A would go to a child who is no longer of A's zone).
    r = grade1(world, zone_rules=False, quotas=(1, 1, 1))
    a = world.school_a
    child(r, "TS0001", [a], "Z1")
    two = child(r, "TS0002", [a], "Z1")
    run = zones.zone_run_create(actor=world.department, round=r)
    assert placements(run)["TS0002"] == ("34070001", 1, "admitted")
    applications.application_correct(
        actor=world.department,
        application=two,
        data={"zone": "Z2", "full_name": "Nguyễn Văn Hai"},
        note="wrong ward",
    )
    _publish_refused(world, run)


def test_zone_run_is_stale_once_a_school_zone_changes(world):
    r = grade1(world, zone_rules=True, quotas=(1, 1, 1))
    child(r, "TS0001", [world.school_a], "Z1")
    run = zones.zone_run_create(actor=world.department, round=r)
    round_services.round_schools_set(
        actor=world.department,
        round=r,
        places=[
            round_services.SchoolPlace(school=world.school_a, quota=1, zone="Z9"),
            round_services.SchoolPlace(school=world.school_b, quota=1, zone="Z2"),
            round_services.SchoolPlace(school=world.school_c, quota=1, zone="Z3"),
        ],
    )
    _publish_refused(world, run)
