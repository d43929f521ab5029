"""Bank statement imports (sao kê): the fallback when notifications fail, and the daily
cross-check of the notification feed.

:func:`statement_import` reads the file (:mod:`statement_files`), and if any row is wrong
stores the import as failed with every problem listed and applies nothing. Otherwise, in one
transaction, each credit line is either *known* (the notification feed already brought the
same money: same account, amount and day, the closest memo) or *new* (a payment is received
from the statement, keyed on the account and the bank's reference, so importing the same
statement again changes nothing). New payments are then reconciled like notified ones.
:func:`statement_cross_check` lists what the feed has and the statement lacks.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from truongso.core import authz
from truongso.core.audit import audit_record
from truongso.core.authz import SYSTEM, Perm
from truongso.core.text import fold
from truongso.payments import reconcile
from truongso.payments.codes import normalise
from truongso.payments.models import (
    JobStatus,
    Payment,
    PaymentMethod,
    SchoolBankAccount,
    StatementImport,
    StatementLine,
)
from truongso.payments.statement_files import (
    CUSTOM,
    PRESETS,
    ParsedLine,
    ParsedStatement,
    mapping_for,
    parse_statement,
)

log = logging.getLogger(__name__)

FEED_PROVIDERS = ("sepay", "casso", "payos")
# The text encoding chosen on the form, kept beside the column mapping for the worker.
ENCODING_KEY = "_encoding"
STATEMENT = "statement"


class Outcome:
    NEW = "new"  # a payment was received from the line
    KNOWN = "known"  # the notification feed (or an earlier import) had it
    DEBIT = "debit"  # money out: kept, not applied
    MISMATCH = "mismatch"  # an earlier import of the same reference said another amount


def statement_import(
    *,
    actor: Any,
    bank_account: SchoolBankAccount,
    file_name: str,
    content: bytes,
    preset: str,
    mapping: Mapping[str, str] | None = None,
    encoding: str = "auto",
) -> StatementImport:
    school = bank_account.school
    if not authz.can(actor, Perm.PAYMENT_MANAGE, school.path):
        raise PermissionDenied(_("You cannot import the statements of this school."))
    columns: dict[str, str] = mapping_for(preset if preset in PRESETS else CUSTOM, mapping)
    statement = StatementImport.objects.create(
        school=school,
        bank_account=bank_account,
        preset=preset[:32],
        mapping={**columns, ENCODING_KEY: encoding[:20]},
        file=ContentFile(content, name=file_name[-100:] or "statement"),
        file_name=file_name[:255],
        status=JobStatus.RUNNING,
        uploaded_by=actor if getattr(actor, "pk", None) else None,
    )
    parsed = _parsed(statement, content)
    if parsed.errors:
        _fail(statement, parsed.errors)
    elif len(parsed.lines) > settings.IMPORT_BACKGROUND_ROWS:
        # Checked now (the accountant sees any error at once), applied by the worker.
        statement.status = JobStatus.QUEUED
        statement.save(update_fields=["status"])
        transaction.on_commit(lambda: _enqueue(statement.pk))
    else:
        new_payments = _apply(actor, statement, parsed.lines)
        _reconcile(new_payments)
    audit_record(
        actor=actor,
        action="payments.statement.import",
        obj=statement,
        org_path=school.path,
        after={
            "file": statement.file_name,
            "status": statement.status,
            "rows": statement.rows,
            "created_payments": statement.created_payments,
            "already_known": statement.already_known,
            "errors": len(statement.errors),
        },
    )
    return statement


def _enqueue(statement_id: int) -> None:
    from truongso.payments.tasks_bank import statement_apply_task

    statement_apply_task.delay(statement_id)


def statement_apply(*, statement_id: int) -> None:
    """The worker's part of a big statement (idempotent: a statement applied already, or
    being applied by another worker, is left alone; a run killed half-way applied nothing)."""
    statement = StatementImport.objects.select_related("school", "bank_account").get(
        pk=statement_id
    )
    if statement.status not in (JobStatus.QUEUED, JobStatus.RUNNING):
        return
    with statement.file.open("rb") as stored:
        content = stored.read()
    parsed = _parsed(statement, content)
    if parsed.errors:
        _fail(statement, parsed.errors)
        return
    new_payments = _apply(SYSTEM, statement, parsed.lines)
    _reconcile(new_payments)


def _parsed(statement: StatementImport, content: bytes) -> ParsedStatement:
    parsed = ParsedStatement()
    if len(content) > settings.IMPORT_MAX_BYTES:
        parsed.error(None, "", _("The file is larger than the allowed size."))
        return parsed
    columns = {k: v for k, v in statement.mapping.items() if k != ENCODING_KEY}
    parsed = parse_statement(
        file_name=statement.file_name,
        content=content,
        preset=statement.preset,
        mapping=columns,
        encoding=str(statement.mapping.get(ENCODING_KEY) or "auto"),
    )
    for line in parsed.lines:
        if line.amount > settings.PAYMENTS_MAX_AMOUNT:
            parsed.error(line.row_number, "", _("The amount %(amount)s đồng is implausibly large.")
                         % {"amount": f"{line.amount:,}".replace(",", ".")})  # fmt: skip
    return parsed


def _fail(statement: StatementImport, errors: list[dict[str, Any]]) -> None:
    statement.status = JobStatus.FAILED
    statement.errors = errors
    statement.save(update_fields=["status", "errors"])


def _apply(actor: Any, statement: StatementImport, lines: list[ParsedLine]) -> list[Payment]:
    """All lines or none: any failure rolls the whole statement back and records why."""
    created: list[Payment] = []
    try:
        with transaction.atomic():
            locked = StatementImport.objects.select_for_update().get(pk=statement.pk)
            if locked.status in (JobStatus.DONE, JobStatus.FAILED):
                return []  # another worker finished it meanwhile
            claimed: set[int] = set()
            for parsed in lines:
                line = _line(actor, statement, parsed, claimed)
                if line.outcome == Outcome.NEW and line.payment is not None:
                    created.append(line.payment)
            statement.rows = len(lines)
            statement.created_payments = len(created)
            statement.already_known = sum(1 for p in lines if p.amount > 0) - len(created)
            statement.status = JobStatus.DONE
            statement.save(update_fields=["rows", "created_payments", "already_known", "status"])
    except Exception as exc:  # every đồng or none: the statement is kept with the reason
        log.exception("statement %s could not be applied", statement.pk)
        reason = "; ".join(getattr(exc, "messages", [str(exc)]))
        message = _("Not applied: %(error)s") % {"error": reason}
        _fail(statement, [{"row": None, "column": "", "message": message}])
        return []
    return created


def _line(
    actor: Any, statement: StatementImport, parsed: ParsedLine, claimed: set[int]
) -> StatementLine:
    line = StatementLine(
        statement=statement,
        row_number=parsed.row_number,
        booked_at=parsed.booked_at,
        amount=parsed.amount,
        memo=parsed.memo,
        reference=parsed.reference,
        payer_name=parsed.payer_name,
    )
    if parsed.amount < 0:
        line.outcome = Outcome.DEBIT
    else:
        line.payment, line.outcome = _match(actor, statement, parsed, claimed)
        if line.payment is not None:
            claimed.add(line.payment.pk)
    line.save()
    return line


def statement_key(account: SchoolBankAccount, parsed: ParsedLine) -> str:
    """The provider_ref of a payment received from a statement line: the bank's reference,
    or (no reference in the export) a digest of the day, amount and memo."""
    if parsed.reference:
        return f"{account.pk}:{parsed.reference}"[:100]
    digest = hashlib.sha256(
        f"{parsed.booked_at.isoformat()}|{parsed.amount}|{parsed.memo}".encode()
    )
    return f"{account.pk}:h{digest.hexdigest()[:32]}"


def _match(
    actor: Any, statement: StatementImport, parsed: ParsedLine, claimed: set[int]
) -> tuple[Payment | None, str]:
    account = statement.bank_account
    key = statement_key(account, parsed)
    earlier = Payment.objects.filter(provider=STATEMENT, provider_ref=key).first()
    if earlier is not None:
        return earlier, (Outcome.KNOWN if earlier.amount == parsed.amount else Outcome.MISMATCH)
    seen = earlier_line(statement, parsed)
    if seen is not None:
        return seen.payment, Outcome.KNOWN
    fed = feed_match(account, parsed, claimed)
    if fed is not None:
        return fed, Outcome.KNOWN
    from truongso.payments.services import payments

    payment, _created = payments.payment_receive(
        actor=actor,
        school=statement.school,
        method=PaymentMethod.BANK_TRANSFER,
        provider=STATEMENT,
        provider_ref=key,
        amount=parsed.amount,
        paid_at=parsed.booked_at,
        payer_name=parsed.payer_name,
        memo=parsed.memo,
        bank_account=account,
    )
    return payment, Outcome.NEW


def earlier_line(statement: StatementImport, parsed: ParsedLine) -> StatementLine | None:
    """The same movement in an earlier import of the account (statements overlap)."""
    same = StatementLine.objects.filter(
        statement__bank_account=statement.bank_account,
        statement__status=JobStatus.DONE,
        booked_at=parsed.booked_at,
        amount=parsed.amount,
        payment__isnull=False,
    ).exclude(statement=statement)
    same = (
        same.filter(reference=parsed.reference)
        if parsed.reference
        else same.filter(memo=parsed.memo)
    )
    return same.select_related("payment").order_by("pk").first()


def _day(moment: dt.datetime) -> dt.datetime:
    """Midnight in Vietnam of the day of ``moment``."""
    return timezone.localtime(moment).replace(hour=0, minute=0, second=0, microsecond=0)


def _feed_on_day(account: SchoolBankAccount, day: dt.datetime) -> QuerySet[Payment]:
    # A statement's booking day may differ by one from the notification's time (night, weekend).
    return Payment.objects.filter(
        bank_account=account,
        provider__in=FEED_PROVIDERS,
        paid_at__gte=day - dt.timedelta(days=1),
        paid_at__lt=day + dt.timedelta(days=2),
    )


def same_transfer(memo_a: str, memo_b: str) -> bool:
    """Do two memos describe the same transfer? The bank's statement and the notification
    service copy the same description, give or take a prefix, spacing or truncation."""
    squashed_a, squashed_b = normalise(memo_a), normalise(memo_b)
    if not squashed_a or not squashed_b:
        return squashed_a == squashed_b
    if squashed_a in squashed_b or squashed_b in squashed_a:
        return True
    words_a, words_b = set(fold(memo_a).split()), set(fold(memo_b).split())
    return len(words_a & words_b) >= 0.6 * min(len(words_a), len(words_b))


def feed_match(account: SchoolBankAccount, parsed: ParsedLine, claimed: set[int]) -> Payment | None:
    """The notified payment of the same amount around the same day with the same memo, not
    already claimed by another line of this or an earlier statement. Same amount and day
    alone are not enough: two parents often pay the same fee on the same day."""
    day = _day(parsed.booked_at)
    taken = StatementLine.objects.filter(payment__isnull=False).values("payment_id")
    candidates = [
        p
        for p in _feed_on_day(account, day).filter(amount=parsed.amount).exclude(pk__in=taken)
        if p.pk not in claimed and same_transfer(p.memo, parsed.memo)
    ]
    if not candidates:
        return None
    words = set(fold(parsed.memo).split())
    return max(candidates, key=lambda p: (len(words & set(fold(p.memo).split())), -p.pk))


def imported_payment(
    account: SchoolBankAccount, *, amount: int, paid_at: dt.datetime, memo: str
) -> Payment | None:
    """A payment already received from a statement line for the transfer a late
    notification describes (the service was down, the accountant imported the statement,
    then the service caught up): the notification must not receive the money twice."""
    day = _day(paid_at)
    rows = Payment.objects.filter(
        bank_account=account,
        provider=STATEMENT,
        amount=amount,
        paid_at__gte=day - dt.timedelta(days=1),
        paid_at__lt=day + dt.timedelta(days=2),
        notifications__isnull=True,
    ).order_by("pk")
    return next((p for p in rows if same_transfer(p.memo, memo)), None)


def _reconcile(payments: list[Payment]) -> None:
    for payment in payments:
        try:
            reconcile.reconcile_payment(actor=SYSTEM, payment=payment)
        except Exception:  # the payment is received; it waits in the queue for a human
            log.exception("reconciliation of payment %s failed", payment.pk)


@dataclass
class CrossCheck:
    new: int
    known: int
    debit: int
    mismatch: int
    missing: list[Payment]  # notified, but not on the statement: to be checked with the bank


def statement_cross_check(statement: StatementImport) -> CrossCheck:
    lines = list(statement.lines.all())
    outcomes = (Outcome.NEW, Outcome.KNOWN, Outcome.DEBIT, Outcome.MISMATCH)
    counts = {o: sum(1 for line in lines if line.outcome == o) for o in outcomes}
    missing: list[Payment] = []
    if lines:
        first = _day(min(line.booked_at for line in lines))
        last = _day(max(line.booked_at for line in lines))
        linked = StatementLine.objects.filter(payment__isnull=False).values("payment_id")
        missing = list(
            Payment.objects.filter(
                bank_account=statement.bank_account,
                provider__in=FEED_PROVIDERS,
                paid_at__gte=first,
                paid_at__lt=last + dt.timedelta(days=1),
            )
            .exclude(pk__in=linked)
            .order_by("paid_at", "pk")
        )
    return CrossCheck(
        new=counts.get(Outcome.NEW, 0),
        known=counts.get(Outcome.KNOWN, 0),
        debit=counts.get(Outcome.DEBIT, 0),
        mismatch=counts.get(Outcome.MISMATCH, 0),
        missing=missing,
    )
