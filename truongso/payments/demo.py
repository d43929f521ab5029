"""Demo fees and payments (``manage.py seed_payments_demo``, run by ``make demo`` after
``seed_demo``): the accountant's school collects into a bank account, bills three months of
boarding and drinking water plus the year's health insurance through invoice runs, and most
families have paid (by VietQR transfer, online, mobile money, card or cash); a few transfers
without a readable code wait in the unmatched queue; the other schools of the district have a
term's water fee and payments with different cashless shares, so the department's chart has
something to compare. The demo parent's children keep this month's invoice open: scan it, or
simulate the transfer (``payments_simulate_transfer``) and watch it turn paid.

Public schools charge no tuition from the 2025–2026 school year (Nghị quyết 217/2025/QH15),
so the demo bills service and agreed fees (bán trú, nước uống) and health insurance (BHYT).
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from truongso.accounts.models import RoleAssignment
from truongso.core.authz import SYSTEM, Role
from truongso.payments import vietqr
from truongso.payments.models import (
    FeeItem,
    Invoice,
    InvoiceRun,
    PaymentMethod,
    SchoolBankAccount,
)
from truongso.payments.services import (
    fee_item_create,
    invoice_create,
    invoice_run_execute,
    invoice_run_start,
    payment_allocate,
    payment_receive,
)
from truongso.registry.demo.accounts import ACCOUNTS_BY_ROLE
from truongso.registry.models import OrgUnit, SchoolYear, Student

DEFAULT_SEED = 2025
Log = Callable[[str], None]

# Method mix of paid invoices at the demo school (weights); cash is what the KPI counts against.
METHODS = [
    (PaymentMethod.BANK_TRANSFER, 70),
    (PaymentMethod.WEB_GATEWAY, 8),
    (PaymentMethod.MOBILE_MONEY, 6),
    (PaymentMethod.CARD_POS, 4),
    (PaymentMethod.CASH, 12),
]
BANK_BIN = "970436"  # Vietcombank
BHYT_2025 = 884_520  # 4.5 % × 2,340,000 đ × 70 % (state pays 30 %) × 12 months


def quiet(message: str) -> None:
    """The log of a silent run."""


@dataclass
class Demo:
    school: OrgUnit
    year: SchoolYear
    rng: random.Random
    now: dt.datetime
    refs: int = 0

    def ref(self, prefix: str) -> str:
        self.refs += 1
        return f"{prefix}{self.year.start_date:%y}{self.refs:07d}"


def demo_school() -> OrgUnit | None:
    """The school where the demo accountant (ketoan) works."""
    username = ACCOUNTS_BY_ROLE[Role.ACCOUNTANT].username
    grant = RoleAssignment.objects.filter(user__username=username, role=Role.ACCOUNTANT).first()
    return grant.org_unit if grant else None


def has_payments(school: OrgUnit) -> bool:
    return FeeItem.objects.filter(school=school).exists()


def bank_account(school: OrgUnit, number: str) -> SchoolBankAccount:
    return SchoolBankAccount.objects.create(
        school=school,
        bank_bin=BANK_BIN,
        bank_name="Vietcombank",
        account_number=number,
        account_name=vietqr.strip_diacritics(school.name).upper()[:100],
    )


def _fee(demo: Demo, code: str, name: str, kind: str, period: str, amount: int) -> FeeItem:
    return fee_item_create(
        actor=SYSTEM,
        school=demo.school,
        school_year=demo.year,
        code=code,
        name=name,
        kind=kind,
        period=period,
        amount=amount,
    )


def _run(demo: Demo, key: str, label: str, due: dt.date, items: list[FeeItem]) -> InvoiceRun:
    run = invoice_run_start(
        actor=SYSTEM,
        school=demo.school,
        school_year=demo.year,
        period_key=key,
        period_label=label,
        due_date=due,
        fee_items=items,
    )
    invoice_run_execute(run_id=run.pk)  # now, not by the worker: the demo needs them at once
    run.refresh_from_db()
    _issued_on(demo, Invoice.objects.filter(run=run), due.replace(day=1))
    return run


def _issued_on(demo: Demo, invoices: QuerySet[Invoice], day: dt.date) -> None:
    """Date the demo's invoices at the start of their period (they were billed then), so that
    payments follow them; not a service path, only the issue date of fresh demo rows moves."""
    moment = dt.datetime.combine(day, dt.time(8), tzinfo=timezone.get_default_timezone())
    if moment < demo.now:
        invoices.update(issued_at=moment)


def _paid_at(demo: Demo, invoice: Invoice, *, recent: bool = False) -> dt.datetime:
    if recent:  # today and yesterday, so that the daily collection report shows something
        moment = demo.now - dt.timedelta(hours=demo.rng.randint(1, 30))
    else:
        start = timezone.localtime(invoice.issued_at)
        moment = start + dt.timedelta(days=demo.rng.randint(0, 20), hours=demo.rng.randint(1, 12))
    return min(moment, demo.now - dt.timedelta(minutes=5))


def _pay(demo: Demo, invoice: Invoice, amount: int, method: str, *, recent: bool = False) -> None:
    bank = method != PaymentMethod.CASH
    purpose = vietqr.invoice_purpose(invoice.code, invoice.reason)
    payment, _ = payment_receive(
        actor=SYSTEM,
        school=invoice.school,
        method=method,
        provider={"bank_transfer": "sepay", "web_gateway": "gateway"}.get(method, "manual"),
        provider_ref=demo.ref({"bank_transfer": "FT", "cash": "PT"}.get(method, "GD")),
        amount=amount,
        paid_at=_paid_at(demo, invoice, recent=recent),
        payer_name=vietqr.strip_diacritics(invoice.payer_name).upper() if bank else "",
        memo=f"{purpose} chuyen khoan" if method == PaymentMethod.BANK_TRANSFER else "",
        bank_account=SchoolBankAccount.objects.filter(school=invoice.school).first(),
        student=invoice.student,
    )
    how = "gateway" if method == PaymentMethod.WEB_GATEWAY else "auto"
    payment_allocate(actor=SYSTEM, payment=payment, invoice=invoice, amount=amount, how=how)


def _method(demo: Demo, methods: Sequence[tuple[str, int]]) -> str:
    return demo.rng.choices([m for m, _ in methods], weights=[w for _, w in methods])[0]


def _settle(demo: Demo, run: InvoiceRun, share: float, keep: set[int], recent: bool) -> int:
    """Pay ``share`` of the run's invoices in full, a few in part; leave ``keep``'s open."""
    paid = 0
    for invoice in Invoice.objects.filter(run=run).select_related("student", "school"):
        if invoice.student_id in keep:
            continue
        roll = demo.rng.random()
        if roll < share:
            _pay(demo, invoice, invoice.balance, _method(demo, METHODS), recent=recent)
            paid += 1
        elif roll < share + 0.05 and invoice.balance >= 100_000:
            _pay(demo, invoice, invoice.balance // 2 // 1000 * 1000, PaymentMethod.BANK_TRANSFER)
            paid += 1
    return paid


def _month(year: SchoolYear, offset: int) -> dt.date:
    start = year.start_date
    month = start.month - 1 + offset
    return dt.date(start.year + month // 12, month % 12 + 1, 1)


def _unmatched(demo: Demo, account: SchoolBankAccount, count: int) -> None:
    """Transfers whose memo carries no invoice code: the accountant's queue."""
    memos = ["chuyen tien hoc cho con", "nop tien ban tru lop 6", "ung ho quy lop"]
    for number in range(count):
        payment_receive(
            actor=SYSTEM,
            school=demo.school,
            method=PaymentMethod.BANK_TRANSFER,
            provider="sepay",
            provider_ref=demo.ref("FT"),
            amount=demo.rng.choice([350_000, 365_000, 500_000]),
            paid_at=demo.now - dt.timedelta(days=number + 1, hours=3),
            payer_name=demo.rng.choice(["TRAN VAN HUNG", "LE THI MAI", "PHAM QUOC BAO"]),
            memo=memos[number % len(memos)],
            bank_account=account,
        )


