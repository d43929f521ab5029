"""The double-entry ledger (sổ kép): every movement of money is one balanced ``Posting``.

Debits are positive, credits negative, and the entries of a posting add up to zero. The
accounts and what their balances must equal (checked by :func:`ledger_check`):

* ``bank`` + ``cash`` (111, 112): money received minus money refunded;
* ``receivable`` per student (131): the balances of the student's open invoices;
* ``revenue``: minus what the school's live invoices ask for (total − credited);
* ``suspense``: minus the unassigned part of the payments (waiting for a human);
* ``credit`` per student: minus the student's credit (credited − applied − refunded).

Accounts follow the public-sector chart of Thông tư 24/2024/TT-BTC.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db.models import Sum

from truongso.payments.models import Account, Invoice, LedgerEntry, Payment, Posting
from truongso.registry.models import OrgUnit, Student

# (account, student or None, signed amount): debit > 0, credit < 0.
Line = tuple[str, Student | None, int]


class UnbalancedPosting(ValueError):
    pass


def posting_create(
    *,
    actor: Any,
    school: OrgUnit,
    kind: str,
    lines: Sequence[Line],
    invoice: Invoice | None = None,
    payment: Payment | None = None,
    memo: str = "",
) -> Posting | None:
    """Write one balanced posting; nothing (``None``) when every line is zero.

    Called only by the payments services, inside their transaction and after their checks.
    """
    kept = [(account, student, amount) for account, student, amount in lines if amount]
    if sum(amount for _a, _s, amount in kept) != 0:
        raise UnbalancedPosting(f"{kind}: entries add up to {sum(a for _x, _y, a in kept)}")
    if not kept:
        return None
    posting = Posting.objects.create(
        school=school,
        kind=kind,
        invoice=invoice,
        payment=payment,
        memo=memo[:255],
        actor=actor if getattr(actor, "pk", None) else None,
    )
    LedgerEntry.objects.bulk_create(
        LedgerEntry(posting=posting, account=account, student=student, amount=amount)
        for account, student, amount in kept
    )
    return posting


def money_account(method: str) -> str:
    """Cash goes to the till (111); every other method lands on the bank account (112)."""
    return Account.CASH if method == "cash" else Account.BANK


def ledger_balances(*, school: OrgUnit | None = None) -> dict[str, int]:
    """Balance of every account (all six, zero when unused), for one school or all."""
    entries = LedgerEntry.objects.all()
    if school is not None:
        entries = entries.filter(posting__school=school)
    rows = entries.values("account").annotate(total=Sum("amount")).order_by("account")
    balances = {account.value: 0 for account in Account}
    for row in rows:
        balances[row["account"]] = int(row["total"] or 0)
    return balances


def student_ledger_balance(*, account: str, student: Student, school: OrgUnit | None = None) -> int:
    entries = LedgerEntry.objects.filter(account=account, student=student)
    if school is not None:
        entries = entries.filter(posting__school=school)
    return int(entries.aggregate(total=Sum("amount"))["total"] or 0)


def ledger_check(*, school: OrgUnit | None = None) -> list[str]:
    """Broken ledger invariants as sentences (empty when the books add up)."""
    from truongso.payments.integrity import ledger_problems

    return ledger_problems(school=school)
