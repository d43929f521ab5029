"""Test helpers of the bank feed: a school collection account, invoices, signed deliveries."""

from __future__ import annotations

import datetime as dt
import json
import time
from typing import Any

from truongso.core.authz import SYSTEM
from truongso.payments.models import Invoice, SchoolBankAccount
from truongso.payments.providers.base import hmac_hex
from truongso.payments.providers.casso import casso_signature
from truongso.payments.providers.payos import payos_signature
from truongso.payments.services import invoice_create
from truongso.registry.models import OrgUnit, Student

ACCOUNT = "0451000123456"
SEPAY_KEY = "sepay-test-key"
SEPAY_HMAC = "sepay-test-hmac-secret"
CASSO_SECRET = "casso-test-secret"
PAYOS_KEY = "payos-test-checksum-key"


def configure(settings: Any) -> None:
    settings.PAYMENTS_SEPAY_API_KEY = SEPAY_KEY
    settings.PAYMENTS_SEPAY_HMAC_SECRET = ""
    settings.PAYMENTS_CASSO_SECRET = CASSO_SECRET
    settings.PAYMENTS_PAYOS_CHECKSUM_KEY = PAYOS_KEY
    settings.PAYMENTS_WEBHOOK_TOLERANCE = 300
    settings.PAYMENTS_PAYOS_MAX_AGE = 86400


def bank_account(school: OrgUnit, number: str = ACCOUNT) -> SchoolBankAccount:
    return SchoolBankAccount.objects.create(
        school=school,
        bank_bin="970436",
        bank_name="Vietcombank",
        account_number=number,
        account_name="TRUONG THCS AN BAI",
    )


def invoice(
    world: Any, student: Student, amount: int, *, due: int = 15, label: str = ""
) -> Invoice:
    return invoice_create(
        actor=SYSTEM,
        student=student,
        school_year=world.year,
        lines=[(None, "Học phí", amount)],
        period_label=label or f"Tháng 9/2025 ({due})",
        due_date=dt.date(2025, 9, due),
        reason="Thu học phí",
    )


def now_vn() -> str:
    return (dt.datetime.now(dt.UTC) + dt.timedelta(hours=7)).strftime("%Y-%m-%d %H:%M:%S")


def sepay_body(
    ref: int, amount: int, memo: str, *, account: str = ACCOUNT, kind: str = "in"
) -> bytes:
    data = {
        "id": ref,
        "gateway": "Vietcombank",
        "transactionDate": now_vn(),
        "accountNumber": account,
        "code": None,
        "content": memo,
        "transferType": kind,
        "transferAmount": amount,
        "accumulated": 19_077_000,
        "subAccount": None,
        "referenceCode": f"MBVCB.{ref}",
        "description": f"BankAPINotify {memo}",
    }
    return json.dumps(data, ensure_ascii=False).encode()


def sepay_key_headers(key: str = SEPAY_KEY) -> dict[str, str]:
    return {"Authorization": f"Apikey {key}", "Content-Type": "application/json"}


def sepay_hmac_headers(
    body: bytes, *, at: float | None = None, secret: str = SEPAY_HMAC
) -> dict[str, str]:
    stamp = str(int(at if at is not None else time.time()))
    signature = hmac_hex(secret, stamp.encode() + b"." + body)
    return {"X-SePay-Timestamp": stamp, "X-SePay-Signature": f"sha256={signature}"}


def casso_body(ref: int, amount: int, memo: str, *, account: str = ACCOUNT) -> dict[str, Any]:
    return {
        "error": 0,
        "data": {
            "id": ref,
            "reference": f"FT{ref}",
            "description": memo,
            "amount": amount,
            "runningBalance": 25_000_000,
            "transactionDateTime": now_vn(),
            "accountNumber": account,
            "bankName": "Vietcombank",
            "bankAbbreviation": "VCB",
            "virtualAccountNumber": "",
            "virtualAccountName": "",
            "counterAccountName": "NGUYEN VAN CHA",
            "counterAccountNumber": "0011001234567",
            "counterAccountBankId": "970436",
            "counterAccountBankName": "Vietcombank",
        },
    }


def casso_signed(
    payload: dict[str, Any], *, at_ms: int | None = None, secret: str = CASSO_SECRET
) -> tuple[bytes, dict[str, str]]:
    stamp = str(at_ms if at_ms is not None else int(time.time() * 1000))
    signature = casso_signature(secret, stamp, payload)
    body = json.dumps(payload, ensure_ascii=False, indent=1).encode()  # any layout is fine
    return body, {"X-Casso-Signature": f"t={stamp},v1={signature}"}


def payos_body(
    ref: str,
    amount: int,
    memo: str,
    *,
    when: str | None = None,
    secret: str = PAYOS_KEY,
    account: str = ACCOUNT,
) -> bytes:
    data = {
        "orderCode": 123,
        "amount": amount,
        "description": memo,
        "accountNumber": account,
        "reference": ref,
        "transactionDateTime": when or now_vn(),
        "currency": "VND",
        "paymentLinkId": "124c33293c43417ab7879e14c8d9eb18",
        "code": "00",
        "desc": "Thành công",
        "counterAccountBankId": "",
        "counterAccountBankName": "",
        "counterAccountName": "NGUYEN VAN CHA",
        "counterAccountNumber": "0011001234567",
        "virtualAccountName": "",
        "virtualAccountNumber": "",
    }
    envelope = {
        "code": "00",
        "desc": "success",
        "success": True,
        "data": data,
        "signature": payos_signature(secret, data),
    }
    return json.dumps(envelope, ensure_ascii=False).encode()
