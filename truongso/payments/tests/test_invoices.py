from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from truongso.core.authz import SYSTEM
from truongso.core.models import AuditEntry
from truongso.payments.codes import is_valid
from truongso.payments.models import (
    Credit,
    CreditNote,
    Invoice,
    LedgerEntry,
    Posting,
)
from truongso.payments.services import (
    credit_note_create,
    fee_item_create,
    fee_reduction_create,
    invoice_cancel,
    invoice_create,
    ledger_balances,
    ledger_check,
    payment_allocate,
)
from truongso.payments.tests.ledger_factories import DUE, bill, receive, tuition


def _entries(invoice: Invoice, kind: str) -> list[tuple[str, int | None, int]]:
    posting = Posting.objects.get(invoice=invoice, kind=kind)
    return sorted(
        LedgerEntry.objects.filter(posting=posting).values_list("account", "student_id", "amount")
    )


def test_invoice_carries_the_seed_fields_and_posts_receivable(world: Any) -> None:
    an = world.students["an"]
    item = tuition(world)
    invoice = invoice_create(
        actor=world.accountant,
        student=an,
        school_year=world.year,
        lines=[(item, "", 500_000), (None, "Quỹ lớp", 50_000)],
        period_label="Tháng 10/2025",
        due_date=DUE,
        reason="Học phí tháng 10/2025",
    )
    assert is_valid(invoice.code)
    assert (invoice.payer_name, invoice.beneficiary_name) == (
        "Nguyễn Văn Cha",
        "Trường THCS An Bài",
    )
    assert (invoice.total, invoice.balance, invoice.status) == (550_000, 550_000, "open")
    assert invoice.school_class == world.class_6a1
    assert list(invoice.lines.values_list("description", "amount", "reduction")) == [
        ("Học phí", 500_000, 0),
        ("Quỹ lớp", 50_000, 0),
    ]
    assert _entries(invoice, "invoice_issue") == [
        ("receivable", an.pk, 550_000),
        ("revenue", None, -550_000),
    ]
    entry = AuditEntry.objects.get(action="payments.invoice.create")
    assert entry.after["lines"] == [[item.pk, "Học phí", 500_000, 0], [None, "Quỹ lớp", 50_000, 0]]


def test_a_student_without_guardian_is_their_own_payer(world: Any) -> None:
    assert bill(world, world.students["binh"], 1).payer_name == "Đỗ Thị Bình"


def _reduce(world: Any, **kw: Any) -> None:
    data: dict[str, Any] = {
        "actor": SYSTEM,
        "student": world.students["an"],
        "school_year": world.year,
        "reason": "Con thương binh",
        "valid_from": dt.date(2025, 9, 1),
    }
    data.update(kw)
    fee_reduction_create(**data)


def test_the_most_favourable_reduction_applies_never_summed(world: Any) -> None:
    item = tuition(world, amount=333_333)
    _reduce(world, kind="percent", percent=50, reason="Hộ cận nghèo")
    _reduce(world, kind="amount", amount=170_000, reason="Hỗ trợ địa phương")
    _reduce(world, kind="percent", percent=70, reason="Mồ côi", valid_from=dt.date(2025, 11, 1))
    invoice = bill(world, world.students["an"], 333_333, item=item)
    line = invoice.lines.get()
    # 50% of 333,333 is 166,666.5 → 166,667 (half up) < 170,000; 70% is not yet valid.
    assert (line.reduction, line.reduction_reason) == (170_000, "Hỗ trợ địa phương")
    assert invoice.total == 163_333


