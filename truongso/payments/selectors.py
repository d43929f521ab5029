"""Reads of fees, invoices, payments and credit, always scoped by the authorization layer."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet, Sum

from truongso.core import authz
from truongso.core.authz import Perm
from truongso.core.text import fold
from truongso.payments.codes import normalise
from truongso.payments.models import (
    Account,
    Credit,
    FeeItem,
    FeeReduction,
    Invoice,
    InvoiceRun,
    InvoiceStatus,
    LedgerEntry,
    Payment,
)
from truongso.registry.models import OrgUnit, SchoolClass, SchoolYear, Student, StudentGuardian

OPEN = (InvoiceStatus.OPEN, InvoiceStatus.PARTIAL)


def invoices_for(
    user: Any,
    *,
    school: OrgUnit | None = None,
    school_year: SchoolYear | None = None,
    status: str | None = None,
    student: Student | None = None,
    school_class: SchoolClass | None = None,
    run: InvoiceRun | None = None,
    search: str = "",
    perm: Perm = Perm.PAYMENT_VIEW,
) -> QuerySet[Invoice]:
    """The invoices ``user`` may see; ``search`` matches a student's name or an invoice code."""
    invoices = authz.scope(user, perm, Invoice.objects.all())
    filters = {
        "school": school,
        "school_year": school_year,
        "student": student,
        "school_class": school_class,
        "run": run,
    }
    invoices = invoices.filter(**{k: v for k, v in filters.items() if v is not None})
    if status == "unpaid":
        invoices = invoices.filter(status__in=OPEN)
    elif status:
        invoices = invoices.filter(status=status)
    if search.strip():
        code = normalise(search)
        invoices = invoices.filter(
            Q(student__search_name__contains=fold(search)) | Q(code__startswith=code)
        )
    return invoices.select_related("student", "school_class", "school").order_by(
        "-issued_at", "-id"
    )


def invoice_detail(user: Any, pk: int) -> Invoice | None:
    return (
        invoices_for(user)
        .prefetch_related("lines", "allocations", "credit_notes")
        .filter(pk=pk)
        .first()
    )


def payments_for(
    user: Any,
    *,
    school: OrgUnit | None = None,
    status: str | None = None,
    method: str | None = None,
    student: Student | None = None,
    perm: Perm = Perm.PAYMENT_VIEW,
) -> QuerySet[Payment]:
    payments = authz.scope(user, perm, Payment.objects.all())
    filters = {"school": school, "status": status, "method": method, "student": student}
    payments = payments.filter(**{k: v for k, v in filters.items() if v})
    return payments.select_related("student", "school", "bank_account").order_by("-paid_at", "-id")


def unmatched_payments(user: Any, *, school: OrgUnit | None = None) -> QuerySet[Payment]:
    """Payments with unassigned money (the queue for a human), oldest first."""
    payments = payments_for(user, school=school, perm=Perm.PAYMENT_MANAGE)
    return payments.filter(status__in=["unmatched", "partial"]).order_by("paid_at", "id")


def student_credit(student: Student, *, school: OrgUnit | None = None) -> int:
    """The student's credit in đồng (at one school, or at all of them)."""
    entries = LedgerEntry.objects.filter(account=Account.CREDIT, student=student)
    if school is not None:
        entries = entries.filter(posting__school=school)
    return -int(entries.aggregate(total=Sum("amount"))["total"] or 0)


def family_of(student: Student) -> QuerySet[Student]:
    """The student and the siblings who share a guardian with them."""
    guardians = StudentGuardian.objects.filter(student=student).values("guardian_id")
    siblings = StudentGuardian.objects.filter(guardian_id__in=guardians).values("student_id")
    return Student.objects.filter(Q(pk=student.pk) | Q(pk__in=siblings))


def open_invoices_of_family(student: Student) -> QuerySet[Invoice]:
    """Unpaid invoices of the student and siblings, by due date (reconciliation's order)."""
    return (
        Invoice.objects.filter(student__in=family_of(student).values("pk"), status__in=OPEN)
        .select_related("student", "school")
        .order_by("due_date", "id")
    )


def fee_items_for(
    user: Any, *, school: OrgUnit, school_year: SchoolYear | None = None
) -> QuerySet[FeeItem]:
    items = authz.scope(user, Perm.PAYMENT_VIEW, FeeItem.objects.filter(school=school))
    if school_year is not None:
        items = items.filter(school_year=school_year)
    return items.select_related("school_class").order_by("code")


def reductions_for(
    user: Any, *, school: OrgUnit, school_year: SchoolYear | None = None
) -> QuerySet[FeeReduction]:
    rows = authz.scope(user, Perm.PAYMENT_VIEW, FeeReduction.objects.filter(student__school=school))
    if school_year is not None:
        rows = rows.filter(school_year=school_year)
    return rows.select_related("student", "fee_item").order_by("student__search_name", "id")


def invoice_runs_for(user: Any, *, school: OrgUnit) -> QuerySet[InvoiceRun]:
    runs = authz.scope(user, Perm.PAYMENT_VIEW, InvoiceRun.objects.filter(school=school))
    return runs.select_related("school_class").order_by("-created_at", "-id")


def credits_for(user: Any, *, student: Student) -> QuerySet[Credit]:
    rows = authz.scope(user, Perm.PAYMENT_VIEW, Credit.objects.filter(student=student))
    return rows.select_related("payment", "invoice").order_by("-created_at", "-id")
