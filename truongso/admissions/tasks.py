"""Background jobs of admissions. Each is idempotent: the services they call check the state
they act on (a round already released returns its second round; a student already handed
over is not created twice; a notice to a parent already written is not sent again), so a
task delivered twice (``acks_late``) does the work once."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from celery import shared_task
from django.db import transaction
from django.utils import timezone

from truongso.admissions.models import AdmissionRound, RoundStatus


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


# A scheduled run comes this long after the moment it is for (clocks of the worker and the
# database may differ by a little; a run before the moment would find nothing due).
NOTIFY_SLACK = dt.timedelta(seconds=30)


@shared_task(name="admissions.notify_due", acks_late=True, ignore_result=True)  # type: ignore[untyped-decorator]
def notify_due_task() -> int:
    """Send the parents' text messages due now (results, reminders, released places), in
    batches; returns how many were sent."""
    from truongso.admissions.services.notify import notices_due_send

    return sum(notices_due_send().values())


def notify_schedule(round_: AdmissionRound) -> None:
    """Queue the parents' notices of ``round_`` after the transaction commits (no beat
    needed): a published round's at its publication time and when the reminder window opens,
    a finished (released) round's at once. ``manage.py admission_notify`` from cron does the
    same for whatever a lost or rescheduled task missed."""
    from truongso.admissions.services.notify import remind_before

    if round_.status == RoundStatus.FINISHED:
        transaction.on_commit(lambda: notify_due_task.apply_async())
        return
    if round_.status != RoundStatus.PUBLISHED:
        return
    published = round_.results_publish_at or timezone.now()
    etas = [published]
    if round_.confirmation_deadline is not None:
        reminders = round_.confirmation_deadline - remind_before()
        if reminders > published:
            etas.append(reminders)
    for eta in etas:
        transaction.on_commit(_notify_at(eta + NOTIFY_SLACK))


def _notify_at(eta: dt.datetime) -> Callable[[], None]:
    return lambda: notify_due_task.apply_async(eta=eta)
