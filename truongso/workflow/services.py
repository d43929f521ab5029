"""Submitting, deciding and withdrawing approval requests; every step audited."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from truongso.core import authz
from truongso.core.audit import audit_record
from truongso.workflow.handlers import handler_for
from truongso.workflow.models import (
    OPEN_STATUSES,
    ApprovalComment,
    ApprovalRequest,
    RequestStatus,
)


def _user(actor: Any) -> Any:
    return actor if getattr(actor, "pk", None) else None


def approval_submit(
    *,
    actor: Any,
    kind: str,
    org_unit: Any,
    target_type: str,
    target_id: str,
    title: str,
    payload: Mapping[str, Any],
    reason: str,
    due_at: dt.datetime | None = None,
) -> ApprovalRequest:
    """File a request. The calling domain service has already checked that the actor may
    ask; this checks the reason and that the handler accepts the payload."""
    handler = handler_for(kind)
    reason = reason.strip()
    if len(reason) < 5:
        raise ValidationError({"reason": _("Give the reason for the request.")})
    request = ApprovalRequest(
        kind=kind,
        org_unit=org_unit,
        target_type=target_type,
        target_id=str(target_id),
        title=title[:255],
        payload=dict(payload),
        reason=reason,
        requested_by=_user(actor),
        due_at=due_at,
    )
    handler.check(request)
    with transaction.atomic():
        request.save()
        audit_record(
            actor=actor,
            action="approval.submit",
            obj=request,
            after={"kind": kind, "payload": request.payload, "reason": reason},
        )
    return request


def _decidable(actor: Any, request: ApprovalRequest) -> None:
    handler = handler_for(request.kind)
    if not authz.can(actor, handler.decide_perm, request.org_unit.path):
        raise PermissionDenied(_("You cannot decide on this request."))
    if request.requested_by_id is not None and request.requested_by_id == getattr(
        actor, "pk", None
    ):
        raise PermissionDenied(_("Nobody decides on their own request."))


def approval_decide(
    *, actor: Any, request: ApprovalRequest, decision: str, note: str = ""
) -> ApprovalRequest:
    """Approve (and apply), reject, or return a request for changes."""
    if decision not in (RequestStatus.APPROVED, RequestStatus.REJECTED, RequestStatus.RETURNED):
        raise ValidationError({"decision": _("Unknown decision.")})
    if decision != RequestStatus.APPROVED and not note.strip():
        raise ValidationError({"note": _("Say why the request is not approved.")})
    _decidable(actor, request)
    with transaction.atomic():
        request = ApprovalRequest.objects.select_for_update().get(pk=request.pk)
        if request.status != RequestStatus.SUBMITTED:
            raise ValidationError(_("This request is not waiting for a decision."))
        handler = handler_for(request.kind)
        if decision == RequestStatus.APPROVED:
            handler.check(request)
            handler.apply(request, actor)
        request.status = decision
        request.decided_by = _user(actor)
        request.decided_at = timezone.now()
        request.decision_note = note.strip()
        request.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
        audit_record(
            actor=actor,
            action=f"approval.{decision}",
            obj=request,
            before={"status": RequestStatus.SUBMITTED},
            after={"status": decision, "note": request.decision_note},
        )
    return request


def approval_resubmit(
    *, actor: Any, request: ApprovalRequest, payload: Mapping[str, Any], reason: str
) -> ApprovalRequest:
    """The requester answers a returned request with a corrected one."""
    if request.requested_by_id != getattr(actor, "pk", None):
        raise PermissionDenied(_("Only the requester can change the request."))
    with transaction.atomic():
        request = ApprovalRequest.objects.select_for_update().get(pk=request.pk)
        if request.status != RequestStatus.RETURNED:
            raise ValidationError(_("Only a returned request can be submitted again."))
        before = {"payload": request.payload, "reason": request.reason}
        request.payload = dict(payload)
        request.reason = reason.strip()
        handler_for(request.kind).check(request)
        request.status = RequestStatus.SUBMITTED
        request.save(update_fields=["payload", "reason", "status"])
        audit_record(
            actor=actor,
            action="approval.resubmit",
            obj=request,
            before=before,
            after={"payload": request.payload, "reason": request.reason},
        )
    return request


def approval_withdraw(*, actor: Any, request: ApprovalRequest) -> ApprovalRequest:
    if request.requested_by_id != getattr(actor, "pk", None):
        raise PermissionDenied(_("Only the requester can withdraw the request."))
    with transaction.atomic():
        request = ApprovalRequest.objects.select_for_update().get(pk=request.pk)
        if request.status not in OPEN_STATUSES:
            raise ValidationError(_("This request has already been decided."))
        request.status = RequestStatus.WITHDRAWN
        request.save(update_fields=["status"])
        audit_record(actor=actor, action="approval.withdraw", obj=request)
    return request


def approval_comment(*, actor: Any, request: ApprovalRequest, text: str) -> ApprovalComment:
    """A comment by the requester or a decider."""
    handler = handler_for(request.kind)
    is_party = request.requested_by_id == getattr(actor, "pk", None) or authz.can(
        actor, handler.decide_perm, request.org_unit.path
    )
    if not is_party:
        raise PermissionDenied(_("You cannot comment on this request."))
    text = text.strip()
    if not text:
        raise ValidationError({"text": _("This field is required.")})
    with transaction.atomic():
        comment = ApprovalComment.objects.create(request=request, author=_user(actor), text=text)
        audit_record(actor=actor, action="approval.comment", obj=request, after={"text": text})
    return comment
