"""Property test: whatever sequence of operations the accountant, the bank feed and the
reconciliation perform (valid or refused), the books add up after every step.

A hypothesis state machine drives the real services against the real database. After each
step, ``ledger_check`` must find nothing, the ledger must agree with a model kept beside it
(money in − money back; what live invoices ask), and a refused operation must have written
nothing at all.
"""

from __future__ import annotations

import itertools
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from truongso.core.authz import SYSTEM
from truongso.payments.models import Invoice, InvoiceStatus, LedgerEntry, Payment
from truongso.payments.selectors import student_credit
from truongso.payments.services import (
    credit_apply,
    credit_note_create,
    fee_item_create,
    fee_reduction_create,
    invoice_cancel,
    invoice_create,
    invoice_run_execute,
    invoice_run_start,
    ledger_balances,
    ledger_check,
    payment_allocate,
    payment_receive,
    payment_refund,
    payment_to_credit,
)
from truongso.payments.tests.ledger_factories import DUE

# ``None`` asks for the largest amount the step allows (so that most steps succeed);
# numbers may be too large on purpose (the step must then be refused and change nothing).
AMOUNT = st.one_of(st.none(), st.integers(min_value=1, max_value=1_500_000))
INDEX = st.integers(min_value=0, max_value=50)
# Mostly pick rows the step can use (open invoices, payments with money left); sometimes any.
USABLE = st.sampled_from([True, True, True, False])