def test_a_general_reduction_only_touches_tuition(world: Any, settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path
    item = tuition(world)
    service = fee_item_create(
        actor=SYSTEM, school=world.school_a, school_year=world.year, code="BT",
        name="Bán trú", kind="service", period="month", amount=200_000,
    )  # fmt: skip
    _reduce(world, kind="exempt", document=SimpleUploadedFile("qd.pdf", b"%PDF-1.4 quyet dinh"))
    invoice = invoice_create(
        actor=SYSTEM,
        student=world.students["an"],
        school_year=world.year,
        lines=[(item, "Học phí", 500_000), (service, "Bán trú", 200_000)],
        period_label="Tháng 10/2025",
        due_date=DUE,
        reason="Tháng 10/2025",
    )
    assert list(invoice.lines.values_list("reduction", flat=True)) == [500_000, 0]
    assert invoice.total == 200_000
    assert (
        AuditEntry.objects.get(action="payments.reduction.create")
        .after["document"]
        .endswith(".pdf")
    )


def test_an_exempt_student_gets_a_settled_invoice_and_no_posting(world: Any) -> None:
    item = tuition(world)
    _reduce(world, kind="exempt", fee_item=item)
    invoice = bill(world, world.students["an"], 500_000, item=item)
    assert (invoice.total, invoice.status) == (0, "paid")
    assert not Posting.objects.filter(invoice=invoice).exists()
    assert ledger_check() == []


@pytest.mark.parametrize("who", ["principal", "clerk", "parent", "principal_c", "teacher"])
def test_only_the_accountant_issues_invoices(world: Any, who: str) -> None:
    with pytest.raises(PermissionDenied):
        invoice_create(
            actor=getattr(world, who), student=world.students["an"], school_year=world.year,
            lines=[(None, "Quỹ", 1)], period_label="T10", due_date=DUE, reason="Quỹ",
        )  # fmt: skip
    assert Invoice.objects.count() == Posting.objects.count() == 0


@pytest.mark.parametrize(
    ("lines", "field"),
    [
        ([], "lines"),
        ([(None, "Quỹ", -1)], "lines[1]"),
        ([(None, "Quỹ", 1), (None, "", 5)], "lines[2]"),
        ([(None, "Quỹ", 10**12)], "lines[1]"),
    ],
)
def test_bad_lines_are_refused_with_their_number(world: Any, lines: Any, field: str) -> None:
    with pytest.raises(ValidationError) as caught:
        invoice_create(
            actor=SYSTEM, student=world.students["an"], school_year=world.year, lines=lines,
            period_label="T10", due_date=DUE, reason="Quỹ",
        )  # fmt: skip
    assert field in caught.value.message_dict
    assert Invoice.objects.count() == 0


def test_a_fee_of_another_school_is_refused(world: Any) -> None:
    item_c = tuition(world, school=world.school_c)
    with pytest.raises(ValidationError) as caught:
        bill(world, world.students["an"], 500_000, item=item_c)
    assert caught.value.message_dict == {
        "lines[1]": ["Dòng 1: khoản thu thuộc trường hoặc năm học khác."]
    }


def test_one_invoice_per_student_and_period(world: Any) -> None:
    kwargs: dict[str, Any] = {
        "actor": SYSTEM, "student": world.students["an"], "school_year": world.year,
        "lines": [(None, "Học phí", 1_000)], "period_label": "Tháng 9", "due_date": DUE,
        "reason": "Học phí", "period_key": "2025-09",
    }  # fmt: skip
    invoice_create(**kwargs)
    with pytest.raises(ValidationError) as caught:
        invoice_create(**kwargs)
    assert "period_key" in caught.value.message_dict
    assert Invoice.objects.count() == 1


def test_cancel_an_unpaid_invoice_reverses_it(world: Any) -> None:
    invoice = bill(world, world.students["an"], 500_000)
    cancelled = invoice_cancel(actor=world.accountant, invoice=invoice, reason="Lập nhầm")
    assert (cancelled.status, cancelled.cancel_reason) == ("cancelled", "Lập nhầm")
    assert _entries(invoice, "invoice_cancel") == [
        ("receivable", world.students["an"].pk, -500_000),
        ("revenue", None, 500_000),
    ]
    assert ledger_balances()["receivable"] == ledger_balances()["revenue"] == 0
    entry = AuditEntry.objects.get(action="payments.invoice.cancel")
    assert entry.after["status"] == "cancelled"
    with pytest.raises(ValidationError):
        invoice_cancel(actor=SYSTEM, invoice=invoice, reason="Lần nữa")
    assert ledger_check() == []


def test_cancel_a_partly_paid_invoice_moves_the_paid_part_to_credit(world: Any) -> None:
    an = world.students["an"]
    invoice = bill(world, an, 500_000)
    payment = receive(world.school_a, 200_000)
    payment_allocate(actor=SYSTEM, payment=payment, invoice=invoice, amount=200_000, how="auto")
    invoice_cancel(actor=SYSTEM, invoice=invoice, reason="Chuyển trường")
    assert _entries(invoice, "invoice_cancel") == [
        ("credit", an.pk, -200_000),
        ("receivable", an.pk, -300_000),
        ("revenue", None, 500_000),
    ]
    assert list(Credit.objects.values_list("student", "invoice", "amount")) == [
        (an.pk, invoice.pk, 200_000)
    ]
    assert ledger_check() == []


def test_cancel_denied_changes_nothing(world: Any) -> None:
    invoice = bill(world, world.students["an"], 500_000)
    with pytest.raises(PermissionDenied):
        invoice_cancel(actor=world.principal, invoice=invoice, reason="x")
    with pytest.raises(ValidationError):
        invoice_cancel(actor=world.accountant, invoice=invoice, reason="  ")
    invoice.refresh_from_db()
    assert invoice.status == "open"
    assert Posting.objects.count() == 1


def test_credit_note_lowers_the_balance(world: Any) -> None:
    invoice = bill(world, world.students["an"], 500_000)
    note = credit_note_create(
        actor=world.accountant, invoice=invoice, amount=150_000, reason="Giảm"
    )
    assert isinstance(note, CreditNote)
    assert (invoice.credited, invoice.balance, invoice.status) == (150_000, 350_000, "open")
    credit_note_create(actor=SYSTEM, invoice=invoice, amount=350_000, reason="Miễn phần còn lại")
    assert (invoice.balance, invoice.status) == (0, "paid")
    with pytest.raises(ValidationError) as caught:
        credit_note_create(actor=SYSTEM, invoice=invoice, amount=1, reason="Nữa")
    assert caught.value.message_dict["amount"] == [
        "Chỉ có thể giảm trừ tối đa 0 đồng trên hóa đơn này."
    ]
    assert ledger_check() == []


def test_credit_note_below_what_was_paid_moves_the_excess_to_credit(world: Any) -> None:
    an = world.students["an"]
    invoice = bill(world, an, 500_000)
    payment = receive(world.school_a, 500_000)
    payment_allocate(actor=SYSTEM, payment=payment, invoice=invoice, amount=500_000, how="auto")
    credit_note_create(actor=SYSTEM, invoice=invoice, amount=200_000, reason="Giảm 40%")
    assert (invoice.total, invoice.credited, invoice.paid, invoice.status) == (
        500_000, 200_000, 300_000, "paid",
    )  # fmt: skip
    assert _entries(invoice, "credit_note") == [
        ("credit", an.pk, -200_000),
        ("revenue", None, 200_000),
    ]
    assert ledger_check() == []


def test_credit_note_denied_or_bad_changes_nothing(world: Any) -> None:
    invoice = bill(world, world.students["an"], 500_000)
    with pytest.raises(PermissionDenied):
        credit_note_create(actor=world.parent, invoice=invoice, amount=1, reason="x")
    for amount in (0, -1, 500_001):
        with pytest.raises(ValidationError):
            credit_note_create(actor=SYSTEM, invoice=invoice, amount=amount, reason="x")
    invoice.refresh_from_db()
    assert (invoice.credited, CreditNote.objects.count(), Posting.objects.count()) == (0, 0, 1)
