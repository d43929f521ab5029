"""Background job of the bank feed: applying a big statement (idempotent, see
``statements.statement_apply``)."""

from __future__ import annotations

from celery import shared_task

from truongso.payments.statements import statement_apply


@shared_task(name="payments.statement_apply", acks_late=True, ignore_result=True)  # type: ignore[untyped-decorator]
def statement_apply_task(statement_id: int) -> None:
    statement_apply(statement_id=statement_id)
