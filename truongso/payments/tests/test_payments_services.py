from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from truongso.core.authz import SYSTEM
from truongso.core.models import AuditEntry
from truongso.payments.models import (
    Allocation,
    Credit,
    LedgerEntry,
    Payment,
    Posting,
    Refund,
    SchoolBankAccount,
)
from truongso.payments.services import (
    credit_apply,
    credit_available,
    invoice_cancel,
    ledger_balances,
    ledger_check,
    payment_allocate,
    payment_receive,
    payment_refund,
    payment_to_credit,
)
from truongso.payments.tests.ledger_factories import bill, receive


def _state() -> tuple[int, ...]:
    return (
        Payment.objects.count(),
        Allocation.objects.count(),
        Credit.objects.count(),
        Refund.objects.count(),
        Posting.objects.count(),
        LedgerEntry.objects.count(),
    )


def _receive(world: Any, actor: Any = SYSTEM, **kw: Any) -> tuple[Payment, bool]:
    data: dict[str, Any] = {
        "school": world.school_a, "method": "bank_transfer", "provider": "sepay",
        "provider_ref": "FT2530012345", "amount": 500_000,
        "paid_at": timezone.make_aware(dt.datetime(2025, 10, 3, 9, 30)),
        "payer_name": "NGUYEN VAN CHA", "memo": "HP3K7QX9MT hoc phi",
    }  # fmt: skip
    data.update(kw)
    return payment_receive(actor=actor, **data)


def test_receive_posts_bank_and_suspense_once(world: Any) -> None:
    payment, created = _receive(world)
    assert created
    assert (payment.status, payment.unassigned, payment.provider_ref) == (
        "unmatched", 500_000, "FT2530012345",
    )  # fmt: skip
    assert ledger_balances() == {
        "bank": 500_000, "cash": 0, "credit": 0, "receivable": 0, "revenue": 0,
        "suspense": -500_000,
    }  # fmt: skip
    before = _state()
    for _delivery in range(6):  # SePay retries up to seven times
        again, created = _receive(world, amount=999)
        assert (again, created) == (payment, False)
    assert _state() == before
    assert AuditEntry.objects.filter(action="payments.payment.receive").count() == 1


def test_cash_goes_to_the_till(world: Any) -> None:
    _receive(world, method="cash", provider="manual", provider_ref="PT-001")
    assert ledger_balances()["cash"] == 500_000
    assert ledger_balances()["bank"] == 0


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"amount": 0}, "amount"),
        ({"amount": -500_000}, "amount"),
        ({"amount": 10**13}, "amount"),
        ({"amount": "500000"}, "amount"),
        ({"method": "bitcoin"}, "method"),
        ({"provider_ref": ""}, "provider_ref"),
        ({"paid_at": dt.datetime(2025, 10, 3, 9, 30)}, "paid_at"),
    ],
)
def test_bad_receipts_are_refused(world: Any, changes: dict[str, Any], field: str) -> None:
    with pytest.raises(ValidationError) as caught:
        _receive(world, **changes)
    assert field in caught.value.message_dict
    assert _state() == (0, 0, 0, 0, 0, 0)


def test_receipts_for_another_schools_account_or_student_are_refused(world: Any) -> None:
    account_c = SchoolBankAccount.objects.create(
        school=world.school_c, bank_bin="970436", bank_name="Vietcombank",
        account_number="0011001234567", account_name="TRUONG THCS DONG HOP",
    )  # fmt: skip
    with pytest.raises(ValidationError):
        _receive(world, bank_account=account_c)
    with pytest.raises(ValidationError):
        _receive(world, student=world.students["dung"])
    for who in ("principal", "parent", "principal_c"):
        with pytest.raises(PermissionDenied):
            _receive(world, getattr(world, who))
    assert _state() == (0, 0, 0, 0, 0, 0)


def test_allocate_partial_then_full(world: Any) -> None:
    an = world.students["an"]
    invoice = bill(world, an, 500_000)
    first, second = receive(world.school_a, 200_000), receive(world.school_a, 400_000)
    allocation = payment_allocate(
        actor=world.accountant, payment=first, invoice=invoice, amount=200_000, how="manual"
    )
    assert (allocation.amount, allocation.how, allocation.decided_by) == (
        200_000, "manual", world.accountant,
    )  # fmt: skip
    assert (invoice.paid, invoice.status, first.status) == (200_000, "partial", "matched")
    payment_allocate(actor=SYSTEM, payment=second, invoice=invoice, amount=300_000, how="auto")
    assert (invoice.paid, invoice.status, invoice.balance) == (500_000, "paid", 0)
    assert (second.allocated, second.unassigned, second.status) == (300_000, 100_000, "partial")
    entries = LedgerEntry.objects.filter(posting__kind="allocate", posting__payment=second)
    assert sorted(entries.values_list("account", "student_id", "amount")) == [
        ("receivable", an.pk, -300_000),
        ("suspense", None, 300_000),
    ]
    assert ledger_balances()["suspense"] == -100_000
    assert ledger_check() == []
    audit = AuditEntry.objects.filter(action="payments.invoice.paid").order_by("pk").last()
    assert audit is not None and audit.after == {"paid": 500_000, "status": "paid"}


