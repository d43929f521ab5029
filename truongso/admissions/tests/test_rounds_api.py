"""The admissions rounds API: rounds, schools, scores, runs, results, compare, publish;
the same refusals as the services (400 with messages, 403, 404), nothing changed when refused."""

from __future__ import annotations

import pytest

from truongso.admissions.models import AdmissionRound, AssignmentRun, RoundStatus
from truongso.admissions.tests.rounds_world import CLOSES, OPENS, apply, make_round
from truongso.testing.live import client_login

pytestmark = pytest.mark.django_db
API = "/api/v1/admissions/"


def login(client, user):
    client_login(client, user)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"


@pytest.fixture
def round10(world):
    r = make_round(world, quotas=(2, 1, 1))
    a, b = world.school_a, world.school_b
    apply(r, "HS0001", [a], score="27")
    apply(r, "HS0002", [a, b], score="26")
    apply(r, "HS0003", [a, b], score="25")
    apply(r, "HS0004", [b], score="24.5")
    return r


def test_rounds_list_detail_and_schools(client, world, round10):
    login(client, world.department)
    body = client.get(f"{API}rounds/").json()
    assert [r["name"] for r in body["results"]] == [round10.name]
    detail = client.get(f"{API}rounds/{round10.pk}/").json()
    assert detail["penalties"] == ["0", "1", "2"]
    schools = client.get(f"{API}rounds/{round10.pk}/schools/").json()
    a = next(x for x in schools if x["code"] == "34070001")
    assert (a["quota"], a["by_preference"], a["ratio"]) == (2, [3, 0, 0], "1.50")
    login(client, world.parent)
    assert client.get(f"{API}rounds/{round10.pk}/").status_code == 404


def test_create_round_refused_then_accepted(client, world):
    login(client, world.department)
    data = {
        "name": "Lớp 10",
        "kind": "grade10",
        "registration_opens": OPENS.isoformat(),
        "registration_closes": CLOSES.isoformat(),
        "formula": {"subjects": [{"code": "toan", "name": "Toán", "weight": 1}], "max_score": 10},
        "penalties": ["0", "2", "1"],
    }
    response = client.post(f"{API}rounds/", data, content_type="application/json")
    assert response.status_code == 400
    assert "penalties never decrease" in response.json()["penalties"][0]
    assert not AdmissionRound.objects.exists()
    data["penalties"] = ["0", "1", "2"]
    response = client.post(f"{API}rounds/", data, content_type="application/json")
    assert response.status_code == 201
    assert response.json()["organiser"] == world.department_unit.pk
    login(client, world.principal)
    response = client.post(f"{API}rounds/", data, content_type="application/json")
    assert response.status_code == 403
    assert AdmissionRound.objects.count() == 1


def test_scores_runs_results_compare_publish(client, world, round10):
    login(client, world.department)
    csv = "ma_ho_so,toan,van,anh\nHS0001,9,9,9\nHS0002,8,8,8\nHS0003,7,7,7\nHS0004,9,9,0\n"
    response = client.post(
        f"{API}rounds/{round10.pk}/scores/", {"csv": csv}, content_type="application/json"
    )
    assert response.json() == {"rows": 4, "changed": 4, "scored": 3, "excluded": 1}
    response = client.post(
        f"{API}runs/", {"round": round10.pk, "label": "A"}, content_type="application/json"
    )
    assert response.status_code == 201
    first = response.json()
    assert (first["applicants"], first["admitted"]) == (4, 3)
    response = client.post(
        f"{API}runs/",
        {"round": round10.pk, "label": "B", "quotas": {str(world.school_a.pk): 1}},
        content_type="application/json",
    )
    second = response.json()
    assert second["admitted"] == 2
    results = client.get(f"{API}runs/{first['id']}/results/").json()["results"]
    assert [(r["application_code"], r["school_code"], r["reason"]) for r in results] == [
        ("HS0001", "34070001", "admitted"),
        ("HS0002", "34070001", "admitted"),
        ("HS0003", "34070002", "admitted"),
        ("HS0004", None, "excluded"),
    ]
    compare = client.get(f"{API}runs/{first['id']}/compare/", {"with": second["id"]}).json()
    assert compare["moved"] == 2
    login(client, world.principal)
    assert (
        client.post(
            f"{API}runs/{first['id']}/publish/", {}, content_type="application/json"
        ).status_code
        == 403
    )
    login(client, world.department)
    response = client.post(f"{API}runs/{first['id']}/publish/", {}, content_type="application/json")
    assert response.status_code == 200
    assert response.json()["is_published"] is True
    round10.refresh_from_db()
    assert round10.status == RoundStatus.PUBLISHED
    response = client.post(
        f"{API}runs/{second['id']}/publish/", {}, content_type="application/json"
    )
    assert response.status_code == 400
    assert AssignmentRun.objects.filter(is_published=True).count() == 1


def test_schema_lists_the_admission_routes(client, world):
    login(client, world.department)
    schema = client.get("/api/schema/", {"format": "json"}).json()
    assert "/api/v1/admissions/rounds/" in schema["paths"]
    assert "/api/v1/admissions/runs/{id}/publish/" in schema["paths"]


def test_what_if_quotas_by_school_id_only(client, world, round10):
    login(client, world.department)
    response = client.post(
        f"{API}runs/",
        {"round": round10.pk, "quotas": {"34070001": 5, "THPT A": 3}},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert response.json() == {"quotas": ["Quotas are given by school id (a number)."]}
    assert not AssignmentRun.objects.exists()
