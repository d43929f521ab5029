from __future__ import annotations

from typing import Any

from truongso.core.authz import SYSTEM
from truongso.payments.models import InvoiceStatus, PaymentStatus
from truongso.payments.services import (
    credit_apply,
    invoice_cancel,
    ledger_balances,
    ledger_check,
    payment_allocate,
    payment_refund,
    payment_to_credit,
)
from truongso.payments.tests.ledger_factories import bill, receive


def test_pay_overpay_credit_apply_refund(world: Any) -> None:
    an, binh = world.students["an"], world.students["binh"]
    first, second = bill(world, an, 500_000), bill(world, an, 300_000)
    payment = receive(world.school_a, 1_000_000)
    payment_allocate(actor=SYSTEM, payment=payment, invoice=first, amount=500_000, how="auto")
    payment_allocate(actor=SYSTEM, payment=payment, invoice=second, amount=200_000, how="auto")
    payment_to_credit(actor=SYSTEM, payment=payment, amount=300_000, student=an)
    assert (payment.allocated, payment.credited, payment.status) == (
        700_000,
        300_000,
        PaymentStatus.MATCHED,
    )
    assert (first.status, second.status, second.balance) == ("paid", "partial", 100_000)
    credit_apply(actor=SYSTEM, student=an, invoice=second, amount=100_000)
    assert second.status == InvoiceStatus.PAID
    payment_refund(actor=SYSTEM, student=an, amount=200_000, reason="Trả lại tiền thừa")
    assert ledger_check() == []
    assert ledger_balances() == {
        "bank": 800_000,
        "cash": 0,
        "credit": 0,
        "receivable": 0,
        "revenue": -800_000,
        "suspense": 0,
    }
    cancelled = invoice_cancel(actor=SYSTEM, invoice=first, reason="Lập nhầm")
    assert cancelled.status == "cancelled"
    assert ledger_check() == []
    assert ledger_balances()["credit"] == -500_000
    assert binh.pk
