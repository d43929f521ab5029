"""The payments API: invoices with the VietQR payload string, payments; scope per role."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from truongso.payments import vietqr
from truongso.payments.tests.ui_world import bill, billed, pay
from truongso.testing.live import client_login

pytestmark = pytest.mark.django_db

INVOICES = reverse("api:payments-invoice-list")
PAYMENTS = reverse("api:payments-payment-list")


def codes(response: Any) -> set[str]:
    return {row["code"] for row in response.json()["results"]}


def test_invoice_list_returns_the_vietqr_payload(client: Any, world: Any) -> None:
    b = billed(world)
    client_login(client, world.accountant)
    response = client.get(INVOICES)
    assert response.status_code == 200
    rows = {row["code"]: row for row in response.json()["results"]}
    assert set(rows) == {b.an.code, b.binh.code, b.chi.code}
    row = rows[b.an.code]
    assert row["vietqr"]["payload"] == vietqr.invoice_payload(b.an, b.account)
    assert row["vietqr"]["amount"] == 500_000
    assert row["vietqr"]["bank_bin"] == "970436"
    assert (row["student_name"], row["class_name"], row["balance"], row["status"]) == (
        "Nguyễn Văn An",
        "6A1",
        500_000,
        "open",
    )
    assert row["payer_name"] and row["beneficiary_name"] and row["reason"]


def test_invoice_detail_has_lines_and_null_qr_when_paid(client: Any, world: Any) -> None:
    b = billed(world)
    pay(b.an, 500_000)
    client_login(client, world.parent)
    data = client.get(reverse("api:payments-invoice-detail", args=[b.an.pk])).json()
    assert data["status"] == "paid"
    assert data["vietqr"] is None
    assert data["lines"] == [
        {
            "description": "Học phí tháng 10/2025",
            "amount": 500_000,
            "reduction": 0,
            "reduction_reason": "",
            "net": 500_000,
        }
    ]


def test_parent_gets_only_his_childs_invoices_and_payments(client: Any, world: Any) -> None:
    b = billed(world)
    pay(b.an, 500_000)
    pay(b.binh, 500_000, ref="FT2")
    client_login(client, world.parent)
    assert codes(client.get(INVOICES)) == {b.an.code}
    assert client.get(reverse("api:payments-invoice-detail", args=[b.binh.pk])).status_code == 404
    payments = client.get(PAYMENTS).json()["results"]
    assert [(p["provider_ref"], p["invoices"]) for p in payments] == [("FT25288001", [b.an.code])]


def test_filters_and_bad_filters(client: Any, world: Any) -> None:
    b = billed(world)
    client_login(client, world.accountant)
    assert codes(client.get(INVOICES, {"q": "chi"})) == {b.chi.code}
    assert codes(client.get(INVOICES, {"school": world.school_a.pk, "status": "open"})) == {
        b.an.code,
        b.binh.code,
        b.chi.code,
    }
    bad = client.get(INVOICES, {"status": "bogus"})
    assert bad.status_code == 400
    assert "status" in bad.json()
    assert client.get(INVOICES, {"school": world.school_c.pk}).status_code == 404


def test_invoice_list_queries_do_not_grow(client: Any, world: Any) -> None:
    b = billed(world)
    client_login(client, world.accountant)
    client.get(INVOICES)
    with CaptureQueriesContext(connection) as few:
        client.get(INVOICES)
    for number in range(8):
        bill(world, world.students["binh"], 10_000, b.tuition, label=f"Đợt {number}")
    with CaptureQueriesContext(connection) as many:
        assert len(client.get(INVOICES).json()["results"]) == 11
    assert len(many) == len(few)


def test_payment_list_for_staff_and_denied_to_others(client: Any, world: Any) -> None:
    b = billed(world)
    payment = pay(b.an, 500_000)
    client_login(client, world.accountant)
    rows = client.get(PAYMENTS, {"method": "bank_transfer"}).json()["results"]
    assert [(r["id"], r["amount"], r["allocated"], r["unassigned"]) for r in rows] == [
        (payment.pk, 500_000, 500_000, 0)
    ]
    detail = client.get(reverse("api:payments-payment-detail", args=[payment.pk])).json()
    assert detail["receipt_url"] == reverse("payments:receipt_pdf", args=[payment.pk])
    client_login(client, world.principal_c)
    assert client.get(PAYMENTS).json()["results"] == []
    client_login(client, world.department)  # aggregates only
    assert client.get(INVOICES).json()["results"] == []
    client.logout()
    assert client.get(INVOICES).status_code in (401, 403)


def test_schema_lists_the_payments_endpoints(client: Any, world: Any) -> None:
    client_login(client, world.accountant)
    schema = client.get("/api/schema/", {"format": "json"}).json()
    assert "/api/v1/payments/invoices/" in schema["paths"]
    assert "/api/v1/payments/payments/{id}/" in schema["paths"]