def _family_of_demo_parent() -> set[int]:
    username = ACCOUNTS_BY_ROLE[Role.PARENT].username
    return set(
        Student.objects.filter(guardian_links__guardian__user__username=username).values_list(
            "pk", flat=True
        )
    )


def build_school(demo: Demo, log: Log) -> dict[str, int]:
    account = bank_account(demo.school, "1023456789")
    boarding = _fee(demo, "BANTRU", "Tiền ăn bán trú", "service", "month", 350_000)
    water = _fee(demo, "NUOC", "Nước uống", "agreed", "month", 15_000)
    insurance = _fee(demo, "BHYT", "Bảo hiểm y tế học sinh", "other", "year", BHYT_2025)
    family = _family_of_demo_parent()
    counts = {"invoices": 0, "payments": 0}
    for offset in range(3):
        first = _month(demo.year, offset)
        label = f"Tháng {first.month}/{first.year}"
        run = _run(demo, f"{first:%Y-%m}", label, first + dt.timedelta(days=14), [boarding, water])
        last = offset == 2
        keep = family if last else set()
        counts["payments"] += _settle(demo, run, 0.55 if last else 0.85, keep, recent=last)
        counts["invoices"] += run.created_count
        log(f"  {label}: {run.created_count} invoices")
    due = _month(demo.year, 1) + dt.timedelta(days=30)
    run = _run(
        demo, f"BHYT-{demo.year.start_date:%Y}", "Năm học " + demo.year.code, due, [insurance]
    )
    counts["payments"] += _settle(demo, run, 0.7, set(), recent=False)
    counts["invoices"] += run.created_count
    _unmatched(demo, account, 3)
    return counts


