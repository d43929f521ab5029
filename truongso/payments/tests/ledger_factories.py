"""Builders for payments tests, made with the real services (used by the LEDGER tests;
other payments tests may use them too)."""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

from django.utils import timezone

from truongso.core.authz import SYSTEM
from truongso.payments.models import FeeItem, Invoice, Payment
from truongso.payments.services import fee_item_create, invoice_create, payment_receive
from truongso.registry.models import OrgUnit, Student

DUE = dt.date(2025, 10, 15)
_refs = itertools.count(1)


def tuition(world: Any, *, amount: int = 500_000, code: str = "HP", school: Any = None) -> FeeItem:
    return fee_item_create(
        actor=SYSTEM,
        school=school or world.school_a,
        school_year=world.year,
        code=code,
        name="Học phí",
        kind="tuition",
        period="month",
        amount=amount,
    )


def bill(world: Any, student: Student, amount: int, *, item: FeeItem | None = None) -> Invoice:
    return invoice_create(
        actor=SYSTEM,
        student=student,
        school_year=world.year,
        lines=[(item, "Học phí tháng 10/2025", amount)],
        period_label="Tháng 10/2025",
        due_date=DUE,
        reason=f"Học phí tháng 10/2025 - {student.full_name}",
    )


def receive(
    school: OrgUnit,
    amount: int,
    *,
    ref: str | None = None,
    method: str = "bank_transfer",
    memo: str = "",
) -> Payment:
    payment, _created = payment_receive(
        actor=SYSTEM,
        school=school,
        method=method,
        provider="sepay" if method == "bank_transfer" else "manual",
        provider_ref=ref or f"T{next(_refs)}",
        amount=amount,
        paid_at=timezone.now(),
        payer_name="NGUYEN VAN BA",
        memo=memo,
    )
    return payment
