"""Reconciliation (đối soát): assign a received payment to the invoices its memo names.

:func:`reconcile_payment` reads the invoice codes in the memo (:mod:`matching`, mangled codes
included) and allocates the payment to those invoices in order of due date; what is left
after they are paid goes to the student's credit (an overpayment). A transfer naming the
invoices of brothers and sisters pays each. A memo without a usable code leaves the payment
unassigned, in the queue, with suggestions by amount and payer name for the accountant, who
assigns it by hand (:func:`payment_assign`, :func:`payment_assign_credit`).

Every đồng stays accounted for: the ledger services move it from suspense to the invoices or
the credit, and each decision (even "left for a human") is in the audit log.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F, QuerySet
from django.utils.translation import gettext as _

from truongso.core import authz
from truongso.core.audit import audit_record
from truongso.core.authz import Perm
from truongso.core.text import fold
from truongso.payments.codes import CODE_LENGTH
from truongso.payments.matching import CodeScan, scan_memo
from truongso.payments.models import (
    Allocation,
    AllocationHow,
    Invoice,
    InvoiceStatus,
    Payment,
    PaymentStatus,
)
from truongso.registry.models import Student

OPEN = (InvoiceStatus.OPEN, InvoiceStatus.PARTIAL)
SUGGESTIONS = 5


class Result:
    MATCHED = "matched"  # all of it allocated (and any surplus credited)
    PARTIAL = "partial"  # allocated, but the invoices still ask for more
    CREDITED = "credited"  # the invoices named were already paid: all to credit
    QUEUED = "queued"  # left unassigned for a human (no usable code)
    NOTHING = "nothing"  # nothing left to assign


@dataclass
class Suggestion:
    invoice: Invoice
    score: int
    reasons: list[str]


@dataclass
class ReconcileOutcome:
    result: str
    allocations: list[Allocation] = field(default_factory=list)
    credited: int = 0
    codes: list[str] = field(default_factory=list)
    ambiguous: list[str] = field(default_factory=list)
    unknown: list[str] = field(default_factory=list)
    suggestions: list[Suggestion] = field(default_factory=list)
    note: str = ""


class SchoolCodeIndex:
    """Invoice codes of one school, looked up in the database through the unique index on
    ``code`` alone: with the school or status in the WHERE clause the planner may prefer the
    (school, status) index and read every open invoice of a big school for each lookup."""

    def __init__(self, school_id: int) -> None:
        self.school_id = school_id

    def exact(self, code: str) -> Invoice | None:
        invoice = next(iter(Invoice.objects.filter(code=code)[:1]), None)  # no ORDER BY
        return invoice if invoice is not None and invoice.school_id == self.school_id else None

    def open_with_prefix(self, prefix: str, limit: int) -> list[Invoice]:
        # A range on the code (SQLite's LIKE cannot use the index); codes are [0-9A-Z], and
        # a prefix of 8+ characters is shared by a handful of invoices even nationwide.
        upper = prefix + "Z" * (CODE_LENGTH - len(prefix))
        rows = Invoice.objects.filter(code__gte=prefix, code__lte=upper).order_by("code")
        hits = []
        for invoice in rows[:200].iterator():
            mine = invoice.school_id == self.school_id and invoice.status in OPEN
            if mine and invoice.code.startswith(prefix):
                hits.append(invoice)
                if len(hits) == limit:
                    break
        return hits


def _services() -> Any:
    from truongso.payments.services import payments

    return payments


def reconcile_payment(*, actor: Any, payment: Payment) -> ReconcileOutcome:
    """Assign what is unassigned of ``payment`` from the codes in its memo (idempotent:
    a payment with nothing unassigned is left alone)."""
    with transaction.atomic():
        locked = _locked(actor, payment)
        if locked.unassigned <= 0 or locked.status == PaymentStatus.REFUNDED:
            return ReconcileOutcome(Result.NOTHING)
        scan = scan_memo(locked.memo, SchoolCodeIndex(locked.school_id))
        outcome = _apply(actor, locked, scan)
        _audit(actor, locked, outcome)
    payment.refresh_from_db()
    return outcome


def _apply(actor: Any, payment: Payment, scan: CodeScan[Invoice]) -> ReconcileOutcome:
    named = [invoice for invoice, _how in scan.found]
    outcome = ReconcileOutcome(
        Result.QUEUED,
        codes=[i.code for i in named],
        ambiguous=scan.ambiguous,
        unknown=scan.unknown,
    )
    live = [i for i in named if i.status != InvoiceStatus.CANCELLED]
    if not live:
        outcome.note = _queue_note(scan, named)
        outcome.suggestions = suggestions_for(payment)
        return outcome
    # The invoices were just read in this transaction; payment_allocate locks each one
    # (after the payment, locked above) and re-checks its balance: a balance changed meanwhile
    # by another payment rolls the whole match back, and the payment waits in the queue.
    remaining = payment.unassigned
    for invoice in sorted(live, key=lambda i: (i.due_date, i.pk)):
        amount = min(remaining, invoice.balance) if invoice.status in OPEN else 0
        if amount > 0:
            outcome.allocations.append(
                _services().payment_allocate(
                    actor=actor, payment=payment, invoice=invoice, amount=amount,
                    how=AllocationHow.AUTO,
                )
            )  # fmt: skip
            remaining -= amount
    if remaining > 0:
        student = Student.objects.get(pk=live[0].student_id)
        _services().payment_to_credit(
            actor=actor, payment=payment, amount=remaining, student=student
        )
        outcome.credited = remaining
    outcome.result = _result(outcome, live)
    return outcome


def _result(outcome: ReconcileOutcome, invoices: list[Invoice]) -> str:
    """``payment_allocate`` refreshed each invoice it paid: their statuses are current."""
    if not outcome.allocations:
        return Result.CREDITED
    return Result.PARTIAL if any(i.status in OPEN for i in invoices) else Result.MATCHED


def _queue_note(scan: CodeScan[Invoice], named: list[Invoice]) -> str:
    if named:
        return _("The invoice named in the memo is cancelled: %(codes)s.") % {
            "codes": ", ".join(i.code for i in named)
        }
    if scan.ambiguous:
        return _("The code in the memo is incomplete and fits several invoices: %(codes)s.") % {
            "codes": ", ".join(scan.ambiguous)
        }
    if scan.unknown:
        return _("No open invoice of the school has the code in the memo: %(codes)s.") % {
            "codes": ", ".join(scan.unknown)
        }
    return _("The memo has no invoice code.")


def _audit(actor: Any, payment: Payment, outcome: ReconcileOutcome) -> None:
    audit_record(
        actor=actor,
        action="reconcile",
        obj=payment,
        org_path=payment.school.path,
        after={
            "result": outcome.result,
            "codes": outcome.codes,
            "allocated": sum(a.amount for a in outcome.allocations),
            "credited": outcome.credited,
            "ambiguous": outcome.ambiguous,
            "unknown": outcome.unknown,
            "suggested": [s.invoice.code for s in outcome.suggestions],
        },
        note=outcome.note,
    )


# Suggestions for a human -----------------------------------------------------------------


def _words(text: str) -> set[str]:
    return {w for w in fold(text).replace(".", " ").split() if len(w) > 1}


def open_invoices(school_id: int, *, balance: int) -> QuerySet[Invoice]:
    """Open invoices of the school still asking exactly ``balance`` đồng."""
    return Invoice.objects.filter(
        school_id=school_id, status__in=OPEN, total=F("credited") + F("paid") + balance
    )


def suggestions_for(payment: Payment, limit: int = SUGGESTIONS) -> list[Suggestion]:
    """Open invoices of the school that ask exactly the amount received, ranked by how well
    the payer's name (and the memo) fit the invoice's payer (the guardian) and student."""
    amount = payment.unassigned
    rows = (
        open_invoices(payment.school_id, balance=amount)
        .select_related("student", "school_class")
        .order_by("due_date", "id")[:300]
    )
    said = _words(f"{payment.payer_name} {payment.memo}")
    ranked = [_score(invoice, said) for invoice in rows]
    ranked.sort(key=lambda s: (-s.score, s.invoice.due_date, s.invoice.pk))
    return ranked[:limit]


def _score(invoice: Invoice, said: set[str]) -> Suggestion:
    reasons = [_("the amount equals what the invoice asks")]
    score = 50
    payer = _words(invoice.payer_name)
    if payer and payer <= said:
        score, reasons = score + 30, [*reasons, _("the payer's name matches")]
    elif payer & said:
        score += 30 * len(payer & said) // len(payer) // 2
    student = _words(invoice.student.full_name)
    if student and student <= said:
        score, reasons = score + 20, [*reasons, _("the memo names the student")]
    if invoice.school_class and fold(invoice.school_class.name) in said:
        score, reasons = score + 5, [*reasons, _("the memo names the class")]
    return Suggestion(invoice, score, reasons)


# Manual assignment by the accountant -------------------------------------------------------


def _locked(actor: Any, payment: Payment) -> Payment:
    payment = Payment.objects.select_for_update().select_related("school").get(pk=payment.pk)
    if not authz.can(actor, Perm.PAYMENT_MANAGE, payment.school.path):
        raise PermissionDenied(_("You cannot assign the payments of this school."))
    return payment


def _assignable(actor: Any, payment: Payment, amount: int) -> Payment:
    payment = _locked(actor, payment)
    if isinstance(amount, bool) or not isinstance(amount, int) or amount <= 0:
        raise ValidationError({"amount": _("The amount must be a whole number above zero.")})
    if amount > payment.unassigned:
        raise ValidationError(
            {
                "amount": _("Only %(left)s đồng of this payment are still unassigned.")
                % {"left": f"{payment.unassigned:,}".replace(",", ".")}
            }
        )
    return payment


def payment_assign(*, actor: Any, payment: Payment, invoice: Invoice, amount: int) -> Allocation:
    """The accountant assigns (part of) an unmatched payment to an invoice of its school."""
    with transaction.atomic():
        locked = _assignable(actor, payment, amount)
        invoice = Invoice.objects.select_for_update().get(pk=invoice.pk)
        if invoice.school_id != locked.school_id:
            raise ValidationError({"invoice": _("The invoice belongs to another school.")})
        if invoice.status not in OPEN:
            raise ValidationError({"invoice": _("The invoice is not open (paid or cancelled).")})
        if amount > invoice.balance:
            raise ValidationError(
                {
                    "amount": _("The invoice asks only %(left)s đồng more.")
                    % {"left": f"{invoice.balance:,}".replace(",", ".")}
                }
            )
        allocation: Allocation = _services().payment_allocate(
            actor=actor, payment=locked, invoice=invoice, amount=amount, how=AllocationHow.MANUAL
        )
    payment.refresh_from_db()
    return allocation


def payment_assign_credit(*, actor: Any, payment: Payment, student: Student, amount: int) -> None:
    """The accountant puts (part of) an unmatched payment on a student's credit."""
    with transaction.atomic():
        locked = _assignable(actor, payment, amount)
        billed_here = Invoice.objects.filter(student=student, school_id=locked.school_id)
        if student.school_id != locked.school_id and not billed_here.exists():
            raise ValidationError({"student": _("The student is not of this school.")})
        _services().payment_to_credit(actor=actor, payment=locked, amount=amount, student=student)
    payment.refresh_from_db()
