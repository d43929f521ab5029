"""``GET /healthz``: the status of the database and the task queue, for load balancers."""

from __future__ import annotations

import datetime as dt
import os

import pytest
from django.db import OperationalError
from django.utils import timezone

from truongso.celery import app as celery_app
from truongso.core import health
from truongso.core.models import WorkerHeartbeat

UNREACHABLE = "redis://127.0.0.1:1/0"
IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}


@pytest.fixture
def broker(settings, monkeypatch):
    """Point the task queue at ``url`` for real (no eager mode), as a production server."""

    def point(url: str) -> None:
        settings.CELERY_BROKER_URL = url
        settings.CELERY_TASK_ALWAYS_EAGER = False
        monkeypatch.setattr(celery_app.conf, "broker_url", url)

    return point


def test_healthy_database_answers_200_with_both_parts(client, db):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/json"
    assert "no-cache" in response.headers["Cache-Control"]
    body = response.json()
    assert set(body) == {"status", "database", "queue"}
    assert body["status"] == "ok"
    database = body["database"]
    assert set(database) == {"status", "vendor", "latency_ms"}
    assert database["status"] == "ok"
    assert database["vendor"] in {"sqlite", "postgresql"}
    assert isinstance(database["latency_ms"], float) and database["latency_ms"] >= 0
    # Unit tests run tasks eagerly: no broker, no worker needed.
    assert body["queue"] == {"status": "ok", "broker": "eager", "workers": 0}


def test_healthz_needs_no_login_and_only_answers_get(client, db):
    assert client.get("/healthz").status_code == 200
    assert client.post("/healthz").status_code == 405


def test_unreachable_broker_answers_503(client, db, broker):
    broker(UNREACHABLE)
    response = client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "error"
    assert body["database"]["status"] == "ok"
    queue = body["queue"]
    assert set(queue) == {"status", "broker", "error"}
    assert queue["status"] == "error" and queue["broker"] == "redis"
    assert "127.0.0.1:1" in queue["error"]


def test_broken_database_answers_503(client, db, monkeypatch):
    class Broken:
        vendor = "postgresql"

        def cursor(self):
            raise OperationalError("could not connect to server")

    monkeypatch.setattr(health, "connection", Broken())
    response = client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "error"
    assert body["database"] == {
        "status": "error",
        "vendor": "postgresql",
        "error": "could not connect to server",
    }


@pytest.fixture
def redis_url() -> str:
    url = os.environ.get("REDIS_URL", "")
    if not url:
        if IN_CI:
            pytest.fail("CI must set REDIS_URL (see .ci/run)")
        pytest.skip("REDIS_URL is not set (CI sets it; export it to run this test)")
    return url


def test_reachable_redis_without_workers_is_degraded(client, db, broker, redis_url):
    broker(redis_url)
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "degraded"
    assert body["queue"] == {"status": "degraded", "broker": "redis", "workers": 0}


def test_reachable_redis_with_a_live_worker_is_ok(client, db, broker, redis_url):
    broker(redis_url)
    # What ``core.worker.beat`` writes (it also closes stale connections, which would end
    # the test's transaction on PostgreSQL).
    WorkerHeartbeat.objects.create(hostname="worker-1@app-server", seen_at=timezone.now())
    WorkerHeartbeat.objects.create(
        hostname="worker-2@gone", seen_at=timezone.now() - dt.timedelta(minutes=10)
    )
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["status"] == "ok"
    assert response.json()["queue"] == {"status": "ok", "broker": "redis", "workers": 1}
