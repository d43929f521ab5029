"""Invoices (hóa đơn / thông báo thu): issue with reductions applied, cancel, credit notes.

An invoice is never deleted. Issuing posts Dr receivable(student) / Cr revenue for what it
asks (its total, reductions already deducted); cancelling and credit notes reverse that, and
money already paid on the part that goes away moves to the student's credit at the school.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from truongso.core.audit import audit_record, audit_update, snapshot
from truongso.payments.models import (
    Account,
    Credit,
    CreditNote,
    FeeReduction,
    Invoice,
    InvoiceStatus,
)
from truongso.payments.services.common import (
    amount_check,
    dong,
    require_manage,
    school_of,
    text_check,
)
from truongso.payments.services.issue import (
    LineSpec,
    invoice_draft,
    invoices_save,
)
from truongso.payments.services.ledger import posting_create
from truongso.registry.models import OrgUnit, SchoolYear, Student

LIVE = (InvoiceStatus.OPEN, InvoiceStatus.PARTIAL, InvoiceStatus.PAID)


def invoice_status(invoice: Invoice) -> str:
    if invoice.status == InvoiceStatus.CANCELLED:
        return InvoiceStatus.CANCELLED
    if invoice.balance == 0:
        return InvoiceStatus.PAID
    return InvoiceStatus.PARTIAL if invoice.paid else InvoiceStatus.OPEN


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
) -> Invoice:
    """Write one invoice with its lines, posting and audit entry (checks done by the caller)."""
    draft = invoice_draft(
        actor=actor,
        student=student,
        school=school,
        school_year=school_year,
        lines=lines,
        reductions=reductions,
        period_label=period_label,
        due_date=due_date,
        reason=reason,
        period_key=period_key,
    )
    return invoices_save(actor=actor, drafts=[draft])[0]


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
