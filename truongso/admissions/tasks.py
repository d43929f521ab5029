"""Background jobs of admissions. Each is idempotent: the services they call check the state
they act on (a round already released returns its second round; a student already handed
over is not created twice), so a task delivered twice (``acks_late``) does the work once."""

from __future__ import annotations

import datetime as dt

from celery import shared_task
from django.db import transaction

from truongso.admissions.models import AdmissionRound


@shared_task(name="admissions.release_due", acks_late=True, ignore_result=True)  # type: ignore[untyped-decorator]
def release_due_task() -> int:
    """Release the unconfirmed places of every round past its confirmation deadline and
    retry pending registry hand-overs; returns the number of second rounds created."""
    from truongso.admissions.services.confirm import release_due

    return release_due()


def release_schedule(round_: AdmissionRound) -> None:
    """Queue the release for just after ``round_``'s confirmation deadline (no beat needed);
    called by whoever sets or publishes the deadline, after the transaction commits."""
    deadline = round_.confirmation_deadline
    if deadline is None:
        return
    eta = deadline + dt.timedelta(minutes=1)
    transaction.on_commit(lambda: release_due_task.apply_async(eta=eta))