def build_other_school(demo: Demo, number: int, cashless: float) -> int:
    """A term's water fee for 30 pupils (and the demo parent's child there, left to pay) and
    their payments, ``cashless`` of them without cash; returns how many were paid."""
    bank_account(demo.school, f"10234567{number:02d}")
    water = _fee(demo, "NUOC", "Nước uống", "agreed", "semester", 75_000)
    studying = Student.objects.filter(school=demo.school, status="studying").order_by("pk")
    family = _family_of_demo_parent()
    pupils = list(studying[:30])
    pupils += [child for child in studying.filter(pk__in=family) if child not in pupils]
    due = _month(demo.year, 1)
    paid = 0
    issued = Invoice.objects.filter(school=demo.school, period_key="HK1")
    for student in pupils:
        invoice = invoice_create(
            actor=SYSTEM,
            student=student,
            school_year=demo.year,
            lines=[(water, "Nước uống học kì I", 75_000)],
            period_label="Học kì I",
            due_date=due,
            reason=f"Nuoc uong HK1 - {student.full_name}",
            period_key="HK1",
        )
        _issued_on(demo, issued.filter(pk=invoice.pk), _month(demo.year, 0))
        invoice.refresh_from_db(fields=["issued_at"])
        if student.pk in family:  # the demo parent's other child: left to pay
            continue
        cash = demo.rng.random() >= cashless
        method = PaymentMethod.CASH if cash else _method(demo, METHODS[:4])
        _pay(demo, invoice, invoice.balance, method)
        paid += 1
    return paid


@transaction.atomic
def build_payments_demo(*, seed: int = DEFAULT_SEED, log: Log = quiet) -> dict[str, int]:
    school = demo_school()
    year = SchoolYear.objects.filter(is_current=True).first()
    if school is None or year is None:
        raise LookupError("No demo school: run `manage.py seed_demo` first.")
    rng = random.Random(seed)
    now = timezone.now()
    counts = build_school(Demo(school, year, rng, now), log)
    others = OrgUnit.objects.filter(kind="school", is_active=True).exclude(pk=school.pk)
    for number, other in enumerate(others.order_by("code")[:5], start=1):
        counts["payments"] += build_other_school(
            Demo(other, year, rng, now, refs=number * 100_000), number, 0.35 + 0.12 * number
        )
        log(f"  {other.name}: payments")
    return counts
