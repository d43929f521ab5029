"""The admissions applications API: scoped lists per role, detail, review and confirmation in
person through the existing services; refusals change nothing; constant query count."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from truongso.admissions.models import Application, ApplicationStatus, ConfirmationStatus
from truongso.admissions.tests.results_helpers import Published, published_round
from truongso.admissions.tests.rounds_world import apply
from truongso.core.authz import SYSTEM
from truongso.core.models import AuditEntry
from truongso.registry.services import classes
from truongso.testing.live import client_login

pytestmark = pytest.mark.django_db
API = "/api/v1/admissions/applications/"


def login(client: Any, user: Any) -> None:
    client_login(client, user)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"


@pytest.fixture
def pub(world: Any) -> Published:
    classes.class_create(
        actor=SYSTEM, school=world.school_b, school_year=world.year, grade=6, name="6B1"
    )
    published = published_round(world)
    now = timezone.now()
    round_ = published.round
    round_.results_publish_at = now - dt.timedelta(days=1)
    round_.confirmation_deadline = now + dt.timedelta(days=7)
    round_.save()
    return published


def codes(client: Any, **params: Any) -> list[str]:
    response = client.get(API, params)
    assert response.status_code == 200
    return sorted(r["code"] for r in response.json()["results"])


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        ("bureau", ["TS25000001", "TS25000002", "TS25000003", "TS25000004"]),
        ("department", ["TS25000001", "TS25000002", "TS25000003", "TS25000004"]),
        ("principal", ["TS25000001", "TS25000002", "TS25000003", "TS25000004"]),
        ("principal_c", []),
        ("other_bureau", []),
        ("teacher", []),
        ("parent", []),
    ],
)
def test_list_is_scoped_per_role(
    client: Any, world: Any, pub: Published, who: str, expected: list[str]
) -> None:
    login(client, getattr(world, who))
    assert codes(client) == expected


def test_filters_search_and_pagination(client: Any, world: Any, pub: Published) -> None:
    login(client, world.bureau)
    assert codes(client, school=world.school_b.pk) == ["TS25000001", "TS25000003", "TS25000004"]
    assert codes(client, round=pub.round.pk + 1000) == []
    assert codes(client, round=pub.round.pk, q="lan") == ["TS25000002"]
    assert codes(client, q="ts25000004") == ["TS25000004"]
    Application.objects.filter(code="TS25000003").update(status=ApplicationStatus.RETURNED)
    assert codes(client, status="returned") == ["TS25000003"]
    assert client.get(API, {"status": "bogus"}).status_code == 400
    body = client.get(API, {"page_size": 2}).json()
    assert body["count"] == 4
    assert len(body["results"]) == 2
    first = client.get(API).json()["results"][0]
    assert [p["school_code"] for p in first["preferences"]] == ["34070001", "34070002"]


def test_list_query_count_is_constant(client: Any, world: Any, pub: Published) -> None:
    login(client, world.bureau)
    with CaptureQueriesContext(connection) as few:
        client.get(API)
    for n in range(5, 25):
        apply(pub.round, f"TS2500{n:04d}", [world.school_a, world.school_b])
    with CaptureQueriesContext(connection) as many:
        response = client.get(API)
    assert response.json()["count"] == 24
    assert len(many.captured_queries) == len(few.captured_queries)


def test_detail_has_preferences_scores_result_and_confirmation(
    client: Any, world: Any, pub: Published
) -> None:
    login(client, world.principal)
    lan = pub.apps["lan"]
    lan.scores.create(subject="toan", score="9.50")
    body = client.get(f"{API}{lan.pk}/").json()
    assert body["code"] == "TS25000002"
    assert body["preferences"] == [
        {
            "rank": 1,
            "school": world.school_a.pk,
            "school_code": "34070001",
            "school_name": world.school_a.name,
        }
    ]
    assert body["scores"] == [{"subject": "toan", "score": "9.50"}]
    assert body["result"]["school_code"] == "34070001"
    assert body["result"]["preference"] == 1
    assert body["result"]["published"] is True
    assert body["confirmation"] == ConfirmationStatus.PENDING
    login(client, world.principal_c)
    assert client.get(f"{API}{lan.pk}/").status_code == 404


def test_review_accept_and_return_with_note(client: Any, world: Any, pub: Published) -> None:
    login(client, world.principal)
    hoa = pub.apps["hoa"]
    url = f"{API}{hoa.pk}/review/"
    response = client.post(url, {"decision": "return"}, content_type="application/json")
    assert response.status_code == 400
    assert response.json() == {"note": ["Say what the parent must correct."]}
    hoa.refresh_from_db()
    assert hoa.status == ApplicationStatus.SUBMITTED
    response = client.post(
        url, {"decision": "return", "note": "Thiếu học bạ"}, content_type="application/json"
    )
    assert response.status_code == 200
    assert (response.json()["status"], response.json()["review_note"]) == (
        "returned",
        "Thiếu học bạ",
    )
    response = client.post(url, {"decision": "accept"}, content_type="application/json")
    assert response.json()["status"] == "accepted"
    assert (
        AuditEntry.objects.filter(action__in=["admission.return", "admission.accept"]).count() == 2
    )


@pytest.mark.parametrize("who", ["principal_c", "other_bureau", "teacher", "parent"])
def test_denied_review_and_confirm_change_nothing(
    client: Any, world: Any, pub: Published, who: str
) -> None:
    login(client, getattr(world, who))
    lan = pub.apps["lan"]
    for path, data in (("review", {"decision": "accept"}), ("confirm", {}), ("decline", {})):
        response = client.post(f"{API}{lan.pk}/{path}/", data, content_type="application/json")
        assert response.status_code in (403, 404)
    lan.refresh_from_db()
    assert (lan.status, lan.confirmation, lan.student_id) == (
        ApplicationStatus.SUBMITTED,
        ConfirmationStatus.PENDING,
        None,
    )
    assert not AuditEntry.objects.filter(action__startswith="admission.").exists()


def test_school_confirms_in_person(client: Any, world: Any, pub: Published) -> None:
    login(client, world.principal)
    minh = pub.apps["minh"]
    response = client.post(f"{API}{minh.pk}/confirm/", {}, content_type="application/json")
    assert response.status_code == 200
    assert response.json()["confirmation"] == "confirmed"
    response = client.post(f"{API}{minh.pk}/decline/", {}, content_type="application/json")
    assert response.status_code == 400
    minh.refresh_from_db()
    assert minh.confirmation == ConfirmationStatus.CONFIRMED
    hoa = pub.apps["hoa"]
    response = client.post(f"{API}{hoa.pk}/confirm/", {}, content_type="application/json")
    assert response.status_code in (400, 403)
    hoa.refresh_from_db()
    assert hoa.confirmation == ""


def test_schema_lists_the_application_routes(client: Any, world: Any) -> None:
    login(client, world.department)
    paths = client.get("/api/schema/", {"format": "json"}).json()["paths"]
    assert "/api/v1/admissions/applications/" in paths
    assert "/api/v1/admissions/applications/{id}/" in paths
    assert "/api/v1/admissions/applications/{id}/review/" in paths
    assert "/api/v1/admissions/applications/{id}/confirm/" in paths
