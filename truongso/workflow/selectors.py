from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404

from truongso.core import authz
from truongso.core.authz import Perm
from truongso.workflow.handlers import handler_for, kinds_decided_with
from truongso.workflow.models import ApprovalRequest, RequestStatus


def requests_to_decide(user: Any, perm: Perm) -> QuerySet[ApprovalRequest]:
    """Waiting requests the user may decide (kinds decided with ``perm``)."""
    kinds = kinds_decided_with(perm)
    waiting = ApprovalRequest.objects.filter(kind__in=kinds, status=RequestStatus.SUBMITTED)
    return authz.scope(user, perm, waiting).select_related("org_unit", "requested_by")


def my_requests(user: Any) -> QuerySet[ApprovalRequest]:
    return ApprovalRequest.objects.filter(requested_by=user).select_related("org_unit")


def request_detail(user: Any, pk: int) -> ApprovalRequest:
    """A request its requester or one of its deciders may open; 404 otherwise."""
    found = (
        ApprovalRequest.objects.select_related("org_unit", "requested_by", "decided_by")
        .filter(pk=pk)
        .first()
    )
    if found is None:
        raise Http404
    mine = found.requested_by_id == getattr(user, "pk", None)
    if not mine and not authz.can(user, handler_for(found.kind).decide_perm, found.org_unit.path):
        raise Http404
    return found


def requests_for_target(target_type: str, target_id: str) -> QuerySet[ApprovalRequest]:
    return ApprovalRequest.objects.filter(
        Q(target_type=target_type) & Q(target_id=str(target_id))
    ).order_by("-requested_at")
