"""Payments the accountant records by hand: Mobile Money wallets and card terminals (POS).

The money arrived elsewhere (a wallet's merchant account, the POS acquirer's settlement); the
accountant types what the wallet's or terminal's slip says. The transaction reference makes it
a ``Payment`` exactly once: ``provider`` is the method, ``provider_ref`` is ``<wallet or
terminal>:<reference>`` (references are unique per wallet or per terminal, not across them),
and typing the same slip twice is refused naming the first record. With an invoice code the
money goes to the invoice up to what is due and the rest to the student's credit; without one
it waits, unassigned, in the reconciliation queue.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from truongso.core import authz
from truongso.core.authz import Perm
from truongso.payments import codes
from truongso.payments.models import (
    AllocationHow,
    Invoice,
    InvoiceStatus,
    Payment,
    PaymentMethod,
)
from truongso.payments.services.payments import (
    payment_allocate,
    payment_receive,
    payment_to_credit,
)
from truongso.registry.models import OrgUnit

MANUAL_METHODS = (PaymentMethod.MOBILE_MONEY, PaymentMethod.CARD_POS)
WALLETS = (
    ("momo", "MoMo"),
    ("zalopay", "ZaloPay"),
    ("viettelmoney", "Viettel Money"),
    ("vnptmoney", "VNPT Money"),
    ("shopeepay", "ShopeePay"),
    ("mobifonepay", "MobiFone Pay"),
    ("other", gettext_lazy("Other wallet")),
)
_REFERENCE = re.compile(r"[A-Z0-9][A-Z0-9._/-]{0,59}")
_TERMINAL = re.compile(r"[A-Z0-9]{1,16}")
MAX_AMOUNT = 10_000_000_000
CLOCK_SKEW = dt.timedelta(minutes=5)


@dataclass(frozen=True)
class ManualOutcome:
    payment: Payment
    allocated: int
    credited: int


def _clean_reference(value: str) -> str:
    reference = "".join(value.split()).upper()
    if not _REFERENCE.fullmatch(reference):
        raise ValidationError(
            {
                "reference": _(
                    "The transaction reference must be 1 to 60 letters, digits or . _ / - "
                    "as printed on the slip."
                )
            }
        )
    return reference


def _clean_channel(method: str, channel: str) -> str:
    channel = "".join(channel.split()).upper()
    if method == PaymentMethod.MOBILE_MONEY:
        if channel.lower() not in {code for code, _label in WALLETS}:
            raise ValidationError({"channel": _("Choose the wallet the money came through.")})
        return channel.lower()
    if not _TERMINAL.fullmatch(channel):
        raise ValidationError(
            {"channel": _("The terminal ID (TID) must be 1 to 16 letters or digits.")}
        )
    return channel


def _clean_amount(amount: Any) -> int:
    if isinstance(amount, bool) or not isinstance(amount, int) or amount <= 0:
        raise ValidationError({"amount": _("The amount must be a whole number of đồng above 0.")})
    if amount > MAX_AMOUNT:
        raise ValidationError({"amount": _("The amount is too large.")})
    return int(amount)


def _clean_paid_at(paid_at: dt.datetime) -> dt.datetime:
    if timezone.is_naive(paid_at):
        raise ValidationError({"paid_at": _("The time of payment needs a time zone.")})
    if paid_at > timezone.now() + CLOCK_SKEW:
        raise ValidationError({"paid_at": _("The time of payment is in the future.")})
    return paid_at


def invoice_for_code(school: OrgUnit, code: str) -> Invoice:
    """The open invoice of ``school`` with ``code`` (typed in any case, with look-alikes)."""
    normal = codes.normalise(code)
    if not codes.is_valid(normal):
        raise ValidationError(
            {"invoice_code": _("%(code)s is not a valid invoice code.") % {"code": code}}
        )
    invoice = Invoice.objects.filter(school=school, code=normal).first()
    if invoice is None:
        raise ValidationError(
            {"invoice_code": _("This school has no invoice %(code)s.") % {"code": normal}}
        )
    if invoice.status == InvoiceStatus.CANCELLED or invoice.balance <= 0:
        raise ValidationError(
            {"invoice_code": _("Invoice %(code)s has nothing left to pay.") % {"code": normal}}
        )
    return invoice


def manual_payment_record(
    *,
    actor: Any,
    school: OrgUnit,
    method: str,
    channel: str,
    reference: str,
    amount: int,
    paid_at: dt.datetime,
    payer_name: str = "",
    invoice_code: str = "",
    memo: str = "",
) -> ManualOutcome:
    """Record a Mobile Money or card-terminal payment from its slip; see the module docstring.

    ``channel`` is the wallet (Mobile Money) or the terminal ID (POS). Refused as a whole,
    before anything is written, on bad input or a reference already recorded.
    """
    if method not in MANUAL_METHODS:
        raise ValidationError({"method": _("Choose Mobile Money or card terminal (POS).")})
    if not authz.can(actor, Perm.PAYMENT_MANAGE, school.path):
        raise PermissionDenied(_("You cannot record payments for this school."))
    provider_ref = f"{_clean_channel(method, channel)}:{_clean_reference(reference)}"
    amount = _clean_amount(amount)
    paid_at = _clean_paid_at(paid_at)
    existing = Payment.objects.filter(provider=method, provider_ref=provider_ref).first()
    if existing is not None:
        raise ValidationError({"reference": _already_recorded(existing)})
    invoice = invoice_for_code(school, invoice_code) if invoice_code.strip() else None
    with transaction.atomic():
        payment, created = payment_receive(
            actor=actor,
            school=school,
            method=method,
            provider=str(method),
            provider_ref=provider_ref,
            amount=amount,
            paid_at=paid_at,
            payer_name=" ".join(payer_name.split())[:255],
            memo=" ".join(f"{invoice.code if invoice else ''} {memo}".split())[:500],
            student=invoice.student if invoice else None,
        )
        if not created:
            raise ValidationError({"reference": _already_recorded(payment)})
        return _assign(actor, payment, invoice)


def _already_recorded(payment: Payment) -> str:
    when = formats.date_format(timezone.localtime(payment.paid_at), "SHORT_DATETIME_FORMAT")
    return _(
        "This transaction was already recorded (%(when)s, %(amount)s đồng): the same slip "
        "cannot be entered twice."
    ) % {"when": when, "amount": formats.number_format(payment.amount, force_grouping=True)}


def _assign(actor: Any, payment: Payment, invoice: Invoice | None) -> ManualOutcome:
    if invoice is None:
        return ManualOutcome(payment=payment, allocated=0, credited=0)
    invoice.refresh_from_db(fields=["total", "credited", "paid", "status"])
    allocated = min(payment.amount, invoice.balance)
    if allocated:
        payment_allocate(
            actor=actor,
            payment=payment,
            invoice=invoice,
            amount=allocated,
            how=AllocationHow.MANUAL,
        )
    credited = payment.amount - allocated
    if credited:
        payment_to_credit(actor=actor, payment=payment, amount=credited, student=invoice.student)
    return ManualOutcome(payment=payment, allocated=allocated, credited=credited)
