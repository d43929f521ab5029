"""The parent portal, receipts (PDF read back with pypdf) and the public receipt check."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from pypdf import PdfReader

from truongso.core.models import AuditEntry
from truongso.payments import receipts, vietqr
from truongso.payments.tests.ui_world import bill, billed, pay
from truongso.testing.live import client_login

pytestmark = pytest.mark.django_db

FAMILY = reverse("payments:family")


def pdf_text(content: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def test_home_sends_each_role_to_its_page(client: Any, world: Any) -> None:
    home = reverse("payments:home")
    for user, target in (
        (world.parent, FAMILY),
        (world.accountant, reverse("payments:invoice_list")),
        (world.principal, reverse("payments:invoice_list")),
        (world.department, reverse("payments:report_cashless")),
    ):
        client_login(client, user)
        response = client.get(home)
        assert (response.status_code, response["Location"]) == (302, target)
    client_login(client, world.teacher)
    assert client.get(home).status_code == 403


def test_parent_sees_his_childs_open_invoices_with_qr_and_amount(client: Any, world: Any) -> None:
    b = billed(world)
    client_login(client, world.parent)
    response = client.get(FAMILY)
    body = response.content.decode()
    assert response.status_code == 200
    assert b.an.code in body
    assert b.binh.code not in body and b.chi.code not in body
    assert "500.000 đ" in body
    assert vietqr.invoice_purpose(b.an.code, b.an.reason) in body
    assert body.count("<svg") == 1
    children = response.context["children"]
    assert [c.student.full_name for c in children] == ["Nguyễn Văn An"]
    assert [i.code for i in children[0].invoices] == [b.an.code]


def test_paid_invoice_leaves_the_portal_and_its_receipt_appears(client: Any, world: Any) -> None:
    b = billed(world)
    payment = pay(b.an, 500_000)
    client_login(client, world.parent)
    body = client.get(FAMILY).content.decode()
    assert b.an.code not in body
    assert reverse("payments:receipt_pdf", args=[payment.pk]) in body


def test_portal_queries_do_not_grow_with_invoices(client: Any, world: Any) -> None:
    b = billed(world)
    client_login(client, world.parent)
    client.get(FAMILY)
    with CaptureQueriesContext(connection) as few:
        client.get(FAMILY)
    for number in range(5):
        bill(world, world.students["an"], 20_000, b.tuition, label=f"Đợt {number}")
    with CaptureQueriesContext(connection) as many:
        response = client.get(FAMILY)
    assert len(response.context["children"][0].invoices) == 6
    assert len(many) == len(few)


def test_staff_are_sent_from_the_portal_to_the_list(client: Any, world: Any) -> None:
    client_login(client, world.accountant)
    assert client.get(FAMILY)["Location"] == reverse("payments:invoice_list")


def test_receipt_pdf_text_reads_back(client: Any, world: Any) -> None:
    b = billed(world)
    payment = pay(b.an, 500_000)
    client_login(client, world.parent)
    response = client.get(reverse("payments:receipt_pdf", args=[payment.pk]))
    assert response["Content-Type"] == "application/pdf"
    text = pdf_text(response.content)
    for expected in (
        "BIÊN LAI THU TIỀN",
        "Trường THCS An Bài",
        receipts.receipt_number(payment),
        "NGUYEN VAN CHA",
        "500.000 đ",
        b.an.code,
        "Nguyễn Văn An",
        "Tháng 10/2025",
        "FT25288001",
    ):
        assert expected in text, expected
    assert receipts.check_path(payment) in text.replace("\n", "")
    assert AuditEntry.objects.filter(action="export", object_type="payments.receipt").count() == 1


def test_receipt_of_another_family_is_not_found(client: Any, world: Any) -> None:
    b = billed(world)
    payment = pay(b.binh, 500_000, ref="FT25288002")
    client_login(client, world.parent)
    assert client.get(reverse("payments:receipt_pdf", args=[payment.pk])).status_code == 404
    client_login(client, world.accountant)
    assert client.get(reverse("payments:receipt_pdf", args=[payment.pk])).status_code == 200


def test_public_receipt_check_shows_only_masked_data(client: Any, world: Any) -> None:
    b = billed(world)
    payment = pay(b.an, 500_000)
    response = client.get(receipts.check_path(payment))  # anonymous
    body = response.content.decode()
    assert response.status_code == 200
    assert "N. V. C." in body
    assert "500.000 đ" in body
    assert receipts.receipt_number(payment) in body
    for secret in ("NGUYEN VAN CHA", "Nguyễn Văn An", b.an.code, "FT25288001"):
        assert secret not in body


def test_forged_receipt_check_is_not_found(client: Any, world: Any) -> None:
    b = billed(world)
    payment = pay(b.an, 500_000)
    token = receipts.check_token(payment)
    forged = str(payment.pk + 1) + token[token.index(".") :]
    url = reverse("payments:receipt_check", kwargs={"token": forged})
    assert client.get(url).status_code == 404
    assert client.get(reverse("payments:receipt_check", kwargs={"token": "x"})).status_code == 404
