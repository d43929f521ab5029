"""SePay (sepay.vn): one JSON transaction per POST.

Fields: ``id``, ``gateway``, ``transactionDate``, ``accountNumber``, ``code``, ``content``,
``transferType`` (``in``/``out``), ``transferAmount``, ``accumulated``, ``referenceCode``.
Authentication is either the header ``Authorization: Apikey <key>`` or, preferred, an
HMAC-SHA256 of ``<timestamp>.<raw body>`` in ``X-SePay-Signature`` (hex, an optional
``sha256=`` prefix) with the Unix time in ``X-SePay-Timestamp``, which must lie within the
window (5 minutes by default). SePay wants ``{"success": true}`` with HTTP 200/201 and
retries up to 7 times over about 33 minutes otherwise, so the same ``id`` arrives again.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from django.utils.translation import gettext_lazy as _

from truongso.payments.providers.base import (
    BankTransaction,
    Malformed,
    NotAuthentic,
    NotConfigured,
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


class SePay(Provider):
    name = "sepay"

    def verify(self, *, headers: Mapping[str, str], body: bytes, now: dt.datetime) -> None:
        hmac_secret = self.secrets.get("hmac_secret", "")
        api_key = self.secrets.get("api_key", "")
        if hmac_secret:
            self._verify_hmac(hmac_secret, headers, body, now)
        elif api_key:
            given = header(headers, "Authorization")
            scheme, _sep, key = given.partition(" ")
            if scheme.lower() != "apikey" or not same(api_key, key.strip()):
                raise NotAuthentic(_("Missing or wrong API key (header Authorization: Apikey)."))
        else:
            raise NotConfigured(
                _("Notifications from %(provider)s are not configured on this server.")
                % {"provider": self.name}
            )

    def _verify_hmac(
        self, secret: str, headers: Mapping[str, str], body: bytes, now: dt.datetime
    ) -> None:
        signature = header(headers, "X-SePay-Signature").removeprefix("sha256=")
        raw_time = header(headers, "X-SePay-Timestamp").strip()
        if not signature or not raw_time:
            raise NotAuthentic(_("Missing X-SePay-Signature or X-SePay-Timestamp header."))
        if not raw_time.isdigit():
            raise NotAuthentic(_("X-SePay-Timestamp is not a Unix time."))
        expected = hmac_hex(secret, raw_time.encode() + b"." + body)
        if not same(expected, signature):
            raise NotAuthentic(_("The HMAC-SHA256 signature does not match the body."))
        self.check_window(dt.datetime.fromtimestamp(int(raw_time), tz=dt.UTC), now)

    def parse(self, body: bytes) -> list[BankTransaction]:
        data = json_object(load_json(body), "The body")
        kind = str(required(data, "transferType")).lower()
        if kind not in {"in", "out"}:
            raise Malformed(_("transferType must be “in” or “out”."))
        return [
            BankTransaction(
                provider_ref=reference_of(data, "id"),
                incoming=kind == "in",
                amount=amount_of(data, "transferAmount"),
                account_number=str(required(data, "accountNumber")).strip(),
                paid_at=local_datetime(data, "transactionDate"),
                memo=text_of(data, "content"),
                bank_reference=text_of(data, "referenceCode", 100),
            )
        ]
