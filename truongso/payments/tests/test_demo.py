"""The payments demo and the simulated parent transfer (a signed SePay notification)."""

from __future__ import annotations

from io import StringIO
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from truongso.payments import demo, simulate
from truongso.payments.models import (
    BankNotification,
    Invoice,
    InvoiceStatus,
    NotificationStatus,
    Payment,
    PaymentStatus,
)
from truongso.payments.services import ledger_check
from truongso.payments.tests.ui_world import billed
from truongso.registry.demo.accounts import ACCOUNTS_BY_ROLE
from truongso.testing.live import client_login


def test_demo_district_pays_and_balances(db: Any) -> None:
    call_command("seed_demo", verbosity=0)
    out = StringIO()
    call_command("seed_payments_demo", stdout=out)
    assert "Done:" in out.getvalue()
    school = demo.demo_school()
    assert school is not None and school.name == "Trường THCS An Bài"
    assert ledger_check() == []
    statuses = set(Invoice.objects.filter(school=school).values_list("status", flat=True))
    assert statuses == {"open", "partial", "paid"}
    assert Payment.objects.filter(school=school, status=PaymentStatus.UNMATCHED).count() == 3
    # Every school with pupils has payments for the department's chart (the continuing-
    # education centre of the demo district has none this year).
    assert Payment.objects.values("school").distinct().count() == 5
    # The demo parent's children have this month's invoice open: the portal shows its QR.
    parent = ACCOUNTS_BY_ROLE["parent"].username
    open_ones = Invoice.objects.filter(
        student__guardian_links__guardian__user__username=parent, status=InvoiceStatus.OPEN
    )
    assert open_ones.exists()
    # Simulating the transfer pays the oldest one through the webhook's path.
    oldest = open_ones.order_by("due_date", "pk").first()
    assert oldest is not None
    out = StringIO()
    call_command("payments_simulate_transfer", stdout=out)
    oldest.refresh_from_db()
    assert oldest.status == InvoiceStatus.PAID
    assert "HTTP 200" in out.getvalue()
    assert ledger_check() == []
    # --if-empty keeps what is there; without it the command refuses.
    out = StringIO()
    call_command("seed_payments_demo", "--if-empty", stdout=out)
    assert "nothing seeded" in out.getvalue()
    with pytest.raises(CommandError):
        call_command("seed_payments_demo", verbosity=0)


def test_seed_without_demo_district(db: Any) -> None:
    out = StringIO()
    call_command("seed_payments_demo", "--if-empty", stdout=out)
    assert "No demo school" in out.getvalue()
    with pytest.raises(CommandError):
        call_command("seed_payments_demo", verbosity=0)


@pytest.mark.django_db
def test_simulated_transfer_with_a_given_code_and_amount(world: Any) -> None:
    b = billed(world)
    out = StringIO()
    call_command(
        "payments_simulate_transfer",
        "--invoice",
        b.chi.code.lower(),
        "--amount",
        "200000",
        stdout=out,
    )
    b.chi.refresh_from_db()
    assert (b.chi.status, b.chi.paid, b.chi.balance) == (InvoiceStatus.PARTIAL, 200_000, 250_000)
    note = BankNotification.objects.get()
    assert (note.provider, note.status) == ("sepay", NotificationStatus.APPLIED)
    assert b.chi.code in note.body
    with pytest.raises(CommandError):
        call_command("payments_simulate_transfer", "--invoice", "HP0000000", verbosity=0)
    with pytest.raises(CommandError):
        call_command("payments_simulate_transfer", "--invoice", b.chi.code, "--amount", "0")


@pytest.mark.django_db
def test_simulated_transfer_signed_with_hmac(world: Any, settings: Any) -> None:
    settings.PAYMENTS_SEPAY_HMAC_SECRET = "a-real-looking-secret"
    b = billed(world)
    transfer = simulate.sepay_transfer(b.an, b.account)
    assert "X-SePay-Signature" in transfer.headers and "Authorization" not in transfer.headers
    status, reply = simulate.deliver_in_process(transfer)
    assert (status, reply) == (200, {"success": True})
    b.an.refresh_from_db()
    assert b.an.status == InvoiceStatus.PAID
    # The same notification again (SePay retries) is applied once.
    assert simulate.deliver_in_process(transfer)[0] == 200
    assert Payment.objects.count() == 1


def test_simulated_transfer_over_http_to_the_webhook(live_server: Any, live_world: Any) -> None:
    b = billed(live_world)
    status, reply = simulate.deliver_over_http(
        simulate.sepay_transfer(b.binh, b.account), live_server.url
    )
    assert (status, reply) == (200, {"success": True})
    b.binh.refresh_from_db()
    assert b.binh.status == InvoiceStatus.PAID


@pytest.mark.django_db
def test_demo_button_on_the_portal(client: Any, world: Any) -> None:
    b = billed(world)
    client_login(client, world.parent)
    page = client.get(reverse("payments:family")).content.decode()
    button = reverse("payments:demo_transfer", args=[b.an.pk])
    assert button in page
    response = client.post(button, follow=True)
    b.an.refresh_from_db()
    assert b.an.status == InvoiceStatus.PAID
    assert b.an.code in response.content.decode()
    # Another family's invoice cannot be "paid" from this account.
    assert client.post(reverse("payments:demo_transfer", args=[b.binh.pk])).status_code == 404
    b.binh.refresh_from_db()
    assert b.binh.status == InvoiceStatus.OPEN


@pytest.mark.django_db
def test_demo_button_is_off_in_production(client: Any, world: Any, settings: Any) -> None:
    settings.DEMO_MODE = settings.DEBUG = settings.TESTING = False
    b = billed(world)
    client_login(client, world.parent)
    assert client.post(reverse("payments:demo_transfer", args=[b.an.pk])).status_code == 404
    with pytest.raises(CommandError):
        call_command("payments_simulate_transfer", "--invoice", b.an.code, verbosity=0)
    b.an.refresh_from_db()
    assert b.an.status == InvoiceStatus.OPEN
