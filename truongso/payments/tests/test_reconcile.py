"""Reconciliation: codes found however mangled, partial and over payment, siblings,
suggestions for a human, manual assignment, and the ledger adding up after each."""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone, translation

from truongso.core.authz import SYSTEM
from truongso.core.models import AuditEntry
from truongso.payments.codes import check_char
from truongso.payments.models import Credit, Invoice, Payment
from truongso.payments.reconcile import (
    Result,
    payment_assign,
    payment_assign_credit,
    reconcile_payment,
    suggestions_for,
)
from truongso.payments.services import invoice_cancel, ledger_check, payment_receive
from truongso.payments.tests import bankfeed as bf

_refs = itertools.count(1)


@pytest.fixture(autouse=True)
def _english() -> Any:
    with translation.override("en"):
        yield


@pytest.fixture
def feed(world: Any) -> Any:
    world.account = bf.bank_account(world.school_a)
    return world


def coded(world: Any, student: str, amount: int, body: str, *, due: int = 15) -> Invoice:
    """An invoice with a chosen code (so that tests can mangle it on purpose)."""
    invoice = bf.invoice(world, world.students[student], amount, due=due)
    code = "HP" + body + check_char(body)
    Invoice.objects.filter(pk=invoice.pk).update(code=code)
    invoice.refresh_from_db()
    return invoice


def receive(world: Any, amount: int, memo: str, payer: str = "", school: Any = None) -> Payment:
    payment, created = payment_receive(
        actor=SYSTEM,
        school=school or world.school_a,
        method="bank_transfer",
        provider="sepay",
        provider_ref=str(next(_refs)),
        amount=amount,
        paid_at=timezone.now(),
        payer_name=payer,
        memo=memo,
        bank_account=world.account if school is None else None,
    )
    assert created
    return payment


def state(*objects: Any) -> list[tuple[Any, ...]]:
    rows: list[tuple[Any, ...]] = []
    for obj in objects:
        obj.refresh_from_db()
        if isinstance(obj, Invoice):
            rows.append((obj.paid, obj.status))
        else:
            rows.append((obj.allocated, obj.credited, obj.unassigned, obj.status))
    return rows


@pytest.mark.parametrize(
    "memo",
    [
        "HP3K0QX1M?",  # as printed ("?" stands for the check character)
        "hp3k0qx1m?",  # lower case
        "HP 3K0Q X1M?",  # spaced
        "HP3KOQXIM?",  # O for 0, I for 1
        "hp-3k0q-x1m?",  # dashes
        "MBVCB.3278907687.HP3K0QX1M?.NGUYEN VAN CHA chuyen tien",  # bank prefix, extra words
        "Nop hoc phi HP3K0QX1M? cho chau An lop 6A1",  # words around it
        "nop hp HP3K0QX1M?cho chau",  # glued to the next word
        "HP3K0QX1",  # truncated to 8 characters
        "HP3K0QX1M?ZZ",  # stray characters at the end
    ],
)
def test_mangled_codes_are_found(feed: Any, memo: str) -> None:
    invoice = coded(feed, "an", 1_500_000, "3K0QX1M")
    check = invoice.code[-1]
    payment = receive(feed, 1_500_000, memo.replace("m?", check.lower()).replace("M?", "M" + check))
    outcome = reconcile_payment(actor=SYSTEM, payment=payment)
    assert (outcome.result, outcome.codes) == (Result.MATCHED, [invoice.code])
    assert state(invoice, payment) == [(1_500_000, "paid"), (1_500_000, 0, 0, "matched")]
    assert ledger_check() == []


def test_truncated_code_shared_by_two_invoices_goes_to_a_human(feed: Any) -> None:
    first = coded(feed, "an", 500_000, "3K0QX1M")
    second = coded(feed, "binh", 500_000, "3K0QX1N")
    payment = receive(feed, 500_000, "HP3K0QX1")
    outcome = reconcile_payment(actor=SYSTEM, payment=payment)
    assert outcome.result == Result.QUEUED
    assert outcome.ambiguous == ["HP3K0QX1"]
    assert "fits several invoices" in outcome.note
    assert [s.invoice for s in outcome.suggestions] == [first, second]
    assert state(payment) == [(0, 0, 500_000, "unmatched")]


