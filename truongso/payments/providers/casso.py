"""Casso (casso.vn) webhook v2: ``{"error": 0, "data": {...one transaction...}}``.

The header ``X-Casso-Signature: t=<milliseconds>,v1=<hex>`` carries an HMAC-SHA512, keyed
with the webhook's secret, of ``t + "." + JSON`` where the JSON is the whole body with its
object keys sorted recursively and no spaces. ``t`` must lie within the window. Casso
retries until it gets HTTP 200.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Mapping
from typing import Any

from django.utils.translation import gettext_lazy as _

from truongso.payments.providers.base import (
    BankTransaction,
    NotAuthentic,
    Provider,
    amount_of,
    header,
    hmac_hex,
    json_object,
    load_json,
    local_datetime,
    reference_of,
    required,
    same,
    text_of,
)


def canonical_json(value: Any) -> str:
    """Keys sorted at every level, compact separators, non-ASCII kept as is."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def casso_signature(secret: str, timestamp: str, payload: Any) -> str:
    message = f"{timestamp}.{canonical_json(payload)}".encode()
    return hmac_hex(secret, message, hashlib.sha512)


class Casso(Provider):
    name = "casso"

    def verify(self, *, headers: Mapping[str, str], body: bytes, now: dt.datetime) -> None:
        secret = self.secret("secret")
        parts = dict(
            item.strip().split("=", 1)
            for item in header(headers, "X-Casso-Signature").split(",")
            if "=" in item
        )
        timestamp, signature = parts.get("t", ""), parts.get("v1", "")
        if not timestamp.isdigit() or not signature:
            raise NotAuthentic(_("Missing or malformed X-Casso-Signature header (t=…,v1=…)."))
        payload = load_json(body)
        if not same(casso_signature(secret, timestamp, payload), signature):
            raise NotAuthentic(_("The HMAC-SHA512 signature does not match the body."))
        self.check_window(dt.datetime.fromtimestamp(int(timestamp) / 1000, tz=dt.UTC), now)

    def parse(self, body: bytes) -> list[BankTransaction]:
        envelope = json_object(load_json(body), "The body")
        data = json_object(envelope.get("data"), "The field “data”")
        amount = data.get("amount")
        incoming = not (isinstance(amount, int | float) and amount < 0)
        if not incoming:
            data = {**data, "amount": -amount}  # type: ignore[operator]
        return [
            BankTransaction(
                provider_ref=reference_of(data, "id"),
                incoming=incoming,
                amount=amount_of(data, "amount"),
                account_number=str(required(data, "accountNumber")).strip(),
                paid_at=local_datetime(data, "transactionDateTime"),
                memo=text_of(data, "description"),
                bank_reference=text_of(data, "reference", 100),
                payer_name=text_of(data, "counterAccountName", 255),
                payer_account=text_of(data, "counterAccountNumber", 50),
            )
        ]
