"""payOS (payos.vn, by Casso): ``{"code", "desc", "success", "data": {...}, "signature"}``.

``signature`` is an HMAC-SHA256, keyed with the checksum key, of ``k1=v1&k2=v2…`` over the
fields of ``data`` sorted by key (``null`` written as an empty string, lists and objects as
JSON). payOS signs no delivery time, so freshness is judged on ``transactionDateTime``: a
delivery about a transaction older than the allowed age (or in the future beyond the window)
is refused; within it, a replay carries the same ``reference`` and is applied only once.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from typing import Any

from django.utils.translation import gettext_lazy as _

from truongso.payments.providers.base import (
    BankTransaction,
    NotAuthentic,
    Provider,
    Reply,
    Stale,
    amount_of,
    hmac_hex,
    json_object,
    load_json,
    local_datetime,
    reference_of,
    required,
    same,
    text_of,
)


def _field(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict | list):
        return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return str(value)


def payos_signature(secret: str, data: Mapping[str, Any]) -> str:
    message = "&".join(f"{key}={_field(data[key])}" for key in sorted(data))
    return hmac_hex(secret, message.encode())


class PayOS(Provider):
    name = "payos"

    def __init__(
        self, *, secrets: Mapping[str, str], tolerance: int = 300, max_age: int = 86400
    ) -> None:
        super().__init__(secrets=secrets, tolerance=tolerance)
        self.max_age = max_age

    def verify(self, *, headers: Mapping[str, str], body: bytes, now: dt.datetime) -> None:
        secret = self.secret("checksum_key")
        envelope = json_object(load_json(body), "The body")
        data = json_object(envelope.get("data"), "The field “data”")
        signature = str(envelope.get("signature") or "")
        if not signature or not same(payos_signature(secret, data), signature):
            raise NotAuthentic(_("The HMAC-SHA256 signature does not match the data."))
        paid_at = local_datetime(data, "transactionDateTime")
        age = (now - paid_at).total_seconds()
        if age > self.max_age or age < -self.tolerance:
            raise Stale(
                _("The transaction time %(when)s is outside the accepted window.")
                % {"when": paid_at.isoformat()}
            )

    def parse(self, body: bytes) -> list[BankTransaction]:
        envelope = json_object(load_json(body), "The body")
        data = json_object(envelope.get("data"), "The field “data”")
        succeeded = str(data.get("code", envelope.get("code", "00"))) == "00"
        return [
            BankTransaction(
                provider_ref=reference_of(data, "reference"),
                incoming=succeeded,
                amount=amount_of(data, "amount"),
                account_number=str(required(data, "accountNumber")).strip(),
                paid_at=local_datetime(data, "transactionDateTime"),
                memo=text_of(data, "description"),
                bank_reference=text_of(data, "reference", 100),
                payer_name=text_of(data, "counterAccountName", 255),
                payer_account=text_of(data, "counterAccountNumber", 50),
            )
        ]

    def reply_ok(self, *, duplicate: bool = False) -> Reply:
        return Reply(200, {"error": 0, "message": "Ok", "data": None})
