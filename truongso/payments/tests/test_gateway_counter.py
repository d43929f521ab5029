"""The accountant's counter: Mobile Money and card-terminal slips recorded once, with their
reference; refunds of a payment's unassigned money and of a student's credit through the UI."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from truongso.core.authz import SYSTEM
from truongso.payments.manual import manual_payment_record
from truongso.payments.models import (
    Allocation,
    AllocationHow,
    Credit,
    Invoice,
    InvoiceStatus,
    Payment,
    PaymentMethod,
    Refund,
)
from truongso.payments.selectors import student_credit
from truongso.payments.services import ledger_check
from truongso.payments.tests.ledger_factories import bill, receive
from truongso.testing.world import PASSWORD

PAID_AT = "2025-10-12T09:30"


@pytest.fixture
def invoice(world: Any) -> Invoice:
    return bill(world, world.students["an"], 500_000)


def record(world: Any, **changes: Any) -> Any:
    fields: dict[str, Any] = {
        "actor": world.accountant,
        "school": world.school_a,
        "method": PaymentMethod.MOBILE_MONEY,
        "channel": "momo",
        "reference": "4012345678",
        "amount": 500_000,
        "paid_at": timezone.now() - dt.timedelta(hours=1),
        "payer_name": "Nguyễn Văn Ba",
    }
    fields.update(changes)
    return manual_payment_record(**fields)


def test_mobile_money_with_invoice_code_pays_the_invoice(world: Any, invoice: Invoice) -> None:
    outcome = record(world, invoice_code=invoice.code.lower())
    payment = outcome.payment
    invoice.refresh_from_db()
    assert (outcome.allocated, outcome.credited) == (500_000, 0)
    assert (payment.method, payment.provider, payment.provider_ref) == (
        "mobile_money",
        "mobile_money",
        "momo:4012345678",
    )
    assert (payment.student, payment.recorded_by) == (world.students["an"], world.accountant)
    assert (invoice.status, invoice.paid) == (InvoiceStatus.PAID, 500_000)
    assert Allocation.objects.get().how == AllocationHow.MANUAL
    assert ledger_check() == []


def test_card_slip_overpaying_puts_the_rest_on_credit(world: Any, invoice: Invoice) -> None:
    outcome = record(
        world,
        method=PaymentMethod.CARD_POS,
        channel="0012 3456",
        reference="5281 0012 3456",
        amount=650_000,
        invoice_code=invoice.code,
    )
    assert outcome.payment.provider_ref == "00123456:528100123456"
    assert (outcome.allocated, outcome.credited) == (500_000, 150_000)
    assert student_credit(world.students["an"]) == 150_000
    assert ledger_check() == []


def test_without_invoice_code_it_waits_unassigned(world: Any) -> None:
    outcome = record(world)
    assert (outcome.allocated, outcome.credited, outcome.payment.unassigned) == (0, 0, 500_000)
    assert outcome.payment.status == "unmatched"


def test_the_same_slip_twice_is_refused_naming_the_first(world: Any, invoice: Invoice) -> None:
    record(world, invoice_code=invoice.code)
    with pytest.raises(ValidationError) as caught:
        record(world, reference=" 40123 45678 ", amount=100_000)
    assert "reference" in caught.value.message_dict
    assert Payment.objects.count() == 1
    # The same reference through another wallet is another transaction.
    assert record(world, channel="zalopay").payment.provider_ref == "zalopay:4012345678"


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"method": PaymentMethod.BANK_TRANSFER}, "method"),
        ({"channel": "paypal"}, "channel"),
        ({"method": PaymentMethod.CARD_POS, "channel": "TID-1"}, "channel"),
        ({"reference": ""}, "reference"),
        ({"reference": "ref with ü"}, "reference"),
        ({"amount": 0}, "amount"),
        ({"amount": -1}, "amount"),
        ({"amount": 10**11}, "amount"),
        ({"paid_at": timezone.now() + dt.timedelta(days=1)}, "paid_at"),
        ({"invoice_code": "HP0000000"}, "invoice_code"),
        ({"invoice_code": "HPZZZZZZZZ"}, "invoice_code"),
    ],
)
def test_bad_input_is_refused_before_anything_is_written(
    world: Any, changes: dict[str, Any], field: str
) -> None:
    with pytest.raises(ValidationError) as caught:
        record(world, **changes)
    assert field in caught.value.message_dict
    assert not Payment.objects.exists()


def test_invoice_of_another_school_or_paid_is_refused(world: Any, invoice: Invoice) -> None:
    dung = bill(world, world.students["dung"], 200_000)
    with pytest.raises(ValidationError):
        record(world, invoice_code=dung.code)
    record(world, invoice_code=invoice.code)
    with pytest.raises(ValidationError) as caught:
        record(world, reference="999", invoice_code=invoice.code)
    assert "invoice_code" in caught.value.message_dict
    assert Payment.objects.count() == 1


@pytest.mark.parametrize("who", ["principal", "clerk", "parent", "bureau"])
def test_only_the_accountant_records(world: Any, who: str) -> None:
    with pytest.raises(PermissionDenied):
        record(world, actor=getattr(world, who))
    assert not Payment.objects.exists()


# --- pages ---------------------------------------------------------------------------------


def _login(client: Client, who: str) -> None:
    assert client.login(username=who, password=PASSWORD)


def test_counter_page_records_a_slip(client: Client, world: Any, invoice: Invoice) -> None:
    _login(client, "accountant")
    url = reverse("payments:manual_record")
    assert client.get(url).status_code == 200
    form = {
        "school": world.school_a.pk,
        "method": "card_pos",
        "terminal": "00123456",
        "reference": "528100123456",
        "amount": "500000",
        "paid_at": PAID_AT,
        "payer_name": "Nguyễn Văn Ba",
        "invoice_code": invoice.code,
    }
    response = client.post(url, form)
    assert response.status_code == 302
    invoice.refresh_from_db()
    assert invoice.status == InvoiceStatus.PAID
    payment = Payment.objects.get()
    assert timezone.localtime(payment.paid_at).strftime("%Y-%m-%dT%H:%M") == PAID_AT
    again = client.post(url, form)
    assert again.status_code == 400
    assert list(again.context["form"].errors) == ["reference"]
    assert Payment.objects.count() == 1


def test_counter_page_names_the_missing_field(client: Client, world: Any) -> None:
    _login(client, "accountant")
    response = client.post(
        reverse("payments:manual_record"),
        {"method": "mobile_money", "reference": "1", "amount": "1000", "paid_at": PAID_AT},
    )
    assert response.status_code == 400
    assert response.context["form"].errors["wallet"]
    assert not Payment.objects.exists()


@pytest.mark.parametrize("who", ["vice", "parent", "teacher"])
def test_counter_page_denied_to_others(client: Client, world: Any, who: str) -> None:
    _login(client, who)
    assert client.get(reverse("payments:manual_record")).status_code == 403


def test_refund_of_a_payments_unassigned_money(client: Client, world: Any) -> None:
    payment = receive(world.school_a, 300_000)
    _login(client, "accountant")
    url = reverse("payments:payment_refund", args=[payment.pk])
    page = client.get(url)
    assert b'data-refundable="300000"' in page.content
    too_much = client.post(url, {"amount": "300001", "reason": "Chuyển nhầm"})
    assert too_much.status_code == 400
    assert (
        client.post(url, {"amount": "120000", "reason": "Chuyển nhầm", "reference": "FT1"})[
            "Location"
        ]
        == url
    )
    payment.refresh_from_db()
    refund = Refund.objects.get()
    assert (refund.amount, refund.reason, refund.reference, refund.payment) == (
        120_000,
        "Chuyển nhầm",
        "FT1",
        payment,
    )
    assert (payment.refunded, payment.unassigned) == (120_000, 180_000)
    assert ledger_check() == []


def test_refund_of_a_students_credit(client: Client, world: Any, invoice: Invoice) -> None:
    record(world, amount=700_000, invoice_code=invoice.code)
    an = world.students["an"]
    _login(client, "accountant")
    url = reverse("payments:credit_refund", args=[an.pk, world.school_a.pk])
    assert b'data-refundable="200000"' in client.get(url).content
    response = client.post(url, {"amount": "200000", "reason": "Trả lại tiền thừa"})
    assert response.status_code == 302
    assert student_credit(an) == 0
    assert Refund.objects.get().student == an
    assert Credit.objects.get().amount == 200_000
    assert ledger_check() == []


def test_refund_pages_denied_and_nothing_changed(client: Client, world: Any) -> None:
    payment = receive(world.school_a, 300_000)
    other = receive(world.school_c, 100_000)
    for who, target, status in [
        ("vice", payment, 404),
        ("parent", payment, 404),
        ("accountant", other, 404),
    ]:
        _login(client, who)
        url = reverse("payments:payment_refund", args=[target.pk])
        assert client.post(url, {"amount": "1000", "reason": "x"}).status_code == status
    _login(client, "accountant")
    dung = world.students["dung"]
    url = reverse("payments:credit_refund", args=[dung.pk, world.school_a.pk])
    assert client.get(url).status_code == 404
    assert not Refund.objects.exists()
    _ = SYSTEM


def test_counter_page_lists_refundable_payments_and_credit_in_constant_queries(
    client: Client, world: Any, django_assert_max_num_queries: Any
) -> None:
    invoices = [bill(world, world.students[name], 100_000) for name in ("an", "binh", "chi")]
    for n, invoice in enumerate(invoices):
        record(world, reference=f"R{n}", amount=150_000, invoice_code=invoice.code)
    waiting = receive(world.school_a, 90_000)
    _login(client, "accountant")
    url = reverse("payments:manual_record")
    client.get(url)  # warm the session and the user's grants
    with django_assert_max_num_queries(12):
        page = client.get(url)
    text = page.content.decode()
    # Only the payment with unassigned money can be refunded from the list ...
    assert text.count('href="/payments/payments/') == 1
    assert reverse("payments:payment_refund", args=[waiting.pk]) in text
    # ... and every student with credit is listed with a refund link.
    holders = page.context["credits"]
    assert [(h.student.full_name, h.credit) for h in holders] == [
        ("Hoàng Thị Chi", 50_000),
        ("Nguyễn Văn An", 50_000),
        ("Đỗ Thị Bình", 50_000),
    ]
    for holder in holders:
        assert (
            reverse("payments:credit_refund", args=[holder.student.pk, world.school_a.pk]) in text
        )