def test_too_short_a_code_is_not_guessed(feed: Any) -> None:
    coded(feed, "an", 500_000, "3K0QX1M")
    payment = receive(feed, 400_000, "HP3K0Q")
    outcome = reconcile_payment(actor=SYSTEM, payment=payment)
    assert (outcome.result, outcome.codes, outcome.note) == (
        Result.QUEUED,
        [],
        "The memo has no invoice code.",
    )


def test_partial_payment(feed: Any) -> None:
    invoice = coded(feed, "an", 1_500_000, "3K0QX1M")
    payment = receive(feed, 600_000, invoice.code)
    outcome = reconcile_payment(actor=SYSTEM, payment=payment)
    assert outcome.result == Result.PARTIAL
    assert state(invoice, payment) == [(600_000, "partial"), (600_000, 0, 0, "matched")]
    assert invoice.balance == 900_000


def test_overpayment_goes_to_the_students_credit(feed: Any) -> None:
    invoice = coded(feed, "an", 1_500_000, "3K0QX1M")
    payment = receive(feed, 2_000_000, invoice.code)
    outcome = reconcile_payment(actor=SYSTEM, payment=payment)
    assert (outcome.result, outcome.credited) == (Result.MATCHED, 500_000)
    assert state(invoice, payment) == [(1_500_000, "paid"), (1_500_000, 500_000, 0, "matched")]
    credit = Credit.objects.get()
    assert (credit.student, credit.amount, credit.payment) == (
        feed.students["an"],
        500_000,
        payment,
    )
    assert ledger_check() == []


def test_siblings_paid_by_one_transfer(feed: Any) -> None:
    an = coded(feed, "an", 1_500_000, "3K0QX1M")
    binh = coded(feed, "binh", 700_000, "7YT2W9P")
    payment = receive(feed, 2_200_000, f"HP {an.code[2:]} va {binh.code.lower()} hai chau")
    outcome = reconcile_payment(actor=SYSTEM, payment=payment)
    assert outcome.result == Result.MATCHED
    assert sorted(a.amount for a in outcome.allocations) == [700_000, 1_500_000]
    assert state(an, binh, payment) == [
        (1_500_000, "paid"),
        (700_000, "paid"),
        (2_200_000, 0, 0, "matched"),
    ]


def test_not_enough_for_every_named_invoice_pays_in_due_order(feed: Any) -> None:
    later = coded(feed, "an", 1_000_000, "3K0QX1M", due=30)
    earlier = coded(feed, "binh", 700_000, "7YT2W9P", due=5)
    payment = receive(feed, 1_000_000, f"{later.code} {earlier.code}")
    outcome = reconcile_payment(actor=SYSTEM, payment=payment)
    assert outcome.result == Result.PARTIAL
    assert state(earlier, later) == [(700_000, "paid"), (300_000, "partial")]


def test_paying_a_paid_invoice_again_is_credited(feed: Any) -> None:
    invoice = coded(feed, "an", 700_000, "3K0QX1M")
    reconcile_payment(actor=SYSTEM, payment=receive(feed, 700_000, invoice.code))
    again = receive(feed, 700_000, invoice.code)
    outcome = reconcile_payment(actor=SYSTEM, payment=again)
    assert (outcome.result, outcome.credited) == (Result.CREDITED, 700_000)
    assert state(again) == [(0, 700_000, 0, "matched")]
    assert ledger_check() == []


def test_a_cancelled_invoice_is_left_for_a_human(feed: Any) -> None:
    invoice = coded(feed, "an", 700_000, "3K0QX1M")
    invoice_cancel(actor=SYSTEM, invoice=invoice, reason="Lập nhầm")
    payment = receive(feed, 700_000, invoice.code)
    outcome = reconcile_payment(actor=SYSTEM, payment=payment)
    assert outcome.result == Result.QUEUED
    assert "cancelled" in outcome.note
    assert state(payment) == [(0, 0, 700_000, "unmatched")]


def test_another_schools_code_is_not_used(feed: Any) -> None:
    other = coded(feed, "dung", 700_000, "3K0QX1M")  # Vũ Tiến Dũng studies at school C
    payment = receive(feed, 700_000, other.code)
    outcome = reconcile_payment(actor=SYSTEM, payment=payment)
    assert (outcome.result, outcome.unknown) == (Result.QUEUED, [other.code])
    assert state(other) == [(0, "open")]


