"""Simulating a parent who pays by scanning the VietQR code (demo and tests only).

The bank is not there, so we play SePay: a notification exactly as SePay posts it (the
school's account number, the amount, the memo the banking app filled in from the QR code),
authenticated as the server expects it (HMAC-SHA256 with a timestamp when a secret is
configured, otherwise the API key). It is either posted over HTTP to the local webhook
(``manage.py payments_simulate_transfer --url``) or handed to the same entry point in process
(the demo button), so it travels the whole real path: stored raw, verified, deduplicated,
received, reconciled by the invoice code in the memo.
"""

from __future__ import annotations

import json
import secrets
import time
import urllib.error
import urllib.request
from dataclasses import dataclass

from django.conf import settings
from django.utils import timezone

from truongso.payments import vietqr
from truongso.payments.models import Invoice, SchoolBankAccount
from truongso.payments.notifications import notification_receive
from truongso.payments.providers.base import hmac_hex

WEBHOOK_PATH = "/payments/webhooks/sepay/"


@dataclass(frozen=True)
class Transfer:
    body: bytes
    headers: dict[str, str]
    reference: str


def sepay_transfer(
    invoice: Invoice, account: SchoolBankAccount, *, amount: int | None = None, memo: str = ""
) -> Transfer:
    """A signed SePay notification of an incoming transfer paying ``invoice``."""
    transaction_id = 900_000_000 + secrets.randbelow(99_999_999)
    reference = f"FT{timezone.localdate():%y%j}{secrets.randbelow(10**6):06d}"
    paid = amount if amount is not None else invoice.balance
    data = {
        "id": transaction_id,
        "gateway": account.bank_name,
        "transactionDate": timezone.localtime().strftime("%Y-%m-%d %H:%M:%S"),
        "accountNumber": account.account_number,
        "code": None,
        "content": memo or f"{vietqr.invoice_purpose(invoice.code, invoice.reason)} CT tu MB",
        "transferType": "in",
        "transferAmount": paid,
        "accumulated": 0,
        "subAccount": None,
        "referenceCode": reference,
        "description": "",
    }
    body = json.dumps(data, ensure_ascii=False).encode("utf-8")
    return Transfer(body=body, headers=sepay_headers(body), reference=str(transaction_id))


def sepay_headers(body: bytes) -> dict[str, str]:
    headers = {"Content-Type": "application/json"}
    secret = settings.PAYMENTS_SEPAY_HMAC_SECRET
    if secret:
        stamp = str(int(time.time()))
        headers["X-SePay-Timestamp"] = stamp
        headers["X-SePay-Signature"] = "sha256=" + hmac_hex(secret, stamp.encode() + b"." + body)
    else:
        headers["Authorization"] = f"Apikey {settings.PAYMENTS_SEPAY_API_KEY}"
    return headers


def deliver_in_process(transfer: Transfer) -> tuple[int, dict[str, object]]:
    """Hand the notification to the webhook's entry point, as the web server would."""
    delivery = notification_receive(
        provider="sepay", headers=transfer.headers, body=transfer.body, remote_addr="127.0.0.1"
    )
    return delivery.reply.status, delivery.reply.body


def deliver_over_http(transfer: Transfer, base_url: str) -> tuple[int, dict[str, object]]:
    """POST the notification to a running server's webhook (``http://127.0.0.1:8000``)."""
    url = base_url.rstrip("/") + WEBHOOK_PATH
    if not url.startswith(("http://", "https://")):
        raise ValueError(f"Not an http(s) address: {base_url}")
    request = urllib.request.Request(  # noqa: S310 - scheme checked above
        url, data=transfer.body, headers=transfer.headers, method="POST"
    )
    try:
        with urllib.request.urlopen(request, timeout=15) as response:  # noqa: S310
            return response.status, json.loads(response.read() or b"{}")
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"{}")
