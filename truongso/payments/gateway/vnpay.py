"""The VNPay-style wire protocol (API 2.1.0): signed query strings, no database.

Every message is a query string of ``vnp_*`` fields. The signature ``vnp_SecureHash`` is the
hex HMAC-SHA512, keyed with the merchant's hash secret, of the fields sorted by name and joined
as ``name=value&...`` with both parts URL-encoded (``quote_plus``), ``vnp_SecureHash`` and
``vnp_SecureHashType`` left out. Amounts travel multiplied by 100 (``vnp_Amount=18000000`` is
180,000 đồng); times are ``yyyyMMddHHmmss`` in Vietnam time (GMT+7).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import quote_plus
from zoneinfo import ZoneInfo

VERSION = "2.1.0"
VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")
TIME_FORMAT = "%Y%m%d%H%M%S"
HASH_FIELDS = frozenset({"vnp_SecureHash", "vnp_SecureHashType"})
SUCCESS = "00"

# IPN answers, in the JSON the gateway expects: {"RspCode": "00", "Message": "Confirm Success"}.
IPN_OK = ("00", "Confirm Success")
IPN_ORDER_NOT_FOUND = ("01", "Order not found")
IPN_ALREADY_CONFIRMED = ("02", "Order already confirmed")
IPN_INVALID_AMOUNT = ("04", "Invalid amount")
IPN_INVALID_SIGNATURE = ("97", "Invalid signature")
IPN_UNKNOWN_ERROR = ("99", "Unknown error")


class BadSignature(ValueError):
    pass


def canonical(fields: Mapping[str, str]) -> str:
    """The string that is signed: fields sorted by name, ``k=v`` URL-encoded, joined by ``&``."""
    return "&".join(f"{quote_plus(k)}={quote_plus(str(fields[k]))}" for k in sorted(fields))


def signature(fields: Mapping[str, str], secret: str) -> str:
    signed = {k: v for k, v in fields.items() if k not in HASH_FIELDS}
    message = canonical(signed).encode("utf-8")
    return hmac.new(secret.encode("utf-8"), message, hashlib.sha512).hexdigest()


def signed_query(fields: Mapping[str, str], secret: str) -> str:
    """A query string carrying ``fields`` and their ``vnp_SecureHash``."""
    return f"{canonical(fields)}&vnp_SecureHash={signature(fields, secret)}"


def verify(query: Mapping[str, str], secret: str) -> dict[str, str]:
    """The ``vnp_*`` fields of ``query`` if its ``vnp_SecureHash`` is right; else BadSignature.

    Fields that are not ``vnp_*`` are not signed and are dropped, so they cannot smuggle in.
    """
    fields = {k: v for k, v in query.items() if k.startswith("vnp_") and k not in HASH_FIELDS}
    given = str(query.get("vnp_SecureHash", "")).lower()
    if not secret or not given or not fields:
        raise BadSignature("unsigned")
    if not hmac.compare_digest(given, signature(fields, secret)):
        raise BadSignature("wrong signature")
    return fields


def wire_amount(amount: int) -> str:
    return str(amount * 100)


def amount_of(wire: str) -> int | None:
    """Đồng from ``vnp_Amount``; ``None`` when it is not a whole number of đồng × 100."""
    if not wire.isdigit() or len(wire) > 20 or int(wire) % 100:
        return None
    return int(wire) // 100


def wire_time(moment: dt.datetime) -> str:
    return moment.astimezone(VIETNAM).strftime(TIME_FORMAT)


def time_of(wire: str) -> dt.datetime | None:
    try:
        return dt.datetime.strptime(wire, TIME_FORMAT).replace(tzinfo=VIETNAM)
    except ValueError:
        return None


@dataclass(frozen=True)
class PayRequest:
    tmn_code: str
    txn_ref: str
    amount: int
    order_info: str
    return_url: str
    ip_addr: str
    created_at: dt.datetime
    expire_minutes: int
    locale: str = "vn"
    order_type: str = "other"

    def fields(self) -> dict[str, str]:
        return {
            "vnp_Version": VERSION,
            "vnp_Command": "pay",
            "vnp_TmnCode": self.tmn_code,
            "vnp_Amount": wire_amount(self.amount),
            "vnp_CurrCode": "VND",
            "vnp_TxnRef": self.txn_ref,
            "vnp_OrderInfo": self.order_info,
            "vnp_OrderType": self.order_type,
            "vnp_Locale": self.locale,
            "vnp_ReturnUrl": self.return_url,
            "vnp_IpAddr": self.ip_addr,
            "vnp_CreateDate": wire_time(self.created_at),
            "vnp_ExpireDate": wire_time(
                self.created_at + dt.timedelta(minutes=self.expire_minutes)
            ),
        }


def pay_url(base_url: str, request: PayRequest, secret: str) -> str:
    joiner = "&" if "?" in base_url else "?"
    return f"{base_url}{joiner}{signed_query(request.fields(), secret)}"
