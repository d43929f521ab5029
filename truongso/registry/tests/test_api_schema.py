"""The OpenAPI 3 schema (complete, valid, no generator warning), the offline Swagger UI,
and the rate limits of the API."""

from __future__ import annotations

import re

import pytest
from django.core.management import call_command
from rest_framework.settings import api_settings
from rest_framework.test import APIClient
from rest_framework.throttling import AnonRateThrottle, UserRateThrottle

from truongso.registry.tests.api_support import API, api_clients

PATHS = {
    "/api/v1/me/": {"get"},
    "/api/v1/org-units/": {"get", "post"},
    "/api/v1/org-units/{id}/": {"get", "patch"},
    "/api/v1/school-years/": {"get"},
    "/api/v1/subjects/": {"get"},
    "/api/v1/grade-subjects/": {"get"},
    "/api/v1/classes/": {"get", "post"},
    "/api/v1/classes/{id}/": {"get", "put", "patch"},
    "/api/v1/classes/{id}/students/": {"get"},
    "/api/v1/teaching-assignments/": {"get", "post"},
    "/api/v1/teaching-assignments/{id}/": {"delete"},
    "/api/v1/staff/": {"get", "post"},
    "/api/v1/staff/{id}/": {"get", "patch"},
    "/api/v1/students/": {"get", "post"},
    "/api/v1/students/{id}/": {"get", "patch"},
    "/api/v1/students/{id}/learner-id/": {"post"},
    "/api/v1/students/{id}/history/": {"get"},
    "/api/v1/students/{id}/guardians/": {"post"},
    "/api/v1/students/{id}/transfer/": {"post"},
    "/api/v1/students/{id}/class-change/": {"post"},
    "/api/v1/students/{id}/exit/": {"post"},
    "/api/v1/transfers/": {"get"},
    "/api/v1/transfers/{id}/": {"get"},
    "/api/v1/transfers/{id}/accept/": {"post"},
    "/api/v1/transfers/{id}/decline/": {"post"},
    "/api/v1/transfers/{id}/cancel/": {"post"},
}
COMPONENTS = {
    "Me",
    "OrgUnit",
    "OrgUnitCreateRequest",
    "PatchedOrgUnitUpdateRequest",
    "SchoolYear",
    "Subject",
    "GradeSubject",
    "Class",
    "ClassCreateRequest",
    "TeachingAssignment",
    "AssignmentCreateRequest",
    "Staff",
    "StaffCreateRequest",
    "PatchedStaffUpdateRequest",
    "StudentRow",
    "PaginatedStudentRowList",
    "StudentDetail",
    "StudentAdmitRequest",
    "PatchedStudentUpdateRequest",
    "StudentHistory",
    "GuardianLinkRequest",
    "StudentTransferRequest",
    "ClassChangeRequest",
    "StudentExitRequest",
    "Transfer",
    "TransferAcceptRequest",
    "TransferDecisionRequest",
    "ErrorDetail",
}


@pytest.fixture
def schema(db):
    response = APIClient().get("/api/schema/", {"format": "json"}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    return response.json()


def test_schema_has_every_endpoint_and_component(schema):
    assert schema["openapi"].startswith("3.")
    # Other apps check their own endpoints (<app>/tests/test_api*.py).
    others = ("gradebook", "reportcards", "payments", "admissions")
    paths = {
        path: set(ops) - {"parameters"}
        for path, ops in schema["paths"].items()
        if not path.startswith(tuple(f"/api/v1/{app}/" for app in others))
    }
    assert paths == PATHS
    assert set(schema["components"]["schemas"]) >= COMPONENTS
    assert set(schema["components"]["securitySchemes"]) == {"bearerToken", "cookieAuth"}


def test_schema_operations_name_their_bodies_and_errors(schema):
    students = schema["paths"]["/api/v1/students/"]
    admit = students["post"]
    assert admit["requestBody"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/StudentAdmitRequest"
    }
    assert set(admit["responses"]) == {"201", "400", "403"}
    listed = students["get"]["responses"]["200"]["content"]["application/json"]["schema"]
    assert listed == {"$ref": "#/components/schemas/PaginatedStudentRowList"}
    filters = {p["name"] for p in students["get"]["parameters"]}
    assert filters == {"q", "school", "class", "grade", "status", "page", "page_size"}
    exit_ = schema["paths"]["/api/v1/students/{id}/exit/"]["post"]
    assert set(exit_["responses"]) == {"200", "400", "403", "404"}
    row = schema["components"]["schemas"]["StudentRow"]["properties"]
    assert {"identifier", "ethnicity_name", "school", "current_class"} <= set(row)


def test_schema_command_validates_without_warnings(tmp_path):
    target = tmp_path / "schema.yaml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(target))
    assert "/api/v1/students/{id}/history/" in target.read_text(encoding="utf-8")


def test_schema_speaks_vietnamese_by_default(db):
    body = APIClient().get("/api/schema/", {"format": "json"}).json()
    assert body["paths"]["/api/v1/students/"]["get"]["summary"] == "Học sinh bạn được xem"


@pytest.mark.parametrize("url", ["/api/docs/", "/api/redoc/"])
def test_api_docs_use_local_assets_only(db, url):
    client = APIClient()
    page = client.get(url)
    assert page.status_code == 200
    html = page.content.decode()
    references = re.findall(r"""(?:src|href)\s*=\s*["']([^"']+)["']""", html)
    assets = [ref for ref in references if not ref.startswith("#")]
    assert assets, html
    for ref in assets:
        assert ref.startswith("/static/"), ref
        assert client.get(ref).status_code == 200, ref
    assert not re.search(r"https?://|//cdn|unpkg|jsdelivr|cdnjs", html)
    assert "/api/schema/" in html


def test_throttles_are_on(world):
    assert [AnonRateThrottle, UserRateThrottle] == api_settings.DEFAULT_THROTTLE_CLASSES
    assert api_settings.DEFAULT_THROTTLE_RATES == {"anon": "60/min", "user": "1200/min"}


def test_user_rate_limit_answers_429_in_vietnamese(world, monkeypatch):
    api = api_clients(world, monkeypatch)
    monkeypatch.setattr(UserRateThrottle, "THROTTLE_RATES", {"user": "3/min"})
    client = api("teacher")
    statuses = [client.get(f"{API}/students/").status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    refused = client.get(f"{API}/students/")
    assert re.fullmatch(
        r"Quá nhiều yêu cầu\. Vui lòng thử lại sau \d+ giây\.", refused.json()["detail"]
    )
    assert int(refused["Retry-After"]) > 0
    # Another user has a budget of her own.
    assert api("principal").get(f"{API}/students/").status_code == 200


def test_anonymous_rate_limit(world, monkeypatch):
    api_clients(world, monkeypatch)  # separate throttle counters for this test
    monkeypatch.setattr(AnonRateThrottle, "THROTTLE_RATES", {"anon": "2/min"})
    client = APIClient()
    statuses = [client.get("/api/schema/").status_code for _ in range(3)]
    assert statuses == [200, 200, 429]
