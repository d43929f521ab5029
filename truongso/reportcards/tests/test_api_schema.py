from __future__ import annotations

import pytest
from rest_framework.test import APIClient


@pytest.fixture
def schema(db):
    response = APIClient().get("/api/schema/", {"format": "json"}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    return response.json()


def test_reportcard_endpoints_in_schema(schema):
    paths = {
        path: set(ops) - {"parameters"}
        for path, ops in schema["paths"].items()
        if path.startswith("/api/v1/reportcards/")
    }
    assert paths == {
        "/api/v1/reportcards/verify/": {"post"},
        "/api/v1/reportcards/verify/{code}/": {"get"},
        "/api/v1/reportcards/students/{id}/cards/": {"get"},
    }
    verify = schema["paths"]["/api/v1/reportcards/verify/{code}/"]["get"]
    assert verify["security"] == [{}]  # public
    assert set(schema["components"]["schemas"]) >= {
        "ReportCardPublic",
        "ReportCardFileCheck",
        "ReportCardItem",
    }
