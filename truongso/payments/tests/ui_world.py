"""A school with fees, a collection account, invoices and one payment, for the page tests.

Built with the real services on top of the ``world`` fixture: school A collects into a
Vietcombank account; ``an`` (the parent's child) and ``binh`` of 6A1 have an invoice each,
``chi`` of 6A2 one; an's invoice is paid by a bank transfer whose memo carries its code.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from truongso.core.authz import SYSTEM
from truongso.payments.models import FeeItem, Invoice, Payment, SchoolBankAccount
from truongso.payments.services import (
    fee_item_create,
    invoice_create,
    payment_allocate,
    payment_receive,
)

DUE = dt.date(2025, 10, 15)


@dataclass
class Billed:
    account: SchoolBankAccount
    tuition: FeeItem
    an: Invoice
    binh: Invoice
    chi: Invoice


def bank_account(school: Any, number: str = "0011001234567") -> SchoolBankAccount:
    return SchoolBankAccount.objects.create(
        school=school,
        bank_bin="970436",
        bank_name="Vietcombank",
        account_number=number,
        account_name="TRUONG THCS AN BAI",
    )


def bill(
    world: Any, student: Any, amount: int, item: FeeItem, label: str = "Tháng 10/2025"
) -> Invoice:
    return invoice_create(
        actor=SYSTEM,
        student=student,
        school_year=world.year,
        lines=[(item, f"Học phí {label.lower()}", amount)],
        period_label=label,
        due_date=DUE,
        reason=f"Học phí {label.lower()} - {student.full_name}",
    )


def billed(world: Any) -> Billed:
    account = bank_account(world.school_a)
    tuition = fee_item_create(
        actor=SYSTEM,
        school=world.school_a,
        school_year=world.year,
        code="HP",
        name="Học phí",
        kind="tuition",
        period="month",
        amount=500_000,
    )
    return Billed(
        account=account,
        tuition=tuition,
        an=bill(world, world.students["an"], 500_000, tuition),
        binh=bill(world, world.students["binh"], 500_000, tuition),
        chi=bill(world, world.students["chi"], 450_000, tuition),
    )


def pay(
    invoice: Invoice,
    amount: int,
    *,
    ref: str = "FT25288001",
    method: str = "bank_transfer",
    when: dt.datetime | None = None,
) -> Payment:
    payment, _ = payment_receive(
        actor=SYSTEM,
        school=invoice.school,
        method=method,
        provider="sepay" if method == "bank_transfer" else "manual",
        provider_ref=ref,
        amount=amount,
        paid_at=when or timezone.now(),
        payer_name="NGUYEN VAN CHA",
        memo=f"{invoice.code} hoc phi",
        student=invoice.student,
    )
    payment_allocate(actor=SYSTEM, payment=payment, invoice=invoice, amount=amount, how="auto")
    payment.refresh_from_db()
    invoice.refresh_from_db()
    return payment
