"""Receiving a bank notification: store raw → verify → parse → dedupe → receive → reconcile.

Every delivery is written to ``BankNotification`` first, in its own committed row, so that
nothing a bank-notification service sent is ever lost, whatever happens next. Then the
adapter checks authenticity and freshness and parses it; an incoming transfer to a school
account becomes a ``Payment`` through ``payment_receive``, which is idempotent on
(provider, transaction id): the 2nd…7th delivery of a retried notification, or two
deliveries racing on two app servers, find the payment already there and change nothing.
Reconciliation runs after the payment is committed: if it fails, the money is still
received and waits in the unmatched queue.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import DatabaseError, IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from truongso.core.authz import SYSTEM
from truongso.payments import reconcile, statements
from truongso.payments.models import (
    BankNotification,
    NotificationStatus,
    Payment,
    PaymentMethod,
    SchoolBankAccount,
)
from truongso.payments.providers import (
    BankTransaction,
    Malformed,
    NotificationError,
    Provider,
    Reply,
    provider_for,
)

log = logging.getLogger(__name__)

BODY_LIMIT = 64 * 1024
_SECRET_HEADERS = {"authorization", "cookie", "x-api-key"}


@dataclass
class Delivery:
    notification: BankNotification | None  # None only when even storing it failed
    reply: Reply


RETRY = Reply(503, {"success": False, "message": "temporarily unavailable, retry later"})


class Rejected(NotificationError):
    http_status = 422
    code = "rejected"


class Conflict(NotificationError):
    http_status = 409
    code = "conflict"


def _safe_headers(headers: Mapping[str, str]) -> dict[str, str]:
    """Headers as received, minus secrets (an API key must not sit in the log)."""
    kept = {}
    for key, value in headers.items():
        if key.lower() in _SECRET_HEADERS:
            value = f"{str(value)[:7]}… (hidden)"
        kept[key] = str(value)[:500]
    return kept


def notification_store(
    *, provider: str, headers: Mapping[str, str], body: bytes, remote_addr: str | None
) -> BankNotification:
    return BankNotification.objects.create(
        provider=provider[:16],
        remote_addr=remote_addr or None,
        headers=_safe_headers(headers),
        body=body[:BODY_LIMIT].decode("utf-8", errors="replace"),
    )


def notification_receive(
    *,
    provider: str,
    headers: Mapping[str, str],
    body: bytes,
    remote_addr: str | None = None,
    now: dt.datetime | None = None,
) -> Delivery:
    """Handle one delivery; never raises (the reply says what was wrong, or asks for a
    retry when the fault is ours)."""
    try:
        note = notification_store(
            provider=provider, headers=headers, body=body, remote_addr=remote_addr
        )
    except DatabaseError:
        log.exception("bank notification from %s could not be stored", provider[:16])
        return Delivery(None, RETRY)
    adapter = provider_for(provider)
    if adapter is None:
        error = Rejected(_("Unknown notification service “%(name)s”.") % {"name": provider[:16]})
        _finish(note, NotificationStatus.REJECTED, str(error.reason))
        return Delivery(note, Reply(404, {"success": False, "message": str(error.reason)}))
    try:
        return _process(adapter, note, headers, body, now or timezone.now())
    except NotificationError as error:
        _finish(note, NotificationStatus.REJECTED, f"{error.code}: {error.reason}")
        return Delivery(note, adapter.reply_error(error))
    except ValidationError as error:
        reason = "; ".join(error.messages)
        _finish(note, NotificationStatus.REJECTED, f"invalid: {reason}")
        return Delivery(note, adapter.reply_error(Rejected(reason)))
    except Exception:
        # Not the sender's fault (a busy database, a bug): the delivery is stored, the
        # service is asked to retry, and the log says what happened.
        log.exception("bank notification %s could not be processed", note.pk)
        try:
            _finish(note, NotificationStatus.RECEIVED, _("Internal error; waiting for a retry."))
        except DatabaseError:
            log.exception("bank notification %s: status not saved", note.pk)
        return Delivery(note, RETRY)


def _process(
    adapter: Provider,
    note: BankNotification,
    headers: Mapping[str, str],
    body: bytes,
    now: dt.datetime,
) -> Delivery:
    adapter.verify(headers=headers, body=body, now=now)
    transactions = adapter.parse(body)
    if len(transactions) != 1:
        raise Malformed(_("One transaction per delivery is expected."))
    txn = transactions[0]
    note.provider_ref = txn.provider_ref
    if not txn.incoming:
        _finish(note, NotificationStatus.IGNORED, _("An outgoing transfer: nothing to collect."))
        return Delivery(note, adapter.reply_ok())
    account = _account(txn)
    # One transaction for the payment, its matching and the log's status: a failure anywhere
    # leaves the delivery "received" and the service retries; a failed matching alone is
    # undone to its savepoint and the payment waits in the queue.
    with transaction.atomic():
        known = _known(adapter.name, note, txn)
        if known is not None:
            return _duplicate(adapter, note, known, txn)
        imported = statements.imported_payment(
            account, amount=txn.amount, paid_at=txn.paid_at, memo=txn.memo
        )
        if imported is not None:
            reason = _("Already received from the bank statement (payment #%(id)s).") % {
                "id": imported.pk
            }
            _finish(note, NotificationStatus.DUPLICATE, reason, imported)
            return Delivery(note, adapter.reply_ok(duplicate=True))
        payment, created = _receive(adapter.name, account, txn)
        if not created:
            return _duplicate(adapter, note, payment, txn)
        _finish(note, NotificationStatus.APPLIED, _reconcile(payment), payment)
    return Delivery(note, adapter.reply_ok())


def _known(provider: str, note: BankNotification, txn: BankTransaction) -> Payment | None:
    """The payment an earlier delivery of this transaction went to (a payment of its own,
    or one imported from a statement before the notification came)."""
    earlier = (
        BankNotification.objects.filter(
            provider=provider, provider_ref=txn.provider_ref, payment__isnull=False
        )
        .exclude(pk=note.pk)
        .exclude(status=NotificationStatus.REJECTED)
        .select_related("payment")
        .first()
    )
    return earlier.payment if earlier is not None else None


def _account(txn: BankTransaction) -> SchoolBankAccount:
    if txn.amount > settings.PAYMENTS_MAX_AMOUNT:
        raise Rejected(
            _("The amount %(amount)s đồng is above the largest accepted transfer (%(max)s).")
            % {
                "amount": f"{txn.amount:,}".replace(",", "."),
                "max": f"{settings.PAYMENTS_MAX_AMOUNT:,}".replace(",", "."),
            }
        )
    accounts = list(
        SchoolBankAccount.objects.filter(account_number=txn.account_number).select_related(
            "school"
        )[:2]
    )
    if len(accounts) != 1:
        raise Rejected(
            _("The account %(number)s is not a school's collection account.")
            % {"number": txn.account_number[:30]}
        )
    return accounts[0]


def _receive(
    provider: str, account: SchoolBankAccount, txn: BankTransaction
) -> tuple[Payment, bool]:
    from truongso.payments.services import payments

    try:
        with transaction.atomic():
            received: tuple[Payment, bool] = payments.payment_receive(
                actor=SYSTEM,
                school=account.school,
                method=PaymentMethod.BANK_TRANSFER,
                provider=provider,
                provider_ref=txn.provider_ref,
                amount=txn.amount,
                paid_at=txn.paid_at,
                payer_name=txn.payer_name,
                payer_account=txn.payer_account,
                memo=txn.memo,
                bank_account=account,
            )
            return received
    except IntegrityError:
        # Another delivery of the same transaction committed first (two app servers).
        return Payment.objects.get(provider=provider, provider_ref=txn.provider_ref), False


def _duplicate(
    adapter: Provider, note: BankNotification, payment: Payment, txn: BankTransaction
) -> Delivery:
    if payment.amount != txn.amount:
        reason = _(
            "Conflicts with the payment already recorded for this transaction "
            "(%(recorded)s đồng recorded, %(sent)s đồng now): left for a human."
        ) % {
            "recorded": f"{payment.amount:,}".replace(",", "."),
            "sent": f"{txn.amount:,}".replace(",", "."),
        }
        _finish(note, NotificationStatus.REJECTED, f"conflict: {reason}", payment)
        return Delivery(note, adapter.reply_error(Conflict(reason)))
    reason = _("Already received (payment #%(id)s); applied only once.") % {"id": payment.pk}
    _finish(note, NotificationStatus.DUPLICATE, reason, payment)
    return Delivery(note, adapter.reply_ok(duplicate=True))


def _reconcile(payment: Payment) -> str:
    """Match the new payment; the note for the log ("" when all went to invoices)."""
    try:
        with transaction.atomic():
            return reconcile.reconcile_payment(actor=SYSTEM, payment=payment).note
    except Exception:  # the money is received; a human will assign it
        log.exception("reconciliation of payment %s failed", payment.pk)
        return _("Received; automatic matching failed, the payment waits in the queue.")


def _finish(
    note: BankNotification, status: str, reason: Any, payment: Payment | None = None
) -> None:
    note.status = status
    note.reason = str(reason)[:500]
    note.payment = payment or note.payment
    note.save(update_fields=["status", "reason", "provider_ref", "payment"])