class Books(RuleBasedStateMachine):
    world: Any = None

    def __init__(self) -> None:
        super().__init__()
        self._atomic = transaction.atomic()
        self._atomic.__enter__()
        self.students = [self.world.students[name] for name in ("an", "binh", "chi")]
        self.school = self.world.school_a
        self.invoices: list[Invoice] = []
        self.payments: list[Payment] = []
        self.refs = itertools.count(1)
        self.received = self.refunded = self.asked = 0
        self.fee = fee_item_create(
            actor=SYSTEM, school=self.school, school_year=self.world.year, code="HP",
            name="Học phí", kind="tuition", period="month", amount=450_000,
        )  # fmt: skip
        fee_reduction_create(
            actor=SYSTEM, student=self.students[0], school_year=self.world.year,
            kind="percent", percent=50, reason="Hộ nghèo", valid_from=DUE,
        )  # fmt: skip

    def teardown(self) -> None:
        transaction.set_rollback(True)
        self._atomic.__exit__(None, None, None)

    def _attempt(self, step: Any) -> bool:
        """Run a step; a refused step must leave the ledger exactly as it was."""
        before = LedgerEntry.objects.count()
        try:
            with transaction.atomic():
                step()
        except ValidationError:
            assert LedgerEntry.objects.count() == before
            return False
        return True

    def _pick(self, rows: list[Any], index: int, usable: bool = False) -> Any:
        for row in rows:
            row.refresh_from_db()
        kept = [row for row in rows if self._usable(row)] if usable else []
        chosen = kept or rows
        return chosen[index % len(chosen)]

    @staticmethod
    def _usable(row: Any) -> bool:
        if isinstance(row, Payment):
            return row.unassigned > 0
        return row.status in (InvoiceStatus.OPEN, InvoiceStatus.PARTIAL)

    @rule(student=INDEX, amounts=st.lists(st.integers(0, 900_000), min_size=1, max_size=3))
    def bill(self, student: int, amounts: list[int]) -> None:
        invoice = invoice_create(
            actor=SYSTEM,
            student=self.students[student % 3],
            school_year=self.world.year,
            lines=[(None, f"Khoản {n}", amount) for n, amount in enumerate(amounts)],
            period_label="Tháng 10",
            due_date=DUE,
            reason="Học phí",
        )
        self.invoices.append(invoice)
        self.asked += invoice.total

    @rule(period=st.sampled_from(["2025-09", "2025-10"]))
    def bulk_run(self, period: str) -> None:
        """A bulk run of a period, perhaps again: every student once per period."""
        known = {invoice.pk for invoice in self.invoices}
        run = invoice_run_start(
            actor=SYSTEM, school=self.school, school_year=self.world.year, period_key=period,
            period_label=f"Tháng {period}", due_date=DUE, fee_items=[self.fee],
        )  # fmt: skip
        invoice_run_execute(run_id=run.pk)  # inside this test's transaction: called directly
        made = list(Invoice.objects.filter(run=run).exclude(pk__in=known))
        self.invoices += made
        self.asked += sum(invoice.total for invoice in made)
        per_period = Invoice.objects.filter(period_key=period)
        assert per_period.count() == per_period.values("student").distinct().count() == 3

    @rule(amount=st.integers(1, 1_500_000), cash=st.booleans(), repeat=st.booleans())
    def receive(self, amount: int, cash: bool, repeat: bool) -> None:
        ref = f"FT{next(self.refs)}"
        for _delivery in range(2 if repeat else 1):
            payment, created = payment_receive(
                actor=SYSTEM,
                school=self.school,
                method="cash" if cash else "bank_transfer",
                provider="manual" if cash else "sepay",
                provider_ref=ref,
                amount=amount,
                paid_at=timezone.now(),
            )
            if created:
                self.payments.append(payment)
                self.received += amount

    @precondition(lambda self: self.invoices)
    @rule(i=INDEX, extra=st.integers(-400_000, 400_000))
    def pay_by_transfer(self, i: int, extra: int) -> None:
        """What the reconciliation does with a transfer naming an invoice: allocate up to
        the balance, the rest (an overpayment) to the student's credit."""
        invoice = self._pick(self.invoices, i, usable=True)
        amount = max(1, invoice.balance + extra)
        self.receive(amount=amount, cash=False, repeat=False)
        payment = self.payments[-1]
        part = min(amount, invoice.balance)
        if part and invoice.status != InvoiceStatus.CANCELLED:
            payment_allocate(
                actor=SYSTEM, payment=payment, invoice=invoice, amount=part, how="auto"
            )
        if payment.unassigned:
            payment_to_credit(
                actor=SYSTEM, payment=payment, amount=payment.unassigned, student=invoice.student
            )

    @precondition(lambda self: self.payments and self.invoices)
    @rule(p=INDEX, i=INDEX, amount=AMOUNT, usable=USABLE)
    def allocate(self, p: int, i: int, amount: int | None, usable: bool) -> None:
        payment = self._pick(self.payments, p, usable)
        invoice = self._pick(self.invoices, i, usable)
        wanted = amount or min(payment.unassigned, invoice.balance) or 1
        self._attempt(
            lambda: payment_allocate(
                actor=SYSTEM, payment=payment, invoice=invoice, amount=wanted, how="auto"
            )
        )

    @precondition(lambda self: self.payments)
    @rule(p=INDEX, student=INDEX, amount=AMOUNT, usable=USABLE)
    def to_credit(self, p: int, student: int, amount: int | None, usable: bool) -> None:
        payment = self._pick(self.payments, p, usable)
        wanted = amount or payment.unassigned or 1
        self._attempt(
            lambda: payment_to_credit(
                actor=SYSTEM, payment=payment, amount=wanted, student=self.students[student % 3]
            )
        )

    @precondition(lambda self: self.invoices)
    @rule(i=INDEX, amount=AMOUNT, usable=USABLE)
    def apply_credit(self, i: int, amount: int | None, usable: bool) -> None:
        holders = {s.pk for s in self.students if student_credit(s, school=self.school)}
        rows = [row for row in self.invoices if row.student_id in holders] if usable else []
        invoice = self._pick(rows or self.invoices, i, usable)
        held = student_credit(invoice.student, school=self.school)
        wanted = amount or min(invoice.balance, held) or 1
        self._attempt(
            lambda: credit_apply(
                actor=SYSTEM, student=invoice.student, invoice=invoice, amount=wanted
            )
        )

    @rule(student=INDEX, amount=st.integers(1, 900_000))
    def bill_a_credit_holder(self, student: int, amount: int) -> None:
        """The next month's invoice of a student with credit, paid from it at once."""
        holders = [s for s in self.students if student_credit(s, school=self.school)]
        if not holders:
            return
        chosen = holders[student % len(holders)]
        self.bill(student=self.students.index(chosen), amounts=[amount])
        invoice = self.invoices[-1]
        held = student_credit(chosen, school=self.school)
        credit_apply(actor=SYSTEM, student=chosen, invoice=invoice, amount=min(held, amount))

    @precondition(lambda self: self.payments)
    @rule(p=INDEX, amount=AMOUNT, usable=USABLE)
    def refund_payment(self, p: int, amount: int | None, usable: bool) -> None:
        payment = self._pick(self.payments, p, usable)
        wanted = amount or payment.unassigned or 1
        if self._attempt(
            lambda: payment_refund(actor=SYSTEM, payment=payment, amount=wanted, reason="Trả lại")
        ):
            self.refunded += wanted

    @rule(student=INDEX, amount=AMOUNT, usable=USABLE)
    def refund_credit(self, student: int, amount: int | None, usable: bool) -> None:
        holders = [s for s in self.students if student_credit(s, school=self.school)]
        pool = holders if usable and holders else self.students
        chosen = pool[student % len(pool)]
        amount = amount or student_credit(chosen, school=self.school) or 1
        if self._attempt(
            lambda: payment_refund(actor=SYSTEM, student=chosen, amount=amount, reason="Trả lại")
        ):
            self.refunded += amount

    @precondition(lambda self: self.invoices)
    @rule(i=INDEX, now=st.sampled_from([True, False, False, False]))
    def cancel(self, i: int, now: bool) -> None:
        if not now:  # rarer than the other steps, or every invoice ends cancelled
            return
        invoice = self._pick(self.invoices, i, usable=True)
        asked = invoice.total - invoice.credited
        if self._attempt(lambda: invoice_cancel(actor=SYSTEM, invoice=invoice, reason="Hủy")):
            self.asked -= asked

    @precondition(lambda self: self.invoices)
    @rule(i=INDEX, amount=AMOUNT, usable=USABLE)
    def credit_note(self, i: int, amount: int | None, usable: bool) -> None:
        # Mostly on invoices already (partly) paid: what goes below the paid part moves
        # to the student's credit, the subtle case.
        paid = [r for r in self.invoices if r.paid and r.status != InvoiceStatus.CANCELLED]
        invoice = self._pick(paid if usable and paid else self.invoices, i)
        asked = invoice.total - invoice.credited
        wanted = (amount % asked + 1 if amount and asked and usable else amount) or asked or 1
        if self._attempt(
            lambda: credit_note_create(actor=SYSTEM, invoice=invoice, amount=wanted, reason="Giảm")
        ):
            self.asked -= wanted

    @invariant()
    def books_add_up(self) -> None:
        assert ledger_check() == []
        balances = ledger_balances()
        assert sum(balances.values()) == 0
        assert balances["bank"] + balances["cash"] == self.received - self.refunded
        assert balances["revenue"] == -self.asked

    @invariant()
    def every_dong_is_somewhere(self) -> None:
        for payment in Payment.objects.all():
            parts = payment.allocated + payment.credited + payment.refunded + payment.unassigned
            assert parts == payment.amount and payment.unassigned >= 0
        for invoice in Invoice.objects.exclude(status=InvoiceStatus.CANCELLED):
            assert 0 <= invoice.paid <= invoice.total - invoice.credited


def test_the_books_add_up_after_any_sequence_of_operations(world: Any) -> None:
    Books.world = world
    run_state_machine_as_test(
        Books,
        settings=settings(
            max_examples=30,
            stateful_step_count=25,
            deadline=None,
            database=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
        ),
    )
