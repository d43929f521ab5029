"""The gradebook endpoints in the OpenAPI schema: every path and method, named request and
response components, documented errors; the schema still validates without warnings."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

PREFIX = "/api/v1/gradebook"
PATHS = {
    "/classes/{class_id}/subjects/{subject_code}/semesters/{semester}/": {"get", "post"},
    "/classes/{class_id}/semesters/{semester}/scores/": {"post"},
    "/classes/{class_id}/semesters/{semester}/homeroom/": {"get", "post"},
    "/classes/{class_id}/results/": {"get"},
    "/students/{student_id}/results/": {"get"},
    "/schools/{school_id}/summary/": {"get"},
    "/late-changes/": {"get", "post"},
    "/late-changes/{id}/": {"get"},
    "/late-changes/{id}/decide/": {"post"},
}
COMPONENTS = {
    "Grid",
    "GridColumn",
    "GridRow",
    "CellChangesRequest",
    "ManyCellChangesRequest",
    "GridSaved",
    "ManySaved",
    "CellErrors",
    "CellError",
    "HomeroomSheet",
    "HomeroomSaved",
    "ClassResults",
    "ResultRow",
    "Outcome",
    "StudentResults",
    "TermResult",
    "SchoolSummary",
    "Tally",
    "LevelCount",
    "LateChange",
    "LateChangeCreateRequest",
    "DecisionRequest",
    "PaginatedLateChangeList",
}


@pytest.fixture
def schema(db):
    response = APIClient().get("/api/schema/", {"format": "json"}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    return response.json()


def test_every_gradebook_endpoint_and_component(schema):
    paths = {
        path.removeprefix(PREFIX): set(ops) - {"parameters"}
        for path, ops in schema["paths"].items()
        if path.startswith(PREFIX)
    }
    assert paths == PATHS
    assert set(schema["components"]["schemas"]) >= COMPONENTS


def ref(name):
    return {"$ref": f"#/components/schemas/{name}"}


def test_saves_document_their_bodies_and_errors(schema):
    grid = schema["paths"][
        f"{PREFIX}/classes/{{class_id}}/subjects/{{subject_code}}/semesters/{{semester}}/"
    ]
    save = grid["post"]
    assert save["requestBody"]["content"]["application/json"]["schema"] == ref("CellChangesRequest")
    assert set(save["responses"]) == {"200", "400", "403", "404", "409"}
    conflict = save["responses"]["409"]["content"]["application/json"]["schema"]
    assert conflict == ref("CellErrors")
    invalid = save["responses"]["400"]["content"]["application/json"]["schema"]
    assert invalid["oneOf"][0] == ref("CellErrors")
    params = {p["name"]: p for p in save["parameters"]}
    assert set(params) == {"class_id", "subject_code", "semester"}
    assert params["semester"]["schema"] == {"type": "integer", "enum": [1, 2]}
    assert set(grid["get"]["responses"]) == {"200", "404"}
    error = schema["components"]["schemas"]["CellError"]["properties"]
    assert set(error) == {"student", "subject", "code", "message", "current"}


def test_reads_document_their_filters(schema):
    results = schema["paths"][f"{PREFIX}/classes/{{class_id}}/results/"]["get"]
    assert {p["name"] for p in results["parameters"]} == {"class_id", "period"}
    summary = schema["paths"][f"{PREFIX}/schools/{{school_id}}/summary/"]["get"]
    assert {p["name"] for p in summary["parameters"]} == {"school_id", "period", "year"}
    assert set(summary["responses"]) == {"200", "400", "403", "404"}
    listed = schema["paths"][f"{PREFIX}/late-changes/"]["get"]["responses"]["200"]
    assert listed["content"]["application/json"]["schema"] == ref("PaginatedLateChangeList")


def test_summaries_are_in_vietnamese_by_default(db):
    body = APIClient().get("/api/schema/", {"format": "json"}).json()
    grid = body["paths"][
        f"{PREFIX}/classes/{{class_id}}/subjects/{{subject_code}}/semesters/{{semester}}/"
    ]
    assert (
        grid["get"]["summary"]
        == "Sổ điểm một môn của lớp trong học kì: các cột, các dòng, điểm trung bình"
    )