def test_allocation_beyond_what_is_there_is_refused_and_changes_nothing(world: Any) -> None:
    invoice = bill(world, world.students["an"], 300_000)
    other_school = bill(world, world.students["dung"], 300_000)
    payment = receive(world.school_a, 500_000)
    before = _state()
    cases: list[tuple[Any, int, str]] = [
        (invoice, 300_001, "amount"),  # more than the balance
        (invoice, 0, "amount"),
        (other_school, 100, "invoice"),
    ]
    for target, amount, field in cases:
        with pytest.raises(ValidationError) as caught:
            payment_allocate(
                actor=SYSTEM, payment=payment, invoice=target, amount=amount, how="auto"
            )
        assert field in caught.value.message_dict
    with pytest.raises(ValidationError):
        payment_allocate(actor=SYSTEM, payment=payment, invoice=invoice, amount=1, how="credit")
    with pytest.raises(PermissionDenied):
        payment_allocate(
            actor=world.principal, payment=payment, invoice=invoice, amount=1, how="auto"
        )
    assert _state() == before
    small = receive(world.school_a, 100)
    with pytest.raises(ValidationError) as caught:
        payment_allocate(actor=SYSTEM, payment=small, invoice=invoice, amount=101, how="auto")
    assert caught.value.message_dict["amount"] == [
        "101 đồng nhiều hơn số tiền chưa gán của khoản thu (100 đồng)."
    ]
    invoice_cancel(actor=SYSTEM, invoice=invoice, reason="Nhầm")
    with pytest.raises(ValidationError):
        payment_allocate(actor=SYSTEM, payment=small, invoice=invoice, amount=1, how="auto")
    payment.refresh_from_db()
    assert (payment.allocated, payment.status) == (0, "unmatched")


def test_overpayment_to_credit_then_applied_to_a_later_invoice(world: Any) -> None:
    an = world.students["an"]
    september = bill(world, an, 500_000)
    payment = receive(world.school_a, 800_000)
    payment_allocate(actor=SYSTEM, payment=payment, invoice=september, amount=500_000, how="auto")
    payment_to_credit(actor=world.accountant, payment=payment, amount=300_000, student=an)
    assert (payment.credited, payment.status) == (300_000, "matched")
    assert credit_available(student=an, school=world.school_a) == 300_000
    october = bill(world, an, 500_000)
    allocation = credit_apply(actor=world.accountant, student=an, invoice=october, amount=300_000)
    assert (allocation.payment, allocation.how) == (None, "credit")
    assert (october.paid, october.status) == (300_000, "partial")
    assert credit_available(student=an, school=world.school_a) == 0
    with pytest.raises(ValidationError):
        credit_apply(actor=SYSTEM, student=an, invoice=october, amount=1)
    assert ledger_check() == []


def test_credit_is_held_per_school_and_per_student(world: Any) -> None:
    an, binh = world.students["an"], world.students["binh"]
    payment = receive(world.school_a, 100_000)
    payment_to_credit(actor=SYSTEM, payment=payment, amount=100_000, student=an)
    binh_invoice = bill(world, binh, 100_000)
    with pytest.raises(ValidationError):  # an's credit does not pay binh's invoice
        credit_apply(actor=SYSTEM, student=an, invoice=binh_invoice, amount=100_000)
    with pytest.raises(ValidationError):  # dũng has no account at school A
        payment_to_credit(
            actor=SYSTEM,
            payment=receive(world.school_a, 5),
            amount=5,
            student=world.students["dung"],
        )
    assert credit_available(student=an, school=world.school_c) == 0
    assert ledger_check() == []


