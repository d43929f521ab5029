"""Money in and where it goes: receive, allocate to invoices, credit, apply credit, refund.

Every đồng received ends in exactly one of allocated / credited / refunded / unassigned
(``Payment.amount`` = the four parts; a check constraint forbids over-assigning). Writers
lock in one order: the payment, then the student (for credit), then invoices by id.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from truongso.core.audit import audit_record, audit_update, snapshot
from truongso.payments.models import (
    Account,
    Allocation,
    AllocationHow,
    Credit,
    Invoice,
    InvoiceStatus,
    Payment,
    PaymentMethod,
    PaymentStatus,
    Refund,
    SchoolBankAccount,
)
from truongso.payments.services.common import (
    amount_check,
    dong,
    require_manage,
    school_of,
    text_check,
)
from truongso.payments.services.invoices import invoice_status
from truongso.payments.services.ledger import money_account, posting_create, student_ledger_balance
from truongso.registry.models import OrgUnit, Student

PAYMENT_FIELDS = ["allocated", "credited", "refunded", "status"]
UNASSIGNED = gettext_noop(
    "%(amount)s đồng is more than the payment's unassigned money (%(available)s đồng)."
)
BALANCE = gettext_noop("%(amount)s đồng is more than the invoice's balance (%(available)s đồng).")
CREDIT = gettext_noop("%(amount)s đồng is more than the credit (%(available)s đồng).")


def payment_status(payment: Payment) -> str:
    assigned = payment.allocated + payment.credited
    if payment.refunded and not assigned and not payment.unassigned:
        return PaymentStatus.REFUNDED
    if not payment.unassigned:
        return PaymentStatus.MATCHED
    return PaymentStatus.PARTIAL if assigned or payment.refunded else PaymentStatus.UNMATCHED


def _user(actor: Any) -> Any:
    return actor if getattr(actor, "pk", None) else None


def payment_receive(
    *,
    actor: Any,
    school: OrgUnit,
    method: str,
    provider: str,
    provider_ref: str,
    amount: int,
    paid_at: dt.datetime,
    payer_name: str = "",
    payer_account: str = "",
    memo: str = "",
    bank_account: SchoolBankAccount | None = None,
    student: Student | None = None,
) -> tuple[Payment, bool]:
    """Record money received, once per (provider, provider_ref): a repeat delivery returns
    ``(existing, False)`` and changes nothing. Posts Dr bank|cash / Cr suspense."""
    require_manage(actor, school)
    if method not in PaymentMethod.values:
        raise ValidationError({"method": _("Unknown payment method “%(m)s”.") % {"m": method}})
    provider = text_check(provider, field="provider", max_length=16)
    provider_ref = text_check(provider_ref, field="provider_ref", max_length=100)
    existing = Payment.objects.filter(provider=provider, provider_ref=provider_ref).first()
    if existing is not None:
        return existing, False
    amount_check(amount)
    if paid_at.tzinfo is None:
        raise ValidationError({"paid_at": _("The payment time must carry a time zone.")})
    if bank_account is not None and bank_account.school_id != school.pk:
        raise ValidationError({"bank_account": _("The bank account is another school's.")})
    if student is not None:
        _student_at(student, school)  # at the school now, or billed by it before moving
    try:
        with transaction.atomic():
            payment = Payment.objects.create(
                school=school,
                bank_account=bank_account,
                method=method,
                provider=provider,
                provider_ref=provider_ref,
                amount=amount,
                paid_at=paid_at,
                payer_name=payer_name[:255],
                payer_account=payer_account[:50],
                memo=memo[:500],
                student=student,
                recorded_by=_user(actor),
            )
            posting_create(
                actor=actor,
                school=school,
                kind="payment_receive",
                payment=payment,
                memo=f"{provider}:{provider_ref}",
                lines=[(money_account(method), None, amount), (Account.SUSPENSE, None, -amount)],
            )
            audit_record(
                actor=actor,
                action="payments.payment.receive",
                obj=payment,
                org_path=school.path,
                after=snapshot(payment),
            )
    except IntegrityError:
        # The same transaction delivered concurrently: the other delivery won.
        existing = Payment.objects.filter(provider=provider, provider_ref=provider_ref).first()
        if existing is None:
            raise
        return existing, False
    return payment, True


def _lock_payment(payment: Payment) -> Payment:
    return Payment.objects.select_for_update().get(pk=payment.pk)


def _lock_invoice(invoice: Invoice, school_id: int) -> Invoice:
    locked = Invoice.objects.select_for_update().select_related("student").get(pk=invoice.pk)
    if locked.school_id != school_id:
        raise ValidationError({"invoice": _("The invoice is another school's.")})
    if locked.status == InvoiceStatus.CANCELLED:
        raise ValidationError({"invoice": _("Invoice %(c)s is cancelled.") % {"c": locked.code}})
    return locked


def _take(amount: int, available: int, message: str) -> None:
    """Refuse ``amount`` beyond ``available``; ``message`` names both (translated)."""
    if amount > available:
        raise ValidationError(
            {"amount": message % {"amount": dong(amount), "available": dong(available)}}
        )


def _invoice_paid(actor: Any, invoice: Invoice, amount: int, school_path: str) -> None:
    before = snapshot(invoice, ["paid", "status"])
    invoice.paid += amount
    invoice.status = invoice_status(invoice)
    invoice.save(update_fields=["paid", "status"])
    audit_update(
        actor=actor,
        obj=invoice,
        before=before,
        action="payments.invoice.paid",
        org_path=school_path,
    )


def _payment_moved(actor: Any, payment: Payment, before: dict[str, Any], path: str) -> None:
    payment.status = payment_status(payment)
    payment.save(update_fields=PAYMENT_FIELDS)
    audit_update(
        actor=actor, obj=payment, before=before, action="payments.payment.assign", org_path=path
    )


def payment_allocate(
    *, actor: Any, payment: Payment, invoice: Invoice, amount: int, how: str
) -> Allocation:
    """Apply part of a payment's unassigned money to an invoice (Dr suspense / Cr receivable)."""
    school = require_manage(actor, payment.school)
    amount_check(amount)
    if how not in AllocationHow.values or how == AllocationHow.CREDIT:
        raise ValidationError({"how": _("Unknown way of allocating “%(h)s”.") % {"h": how}})
    with transaction.atomic():
        locked = _lock_payment(payment)
        target = _lock_invoice(invoice, locked.school_id)
        _take(amount, locked.unassigned, _(UNASSIGNED))
        _take(amount, target.balance, _(BALANCE))
        allocation = Allocation.objects.create(
            invoice=target, payment=locked, amount=amount, how=how, decided_by=_user(actor)
        )
        posting_create(
            actor=actor,
            school=school,
            kind="allocate",
            invoice=target,
            payment=locked,
            memo=target.code,
            lines=[(Account.SUSPENSE, None, amount), (Account.RECEIVABLE, target.student, -amount)],
        )
        before = snapshot(locked, PAYMENT_FIELDS)
        locked.allocated += amount
        _payment_moved(actor, locked, before, school.path)
        _invoice_paid(actor, target, amount, school.path)
        audit_record(
            actor=actor,
            action="payments.allocation.create",
            obj=allocation,
            org_path=school.path,
            after=snapshot(allocation),
        )
    _refresh(payment, invoice)
    return allocation


