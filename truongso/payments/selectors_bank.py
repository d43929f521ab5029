"""Reads of the bank-feed pages: the unmatched queue, the notification log, statements.
Every queryset starts from ``authz.scope`` with the accountant's permission."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from truongso.core import authz
from truongso.core.authz import Perm
from truongso.payments.models import (
    BankNotification,
    Payment,
    PaymentStatus,
    SchoolBankAccount,
    StatementImport,
)
from truongso.registry.models import OrgUnit

WAITING = (PaymentStatus.UNMATCHED, PaymentStatus.PARTIAL)


def unmatched_payments(user: Any, school: OrgUnit) -> QuerySet[Payment]:
    """Payments of ``school`` with money not yet assigned, oldest first."""
    rows = Payment.objects.filter(school=school, status__in=WAITING)
    return (
        authz.scope(user, Perm.PAYMENT_MANAGE, rows)
        .select_related("bank_account")
        .order_by("paid_at", "pk")
    )


def payment_to_assign(user: Any, pk: int) -> Payment:
    rows = Payment.objects.select_related("school", "bank_account", "student")
    return get_object_or_404(authz.scope(user, Perm.PAYMENT_MANAGE, rows), pk=pk)


def notifications(user: Any, *, status: str = "", provider: str = "") -> QuerySet[BankNotification]:
    rows = BankNotification.objects.all()
    if status:
        rows = rows.filter(status=status)
    if provider:
        rows = rows.filter(provider=provider)
    return (
        authz.scope(user, Perm.PAYMENT_MANAGE, rows)
        .select_related("payment")
        .defer("body", "headers")
        .order_by("-received_at", "-pk")
    )


def notification(user: Any, pk: int) -> BankNotification:
    rows = BankNotification.objects.select_related("payment")
    return get_object_or_404(authz.scope(user, Perm.PAYMENT_MANAGE, rows), pk=pk)


def bank_accounts(user: Any, school: OrgUnit) -> QuerySet[SchoolBankAccount]:
    rows = SchoolBankAccount.objects.filter(school=school)
    return authz.scope(user, Perm.PAYMENT_MANAGE, rows).order_by("-is_default", "pk")


def statements(user: Any, school: OrgUnit) -> QuerySet[StatementImport]:
    rows = StatementImport.objects.filter(school=school)
    return (
        authz.scope(user, Perm.PAYMENT_MANAGE, rows)
        .select_related("bank_account", "uploaded_by")
        .order_by("-created_at", "-pk")
    )


def statement(user: Any, pk: int) -> StatementImport:
    rows = StatementImport.objects.select_related("bank_account", "school")
    return get_object_or_404(authz.scope(user, Perm.PAYMENT_MANAGE, rows), pk=pk)
