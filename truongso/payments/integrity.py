"""The ledger's invariants: what must hold whatever wrote the books.

Run by ``manage.py check_payments`` in operations and by the tests after every sequence of
operations. Each check compares the ledger (postings) with the documents (invoices,
payments, allocations, credits, refunds), for one school or all of them.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from django.db.models import F, Q, QuerySet, Sum

from truongso.payments.models import (
    Account,
    Allocation,
    AllocationHow,
    Credit,
    Invoice,
    InvoiceStatus,
    LedgerEntry,
    Payment,
    Posting,
    Refund,
)
from truongso.registry.models import OrgUnit

LIMIT = 20


def _sums(rows: Iterable[dict[str, Any]], key: str, value: str = "total") -> dict[Any, int]:
    return {row[key]: int(row[value] or 0) for row in rows}


def _for(qs: QuerySet[Any], school: OrgUnit | None, field: str = "school") -> QuerySet[Any]:
    return qs if school is None else qs.filter(**{field: school})


def _entries(school: OrgUnit | None) -> QuerySet[LedgerEntry]:
    return _for(LedgerEntry.objects.all(), school, "posting__school")


def _per_student(school: OrgUnit | None, account: str) -> dict[Any, int]:
    rows = (
        _entries(school)
        .filter(account=account)
        .values("posting__school", "student")
        .annotate(total=Sum("amount"))
        .order_by()
    )
    return {(r["posting__school"], r["student"]): int(r["total"]) for r in rows if r["total"]}


def _account_total(school: OrgUnit | None, *accounts: str) -> int:
    total = _entries(school).filter(account__in=accounts).aggregate(t=Sum("amount"))["t"]
    return int(total or 0)


def unbalanced_postings(school: OrgUnit | None) -> list[str]:
    rows = (
        _for(Posting.objects.all(), school)
        .annotate(total=Sum("entries__amount"))
        .filter(~Q(total=0) | Q(total__isnull=True))
        .values_list("pk", "kind", "total")[:LIMIT]
    )
    return [f"posting {pk} ({kind}): entries add up to {total}" for pk, kind, total in rows]


def receivable_problems(school: OrgUnit | None) -> list[str]:
    """Receivable per student == the balances of the student's live invoices."""
    invoices = _for(Invoice.objects.exclude(status=InvoiceStatus.CANCELLED), school)
    expected: dict[Any, int] = defaultdict(int)
    for row in (
        invoices.values("school", "student")
        .annotate(total=Sum(F("total") - F("credited") - F("paid")))
        .order_by()
    ):
        if row["total"]:
            expected[(row["school"], row["student"])] = int(row["total"])
    return _compare("receivable", expected, _per_student(school, Account.RECEIVABLE))


def credit_problems(school: OrgUnit | None) -> list[str]:
    """Credit per student == credited − applied − refunded (the ledger holds it negative)."""
    expected: dict[Any, int] = defaultdict(int)
    credited = _for(Credit.objects.all(), school).values("school", "student")
    for row in credited.annotate(total=Sum("amount")).order_by():
        expected[(row["school"], row["student"])] -= int(row["total"])
    applied = _for(Allocation.objects.filter(how=AllocationHow.CREDIT), school, "invoice__school")
    for row in (
        applied.values("invoice__school", "invoice__student")
        .annotate(total=Sum("amount"))
        .order_by()
    ):
        expected[(row["invoice__school"], row["invoice__student"])] += int(row["total"])
    refunded = _for(Refund.objects.filter(payment__isnull=True), school).values("school", "student")
    for row in refunded.annotate(total=Sum("amount")).order_by():
        expected[(row["school"], row["student"])] += int(row["total"])
    expected = {key: value for key, value in expected.items() if value}
    return _compare("credit", expected, _per_student(school, Account.CREDIT))


def _compare(account: str, expected: dict[Any, int], actual: dict[Any, int]) -> list[str]:
    problems = []
    for key in sorted(set(expected) | set(actual), key=str):
        if expected.get(key, 0) != actual.get(key, 0):
            school_id, student_id = key
            problems.append(
                f"{account} of student {student_id} at school {school_id}: ledger "
                f"{actual.get(key, 0)}, documents {expected.get(key, 0)}"
            )
    return problems[:LIMIT]


