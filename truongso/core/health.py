"""Health of the parts a request depends on: the database and the task queue."""

from __future__ import annotations

import datetime as dt
import time
from typing import Any

from django.conf import settings
from django.db import connection
from django.utils import timezone

from truongso.core.models import WorkerHeartbeat
from truongso.core.worker import HEARTBEAT_SECONDS


def database_status() -> dict[str, Any]:
    started = time.perf_counter()
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:
        return {"status": "error", "vendor": connection.vendor, "error": str(exc)[:200]}
    return {
        "status": "ok",
        "vendor": connection.vendor,
        "latency_ms": round((time.perf_counter() - started) * 1000, 2),
    }


def queue_status() -> dict[str, Any]:
    from truongso.celery import app

    broker = app.conf.broker_url.split(":", 1)[0]
    if settings.CELERY_TASK_ALWAYS_EAGER:
        return {"status": "ok", "broker": "eager", "workers": 0}
    try:
        with app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
    except Exception as exc:
        return {"status": "error", "broker": broker, "error": str(exc)[:200]}
    fresh = timezone.now() - dt.timedelta(seconds=HEARTBEAT_SECONDS * 3)
    try:
        workers = WorkerHeartbeat.objects.filter(seen_at__gte=fresh).count()
    except Exception:
        workers = None
    return {
        "status": "ok" if workers else "degraded",
        "broker": broker,
        "workers": workers,
    }
