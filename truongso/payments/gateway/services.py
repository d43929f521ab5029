"""Gateway orders: starting a web payment for an invoice, and applying the gateway's answer.

The answer (IPN from the gateway's server, or the browser's return) is applied at most once per
order: the order row is locked, and an order that is no longer pending answers "already
confirmed". The money goes in as one ``Payment`` (provider ``gateway``, reference = our order
reference, so even a replay with a new gateway transaction number cannot create a second one),
allocated to the invoice up to what is still due; anything beyond (the invoice was paid by a
transfer meanwhile, or cancelled) goes to the student's credit, so every đồng is accounted for.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from truongso.core import authz
from truongso.core.audit import audit_record
from truongso.core.authz import SYSTEM, Perm
from truongso.payments.gateway import vnpay
from truongso.payments.models import (
    AllocationHow,
    GatewayOrder,
    GatewayOrderStatus,
    Invoice,
    InvoiceStatus,
    PaymentMethod,
    SchoolBankAccount,
)
from truongso.payments.services.payments import (
    payment_allocate,
    payment_receive,
    payment_to_credit,
)
from truongso.payments.vietqr import strip_diacritics

log = logging.getLogger(__name__)
PROVIDER = "gateway"


@dataclass(frozen=True)
class GatewayConfig:
    url: str
    tmn_code: str
    secret: str
    expire_minutes: int


def gateway_config() -> GatewayConfig | None:
    """The configured gateway, or ``None`` when online payment is not offered."""
    secret = settings.PAYMENTS_GATEWAY_HASH_SECRET
    url = settings.PAYMENTS_GATEWAY_URL
    if not secret or (url.startswith("/") and not settings.PAYMENTS_FAKE_GATEWAY):
        return None
    return GatewayConfig(
        url=url,
        tmn_code=settings.PAYMENTS_GATEWAY_TMN_CODE,
        secret=secret,
        expire_minutes=settings.PAYMENTS_GATEWAY_EXPIRE_MINUTES,
    )


def _config() -> GatewayConfig:
    config = gateway_config()
    if config is None:
        raise ValidationError(_("Online payment is not set up for this installation."))
    return config


def order_info(invoice: Invoice) -> str:
    """What the gateway shows and sends back: ASCII, the invoice code first."""
    return strip_diacritics(f"Thanh toan {invoice.code} {invoice.reason}")[:255]


def gateway_order_start(
    *, actor: Any, invoice: Invoice, client_ip: str, return_url: str
) -> tuple[GatewayOrder, str]:
    """A new order for what is due on ``invoice`` and the signed URL to send the payer to.

    Whoever may see the invoice may pay it (the parent, the student, the accountant).
    """
    config = _config()
    if not authz.check(actor, Perm.PAYMENT_VIEW, invoice):
        raise PermissionDenied(_("You cannot pay this invoice."))
    with transaction.atomic():
        invoice = Invoice.objects.select_for_update().get(pk=invoice.pk)
        if invoice.status == InvoiceStatus.CANCELLED or invoice.balance <= 0:
            raise ValidationError(
                _("Invoice %(code)s has nothing left to pay.") % {"code": invoice.code}
            )
        order = GatewayOrder.objects.create(
            invoice=invoice,
            txn_ref=f"{invoice.code}{secrets.token_hex(4).upper()}",
            amount=invoice.balance,
            created_by=actor if getattr(actor, "pk", None) else None,
        )
        audit_record(
            actor=actor,
            action="gateway_order_start",
            obj=order,
            org_path=invoice.school.path,
            after={"invoice": invoice.code, "amount": order.amount, "txn_ref": order.txn_ref},
        )
    request = vnpay.PayRequest(
        tmn_code=config.tmn_code,
        txn_ref=order.txn_ref,
        amount=order.amount,
        order_info=order_info(invoice),
        return_url=return_url,
        ip_addr=client_ip or "127.0.0.1",
        created_at=order.created_at,
        expire_minutes=config.expire_minutes,
    )
    return order, vnpay.pay_url(config.url, request, config.secret)


@dataclass(frozen=True)
class ReplyOutcome:
    """What the gateway's answer did: ``code``/``message`` are the IPN reply."""

    code: str
    message: str
    order: GatewayOrder | None = None

    @property
    def applied(self) -> bool:
        return self.code == vnpay.IPN_OK[0]

    def as_ipn(self) -> dict[str, str]:
        return {"RspCode": self.code, "Message": self.message}