def test_no_code_suggests_by_amount_and_payer_name(feed: Any) -> None:
    binh = bf.invoice(feed, feed.students["binh"], 700_000)
    an = bf.invoice(feed, feed.students["an"], 700_000)
    bf.invoice(feed, feed.students["chi"], 650_000)  # another amount: not suggested
    payment = receive(feed, 700_000, "NGUYEN VAN CHA chuyen tien hoc", payer="NGUYEN VAN CHA")
    outcome = reconcile_payment(actor=SYSTEM, payment=payment)
    assert outcome.result == Result.QUEUED
    assert [s.invoice for s in outcome.suggestions] == [an, binh]
    assert outcome.suggestions[0].score > outcome.suggestions[1].score
    assert "the payer's name matches" in outcome.suggestions[0].reasons
    assert state(payment) == [(0, 0, 700_000, "unmatched")]


def test_reconcile_is_idempotent_and_audited(feed: Any) -> None:
    invoice = coded(feed, "an", 700_000, "3K0QX1M")
    payment = receive(feed, 700_000, invoice.code)
    assert reconcile_payment(actor=SYSTEM, payment=payment).result == Result.MATCHED
    assert reconcile_payment(actor=SYSTEM, payment=payment).result == Result.NOTHING
    entry = AuditEntry.objects.get(action="reconcile")
    assert entry.after is not None and entry.after["codes"] == [invoice.code]
    assert entry.org_path == feed.school_a.path


class TestManualAssignment:
    def test_accountant_assigns_and_credits(self, feed: Any) -> None:
        invoice = bf.invoice(feed, feed.students["an"], 700_000)
        payment = receive(feed, 1_000_000, "chuyen tien")
        payment_assign(actor=feed.accountant, payment=payment, invoice=invoice, amount=700_000)
        payment_assign_credit(
            actor=feed.accountant, payment=payment, student=feed.students["an"], amount=300_000
        )
        assert state(invoice, payment) == [(700_000, "paid"), (700_000, 300_000, 0, "matched")]
        assert payment.allocations.get().how == "manual"
        assert ledger_check() == []

    @pytest.mark.parametrize("who", ["clerk", "teacher", "parent", "principal_c"])
    def test_others_are_denied_and_nothing_changes(self, feed: Any, who: str) -> None:
        invoice = bf.invoice(feed, feed.students["an"], 700_000)
        payment = receive(feed, 700_000, "chuyen tien")
        with pytest.raises(PermissionDenied):
            payment_assign(
                actor=getattr(feed, who), payment=payment, invoice=invoice, amount=700_000
            )
        assert state(invoice, payment) == [(0, "open"), (0, 0, 700_000, "unmatched")]

    @pytest.mark.parametrize(
        ("amount", "message"),
        [(800_000, "still unassigned"), (0, "above zero"), (650_000, "asks only")],
    )
    def test_amounts_are_checked(self, feed: Any, amount: int, message: str) -> None:
        invoice = bf.invoice(feed, feed.students["an"], 600_000)
        payment = receive(feed, 700_000, "chuyen tien")
        with pytest.raises(ValidationError) as caught:
            payment_assign(actor=feed.accountant, payment=payment, invoice=invoice, amount=amount)
        assert message in str(caught.value)
        assert state(invoice, payment) == [(0, "open"), (0, 0, 700_000, "unmatched")]

    def test_an_invoice_of_another_school_is_refused(self, feed: Any) -> None:
        other = bf.invoice(feed, feed.students["dung"], 700_000)
        payment = receive(feed, 700_000, "chuyen tien")
        with pytest.raises(ValidationError, match="another school"):
            payment_assign(actor=feed.accountant, payment=payment, invoice=other, amount=700_000)

    def test_credit_for_a_student_of_another_school_is_refused(self, feed: Any) -> None:
        payment = receive(feed, 700_000, "chuyen tien")
        with pytest.raises(ValidationError, match="not of this school"):
            payment_assign_credit(
                actor=feed.accountant, payment=payment, student=feed.students["dung"], amount=1
            )


def test_suggestions_take_the_unassigned_part(feed: Any) -> None:
    small = bf.invoice(feed, feed.students["an"], 300_000)
    big = bf.invoice(feed, feed.students["binh"], 700_000)
    payment = receive(feed, 1_000_000, "chuyen tien")
    payment_assign(actor=feed.accountant, payment=payment, invoice=big, amount=700_000)
    assert [s.invoice for s in suggestions_for(payment)] == [small]
    assert dt.date(2025, 9, 15) == small.due_date
