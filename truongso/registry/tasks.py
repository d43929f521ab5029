"""Background jobs of the registry. Each is idempotent: it claims its import job by id and
status first, so a task delivered twice (``acks_late``) does the work once."""

from __future__ import annotations

from celery import shared_task

from truongso.registry.imports import jobs


@shared_task(name="registry.import_job_check", acks_late=True, ignore_result=True)  # type: ignore[untyped-decorator]
def import_job_check_task(job_id: int) -> None:
    jobs.import_job_check(job_id=job_id)


@shared_task(name="registry.import_job_apply", acks_late=True, ignore_result=True)  # type: ignore[untyped-decorator]
def import_job_apply_task(job_id: int) -> None:
    jobs.import_job_apply(job_id=job_id)