def payment_problems(school: OrgUnit | None) -> list[str]:
    """Each payment's parts equal its allocations, credits and refunds; suspense holds the
    unassigned rest; bank + cash hold what came in minus what went back."""
    problems = []
    payments = _for(Payment.objects.all(), school).annotate(
        alloc=Sum("allocations__amount", distinct=False),
    )
    credits = _sums(
        _for(Credit.objects.filter(payment__isnull=False), school)
        .values("payment")
        .annotate(total=Sum("amount"))
        .order_by(),
        "payment",
    )
    refunds = _sums(
        _for(Refund.objects.filter(payment__isnull=False), school)
        .values("payment")
        .annotate(total=Sum("amount"))
        .order_by(),
        "payment",
    )
    for payment in payments.order_by("pk"):
        parts = (int(payment.alloc or 0), credits.get(payment.pk, 0), refunds.get(payment.pk, 0))
        if parts != (payment.allocated, payment.credited, payment.refunded):
            problems.append(
                f"payment {payment.pk}: allocated/credited/refunded {payment.allocated}/"
                f"{payment.credited}/{payment.refunded}, documents {parts[0]}/{parts[1]}/{parts[2]}"
            )
        elif payment.status != _payment_status(payment):
            problems.append(
                f"payment {payment.pk}: status {payment.status}, "
                f"expected {_payment_status(payment)}"
            )
    totals = _for(Payment.objects.all(), school).aggregate(
        received=Sum("amount"),
        unassigned=Sum(F("amount") - F("allocated") - F("credited") - F("refunded")),
    )
    unassigned = int(totals["unassigned"] or 0)
    suspense = _account_total(school, Account.SUSPENSE)
    if suspense != -unassigned:
        problems.append(f"suspense {suspense}, unassigned payments {unassigned}")
    homeless = Refund.objects.filter(school__isnull=True).values_list("pk", flat=True)[:LIMIT]
    problems += [f"refund {pk}: no school" for pk in homeless] if school is None else []
    refunded = int(_for(Refund.objects.all(), school).aggregate(t=Sum("amount"))["t"] or 0)
    money = _account_total(school, Account.BANK, Account.CASH)
    if money != int(totals["received"] or 0) - refunded:
        problems.append(
            f"bank + cash {money}, received {int(totals['received'] or 0)} − refunded {refunded}"
        )
    return problems[:LIMIT]


def invoice_problems(school: OrgUnit | None) -> list[str]:
    """An invoice's paid == its allocations − what moved back to credit (0 once cancelled);
    revenue == − what live invoices ask (total − credited)."""
    problems = []
    moved = _sums(
        _for(Credit.objects.filter(invoice__isnull=False), school)
        .values("invoice")
        .annotate(total=Sum("amount"))
        .order_by(),
        "invoice",
    )
    invoices = _for(Invoice.objects.all(), school).annotate(alloc=Sum("allocations__amount"))
    for invoice in invoices.order_by("pk"):
        kept = int(invoice.alloc or 0) - moved.get(invoice.pk, 0)
        should = 0 if invoice.status == InvoiceStatus.CANCELLED else invoice.paid
        if kept != should:
            problems.append(f"invoice {invoice.code}: paid {should}, allocations kept {kept}")
        elif invoice.status != _status(invoice):
            problems.append(
                f"invoice {invoice.code}: status {invoice.status}, expected {_status(invoice)}"
            )
    asked = _for(Invoice.objects.exclude(status=InvoiceStatus.CANCELLED), school).aggregate(
        t=Sum(F("total") - F("credited"))
    )["t"]
    revenue = _account_total(school, Account.REVENUE)
    if revenue != -int(asked or 0):
        problems.append(f"revenue {revenue}, invoices ask {int(asked or 0)}")
    return problems[:LIMIT]


def _payment_status(payment: Payment) -> str:
    from truongso.payments.services.payments import payment_status

    return payment_status(payment)


def _status(invoice: Invoice) -> str:
    from truongso.payments.services.invoices import invoice_status

    return invoice_status(invoice)


def ledger_problems(*, school: OrgUnit | None = None) -> list[str]:
    """Every broken invariant as a sentence (empty when the books add up)."""
    return [
        *unbalanced_postings(school),
        *receivable_problems(school),
        *credit_problems(school),
        *payment_problems(school),
        *invoice_problems(school),
    ]
