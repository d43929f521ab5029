"""One interface for the bank-notification services (SePay, Casso v2, payOS).

Each adapter turns a delivery (headers + raw body) into :class:`BankTransaction` objects after
checking that it is authentic (API key or HMAC signature, compared in constant time) and fresh
(its signed timestamp within the allowed window), and knows the reply its service expects.
Adapters are pure: no database, so they are tested with signed samples alone.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar
from zoneinfo import ZoneInfo

from django.utils.translation import gettext_lazy as _

VN = ZoneInfo("Asia/Ho_Chi_Minh")


@dataclass(frozen=True)
class BankTransaction:
    """One movement on a bank account as a notification service reports it."""

    provider_ref: str  # the service's own transaction id: the deduplication key
    incoming: bool
    amount: int  # đồng, as reported (positive)
    account_number: str
    paid_at: dt.datetime  # aware
    memo: str
    bank_reference: str = ""  # the bank's own reference (FT..., MBVCB...)
    payer_name: str = ""
    payer_account: str = ""


class NotificationError(Exception):
    """A delivery that cannot be accepted; ``reason`` is shown in the notification log."""

    http_status = 400
    code = "invalid"

    def __init__(self, reason: Any) -> None:
        super().__init__(str(reason))
        self.reason = reason


class NotAuthentic(NotificationError):
    http_status = 401
    code = "signature"


class Stale(NotificationError):
    http_status = 401
    code = "stale"


class Malformed(NotificationError):
    http_status = 400
    code = "malformed"


class NotConfigured(NotificationError):
    http_status = 503
    code = "not_configured"


@dataclass(frozen=True)
class Reply:
    status: int
    body: dict[str, Any]


class Provider:
    """Base adapter; subclasses set ``name`` and implement ``verify`` and ``parse``."""

    name: ClassVar[str] = ""

    def __init__(self, *, secrets: Mapping[str, str], tolerance: int = 300) -> None:
        self.secrets = dict(secrets)
        self.tolerance = tolerance

    def verify(self, *, headers: Mapping[str, str], body: bytes, now: dt.datetime) -> None:
        raise NotImplementedError

    def parse(self, body: bytes) -> list[BankTransaction]:
        raise NotImplementedError

    def reply_ok(self, *, duplicate: bool = False) -> Reply:
        return Reply(200, {"success": True})

    def reply_error(self, error: NotificationError) -> Reply:
        return Reply(error.http_status, {"success": False, "message": str(error.reason)})

    # Helpers shared by the adapters -----------------------------------------------------

    def secret(self, key: str) -> str:
        value = self.secrets.get(key, "")
        if not value:
            raise NotConfigured(
                _("Notifications from %(provider)s are not configured on this server.")
                % {"provider": self.name}
            )
        return value

    def check_window(self, signed_at: dt.datetime, now: dt.datetime) -> None:
        drift = abs((now - signed_at).total_seconds())
        if drift > self.tolerance:
            raise Stale(
                _("The delivery was signed %(seconds)d s away from now (allowed: %(allowed)d s).")
                % {"seconds": int(drift), "allowed": self.tolerance}
            )


def hmac_hex(secret: str, message: bytes, digest: Any = hashlib.sha256) -> str:
    return hmac.new(secret.encode("utf-8"), message, digest).hexdigest()


def same(expected: str, given: str) -> bool:
    return hmac.compare_digest(expected.lower().encode(), given.strip().lower().encode())


def header(headers: Mapping[str, str], name: str) -> str:
    """Case-insensitive header lookup (Django's ``request.headers`` or a plain dict)."""
    wanted = name.lower()
    for key, value in headers.items():
        if key.lower() == wanted:
            return str(value)
    return ""


def load_json(body: bytes) -> Any:
    try:
        return json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise Malformed(_("The body is not valid UTF-8 JSON: %(error)s") % {"error": exc}) from exc


def json_object(value: Any, where: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise Malformed(_("%(where)s must be a JSON object.") % {"where": where})
    return value


def required(data: Mapping[str, Any], field: str) -> Any:
    value = data.get(field)
    if value is None or value == "":
        raise Malformed(_("The field “%(field)s” is missing.") % {"field": field})
    return value


def reference_of(data: Mapping[str, Any], field: str) -> str:
    """A transaction id: a number or a short text, nothing else."""
    value = required(data, field)
    if isinstance(value, bool) or not isinstance(value, int | str) or len(str(value)) > 100:
        raise Malformed(_("The field “%(field)s” is not a transaction id.") % {"field": field})
    return str(value).strip()


def amount_of(data: Mapping[str, Any], field: str) -> int:
    """Whole đồng; floats with a fraction, strings, booleans and negatives are refused."""
    value = required(data, field)
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise Malformed(_("The field “%(field)s” must be a number.") % {"field": field})
    if isinstance(value, float) and not value.is_integer():
        raise Malformed(_("The field “%(field)s” must be whole đồng.") % {"field": field})
    if value <= 0:
        raise Malformed(_("The field “%(field)s” must be positive.") % {"field": field})
    return int(value)


def local_datetime(data: Mapping[str, Any], field: str) -> dt.datetime:
    """``"2026-09-05 10:15:00"`` in Vietnam time (how all three services write it)."""
    raw = str(required(data, field)).strip()
    for fmt in ("%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M"):
        try:
            return dt.datetime.strptime(raw, fmt).replace(tzinfo=VN)
        except ValueError:
            continue
    try:
        parsed = dt.datetime.fromisoformat(raw)
    except ValueError as exc:
        raise Malformed(
            _("The field “%(field)s” is not a date and time: %(value)s")
            % {"field": field, "value": raw[:40]}
        ) from exc
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=VN)


def text_of(data: Mapping[str, Any], field: str, limit: int = 500) -> str:
    value = data.get(field)
    return "" if value is None else str(value).strip()[:limit]
