"""Invoice pages: the list (search, filters, pagination, query count), the detail page with
its VietQR code and payload, QR images, the printable notice, cancelling and credit notes;
each role allowed or denied, and nothing changed when denied."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from truongso.payments import vietqr
from truongso.payments.models import CreditNote, Invoice, InvoiceStatus
from truongso.payments.tests.ui_world import bill, billed, pay
from truongso.testing.live import client_login

pytestmark = pytest.mark.django_db

LIST = reverse("payments:invoice_list")


def detail(invoice: Invoice) -> str:
    return reverse("payments:invoice_detail", args=[invoice.pk])


def codes_in(response: Any) -> set[str]:
    return {invoice.code for invoice in response.context["page_obj"]}


def test_accountant_lists_the_schools_invoices(client: Any, world: Any) -> None:
    b = billed(world)
    client_login(client, world.accountant)
    response = client.get(LIST)
    assert response.status_code == 200
    assert codes_in(response) == {b.an.code, b.binh.code, b.chi.code}
    assert "Nguyễn Văn An" in response.content.decode()


def test_search_by_name_without_diacritics_and_by_mangled_code(client: Any, world: Any) -> None:
    b = billed(world)
    client_login(client, world.accountant)
    assert codes_in(client.get(LIST, {"q": "do thi binh"})) == {b.binh.code}
    mangled = b.chi.code.lower()[:6].replace("0", "o")
    assert b.chi.code in codes_in(client.get(LIST, {"q": mangled}))


def test_filters_by_class_and_status(client: Any, world: Any) -> None:
    b = billed(world)
    pay(b.an, 500_000)
    client_login(client, world.accountant)
    by_class = client.get(LIST, {"class": world.class_6a2.pk})
    assert codes_in(by_class) == {b.chi.code}
    assert codes_in(client.get(LIST, {"status": "paid"})) == {b.an.code}
    assert codes_in(client.get(LIST, {"status": "open"})) == {b.binh.code, b.chi.code}


def test_htmx_search_returns_only_the_results(client: Any, world: Any) -> None:
    billed(world)
    client_login(client, world.accountant)
    response = client.get(LIST, {"q": "an"}, headers={"HX-Request": "true"})
    body = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in body
    assert "invoice-results" not in body  # the region itself, not its container


def test_list_queries_do_not_grow_with_rows(client: Any, world: Any) -> None:
    b = billed(world)
    client_login(client, world.accountant)
    client.get(LIST)  # warm the session and caches
    with CaptureQueriesContext(connection) as few:
        client.get(LIST)
    for number in range(12):
        bill(world, world.students["binh"], 10_000 + number, b.tuition, label=f"Đợt {number}")
    with CaptureQueriesContext(connection) as many:
        response = client.get(LIST)
    assert len(codes_in(response)) == 15
    assert len(many) == len(few)


def test_list_paginates(client: Any, world: Any) -> None:
    b = billed(world)
    for number in range(25):
        bill(world, world.students["binh"], 10_000, b.tuition, label=f"Đợt {number}")
    client_login(client, world.accountant)
    first = client.get(LIST)
    second = client.get(LIST, {"page": 2})
    assert len(first.context["page_obj"]) == 25
    assert len(second.context["page_obj"]) == 3
    assert client.get(LIST, {"page": "x"}).status_code == 200


def test_parent_sees_only_his_childs_invoices(client: Any, world: Any) -> None:
    b = billed(world)
    client_login(client, world.parent)
    assert codes_in(client.get(LIST)) == {b.an.code}
    page = client.get(detail(b.an))
    assert page.status_code == 200
    # His way back is the family portal, not the school's list (which would answer 404).
    assert reverse("payments:family") in page.content.decode()
    assert f"{LIST}?school=" not in page.content.decode()
    assert client.get(detail(b.binh)).status_code == 404
    assert client.get(reverse("payments:invoice_notice", args=[b.binh.pk])).status_code == 404
    assert client.get(reverse("payments:invoice_qr", args=[b.binh.pk, "png"])).status_code == 404


def test_other_school_and_teacher_see_nothing(client: Any, world: Any) -> None:
    b = billed(world)
    client_login(client, world.principal_c)
    assert codes_in(client.get(LIST)) == set()
    assert client.get(detail(b.an)).status_code == 404
    client_login(client, world.teacher)
    assert client.get(LIST).status_code == 403


def test_detail_shows_the_vietqr_payload_and_image(client: Any, world: Any) -> None:
    b = billed(world)
    client_login(client, world.accountant)
    response = client.get(detail(b.an))
    body = response.content.decode()
    payload = vietqr.invoice_payload(b.an, b.account)
    assert response.status_code == 200
    assert payload in body
    assert "<svg" in body
    assert "500.000 đ" in body
    fields = vietqr.parse(payload)
    assert fields["54"] == "500000"
    assert fields["62.01"] == b.an.code


def test_qr_images(client: Any, world: Any) -> None:
    b = billed(world)
    client_login(client, world.parent)
    png = client.get(reverse("payments:invoice_qr", args=[b.an.pk, "png"]))
    svg = client.get(reverse("payments:invoice_qr", args=[b.an.pk, "svg"]))
    assert png["Content-Type"] == "image/png"
    assert png.content.startswith(b"\x89PNG")
    assert svg["Content-Type"] == "image/svg+xml"
    assert svg.content.decode().startswith("<svg")


def test_paid_invoice_has_no_qr(client: Any, world: Any) -> None:
    b = billed(world)
    pay(b.an, 500_000)
    client_login(client, world.accountant)
    response = client.get(detail(b.an))
    assert response.context["qr"] is None
    assert client.get(reverse("payments:invoice_qr", args=[b.an.pk, "svg"])).status_code == 404


def test_notice_prints_payer_beneficiary_reason_code_and_qr(client: Any, world: Any) -> None:
    b = billed(world)
    client_login(client, world.accountant)
    body = client.get(reverse("payments:invoice_notice", args=[b.an.pk])).content.decode()
    for text in (b.an.code, b.an.payer_name, b.an.beneficiary_name, b.an.reason, "<svg"):
        assert text in body


def test_accountant_cancels_an_invoice(client: Any, world: Any) -> None:
    b = billed(world)
    client_login(client, world.accountant)
    url = reverse("payments:invoice_cancel", args=[b.binh.pk])
    response = client.post(url, {"reason": "Lập nhầm"})
    assert response.status_code == 302
    b.binh.refresh_from_db()
    assert b.binh.status == InvoiceStatus.CANCELLED
    assert b.binh.cancel_reason == "Lập nhầm"


def test_cancel_without_reason_is_refused_and_changes_nothing(client: Any, world: Any) -> None:
    b = billed(world)
    client_login(client, world.accountant)
    response = client.post(reverse("payments:invoice_cancel", args=[b.binh.pk]), {"reason": ""})
    assert response.status_code == 400
    b.binh.refresh_from_db()
    assert b.binh.status == InvoiceStatus.OPEN


def test_parent_and_principal_cannot_cancel(client: Any, world: Any) -> None:
    b = billed(world)
    for user in (world.parent, world.principal):
        client_login(client, user)
        response = client.post(
            reverse("payments:invoice_cancel", args=[b.an.pk]), {"reason": "Không muốn trả"}
        )
        assert response.status_code == 403
    b.an.refresh_from_db()
    assert b.an.status == InvoiceStatus.OPEN


def test_credit_note_lowers_the_balance(client: Any, world: Any) -> None:
    b = billed(world)
    client_login(client, world.accountant)
    url = reverse("payments:invoice_credit", args=[b.chi.pk])
    assert client.post(url, {"amount": 50_000, "reason": "Giảm do nghỉ ốm"}).status_code == 302
    b.chi.refresh_from_db()
    assert b.chi.credited == 50_000
    assert b.chi.balance == 400_000
    note = CreditNote.objects.get(invoice=b.chi)
    assert note.reason == "Giảm do nghỉ ốm"


def test_credit_note_larger_than_the_invoice_is_refused(client: Any, world: Any) -> None:
    b = billed(world)
    client_login(client, world.accountant)
    url = reverse("payments:invoice_credit", args=[b.chi.pk])
    response = client.post(url, {"amount": 999_000, "reason": "Nhầm"})
    assert response.status_code == 400
    b.chi.refresh_from_db()
    assert b.chi.credited == 0
    assert not CreditNote.objects.exists()
