"""Reads behind the payments pages and the API: lists, details, the parent portal, reports.

Every queryset starts from ``authz.scope``: invoices and payments through the payments scope
rules (a parent reaches his own children's, an accountant her school's), schools through the
org-unit rule. Aggregates for officers (``PAYMENT_STATS``) add up amounts per school and
never name a payer.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet, Sum
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _

from truongso.core import authz
from truongso.core.authz import Perm
from truongso.core.text import fold
from truongso.payments import codes
from truongso.payments.models import (
    CASHLESS_METHODS,
    Allocation,
    FeeItem,
    FeeReduction,
    Invoice,
    InvoiceRun,
    InvoiceStatus,
    Payment,
    PaymentMethod,
    SchoolBankAccount,
)
from truongso.registry.models import OrgUnit, SchoolClass, SchoolYear, Student

OPEN_STATUSES = (InvoiceStatus.OPEN, InvoiceStatus.PARTIAL)


# --- Schools, years, accounts -------------------------------------------------------------


def schools_for(user: Any, perm: Perm) -> QuerySet[OrgUnit]:
    """Open schools where ``user`` holds ``perm`` for the whole school (subtree grants)."""
    schools = OrgUnit.objects.filter(kind="school", is_active=True)
    return authz.scope(user, perm, schools).order_by("search_name", "pk")


def pick_school(user: Any, perm: Perm, code: str = "") -> tuple[OrgUnit | None, int]:
    """The school a page is about: the one named by ``code``, or the user's only school.

    Returns ``(school or None, how many schools the user may choose from)``; a code outside
    the user's reach is a 404, like any object out of scope.
    """
    schools = schools_for(user, perm)
    if code:
        return get_object_or_404(schools, code=code), schools.count()
    first_two = list(schools[:2])
    return (first_two[0] if len(first_two) == 1 else None), len(first_two)


def require_school(user: Any, perm: Perm, pk: int) -> OrgUnit:
    """The school ``pk`` if ``user`` may ``perm`` on it as a whole, else 404."""
    school = get_object_or_404(OrgUnit, pk=pk, kind="school")
    if not authz.can(user, perm, school.path):
        raise Http404
    return school


def current_year() -> SchoolYear | None:
    return SchoolYear.objects.filter(is_current=True).first()


def current_year_or_404() -> SchoolYear:
    """The current school year, which fee set-up and invoicing need (404 before one is set)."""
    year = current_year()
    if year is None:
        raise Http404(_("No school year is marked as current yet."))
    return year


def bank_account_of(school: OrgUnit) -> SchoolBankAccount | None:
    """The school's collection account (the default one first), or ``None``."""
    return bank_account_of_id(school.pk)


def bank_account_of_id(school_id: int) -> SchoolBankAccount | None:
    accounts = SchoolBankAccount.objects.filter(school_id=school_id)
    return accounts.order_by("-is_default", "pk").first()


def classes_of(school: OrgUnit, year: SchoolYear | None) -> QuerySet[SchoolClass]:
    return SchoolClass.objects.filter(school=school, school_year=year).order_by("grade", "name")


# --- Fee items, reductions, runs ----------------------------------------------------------


def fee_items_of(school: OrgUnit, year: SchoolYear | None) -> QuerySet[FeeItem]:
    """Fee items of a school the caller has already checked (``require_school``)."""
    return (
        FeeItem.objects.filter(school=school, school_year=year)
        .select_related("school_class")
        .order_by("code")
    )


def reductions_of(school: OrgUnit, year: SchoolYear | None) -> QuerySet[FeeReduction]:
    return (
        FeeReduction.objects.filter(student__school=school, school_year=year)
        .select_related("student__current_class", "fee_item")
        .order_by("student__search_name", "pk")
    )


def students_of(school: OrgUnit) -> QuerySet[Student]:
    return (
        Student.objects.filter(school=school, status="studying")
        .select_related("current_class")
        .order_by("current_class__grade", "current_class__name", "search_name")
    )


def runs_of(school: OrgUnit) -> QuerySet[InvoiceRun]:
    return InvoiceRun.objects.filter(school=school).select_related("school_class")


