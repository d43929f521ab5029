"""Signing batches: the homeroom teacher signs her class, the principal the whole school.

``batch_start`` checks everything that can be checked before any card is touched (who signs,
the year is closed, the keys exist, open and have valid certificates), records the batch and
hands it to the worker after commit. The worker (``batch_execute``) claims the batch with a
conditional UPDATE (a task delivered twice runs once; a batch abandoned by a dead worker is
taken over after ``STALE_AFTER``), opens each key once for the whole batch (DESIGN.md §5) and
signs card by card, one transaction each (``cards.card_sign``). A card already signed at a
stage is skipped, so a batch killed half-way and started again never signs a student twice.
A failure (token removed, remote service down) stops the batch with its message; whatever
was signed stays signed and valid, and ``batch_resume`` carries on.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from truongso.core import authz
from truongso.core.audit import audit_record
from truongso.core.authz import Perm
from truongso.registry.models import OrgUnit, SchoolClass, SchoolYear, Student
from truongso.reportcards import keys
from truongso.reportcards.models import (
    BatchStage,
    BatchStatus,
    CardStatus,
    IssueBatch,
    ReportCard,
    SignerKey,
    SignerRole,
    Stage,
)
from truongso.reportcards.services.cards import (
    Signatory,
    card_prepare,
    card_sign,
    class_students,
    require_closed,
)

logger = logging.getLogger(__name__)
STALE_AFTER = dt.timedelta(minutes=10)


def _check_homeroom(actor: Any, school_class: SchoolClass) -> None:
    """Only the class's own homeroom teacher signs it (not a colleague, not the principal)."""
    led = authz.scope(actor, Perm.REPORTCARD_SIGN, SchoolClass.objects.filter(pk=school_class.pk))
    if not led.filter(homeroom_teacher__user_id=getattr(actor, "pk", None) or 0).exists():
        raise PermissionDenied(
            _("Only the homeroom teacher of %(c)s signs its report cards.")
            % {"c": school_class.name}
        )


def _signatory(key: SignerKey, name: str) -> Signatory:
    """Open the key and check its certificate now, so a wrong passphrase or PIN, an absent
    token or an expired or revoked certificate is refused before anything is signed."""
    from truongso.reportcards.signing.certs import check_signing_certificate
    from truongso.reportcards.signing.errors import SigningError

    try:
        backend = keys.backend_for(key)
        chain = backend.chain
        check_signing_certificate(chain[0], chain=chain[1:])
        subject = (
            str(chain[0].subject.native.get("common_name", "")) or chain[0].subject.human_friendly
        )
    except SigningError as exc:
        raise ValidationError(exc.message, code=exc.code) from None
    except (OSError, KeyError, ValueError) as exc:
        raise ValidationError(
            _("The signing key could not be opened: %(error)s") % {"error": exc}, code="config"
        ) from None
    return Signatory(backend, name, subject, key.is_test)


def _name(user: Any) -> str:
    return str(getattr(user, "full_name", "") or getattr(user, "username", ""))


def batch_signatories(batch: IssueBatch) -> dict[int, Signatory]:
    """The opened key of each stage the batch signs (once per batch)."""
    actor = batch.created_by
    if batch.stage == BatchStage.HOMEROOM:
        key = keys.key_for(school=batch.school, role=SignerRole.HOMEROOM, user=actor)
        return {Stage.HOMEROOM: _signatory(key, _name(actor))}
    principal = keys.key_for(school=batch.school, role=SignerRole.PRINCIPAL, user=actor)
    seal = keys.key_for(school=batch.school, role=SignerRole.SEAL)
    return {
        Stage.PRINCIPAL: _signatory(principal, _name(actor)),
        Stage.SEAL: _signatory(seal, batch.school.name),
    }


def batch_start(
    *,
    actor: Any,
    school_year: SchoolYear,
    school_class: SchoolClass | None = None,
    school: OrgUnit | None = None,
    enqueue: bool = True,
) -> IssueBatch:
    """The homeroom teacher's batch (``school_class``) or the principal's (``school``).

    ``enqueue=False``: the caller runs ``batch_execute`` itself (the demo seed)."""
    if school_class is not None:
        _check_homeroom(actor, school_class)
        school, stage = school_class.school, BatchStage.HOMEROOM
    else:
        assert school is not None
        if not authz.can(actor, Perm.REPORTCARD_ISSUE, school.path):
            raise PermissionDenied(_("Only the principal signs the school's report cards."))
        stage = BatchStage.PRINCIPAL
    require_closed(school, school_year)
    batch = IssueBatch(
        school=school,
        school_year=school_year,
        school_class=school_class,
        stage=stage,
        created_by=actor if getattr(actor, "pk", None) else None,
    )
    batch_signatories(batch)  # refuses now rather than half-way
    with transaction.atomic():
        running = IssueBatch.objects.select_for_update().filter(
            school=school,
            school_year=school_year,
            school_class=school_class,
            stage=stage,
            status__in=[BatchStatus.QUEUED, BatchStatus.RUNNING],
        )
        if running.exists():
            raise ValidationError(_("A signing batch of these report cards is already running."))
        batch.total = len(_work(batch))
        batch.save()
        audit_record(
            actor=actor,
            action="reportcards.batch.start",
            obj=batch,
            after={
                "stage": stage,
                "class": getattr(school_class, "pk", None),
                "total": batch.total,
            },
        )
        if enqueue:
            _enqueue(batch.pk)
    return batch


