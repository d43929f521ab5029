from __future__ import annotations

from io import StringIO
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from truongso.core.authz import SYSTEM
from truongso.payments.models import Account, Invoice, LedgerEntry, Payment, Posting
from truongso.payments.services import (
    ledger_balances,
    ledger_check,
    payment_allocate,
    payment_to_credit,
)
from truongso.payments.services.ledger import UnbalancedPosting, posting_create
from truongso.payments.tests.ledger_factories import bill, receive


@pytest.fixture
def books(world: Any) -> dict[str, Any]:
    an = world.students["an"]
    invoice = bill(world, an, 500_000)
    payment = receive(world.school_a, 700_000)
    payment_allocate(actor=SYSTEM, payment=payment, invoice=invoice, amount=300_000, how="auto")
    payment_to_credit(actor=SYSTEM, payment=payment, amount=100_000, student=an)
    receive(world.school_c, 50_000)
    return {"an": an, "invoice": invoice, "payment": payment}


def test_balances_per_school_and_in_all(world: Any, books: Any) -> None:
    assert ledger_balances(school=world.school_a) == {
        "bank": 700_000,
        "cash": 0,
        "receivable": 200_000,
        "revenue": -500_000,
        "credit": -100_000,
        "suspense": -300_000,
    }
    assert ledger_balances(school=world.school_c)["suspense"] == -50_000
    assert sum(ledger_balances().values()) == 0
    assert ledger_check() == ledger_check(school=world.school_a) == []


def test_an_unbalanced_posting_is_never_written(world: Any) -> None:
    with pytest.raises(UnbalancedPosting):
        posting_create(
            actor=SYSTEM,
            school=world.school_a,
            kind="test",
            lines=[(Account.BANK, None, 100), (Account.SUSPENSE, None, -99)],
        )
    assert posting_create(actor=SYSTEM, school=world.school_a, kind="test", lines=[]) is None
    assert Posting.objects.count() == 0


def test_a_posting_tampered_with_is_reported(world: Any, books: Any) -> None:
    entry = LedgerEntry.objects.get(posting__kind="payment_receive", account="bank", amount=50_000)
    LedgerEntry.objects.filter(pk=entry.pk).update(amount=50_001)
    problems = ledger_check(school=world.school_c)
    assert problems[0] == f"posting {entry.posting_id} (payment_receive): entries add up to 1"
    assert "bank + cash 50001, received 50000 − refunded 0" in problems
    assert ledger_check(school=world.school_a) == []


def test_an_invoice_paid_by_hand_is_reported(world: Any, books: Any) -> None:
    invoice, an = books["invoice"], books["an"]
    Invoice.objects.filter(pk=invoice.pk).update(paid=400_000)
    assert ledger_check() == [
        f"receivable of student {an.pk} at school {world.school_a.pk}: ledger 200000, "
        "documents 100000",
        f"invoice {invoice.code}: paid 400000, allocations kept 300000",
    ]


def test_a_payment_assigned_by_hand_is_reported(world: Any, books: Any) -> None:
    payment = books["payment"]
    Payment.objects.filter(pk=payment.pk).update(credited=0)
    assert ledger_check() == [
        f"payment {payment.pk}: allocated/credited/refunded 300000/0/0, documents 300000/100000/0",
        "suspense -350000, unassigned payments 450000",
    ]


def test_a_credit_without_its_posting_is_reported(world: Any, books: Any) -> None:
    LedgerEntry.objects.filter(posting__kind="to_credit").update(amount=0)
    problems = ledger_check(school=world.school_a)
    assert (
        f"credit of student {books['an'].pk} at school {world.school_a.pk}: ledger 0, "
        "documents -100000"
    ) in problems


def test_check_payments_command(world: Any, books: Any) -> None:
    out = StringIO()
    call_command("check_payments", stdout=out)
    assert out.getvalue().splitlines() == [
        "bank=750000 cash=0 credit=-100000 receivable=200000 revenue=-500000 suspense=-350000",
        "OK",
    ]
    out = StringIO()
    call_command("check_payments", "--school", world.school_c.code, stdout=out)
    assert out.getvalue().splitlines()[-1] == "OK"
    with pytest.raises(CommandError, match="No school with code 9999"):
        call_command("check_payments", "--school", "9999")
    Invoice.objects.filter(pk=books["invoice"].pk).update(total=400_000)
    err = StringIO()
    with pytest.raises(CommandError, match=r"problem\(s\) found"):
        call_command("check_payments", stderr=err, stdout=StringIO())
    assert "revenue -500000, invoices ask 400000" in err.getvalue().splitlines()


def test_a_status_set_by_hand_is_reported(world: Any, books: Any) -> None:
    payment, invoice = books["payment"], books["invoice"]
    Payment.objects.filter(pk=payment.pk).update(status="matched")
    Invoice.objects.filter(pk=invoice.pk).update(status="paid")
    assert ledger_check() == [
        f"payment {payment.pk}: status matched, expected partial",
        f"invoice {invoice.code}: status paid, expected partial",
    ]


def test_a_refund_without_school_is_reported(world: Any, books: Any) -> None:
    from truongso.payments.models import Refund
    from truongso.payments.services import payment_refund

    refund = payment_refund(actor=SYSTEM, payment=books["payment"], amount=1_000, reason="Trả")
    Refund.objects.filter(pk=refund.pk).update(school=None)
    assert f"refund {refund.pk}: no school" in ledger_check()