def run_of(user: Any, pk: int) -> InvoiceRun:
    run = get_object_or_404(InvoiceRun.objects.select_related("school", "school_class"), pk=pk)
    if not authz.can(user, Perm.PAYMENT_MANAGE, run.school.path):
        raise Http404
    return run


# --- Invoices -----------------------------------------------------------------------------


def invoices_visible(user: Any) -> QuerySet[Invoice]:
    return authz.scope(user, Perm.PAYMENT_VIEW, Invoice.objects.all())


def invoice_list(
    user: Any,
    *,
    school: OrgUnit | None = None,
    query: str = "",
    school_class: SchoolClass | None = None,
    status: str = "",
) -> QuerySet[Invoice]:
    """Invoices in reach, newest first; ``query`` matches a student's name (without
    diacritics) or an invoice code (as typed in a memo: case, spaces, O/0 do not matter)."""
    invoices = invoices_visible(user).select_related("student", "school_class", "school")
    if school is not None:
        invoices = invoices.filter(school=school)
    if school_class is not None:
        invoices = invoices.filter(school_class=school_class)
    if status:
        invoices = invoices.filter(status=status)
    query = query.strip()
    if query:
        folded = fold(query)
        code = codes.normalise(query)
        match = Q(student__search_name__contains=folded)
        if len(code) >= 4 and code.startswith(codes.PREFIX):
            match |= Q(code__startswith=code)
        invoices = invoices.filter(match)
    return invoices.order_by("-issued_at", "-pk")


def invoice_detail(user: Any, pk: int) -> Invoice:
    allocations = Allocation.objects.select_related("payment").order_by("created_at", "pk")
    invoices = invoices_visible(user).select_related(
        "student", "school", "school_class", "school_year"
    )
    return get_object_or_404(
        invoices.prefetch_related(
            "lines", "credit_notes", Prefetch("allocations", queryset=allocations)
        ),
        pk=pk,
    )


@dataclass
class ChildInvoices:
    student: Student
    invoices: list[Invoice] = field(default_factory=list)

    @property
    def due(self) -> int:
        return sum(invoice.balance for invoice in self.invoices)


def family_invoices(user: Any) -> list[ChildInvoices]:
    """A parent's children (or a student herself) with their open invoices, oldest due first."""
    children = authz.scope(user, Perm.STUDENT_RECORD, Student.objects.all())
    by_child = {
        child.pk: ChildInvoices(child)
        for child in children.select_related("current_class", "school").order_by("search_name")
    }
    invoices = (
        invoices_visible(user)
        .filter(status__in=OPEN_STATUSES, student__in=list(by_child))
        .select_related("school")
        .prefetch_related("lines")
        .order_by("due_date", "pk")
    )
    for invoice in invoices:
        by_child[invoice.student_id].invoices.append(invoice)
    return list(by_child.values())


def paid_invoices_of_family(user: Any, limit: int = 10) -> list[Invoice]:
    invoices = invoices_visible(user).filter(status=InvoiceStatus.PAID)
    return list(invoices.select_related("student").order_by("-issued_at")[:limit])


# --- Payments and receipts ----------------------------------------------------------------


def payments_visible(user: Any) -> QuerySet[Payment]:
    return authz.scope(user, Perm.PAYMENT_VIEW, Payment.objects.all())


def receipt_payment(user: Any, pk: int) -> Payment:
    payments = payments_visible(user).select_related("school", "student", "bank_account")
    return get_object_or_404(receipt_related(payments), pk=pk)


def receipt_related(payments: QuerySet[Payment]) -> QuerySet[Payment]:
    allocations = Allocation.objects.select_related("invoice__student").order_by("pk")
    return payments.prefetch_related(Prefetch("allocations", queryset=allocations))


def payments_of_invoice(invoice: Invoice) -> list[Payment]:
    seen: dict[int, Payment] = {}
    for allocation in invoice.allocations.all():
        if allocation.payment is not None:
            seen.setdefault(allocation.payment.pk, allocation.payment)
    return list(seen.values())


