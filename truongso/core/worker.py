"""Worker heartbeat: each Celery worker records a sign of life every 30 s for /healthz."""

from __future__ import annotations

from typing import Any

from celery import bootsteps
from django.db import close_old_connections
from django.utils import timezone

HEARTBEAT_SECONDS = 30.0


def beat(hostname: str) -> None:
    from truongso.core.models import WorkerHeartbeat

    close_old_connections()
    WorkerHeartbeat.objects.update_or_create(
        hostname=hostname, defaults={"seen_at": timezone.now()}
    )


class HeartbeatStep(bootsteps.StartStopStep):  # type: ignore[misc]
    requires = {"celery.worker.components:Timer"}

    def __init__(self, worker: Any, **kwargs: Any) -> None:
        self.tref: Any = None

    def start(self, worker: Any) -> None:
        beat(worker.hostname)
        self.tref = worker.timer.call_repeatedly(HEARTBEAT_SECONDS, beat, (worker.hostname,))

    def stop(self, worker: Any) -> None:
        if self.tref is not None:
            self.tref.cancel()
