"""Runs of grade-1/6 rounds through the API: ``POST /runs/`` places them by zone (as the runs
page does), the run shows the zone summary (in zone, by lottery, over quota) instead of empty
cut-offs; exam settings, other users and wrong inputs are refused and create no run; exam
runs of grade-10 rounds are unchanged."""

from __future__ import annotations

from typing import Any

import pytest

from truongso.admissions.models import AdmissionRound, AssignmentRun
from truongso.admissions.services import zones
from truongso.admissions.tests.rounds_world import apply, make_round
from truongso.admissions.tests.test_zones_run import child, grade1
from truongso.testing.live import client_login

pytestmark = pytest.mark.django_db
API = "/api/v1/admissions/"


def login(client: Any, user: Any, language: str = "en") -> None:
    client_login(client, user)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = language


def run(client: Any, r: AdmissionRound, **data: Any) -> Any:
    return client.post(f"{API}runs/", {"round": r.pk, **data}, content_type="application/json")


@pytest.fixture
def r1(world: Any) -> AdmissionRound:
    r = grade1(world, zone_rules=True, quotas=(2, 1, 1))
    a, b = world.school_a, world.school_b
    for n in range(1, 4):
        child(r, f"TS000{n}", [a], "Z1")
    child(r, "TS0004", [a, b], "Z2")  # out of zone for A (zone rules on), in zone for B
    child(r, "TS0005", [], "Z1")
    return r


def school_row(world: Any, school: Any, zone: str, quota: int, **counts: Any) -> dict[str, Any]:
    row = {
        "school_id": school.pk,
        "code": school.code,
        "name": school.name,
        "zone": zone,
        "quota": quota,
        "admitted": 0,
        "in_zone": 0,
        "by_lottery": 0,
        "over_quota": 0,
        "by_preference": [0, 0, 0],
        "fill_rate": 0.0,
    }
    row.update(counts)
    return row


def test_grade1_round_is_placed_by_zone_with_its_summary(client: Any, world: Any, r1):
    login(client, world.department)
    response = run(client, r1, label="Tuyến")
    assert response.status_code == 201
    body = response.json()
    assert (body["label"], body["method"], body["applicants"], body["admitted"]) == (
        "Tuyến",
        "zone",
        5,
        4,
    )
    assert body["params"]["method"] == "zone"
    a, b, c = world.school_a, world.school_b, world.school_c
    assert body["summary"] == {
        "schools": [
            school_row(world, c, "Z3", 1),
            school_row(
                world,
                a,
                "Z1",
                2,
                admitted=3,
                in_zone=3,
                over_quota=1,
                by_preference=[3, 0, 0],
                fill_rate=1.5,
            ),
            school_row(
                world, b, "Z2", 1, admitted=1, in_zone=1, by_preference=[0, 1, 0], fill_rate=1.0
            ),
        ],
        "reasons": {"admitted": 4, "excluded": 0, "no_preferences": 1, "no_place": 0},
        "quota": 4,
    }
    results = client.get(f"{API}runs/{body['id']}/results/").json()["results"]
    assert sorted((r["application_code"], r["school_code"], r["preference"]) for r in results) == [
        ("TS0001", "34070001", 1),
        ("TS0002", "34070001", 1),
        ("TS0003", "34070001", 1),
        ("TS0004", "34070002", 2),
        ("TS0005", None, None),
    ]
    listed = client.get(f"{API}runs/", {"round": r1.pk}).json()["results"]
    assert [(x["method"], x["summary"]) for x in listed] == [("zone", body["summary"])]
    assert client.get(f"{API}runs/{body['id']}/").json() == body


def test_fill_rate_and_what_if_quota(client: Any, world: Any, r1):
    login(client, world.department)
    first = run(client, r1).json()
    row = next(s for s in first["summary"]["schools"] if s["code"] == "34070001")
    assert row["fill_rate"] == 1.5
    second = run(client, r1, quotas={str(world.school_a.pk): 5}).json()
    row = next(s for s in second["summary"]["schools"] if s["code"] == "34070001")
    assert (row["quota"], row["admitted"], row["over_quota"], row["fill_rate"]) == (5, 3, 0, 0.6)
    assert second["params"]["quotas"][str(world.school_a.pk)] == 5