def _refresh(*objects: Any) -> None:
    for obj in objects:
        if obj is not None:
            obj.refresh_from_db()


def _student_at(student: Student, school: OrgUnit) -> None:
    if (
        student.school_id != school.pk
        and not Invoice.objects.filter(student=student, school=school).exists()
    ):
        raise ValidationError({"student": _("The student has no account at this school.")})


def payment_to_credit(*, actor: Any, payment: Payment, amount: int, student: Student) -> Credit:
    """Put unassigned money (an overpayment) on a student's credit: Dr suspense / Cr credit."""
    school = require_manage(actor, payment.school)
    amount_check(amount)
    _student_at(student, school)
    with transaction.atomic():
        locked = _lock_payment(payment)
        _take(amount, locked.unassigned, _(UNASSIGNED))
        credit = Credit.objects.create(
            school=school,
            student=student,
            payment=locked,
            amount=amount,
            reason=_("Overpayment"),
            created_by=_user(actor),
        )
        posting_create(
            actor=actor,
            school=school,
            kind="to_credit",
            payment=locked,
            lines=[(Account.SUSPENSE, None, amount), (Account.CREDIT, student, -amount)],
        )
        before = snapshot(locked, PAYMENT_FIELDS)
        locked.credited += amount
        _payment_moved(actor, locked, before, school.path)
        audit_record(
            actor=actor,
            action="payments.credit.create",
            obj=credit,
            org_path=school.path,
            after=snapshot(credit),
        )
    _refresh(payment)
    return credit


