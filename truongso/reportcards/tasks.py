"""Background jobs of the report cards; each is idempotent (it claims its batch first and a
stage already signed is never signed again)."""

from __future__ import annotations

from celery import shared_task

from truongso.reportcards.services.batches import batch_execute


@shared_task(name="reportcards.issue_batch", acks_late=True, ignore_result=True)  # type: ignore[untyped-decorator]
def issue_batch_task(batch_id: int) -> None:
    batch_execute(batch_id=batch_id)