def _outcome(answer: tuple[str, str], order: GatewayOrder | None = None) -> ReplyOutcome:
    return ReplyOutcome(code=answer[0], message=answer[1], order=order)


def gateway_reply_apply(*, query: Mapping[str, str], source: str) -> ReplyOutcome:
    """Check and apply one answer of the gateway (``source``: ``ipn`` or ``return``).

    Signature, merchant, order and amount are checked before anything is written; an answer
    that fails a check changes nothing. Idempotent: a second answer for a finished order
    returns "already confirmed".
    """
    config = gateway_config()
    try:
        fields = vnpay.verify(query, config.secret if config else "")
    except vnpay.BadSignature:
        return _outcome(vnpay.IPN_INVALID_SIGNATURE)
    if fields.get("vnp_TmnCode") != (config.tmn_code if config else None):
        return _outcome(vnpay.IPN_INVALID_SIGNATURE)
    with transaction.atomic():
        order = (
            GatewayOrder.objects.select_for_update()
            .select_related("invoice__school", "invoice__student")
            .filter(txn_ref=fields.get("vnp_TxnRef", ""))
            .first()
        )
        if order is None:
            return _outcome(vnpay.IPN_ORDER_NOT_FOUND)
        if vnpay.amount_of(fields.get("vnp_Amount", "")) != order.amount:
            log.warning("gateway %s: amount %s refused", order.txn_ref, fields.get("vnp_Amount"))
            return _outcome(vnpay.IPN_INVALID_AMOUNT, order)
        if order.status != GatewayOrderStatus.PENDING:
            return _outcome(vnpay.IPN_ALREADY_CONFIRMED, order)
        paid = (
            fields.get("vnp_ResponseCode") == vnpay.SUCCESS
            and fields.get("vnp_TransactionStatus", vnpay.SUCCESS) == vnpay.SUCCESS
        )
        if paid:
            _receive(order, fields)
        _finish(order, fields, paid=paid, source=source)
    return _outcome(vnpay.IPN_OK, order)


def _receive(order: GatewayOrder, fields: Mapping[str, str]) -> None:
    invoice = order.invoice
    payment, _created = payment_receive(
        actor=SYSTEM,
        school=invoice.school,
        method=PaymentMethod.WEB_GATEWAY,
        provider=PROVIDER,
        provider_ref=order.txn_ref,
        amount=order.amount,
        paid_at=vnpay.time_of(fields.get("vnp_PayDate", "")) or timezone.now(),
        payer_name=invoice.payer_name,
        memo=fields.get("vnp_OrderInfo", "")[:500],
        bank_account=SchoolBankAccount.objects.filter(school=invoice.school)
        .order_by("-is_default", "id")
        .first(),
        student=invoice.student,
    )
    invoice.refresh_from_db(fields=["total", "credited", "paid", "status"])
    due = 0 if invoice.status == InvoiceStatus.CANCELLED else max(invoice.balance, 0)
    to_invoice = min(order.amount, due)
    if to_invoice:
        payment_allocate(
            actor=SYSTEM,
            payment=payment,
            invoice=invoice,
            amount=to_invoice,
            how=AllocationHow.GATEWAY,
        )
    if order.amount > to_invoice:
        payment_to_credit(
            actor=SYSTEM,
            payment=payment,
            amount=order.amount - to_invoice,
            student=invoice.student,
        )
    order.payment = payment


def _finish(order: GatewayOrder, fields: Mapping[str, str], *, paid: bool, source: str) -> None:
    order.status = GatewayOrderStatus.PAID if paid else GatewayOrderStatus.FAILED
    order.gateway_ref = fields.get("vnp_TransactionNo", "")[:100]
    order.response = {**dict(fields), "source": source}
    order.finished_at = timezone.now()
    order.save(update_fields=["status", "gateway_ref", "response", "finished_at", "payment"])
    audit_record(
        actor=SYSTEM,
        action="gateway_order_finish",
        obj=order,
        org_path=order.invoice.school.path,
        before={"status": GatewayOrderStatus.PENDING},
        after={
            "status": order.status,
            "response_code": fields.get("vnp_ResponseCode", ""),
            "gateway_ref": order.gateway_ref,
            "payment": order.payment_id,
        },
        note=source,
    )
