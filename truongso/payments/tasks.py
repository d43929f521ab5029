"""Background jobs of the payments app; each is idempotent (it claims its run first)."""

from __future__ import annotations

from celery import shared_task

from truongso.payments.services.runs import invoice_run_execute
from truongso.payments.tasks_bank import statement_apply_task  # noqa: F401 (registered here)


@shared_task(name="payments.invoice_run", acks_late=True, ignore_result=True)  # type: ignore[untyped-decorator]
def invoice_run_task(run_id: int) -> None:
    invoice_run_execute(run_id=run_id)