# --- Reports ------------------------------------------------------------------------------


def local_day_bounds(day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """The instants a day in Asia/Ho_Chi_Minh starts and ends (stored datetimes are UTC)."""
    zone = timezone.get_default_timezone()
    start = dt.datetime.combine(day, dt.time.min, tzinfo=zone)
    return start, start + dt.timedelta(days=1)


@dataclass(frozen=True)
class MethodTotal:
    method: str
    label: str
    count: int
    amount: int


@dataclass(frozen=True)
class DailyCollection:
    day: dt.date
    payments: list[Payment]
    by_method: list[MethodTotal]

    @property
    def total(self) -> int:
        return sum(row.amount for row in self.by_method)

    @property
    def cashless(self) -> int:
        return sum(row.amount for row in self.by_method if row.method in CASHLESS_METHODS)


def daily_collection(user: Any, school: OrgUnit, day: dt.date) -> DailyCollection:
    start, end = local_day_bounds(day)
    payments = payments_visible(user).filter(school=school, paid_at__gte=start, paid_at__lt=end)
    rows = payments.values("method").annotate(count=Count("pk"), amount=Sum("amount"))
    labels = dict(PaymentMethod.choices)
    totals = {row["method"]: row for row in rows}
    by_method = [
        MethodTotal(m, str(labels[m]), totals[m]["count"], int(totals[m]["amount"]))
        for m in PaymentMethod.values
        if m in totals
    ]
    listed = list(payments.select_related("student").order_by("paid_at", "pk"))
    return DailyCollection(day, listed, by_method)


@dataclass
class DebtRow:
    student: Student
    invoices: list[Invoice] = field(default_factory=list)

    @property
    def total(self) -> int:
        return sum(invoice.total - invoice.credited for invoice in self.invoices)

    @property
    def paid(self) -> int:
        return sum(invoice.paid for invoice in self.invoices)

    @property
    def balance(self) -> int:
        return sum(invoice.balance for invoice in self.invoices)


def debt_list(user: Any, school_class: SchoolClass) -> list[DebtRow]:
    """Students of a class who still owe, with their open invoices (by name)."""
    invoices = (
        invoices_visible(user)
        .filter(school_class=school_class, status__in=OPEN_STATUSES)
        .select_related("student")
        .order_by("student__search_name", "student_id", "due_date", "pk")
    )
    rows: dict[int, DebtRow] = {}
    for invoice in invoices:
        rows.setdefault(invoice.student_id, DebtRow(invoice.student)).invoices.append(invoice)
    return list(rows.values())


def class_of(user: Any, pk: int) -> SchoolClass:
    """A class of a school where the user sees payments (the debt list's subject)."""
    school_class = get_object_or_404(
        SchoolClass.objects.select_related("school", "school_year"), pk=pk
    )
    if not authz.can(user, Perm.PAYMENT_VIEW, school_class.school.path):
        raise Http404
    return school_class


@dataclass(frozen=True)
class SchoolShare:
    school: OrgUnit
    total: int
    cashless: int

    @property
    def percent(self) -> float:
        return 100 * self.cashless / self.total if self.total else 0.0


def cashless_share(schools: Iterable[OrgUnit], start: dt.date, end: dt.date) -> list[SchoolShare]:
    """Per school, money received from ``start`` to ``end`` (local days, inclusive) and the
    part received without cash (bank transfer/VietQR, web gateway, mobile money, card)."""
    schools = list(schools)
    since = local_day_bounds(start)[0]
    until = local_day_bounds(end)[1]
    rows = (
        Payment.objects.filter(school__in=schools, paid_at__gte=since, paid_at__lt=until)
        .values("school_id")
        .annotate(
            total=Sum("amount"),
            cashless=Sum("amount", filter=Q(method__in=list(CASHLESS_METHODS))),
        )
    )
    sums: dict[int, tuple[int, int]] = defaultdict(lambda: (0, 0))
    for row in rows:
        sums[row["school_id"]] = (int(row["total"] or 0), int(row["cashless"] or 0))
    return [SchoolShare(school, *sums[school.pk]) for school in schools]
