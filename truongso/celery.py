"""The Celery application. The broker is Redis in production and a folder on disk by default."""

from __future__ import annotations

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "truongso.settings")

app = Celery("truongso")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@app.on_after_configure.connect  # type: ignore[untyped-decorator]
def _make_queue_folders(sender: Celery, **kwargs: object) -> None:
    options = sender.conf.broker_transport_options or {}
    for key in ("data_folder_in", "data_folder_out", "processed_folder"):
        if options.get(key):
            os.makedirs(options[key], exist_ok=True)


def _install_heartbeat() -> None:
    from truongso.core.worker import HeartbeatStep

    app.steps["worker"].add(HeartbeatStep)


_install_heartbeat()
