"""How payments rows are scoped: the school's staff with a payments permission see their
subtree (accountant, leaders; officers only through PAYMENT_STATS aggregates); parents their
children's rows and students their own, through the row's student."""

from __future__ import annotations

from typing import Any

from django.db.models import Q

from truongso.core import authz
from truongso.core.authz import ScopeRule
from truongso.payments import models as m
from truongso.registry.authz_rules import units_under
from truongso.registry.models import StudentGuardian


def _children(user: Any) -> Any:
    return StudentGuardian.objects.filter(guardian__user=user).values("student_id")


class SchoolRowRule(ScopeRule):
    """Rows of a school (``school`` field), reached through the school only."""

    school = "school"

    def subtree(self, paths: list[str]) -> Q:
        return Q(**{f"{self.school}__in": units_under(paths)})


class StudentRowRule(SchoolRowRule):
    """Rows of one student at a school: the family and the student reach them too."""

    student = "student"

    def family(self, user: Any) -> Q:
        return Q(**{f"{self.student}__in": _children(user)})

    def self_(self, user: Any) -> Q:
        return Q(**{f"{self.student}__user": user})


class InvoicePartRule(StudentRowRule):
    school = "invoice__school"
    student = "invoice__student"


class ReductionRule(StudentRowRule):
    # A reduction follows the student's current school (it is recorded there).
    school = "student__school"


class PaymentRule(SchoolRowRule):
    """A payment reaches a family when it names their child or paid one of their invoices."""

    def family(self, user: Any) -> Q:
        children = _children(user)
        paid = m.Allocation.objects.filter(invoice__student__in=children).values("payment_id")
        return Q(student__in=children) | Q(pk__in=paid)

    def self_(self, user: Any) -> Q:
        paid = m.Allocation.objects.filter(invoice__student__user=user).values("payment_id")
        return Q(student__user=user) | Q(pk__in=paid)


class FamilySchoolRule(SchoolRowRule):
    """Fee items and bank accounts of the schools the family's children attend."""

    def family(self, user: Any) -> Q:
        schools = StudentGuardian.objects.filter(guardian__user=user).values("student__school")
        return Q(school__in=schools)

    def self_(self, user: Any) -> Q:
        return Q(school__students__user=user)


class NotificationRule(SchoolRowRule):
    # A raw delivery reaches a school once it made a payment there; the rest only superusers.
    school = "payment__school"


class StatementLineRule(SchoolRowRule):
    school = "statement__school"


class LedgerEntryRule(SchoolRowRule):
    school = "posting__school"


def register_all() -> None:
    authz.register(m.FeeItem, FamilySchoolRule())
    authz.register(m.SchoolBankAccount, FamilySchoolRule())
    authz.register(m.FeeReduction, ReductionRule())
    authz.register(m.InvoiceRun, SchoolRowRule())
    authz.register(m.Invoice, StudentRowRule())
    authz.register(m.InvoiceLine, InvoicePartRule())
    authz.register(m.CreditNote, InvoicePartRule())
    authz.register(m.Allocation, InvoicePartRule())
    authz.register(m.GatewayOrder, InvoicePartRule())
    authz.register(m.Payment, PaymentRule())
    authz.register(m.Credit, StudentRowRule())
    authz.register(m.Refund, StudentRowRule())
    authz.register(m.Posting, SchoolRowRule())
    authz.register(m.LedgerEntry, LedgerEntryRule())
    authz.register(m.BankNotification, NotificationRule())
    authz.register(m.StatementImport, SchoolRowRule())
    authz.register(m.StatementLine, StatementLineRule())