def test_refund_the_unassigned_part_of_a_payment(world: Any) -> None:
    payment = receive(world.school_a, 300_000)
    refund = payment_refund(
        actor=world.accountant, payment=payment, amount=300_000, reason="Chuyển nhầm",
        reference="FT999",
    )  # fmt: skip
    assert (refund.school, refund.reference) == (world.school_a, "FT999")
    assert (payment.refunded, payment.status) == (300_000, "refunded")
    assert ledger_balances()["bank"] == ledger_balances()["suspense"] == 0
    with pytest.raises(ValidationError):
        payment_refund(actor=SYSTEM, payment=payment, amount=1, reason="Lần nữa")
    assert ledger_check() == []


def test_refund_a_students_credit(world: Any) -> None:
    an = world.students["an"]
    payment = receive(world.school_a, 300_000, method="cash")
    payment_to_credit(actor=SYSTEM, payment=payment, amount=300_000, student=an)
    payment_refund(actor=world.accountant, student=an, amount=120_000, reason="Ra trường")
    assert credit_available(student=an, school=world.school_a) == 180_000
    assert (ledger_balances()["cash"], ledger_balances()["bank"]) == (300_000, -120_000)
    with pytest.raises(ValidationError) as caught:
        payment_refund(actor=SYSTEM, student=an, amount=180_001, reason="Quá")
    assert caught.value.message_dict["amount"] == [
        "180.001 đồng nhiều hơn số dư tiền thừa (180.000 đồng)."
    ]
    assert ledger_check() == []


def test_refund_needs_exactly_one_source_and_the_accountant(world: Any) -> None:
    payment = receive(world.school_a, 300_000)
    before = _state()
    with pytest.raises(ValidationError):
        payment_refund(actor=SYSTEM, amount=1, reason="x")
    with pytest.raises(ValidationError):
        payment_refund(
            actor=SYSTEM, payment=payment, student=world.students["an"], amount=1, reason="x"
        )
    with pytest.raises(ValidationError):
        payment_refund(actor=SYSTEM, payment=payment, amount=1, reason="")
    for who in ("principal", "parent", "principal_c"):
        with pytest.raises(PermissionDenied):
            payment_refund(actor=getattr(world, who), payment=payment, amount=1, reason="x")
    assert _state() == before


def test_refusals_are_vietnamese_first(world: Any) -> None:
    from django.utils import translation

    invoice = bill(world, world.students["an"], 1_500_000)
    payment = receive(world.school_a, 2_000_000)
    with translation.override("vi"), pytest.raises(ValidationError) as caught:
        payment_allocate(
            actor=SYSTEM, payment=payment, invoice=invoice, amount=1_600_000, how="auto"
        )
    assert caught.value.message_dict["amount"] == [
        "1.600.000 đồng nhiều hơn số còn phải thu của hóa đơn (1.500.000 đồng)."
    ]
    with translation.override("en"), pytest.raises(ValidationError) as caught:
        payment_allocate(
            actor=SYSTEM, payment=payment, invoice=invoice, amount=1_600_000, how="auto"
        )
    assert caught.value.message_dict["amount"] == [
        "1.600.000 đồng is more than the invoice's balance (1.500.000 đồng)."
    ]


def test_every_write_leaves_an_audit_entry_with_before_and_after(world: Any) -> None:
    an = world.students["an"]
    invoice = bill(world, an, 500_000)
    payment = receive(world.school_a, 800_000)
    payment_allocate(
        actor=world.accountant, payment=payment, invoice=invoice, amount=500_000, how="manual"
    )
    payment_to_credit(actor=world.accountant, payment=payment, amount=200_000, student=an)
    payment_refund(actor=world.accountant, payment=payment, amount=100_000, reason="Trả lại")
    payment_refund(actor=world.accountant, student=an, amount=50_000, reason="Ra trường")
    rows = AuditEntry.objects.filter(action__startswith="payments.").order_by("pk")
    assert [(r.action, r.actor_name) for r in rows] == [
        ("payments.invoice.create", "system"),
        ("payments.payment.receive", "system"),
        ("payments.payment.assign", "accountant"),
        ("payments.invoice.paid", "accountant"),
        ("payments.allocation.create", "accountant"),
        ("payments.payment.assign", "accountant"),
        ("payments.credit.create", "accountant"),
        ("payments.payment.assign", "accountant"),
        ("payments.refund.create", "accountant"),
        ("payments.refund.create", "accountant"),
    ]
    assigns = [(r.before, r.after) for r in rows if r.action == "payments.payment.assign"]
    assert assigns == [
        ({"allocated": 0, "status": "unmatched"}, {"allocated": 500_000, "status": "partial"}),
        ({"credited": 0}, {"credited": 200_000}),
        ({"refunded": 0, "status": "partial"}, {"refunded": 100_000, "status": "matched"}),
    ]
    assert {r.org_path for r in rows} == {world.school_a.path}
