"""Writing invoices: one (``invoice_create``) or a batch of a bulk run, with the same rows.

A draft is built in memory (lines with their reductions, payer, total), then a batch is
written with one INSERT per table: invoices, lines, postings, ledger entries, audit entries.
A bulk run of 1,000 students costs a few dozen queries instead of several thousand.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from truongso.core.audit import audit_build, snapshot
from truongso.core.models import AuditEntry
from truongso.payments.codes import invoice_code_new
from truongso.payments.models import (
    Account,
    FeeItem,
    FeeKind,
    FeeReduction,
    Invoice,
    InvoiceLine,
    InvoiceRun,
    InvoiceStatus,
    LedgerEntry,
    Posting,
    ReductionKind,
)
from truongso.registry.models import OrgUnit, SchoolYear, Student, StudentGuardian

LineSpec = tuple[FeeItem | None, str, int]


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
    """The reduction of one invoice line and its reason, for the reductions in force on ``on``
    (the due date).

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


def invoice_codes_fresh(count: int) -> list[str]:
    """``count`` distinct codes not used yet (35 random bits each: clashes are rare)."""
    codes: set[str] = set()
    while len(codes) < count:
        wanted = {invoice_code_new() for _ in range(count - len(codes))} - codes
        taken = set(Invoice.objects.filter(code__in=wanted).values_list("code", flat=True))
        codes |= wanted - taken
    return sorted(codes)


@dataclass
class Draft:
    invoice: Invoice
    lines: list[InvoiceLine]


def invoice_draft(
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
) -> Draft:
    """An invoice and its lines in memory, reductions applied (checks done by the caller)."""
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
    total = sum(line.amount - line.reduction for line in built)
    invoice = Invoice(
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
        total=total,
        # Nothing to pay (fully exempt): settled at once.
        status=InvoiceStatus.PAID if total == 0 else InvoiceStatus.OPEN,
        created_by=actor if getattr(actor, "pk", None) else None,
    )
    return Draft(invoice, built)


def invoices_save(*, actor: Any, drafts: Sequence[Draft]) -> list[Invoice]:
    """Write the drafts: invoices, lines, Dr receivable / Cr revenue postings, audit entries."""
    if not drafts:
        return []
    for draft, code in zip(drafts, invoice_codes_fresh(len(drafts)), strict=True):
        draft.invoice.code = code
    invoices = Invoice.objects.bulk_create([d.invoice for d in drafts])
    for draft in drafts:
        for line in draft.lines:
            line.invoice = draft.invoice
    InvoiceLine.objects.bulk_create([line for d in drafts for line in d.lines])
    _post(actor, [inv for inv in invoices if inv.total])
    AuditEntry.objects.bulk_create(
        audit_build(
            actor=actor,
            action="payments.invoice.create",
            obj=draft.invoice,
            org_path=draft.invoice.school.path,
            after=_audit_after(draft),
        )
        for draft in drafts
    )
    return invoices


def _post(actor: Any, invoices: Sequence[Invoice]) -> None:
    user = actor if getattr(actor, "pk", None) else None
    postings = Posting.objects.bulk_create(
        Posting(
            school_id=inv.school_id,
            kind="invoice_issue",
            invoice=inv,
            memo=inv.code,
            actor=user,
        )
        for inv in invoices
    )
    LedgerEntry.objects.bulk_create(
        entry
        for posting, inv in zip(postings, invoices, strict=True)
        for entry in (
            LedgerEntry(
                posting=posting,
                account=Account.RECEIVABLE,
                student_id=inv.student_id,
                amount=inv.total,
            ),
            LedgerEntry(posting=posting, account=Account.REVENUE, amount=-inv.total),
        )
    )


def _audit_after(draft: Draft) -> dict[str, Any]:
    after = snapshot(draft.invoice)
    after["lines"] = [
        [line.fee_item_id, line.description, line.amount, line.reduction] for line in draft.lines
    ]
    return after