def credit_available(*, student: Student, school: OrgUnit) -> int:
    """The student's credit at ``school`` in đồng (from the ledger's credit account)."""
    return -student_ledger_balance(account=Account.CREDIT, student=student, school=school)


def _lock_student(student: Student) -> None:
    Student.objects.select_for_update().filter(pk=student.pk).values_list("pk").first()


def credit_apply(*, actor: Any, student: Student, invoice: Invoice, amount: int) -> Allocation:
    """Pay an invoice from the student's credit at its school (Dr credit / Cr receivable)."""
    school = require_manage(actor, invoice.school)
    amount_check(amount)
    if invoice.student_id != student.pk:
        raise ValidationError({"invoice": _("The invoice is another student's.")})
    with transaction.atomic():
        _lock_student(student)
        target = _lock_invoice(invoice, school.pk)
        _take(amount, credit_available(student=student, school=school), _(CREDIT))
        _take(amount, target.balance, _(BALANCE))
        allocation = Allocation.objects.create(
            invoice=target,
            payment=None,
            amount=amount,
            how=AllocationHow.CREDIT,
            decided_by=_user(actor),
        )
        posting_create(
            actor=actor,
            school=school,
            kind="credit_apply",
            invoice=target,
            memo=target.code,
            lines=[(Account.CREDIT, student, amount), (Account.RECEIVABLE, student, -amount)],
        )
        _invoice_paid(actor, target, amount, school.path)
        audit_record(
            actor=actor,
            action="payments.allocation.create",
            obj=allocation,
            org_path=school.path,
            after=snapshot(allocation),
        )
    _refresh(invoice)
    return allocation


def payment_refund(
    *,
    actor: Any,
    amount: int,
    reason: str,
    payment: Payment | None = None,
    student: Student | None = None,
    reference: str = "",
    school: OrgUnit | None = None,
) -> Refund:
    """Pay money back: from a payment's unassigned part (Dr suspense / Cr bank|cash), or
    from a student's credit (Dr credit / Cr bank) at ``school`` (default: the student's)."""
    if (payment is None) == (student is None):
        raise ValidationError({"payment": _("Refund either a payment or a student's credit.")})
    amount_check(amount)
    reason = text_check(reason, field="reason", max_length=255)
    reference = text_check(reference, field="reference", max_length=100, required=False)
    if payment is not None:
        return _refund_payment(actor, payment, amount, reason, reference)
    assert student is not None
    return _refund_credit(actor, student, school or school_of(student), amount, reason, reference)


def _refund_payment(
    actor: Any, payment: Payment, amount: int, reason: str, reference: str
) -> Refund:
    school = require_manage(actor, payment.school)
    with transaction.atomic():
        locked = _lock_payment(payment)
        _take(amount, locked.unassigned, _(UNASSIGNED))
        refund = Refund.objects.create(
            school=school,
            payment=locked,
            student=locked.student,
            amount=amount,
            reason=reason,
            reference=reference,
            created_by=_user(actor),
        )
        posting_create(
            actor=actor,
            school=school,
            kind="refund",
            payment=locked,
            memo=reason,
            lines=[(Account.SUSPENSE, None, amount), (money_account(locked.method), None, -amount)],
        )
        before = snapshot(locked, PAYMENT_FIELDS)
        locked.refunded += amount
        _payment_moved(actor, locked, before, school.path)
        audit_record(
            actor=actor,
            action="payments.refund.create",
            obj=refund,
            org_path=school.path,
            after=snapshot(refund),
        )
    _refresh(payment)
    return refund


def _refund_credit(
    actor: Any, student: Student, school: OrgUnit, amount: int, reason: str, reference: str
) -> Refund:
    require_manage(actor, school)
    with transaction.atomic():
        _lock_student(student)
        _take(amount, credit_available(student=student, school=school), _(CREDIT))
        refund = Refund.objects.create(
            school=school,
            payment=None,
            student=student,
            amount=amount,
            reason=reason,
            reference=reference,
            created_by=_user(actor),
        )
        posting_create(
            actor=actor,
            school=school,
            kind="refund",
            memo=reason,
            lines=[(Account.CREDIT, student, amount), (Account.BANK, None, -amount)],
        )
        audit_record(
            actor=actor,
            action="payments.refund.create",
            obj=refund,
            org_path=school.path,
            after=snapshot(refund),
        )
    return refund