def _enqueue(batch_id: int) -> None:
    from truongso.reportcards.tasks import issue_batch_task

    transaction.on_commit(lambda: issue_batch_task.delay(batch_id))


def batch_resume(*, actor: Any, batch: IssueBatch) -> IssueBatch:
    """Hand a failed or abandoned batch to the worker again; it carries on where it stopped."""
    if batch.created_by_id != getattr(actor, "pk", None) and not getattr(
        actor, "is_superuser", False
    ):
        raise PermissionDenied(_("Only who started a signing batch resumes it."))
    batch.refresh_from_db()
    stale = timezone.now() - STALE_AFTER
    if not (
        batch.status in (BatchStatus.FAILED, BatchStatus.QUEUED)
        or (
            batch.status == BatchStatus.RUNNING and (batch.heartbeat_at or batch.created_at) < stale
        )
    ):
        raise ValidationError(_("This batch is not stopped: nothing to resume."))
    batch_signatories(batch)
    with transaction.atomic():
        IssueBatch.objects.filter(pk=batch.pk).update(status=BatchStatus.QUEUED, error="")
        audit_record(actor=actor, action="reportcards.batch.resume", obj=batch)
        _enqueue(batch.pk)
    batch.refresh_from_db()
    return batch


def _claim(batch_id: int) -> bool:
    now = timezone.now()
    stale = now - STALE_AFTER
    claimable = (
        Q(status__in=[BatchStatus.QUEUED, BatchStatus.FAILED])
        | Q(status=BatchStatus.RUNNING, heartbeat_at__lt=stale)
        | Q(status=BatchStatus.RUNNING, heartbeat_at__isnull=True)
    )
    return bool(
        IssueBatch.objects.filter(claimable, pk=batch_id).update(
            status=BatchStatus.RUNNING, heartbeat_at=now, done=0, skipped_count=0, error=""
        )
    )


def _work(batch: IssueBatch) -> list[int]:
    """Homeroom: the students of the class; principal: the school's cards being signed."""
    if batch.school_class is not None:
        return class_students(batch.school_class)
    cards = ReportCard.objects.filter(
        school=batch.school, school_year=batch.school_year, status=CardStatus.SIGNING
    )
    return list(
        cards.order_by("school_class__name", "student__search_name", "pk").values_list(
            "pk", flat=True
        )
    )


def _homeroom_one(batch: IssueBatch, student_id: int, signatory: Signatory) -> bool | None:
    assert batch.school_class is not None
    card = card_prepare(
        actor=authz.SYSTEM,
        student=Student.objects.get(pk=student_id),
        school_class=batch.school_class,
    )
    return card_sign(card_id=card.pk, stage=Stage.HOMEROOM, signatory=signatory)


def _principal_one(card_id: int, signatories: dict[int, Signatory]) -> bool | None:
    first = card_sign(
        card_id=card_id, stage=Stage.PRINCIPAL, signatory=signatories[Stage.PRINCIPAL]
    )
    if first is None:
        return None  # the homeroom teacher has not signed it yet
    sealed = card_sign(card_id=card_id, stage=Stage.SEAL, signatory=signatories[Stage.SEAL])
    return bool(first or sealed)


def _step(batch: IssueBatch, item: int, signatories: dict[int, Signatory]) -> bool | None:
    if batch.stage == BatchStage.HOMEROOM:
        return _homeroom_one(batch, item, signatories[Stage.HOMEROOM])
    return _principal_one(item, signatories)


def batch_execute(*, batch_id: int, stop_after: int | None = None) -> bool:
    """Sign the batch's cards (acting as the system). ``False`` when it was not claimable
    (finished, or run by another live worker) or failed. ``stop_after`` (tests) simulates a
    worker killed after that many cards: the batch is left running, as a dead worker would."""
    if not _claim(batch_id):
        return False
    batch = IssueBatch.objects.select_related(
        "school", "school_year", "school_class__school", "school_class__school_year", "created_by"
    ).get(pk=batch_id)
    try:
        signatories = batch_signatories(batch)
        items = _work(batch)
        IssueBatch.objects.filter(pk=batch_id).update(total=len(items))
        for done, item in enumerate(items, start=1):
            if stop_after is not None and done > stop_after:
                return False
            outcome = _step(batch, item, signatories)
            _progress(batch_id, done, outcome)
    except Exception as exc:
        logger.exception("report-card batch %s failed", batch_id)
        IssueBatch.objects.filter(pk=batch_id).update(status=BatchStatus.FAILED, error=_why(exc))
        return False
    IssueBatch.objects.filter(pk=batch_id).update(
        status=BatchStatus.DONE, finished_at=timezone.now()
    )
    return True


def _progress(batch_id: int, done: int, outcome: bool | None) -> None:
    from django.db.models import F

    changes: dict[str, Any] = {"done": done, "heartbeat_at": timezone.now()}
    if outcome:
        changes["signed_count"] = F("signed_count") + 1
    elif outcome is None:
        changes["skipped_count"] = F("skipped_count") + 1
    IssueBatch.objects.filter(pk=batch_id).update(**changes)


def _why(exc: Exception) -> str:
    message = getattr(exc, "message", None) or "; ".join(getattr(exc, "messages", [])) or str(exc)
    return str(message)[:2000]
