"""Online payment pages: start (redirect to the gateway), return (the payer comes back), IPN
(the gateway's server confirms). Thin: the checks and the money are in ``gateway.services``."""

from __future__ import annotations

import logging

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods

from truongso.core import authz, context
from truongso.core.authz import Perm
from truongso.core.typing import AuthedRequest
from truongso.payments.gateway import vnpay
from truongso.payments.gateway.services import (
    ReplyOutcome,
    gateway_config,
    gateway_order_start,
    gateway_reply_apply,
)
from truongso.payments.models import GatewayOrderStatus, Invoice

log = logging.getLogger(__name__)


def _single_values(request: HttpRequest) -> dict[str, str] | None:
    """The query as a plain dict; ``None`` when a field is repeated (never guess which)."""
    single: dict[str, str] = {}
    for key, values in request.GET.lists():
        if len(values) != 1:
            return None
        single[key] = str(values[0])
    return single


@login_required
@require_http_methods(["GET", "POST"])
def gateway_start(request: AuthedRequest, pk: int) -> HttpResponse:
    """GET: what will be paid, and a button; POST: a new order and the redirect to the gateway
    (a link or a prefetch never creates an order)."""
    invoice = (
        authz.scope(request.user, Perm.PAYMENT_VIEW, Invoice.objects.select_related("school"))
        .filter(pk=pk)
        .first()
    )
    if invoice is None:
        raise Http404
    if request.method == "GET":
        return render(
            request,
            "payments/gateway/start.html",
            {"invoice": invoice, "enabled": gateway_config() is not None},
        )
    try:
        _order, url = gateway_order_start(
            actor=request.user,
            invoice=invoice,
            client_ip=context.current().ip or request.META.get("REMOTE_ADDR", ""),
            return_url=request.build_absolute_uri(reverse("payments:gateway_return")),
        )
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
        return redirect("payments:gateway_start", pk=invoice.pk)
    return redirect(url)


def _apply(request: HttpRequest, source: str) -> ReplyOutcome:
    query = _single_values(request)
    if query is None:
        return ReplyOutcome(*vnpay.IPN_INVALID_SIGNATURE)
    try:
        return gateway_reply_apply(query=query, source=source)
    except Exception:
        # Rolled back: nothing was applied. The gateway retries an IPN that was not confirmed.
        log.exception("gateway %s failed", source)
        return ReplyOutcome(*vnpay.IPN_UNKNOWN_ERROR)


@csrf_exempt
@require_GET
def gateway_ipn(request: HttpRequest) -> JsonResponse:
    """The gateway's server-to-server confirmation; always HTTP 200 with its JSON reply."""
    return JsonResponse(_apply(request, "ipn").as_ipn())


@require_GET
def gateway_return(request: HttpRequest) -> HttpResponse:
    """Where the payer's browser comes back. Signed like the IPN and applied the same way (once),
    so a lost IPN does not leave a paid invoice open. Shows no personal data."""
    outcome = _apply(request, "return")
    order = outcome.order
    if order is not None:
        order.refresh_from_db(fields=["status"])
    ok_codes = {vnpay.IPN_OK[0], vnpay.IPN_ALREADY_CONFIRMED[0]}
    status = 200 if outcome.code in ok_codes else 400
    return render(
        request,
        "payments/gateway/return.html",
        {
            "outcome": outcome,
            "order": order if outcome.code in ok_codes else None,
            "paid": order is not None and order.status == GatewayOrderStatus.PAID,
            "response_code": request.GET.get("vnp_ResponseCode", ""),
        },
        status=status,
    )