def test_out_of_zone_places_go_by_the_published_lottery(client: Any, world: Any):
    r = grade1(world, zone_rules=False, quotas=(2, 1, 1))
    a, b = world.school_a, world.school_b
    child(r, "TS0001", [a], "Z1")
    codes = ["TS0002", "TS0003", "TS0004"]
    for code in codes:
        child(r, code, [a, b], "Z9")
    login(client, world.department)
    body = run(client, r).json()
    order = sorted(codes, key=lambda code: zones.lottery_key(r.pk, code))
    results = client.get(f"{API}runs/{body['id']}/results/").json()["results"]
    got = {x["application_code"]: (x["school_code"], x["reason"]) for x in results}
    assert got == {
        "TS0001": ("34070001", "admitted"),
        order[0]: ("34070001", "admitted"),
        order[1]: ("34070002", "admitted"),
        order[2]: (None, "no_place"),
    }
    row = next(s for s in body["summary"]["schools"] if s["code"] == "34070001")
    assert (row["in_zone"], row["by_lottery"], row["over_quota"]) == (1, 1, 0)


def test_exam_settings_are_refused_for_a_zone_run(client: Any, world: Any, r1):
    login(client, world.department)
    response = run(client, r1, penalties=["0", "1", "2"], tie_rule="tiebreak")
    assert response.status_code == 400
    assert response.json() == {
        "penalties": ["Placement by zone uses no penalties: there is no exam."],
        "tie_rule": [
            "Placement by zone uses no tie rule: free places go by the published lottery."
        ],
    }
    login(client, world.department, "vi")
    assert run(client, r1, tie_rule="admit_all").json() == {
        "tie_rule": [
            "Xét tuyển theo khu vực không dùng quy tắc xét bằng điểm: chỗ còn trống được xét "
            "theo thứ tự bốc thăm đã công bố."
        ]
    }
    assert not AssignmentRun.objects.exists()


@pytest.mark.parametrize(("who", "status"), [("principal", 403), ("parent", 404), (None, 401)])
def test_others_cannot_run_and_nothing_changes(client: Any, world: Any, r1, who, status):
    if who is not None:
        login(client, world.users[who])
    assert run(client, r1).status_code == status
    assert not AssignmentRun.objects.exists()


def test_open_round_is_refused(client: Any, world: Any, r1):
    AdmissionRound.objects.filter(pk=r1.pk).update(status="open")
    login(client, world.department)
    response = run(client, r1)
    assert response.json() == {"non_field_errors": ["Runs are made after registration closes."]}
    assert not AssignmentRun.objects.exists()


def test_exam_run_is_unchanged(client: Any, world: Any):
    r10 = make_round(world, quotas=(1, 1, 1))
    apply(r10, "HS0001", [world.school_a], score="27")
    apply(r10, "HS0002", [world.school_a, world.school_b], score="26")
    login(client, world.department)
    body = run(client, r10, penalties=["0", "1", "2"], tie_rule="tiebreak").json()
    stored = AssignmentRun.objects.get(pk=body["id"])
    assert body["method"] == "exam"
    assert body["summary"] == stored.summary
    assert "method" not in stored.params
    row = next(s for s in body["summary"]["schools"] if s["code"] == "34070001")
    assert (row["cutoff"], row["marks"], row["admitted"]) == (
        "27.00",
        ["27.00", "28.00", "29.00"],
        1,
    )
    assert body["summary"]["tie_rule"] == "tiebreak"


def test_schema_documents_both_summaries(client: Any, world: Any):
    login(client, world.department)
    schema = client.get("/api/schema/", {"format": "json"}).json()
    components = schema["components"]["schemas"]
    assert {"ExamRunSummary", "ZoneRunSummary", "RunSummary"} <= set(components)
    assert {"in_zone", "by_lottery", "over_quota"} <= set(
        components["ZoneSchoolSummary"]["properties"]
    )


@pytest.mark.parametrize(
    "data", [{"penalties": ["0", "1", "2"]}, {"tie_rule": "tiebreak"}, {"quotas": {"x": 1}}]
)
def test_a_school_is_refused_before_its_input_is_judged(client: Any, world: Any, r1, data):
    # Who may not run the round learns that, not what would be wrong with the request.
    login(client, world.principal)
    response = run(client, r1, **data)
    assert response.status_code == 403
    assert not AssignmentRun.objects.exists()
