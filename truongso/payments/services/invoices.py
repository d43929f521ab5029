"""Invoices (hóa đơn / thông báo thu): issue with reductions applied, cancel, credit notes.

An invoice is never deleted. Issuing posts Dr receivable(student) / Cr revenue for what it
asks (its total, reductions already deducted); cancelling and credit notes reverse that, and
money already paid on the part that goes away moves to the student's credit at the school.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from truongso.core.audit import audit_record, audit_update, snapshot
from truongso.payments.codes import invoice_code_new
from truongso.payments.models import (
    Account,
    Credit,
    CreditNote,
    FeeItem,
    FeeKind,
    FeeReduction,
    Invoice,
    InvoiceLine,
    InvoiceRun,
    InvoiceStatus,
    ReductionKind,
)
from truongso.payments.services.common import (
    amount_check,
    dong,
    require_manage,
    school_of,
    text_check,
)
from truongso.payments.services.ledger import posting_create
from truongso.registry.models import OrgUnit, SchoolYear, Student, StudentGuardian

LineSpec = tuple[FeeItem | None, str, int]
LIVE = (InvoiceStatus.OPEN, InvoiceStatus.PARTIAL, InvoiceStatus.PAID)


def invoice_status(invoice: Invoice) -> str:
    if invoice.status == InvoiceStatus.CANCELLED:
        return InvoiceStatus.CANCELLED
    if invoice.balance == 0:
        return InvoiceStatus.PAID
    return InvoiceStatus.PARTIAL if invoice.paid else InvoiceStatus.OPEN


def _reduction_of(reduction: FeeReduction, amount: int) -> int:
    if reduction.kind == ReductionKind.AMOUNT:
        return min(amount, reduction.amount)
    # Percentages are rounded half up to the đồng.
    return min(amount, (amount * reduction.percent + 50) // 100)


def _applies(reduction: FeeReduction, item: FeeItem, on: dt.date) -> bool:
    if reduction.fee_item_id is not None and reduction.fee_item_id != item.pk:
        return False
    if reduction.fee_item_id is None and item.kind != FeeKind.TUITION:
        return False
    return reduction.valid_from <= on and (reduction.valid_to is None or on <= reduction.valid_to)


def line_reduction(
    item: FeeItem | None, amount: int, reductions: Iterable[FeeReduction], on: dt.date
) -> tuple[int, str]:
    """The reduction of one invoice line and its reason.

    A learner entitled to several exemptions or reductions receives only the most favourable
    one (Nghị định 238/2025/NĐ-CP, as Nghị định 81/2021/NĐ-CP before it): never summed.
    """
    if item is None:
        return 0, ""
    best, reason = 0, ""
    for reduction in reductions:
        if _applies(reduction, item, on):
            value = _reduction_of(reduction, amount)
            if value > best:
                best, reason = value, reduction.reason[:255]
    return best, reason


def payer_name_of(student: Student, links: Sequence[StudentGuardian] | None = None) -> str:
    """The primary guardian (else any guardian, else the student): who the bill is for."""
    if links is None:
        links = list(
            StudentGuardian.objects.filter(student=student)
            .select_related("guardian")
            .order_by("-is_primary", "id")[:1]
        )
    return (links[0].guardian.full_name if links else student.full_name)[:100]


def _clean_lines(school: OrgUnit, year: SchoolYear, lines: Sequence[LineSpec]) -> list[LineSpec]:
    if not lines:
        raise ValidationError({"lines": _("An invoice needs at least one line.")})
    cleaned = []
    for number, (item, description, amount) in enumerate(lines, start=1):
        field = f"lines[{number}]"
        if item is not None and (item.school_id != school.pk or item.school_year_id != year.pk):
            raise ValidationError(
                {field: _("Line %(n)s: the fee item is of another school or year.") % {"n": number}}
            )
        text = text_check(description or (item.name if item else ""), field=field, max_length=255)
        cleaned.append((item, text, amount_check(amount, field=field, allow_zero=True)))
    return cleaned


def invoice_code_fresh(taken: set[str] | None = None) -> str:
    """A code not used yet (35 random bits: a clash is rare, and retried)."""
    while True:
        code = invoice_code_new()
        if (taken is None or code not in taken) and not Invoice.objects.filter(code=code).exists():
            return code


def invoice_issue(
    *,
    actor: Any,
    student: Student,
    school: OrgUnit,
    school_year: SchoolYear,
    lines: Sequence[LineSpec],
    reductions: Sequence[FeeReduction],
    period_label: str,
    due_date: dt.date,
    reason: str,
    period_key: str = "",
    run: InvoiceRun | None = None,
    payer_name: str | None = None,
    code: str | None = None,
) -> Invoice:
    """Write an invoice with its lines, posting and audit entry (checks done by the caller)."""
    built = []
    for item, description, amount in lines:
        cut, why = line_reduction(item, amount, reductions, due_date)
        built.append(
            InvoiceLine(
                fee_item=item,
                description=description,
                amount=amount,
                reduction=cut,
                reduction_reason=why,
            )
        )
    invoice = Invoice.objects.create(
        code=code or invoice_code_fresh(),
        school=school,
        school_year=school_year,
        student=student,
        school_class=student.current_class,
        run=run,
        period_key=period_key,
        period_label=period_label,
        payer_name=payer_name if payer_name is not None else payer_name_of(student),
        beneficiary_name=school.name[:255],
        reason=reason,
        issued_at=timezone.now(),
        due_date=due_date,
        total=sum(line.amount - line.reduction for line in built),
        created_by=actor if getattr(actor, "pk", None) else None,
    )
    for line in built:
        line.invoice = invoice
    InvoiceLine.objects.bulk_create(built)
    if invoice.total == 0:
        invoice.status = InvoiceStatus.PAID
        invoice.save(update_fields=["status"])
    posting_create(
        actor=actor,
        school=school,
        kind="invoice_issue",
        invoice=invoice,
        memo=invoice.code,
        lines=[
            (Account.RECEIVABLE, student, invoice.total),
            (Account.REVENUE, None, -invoice.total),
        ],
    )
    after = snapshot(invoice)
    after["lines"] = [[ln.fee_item_id, ln.description, ln.amount, ln.reduction] for ln in built]
    audit_record(
        actor=actor,
        action="payments.invoice.create",
        obj=invoice,
        org_path=school.path,
        after=after,
    )
    return invoice


def invoice_create(
    *,
    actor: Any,
    student: Student,
    school_year: SchoolYear,
    lines: Sequence[LineSpec],
    period_label: str,
    due_date: dt.date,
    reason: str,
    period_key: str = "",
) -> Invoice:
    """Bill one student (reductions in force on the due date applied line by line)."""
    school = require_manage(actor, school_of(student))
    cleaned = _clean_lines(school, school_year, lines)
    period_label = text_check(period_label, field="period_label", max_length=60)
    reason = text_check(reason, field="reason", max_length=255)
    period_key = text_check(period_key, field="period_key", max_length=20, required=False)
    with transaction.atomic():
        if (
            period_key
            and Invoice.objects.filter(
                school=school, school_year=school_year, period_key=period_key, student=student
            ).exists()
        ):
            raise ValidationError(
                {
                    "period_key": _("%(s)s already has an invoice for this period.")
                    % {"s": student.full_name}
                }
            )
        reductions = list(FeeReduction.objects.filter(student=student, school_year=school_year))
        return invoice_issue(
            actor=actor,
            student=student,
            school=school,
            school_year=school_year,
            lines=cleaned,
            reductions=reductions,
            period_label=period_label,
            due_date=due_date,
            reason=reason,
            period_key=period_key,
        )


def _locked(invoice: Invoice) -> Invoice:
    locked = Invoice.objects.select_for_update().select_related("student").get(pk=invoice.pk)
    if locked.status == InvoiceStatus.CANCELLED:
        raise ValidationError({"invoice": _("Invoice %(c)s is cancelled.") % {"c": locked.code}})
    return locked


def _to_credit(*, actor: Any, invoice: Invoice, amount: int, reason: str) -> None:
    if amount:
        Credit.objects.create(
            school_id=invoice.school_id,
            student=invoice.student,
            invoice=invoice,
            amount=amount,
            reason=reason[:255],
            created_by=actor if getattr(actor, "pk", None) else None,
        )


def invoice_cancel(*, actor: Any, invoice: Invoice, reason: str) -> Invoice:
    """Cancel instead of delete: what it asked leaves revenue, what was paid becomes credit."""
    school = require_manage(actor, invoice.school)
    reason = text_check(reason, field="reason", max_length=255)
    with transaction.atomic():
        locked = _locked(invoice)
        before = snapshot(locked, ["status", "cancelled_at", "cancel_reason"])
        asked, open_part, paid = locked.total - locked.credited, locked.balance, locked.paid
        _to_credit(actor=actor, invoice=locked, amount=paid, reason=reason)
        posting_create(
            actor=actor,
            school=school,
            kind="invoice_cancel",
            invoice=locked,
            memo=reason,
            lines=[
                (Account.REVENUE, None, asked),
                (Account.RECEIVABLE, locked.student, -open_part),
                (Account.CREDIT, locked.student, -paid),
            ],
        )
        locked.status = InvoiceStatus.CANCELLED
        locked.cancelled_at = timezone.now()
        locked.cancel_reason = reason
        locked.save(update_fields=["status", "cancelled_at", "cancel_reason"])
        audit_update(
            actor=actor,
            obj=locked,
            before=before,
            action="payments.invoice.cancel",
            note=reason,
            org_path=school.path,
        )
    invoice.refresh_from_db()
    return locked


def credit_note_create(*, actor: Any, invoice: Invoice, amount: int, reason: str) -> CreditNote:
    """Lower what an invoice asks (giảm trừ); money paid beyond the new total becomes credit."""
    school = require_manage(actor, invoice.school)
    amount_check(amount)
    reason = text_check(reason, field="reason", max_length=255)
    with transaction.atomic():
        locked = _locked(invoice)
        if amount > locked.total - locked.credited:
            raise ValidationError(
                {
                    "amount": _("At most %(m)s đồng can be credited on this invoice.")
                    % {"m": dong(locked.total - locked.credited)}
                }
            )
        before = snapshot(locked, ["credited", "paid", "status"])
        excess = max(0, locked.paid - (locked.total - locked.credited - amount))
        note = CreditNote.objects.create(
            invoice=locked,
            amount=amount,
            reason=reason,
            created_by=actor if getattr(actor, "pk", None) else None,
        )
        _to_credit(actor=actor, invoice=locked, amount=excess, reason=reason)
        posting_create(
            actor=actor,
            school=school,
            kind="credit_note",
            invoice=locked,
            memo=reason,
            lines=[
                (Account.REVENUE, None, amount),
                (Account.RECEIVABLE, locked.student, -(amount - excess)),
                (Account.CREDIT, locked.student, -excess),
            ],
        )
        locked.credited += amount
        locked.paid -= excess
        locked.status = invoice_status(locked)
        locked.save(update_fields=["credited", "paid", "status"])
        audit_record(
            actor=actor,
            action="payments.credit_note.create",
            obj=note,
            org_path=school.path,
            after=snapshot(note),
        )
        audit_update(
            actor=actor,
            obj=locked,
            before=before,
            action="payments.invoice.credit",
            org_path=school.path,
        )
    invoice.refresh_from_db()
    return note
