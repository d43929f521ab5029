"""Bank-notification adapters behind one interface; :func:`provider_for` builds one from
settings (secrets from the environment or ``*_FILE``)."""

from __future__ import annotations

from django.conf import settings

from truongso.payments.providers.base import (
    BankTransaction,
    Malformed,
    NotAuthentic,
    NotConfigured,
    NotificationError,
    Provider,
    Reply,
    Stale,
)
from truongso.payments.providers.casso import Casso
from truongso.payments.providers.payos import PayOS
from truongso.payments.providers.sepay import SePay

PROVIDERS = ("sepay", "casso", "payos")

__all__ = [
    "PROVIDERS",
    "BankTransaction",
    "Casso",
    "Malformed",
    "NotAuthentic",
    "NotConfigured",
    "NotificationError",
    "PayOS",
    "Provider",
    "Reply",
    "SePay",
    "Stale",
    "provider_for",
]


def provider_for(name: str) -> Provider | None:
    tolerance = settings.PAYMENTS_WEBHOOK_TOLERANCE
    if name == "sepay":
        return SePay(
            secrets={
                "api_key": settings.PAYMENTS_SEPAY_API_KEY,
                "hmac_secret": settings.PAYMENTS_SEPAY_HMAC_SECRET,
            },
            tolerance=tolerance,
        )
    if name == "casso":
        return Casso(secrets={"secret": settings.PAYMENTS_CASSO_SECRET}, tolerance=tolerance)
    if name == "payos":
        return PayOS(
            secrets={"checksum_key": settings.PAYMENTS_PAYOS_CHECKSUM_KEY},
            tolerance=tolerance,
            max_age=settings.PAYMENTS_PAYOS_MAX_AGE,
        )
    return None
