"""Reads of the accountant's counter page: recent payments (to refund what is unassigned) and
the students holding credit at the school (to pay it back)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet, Sum

from truongso.core import authz
from truongso.core.authz import Perm
from truongso.payments.models import Account, LedgerEntry, Payment
from truongso.registry.models import OrgUnit, Student

RECENT = 20


def recent_payments(user: Any, school: OrgUnit) -> QuerySet[Payment]:
    payments = authz.scope(user, Perm.PAYMENT_MANAGE, Payment.objects.filter(school=school))
    return payments.select_related("student").order_by("-paid_at", "-id")[:RECENT]


@dataclass(frozen=True)
class CreditHolder:
    student: Student
    credit: int


def credit_holders(user: Any, school: OrgUnit) -> list[CreditHolder]:
    """Students with money on their credit at ``school`` (from the ledger), largest first."""
    entries = authz.scope(
        user,
        Perm.PAYMENT_MANAGE,
        LedgerEntry.objects.filter(account=Account.CREDIT, posting__school=school),
    )
    totals = {
        row["student"]: -int(row["total"])
        for row in entries.values("student").annotate(total=Sum("amount")).filter(total__lt=0)
    }
    students = Student.objects.filter(pk__in=list(totals)).select_related("current_class")
    holders = [CreditHolder(student, totals[student.pk]) for student in students]
    return sorted(holders, key=lambda h: (-h.credit, h.student.full_name))
