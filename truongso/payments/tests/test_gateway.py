"""The VNPay-style gateway: signatures, the order checks, idempotent IPN, and the whole
redirect → pay → return/IPN flow through the project's fake gateway with the test client."""

from __future__ import annotations

import hashlib
import hmac
import threading
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import pytest
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test import Client
from django.urls import reverse

from truongso.core.authz import SYSTEM
from truongso.core.models import AuditEntry
from truongso.payments.gateway import vnpay
from truongso.payments.gateway.services import gateway_order_start, gateway_reply_apply
from truongso.payments.models import (
    Allocation,
    AllocationHow,
    Credit,
    GatewayOrder,
    GatewayOrderStatus,
    Invoice,
    InvoiceStatus,
    Payment,
    PaymentMethod,
)
from truongso.payments.services import ledger_check, payment_allocate
from truongso.payments.tests.ledger_factories import bill, receive
from truongso.testing.world import PASSWORD

SECRET = "truongso-demo-gateway-secret"
RETURN_URL = "http://testserver/payments/gateway/return/"


# --- the wire protocol --------------------------------------------------------------------


def test_signature_is_hmac_sha512_over_sorted_url_encoded_fields() -> None:
    fields = {"vnp_TxnRef": "HP1", "vnp_Amount": "18000000", "vnp_OrderInfo": "Thanh toan HP1"}
    expected = hmac.new(
        SECRET.encode(),
        b"vnp_Amount=18000000&vnp_OrderInfo=Thanh+toan+HP1&vnp_TxnRef=HP1",
        hashlib.sha512,
    ).hexdigest()
    assert vnpay.signature(fields, SECRET) == expected
    assert vnpay.signed_query(fields, SECRET).endswith(f"&vnp_SecureHash={expected}")


def _signed(fields: dict[str, str], secret: str = SECRET) -> dict[str, str]:
    return dict(parse_qsl(vnpay.signed_query(fields, secret), keep_blank_values=True))


REPLY = {
    "vnp_Amount": "50000000",
    "vnp_TmnCode": "TRUONGSO",
    "vnp_TxnRef": "HPABCDEFGH1234ABCD",
    "vnp_ResponseCode": "00",
    "vnp_TransactionStatus": "00",
    "vnp_OrderInfo": "Thanh toan HPABCDEFGH Hoc phi",
}


def test_verify_accepts_the_signed_fields_and_drops_unsigned_extras() -> None:
    query = _signed(REPLY) | {"utm_source": "mail", "vnp_SecureHashType": "HmacSHA512"}
    assert vnpay.verify(query, SECRET) == REPLY
    upper = query | {"vnp_SecureHash": query["vnp_SecureHash"].upper()}
    assert vnpay.verify(upper, SECRET) == REPLY


@pytest.mark.parametrize(
    "tamper",
    [
        {"vnp_Amount": "5000000000"},
        {"vnp_TxnRef": "HPOTHER"},
        {"vnp_ResponseCode": "24"},
        {"vnp_BankCode": "NCB"},  # a field added after signing
        {"vnp_SecureHash": "0" * 128},
        {"vnp_SecureHash": ""},
    ],
)
def test_verify_refuses_any_tampering(tamper: dict[str, str]) -> None:
    with pytest.raises(vnpay.BadSignature):
        vnpay.verify(_signed(REPLY) | tamper, SECRET)


def test_verify_refuses_another_secret_and_no_secret() -> None:
    with pytest.raises(vnpay.BadSignature):
        vnpay.verify(_signed(REPLY, "another-merchant"), SECRET)
    with pytest.raises(vnpay.BadSignature):
        vnpay.verify(_signed(REPLY), "")


@pytest.mark.parametrize(
    ("wire", "dong"),
    [("50000000", 500000), ("100", 1), ("50000050", None), ("-100", None), ("1e5", None)],
)
def test_amount_travels_times_100(wire: str, dong: int | None) -> None:
    assert vnpay.amount_of(wire) == dong


# --- orders and answers ----------------------------------------------------------------------


@pytest.fixture
def invoice(world: Any) -> Invoice:
    return bill(world, world.students["an"], 500_000)


def start(world: Any, invoice: Invoice, user: Any = None) -> tuple[GatewayOrder, dict[str, str]]:
    order, url = gateway_order_start(
        actor=user or world.parent, invoice=invoice, client_ip="10.0.0.7", return_url=RETURN_URL
    )
    return order, dict(parse_qsl(urlsplit(url).query, keep_blank_values=True))


def answer(order: GatewayOrder, **changes: str) -> dict[str, str]:
    fields = {
        "vnp_Amount": str(order.amount * 100),
        "vnp_BankCode": "NCB",
        "vnp_OrderInfo": "Thanh toan",
        "vnp_PayDate": "20251012093000",
        "vnp_ResponseCode": "00",
        "vnp_TmnCode": settings.PAYMENTS_GATEWAY_TMN_CODE,
        "vnp_TransactionNo": "14123456",
        "vnp_TransactionStatus": "00",
        "vnp_TxnRef": order.txn_ref,
    }
    fields.update(changes)
    return _signed(fields)


def test_start_signs_a_redirect_for_the_balance(world: Any, invoice: Invoice) -> None:
    order, query = start(world, invoice)
    assert (order.amount, order.status, order.created_by) == (
        500_000,
        GatewayOrderStatus.PENDING,
        world.parent,
    )
    assert order.txn_ref.startswith(invoice.code) and len(order.txn_ref) == 18
    assert vnpay.verify(query, SECRET)["vnp_Amount"] == "50000000"
    assert query["vnp_TxnRef"] == order.txn_ref
    assert query["vnp_ReturnUrl"] == RETURN_URL
    assert query["vnp_IpAddr"] == "10.0.0.7"
    assert (
        query["vnp_OrderInfo"] == f"Thanh toan {invoice.code} Hoc phi thang 10/2025 - Nguyen Van An"
    )
    assert query["vnp_ExpireDate"] > query["vnp_CreateDate"]
    assert AuditEntry.objects.filter(action="gateway_order_start", object_id=str(order.pk)).exists()


def test_start_denied_for_another_family_changes_nothing(world: Any) -> None:
    other = bill(world, world.students["binh"], 300_000)
    with pytest.raises(PermissionDenied):
        start(world, other)
    with pytest.raises(PermissionDenied):
        start(world, other, world.teacher)
    assert not GatewayOrder.objects.exists()


def test_start_refused_when_nothing_is_due(world: Any, invoice: Invoice) -> None:
    payment = receive(world.school_a, 500_000)
    payment_allocate(actor=SYSTEM, payment=payment, invoice=invoice, amount=500_000, how="manual")
    with pytest.raises(ValidationError):
        start(world, invoice)
    assert not GatewayOrder.objects.exists()


def test_ipn_applies_the_payment_once(world: Any, invoice: Invoice) -> None:
    order, _query = start(world, invoice)
    outcome = gateway_reply_apply(query=answer(order), source="ipn")
    assert outcome.as_ipn() == {"RspCode": "00", "Message": "Confirm Success"}
    order.refresh_from_db()
    invoice.refresh_from_db()
    payment = Payment.objects.get()
    assert (order.status, order.gateway_ref, order.payment) == (
        GatewayOrderStatus.PAID,
        "14123456",
        payment,
    )
    assert (payment.method, payment.provider, payment.provider_ref, payment.amount) == (
        PaymentMethod.WEB_GATEWAY,
        "gateway",
        order.txn_ref,
        500_000,
    )
    assert (payment.allocated, payment.student, payment.payer_name) == (
        500_000,
        world.students["an"],
        invoice.payer_name,
    )
    assert (invoice.paid, invoice.status) == (500_000, InvoiceStatus.PAID)
    allocation = Allocation.objects.get()
    assert (allocation.invoice, allocation.amount, allocation.how) == (
        invoice,
        500_000,
        AllocationHow.GATEWAY,
    )
    assert ledger_check() == []


def test_replayed_ipn_is_answered_already_confirmed_and_applied_once(
    world: Any, invoice: Invoice
) -> None:
    order, _query = start(world, invoice)
    reply = answer(order)
    codes = [gateway_reply_apply(query=reply, source="ipn").code for _ in range(5)]
    # A replay with another gateway transaction number cannot make a second payment either.
    codes.append(
        gateway_reply_apply(query=answer(order, vnp_TransactionNo="999"), source="ipn").code
    )
    codes.append(gateway_reply_apply(query=reply, source="return").code)
    assert codes == ["00", "02", "02", "02", "02", "02", "02"]
    assert Payment.objects.count() == 1
    assert Allocation.objects.count() == 1
    invoice.refresh_from_db()
    assert invoice.paid == 500_000
    assert ledger_check() == []


def _nothing_changed(invoice: Invoice, order: GatewayOrder) -> None:
    invoice.refresh_from_db()
    order.refresh_from_db()
    assert (invoice.paid, invoice.status) == (0, InvoiceStatus.OPEN)
    assert order.status == GatewayOrderStatus.PENDING
    assert not Payment.objects.exists()
    assert not Allocation.objects.exists()


def test_amount_mismatch_is_refused_and_changes_nothing(world: Any, invoice: Invoice) -> None:
    order, _query = start(world, invoice)
    for wire in ("100", "49999900", "50000100", "50000050", ""):
        outcome = gateway_reply_apply(query=answer(order, vnp_Amount=wire), source="ipn")
        assert outcome.as_ipn() == {"RspCode": "04", "Message": "Invalid amount"}
    _nothing_changed(invoice, order)
    # The right amount afterwards still goes through.
    assert gateway_reply_apply(query=answer(order), source="ipn").code == "00"


def test_tampered_answer_is_refused_and_changes_nothing(world: Any, invoice: Invoice) -> None:
    order, _query = start(world, invoice)
    forged = answer(order, vnp_ResponseCode="24") | {"vnp_ResponseCode": "00"}
    assert gateway_reply_apply(query=forged, source="ipn").as_ipn() == {
        "RspCode": "97",
        "Message": "Invalid signature",
    }
    other_merchant = answer(order, vnp_TmnCode="OTHERSHOP")
    assert gateway_reply_apply(query=other_merchant, source="ipn").code == "97"
    unknown = answer(order, vnp_TxnRef="HPNOSUCHORDER")
    assert gateway_reply_apply(query=unknown, source="ipn").as_ipn() == {
        "RspCode": "01",
        "Message": "Order not found",
    }
    _nothing_changed(invoice, order)


def test_failed_payment_closes_the_order_without_money(world: Any, invoice: Invoice) -> None:
    order, _query = start(world, invoice)
    failed = answer(order, vnp_ResponseCode="24", vnp_TransactionStatus="02")
    assert gateway_reply_apply(query=failed, source="ipn").code == "00"
    order.refresh_from_db()
    invoice.refresh_from_db()
    assert (order.status, order.payment, order.response["vnp_ResponseCode"]) == (
        GatewayOrderStatus.FAILED,
        None,
        "24",
    )
    assert (invoice.paid, invoice.status) == (0, InvoiceStatus.OPEN)
    assert gateway_reply_apply(query=answer(order), source="ipn").code == "02"
    assert not Payment.objects.exists()


def test_invoice_paid_meanwhile_sends_the_gateway_money_to_credit(
    world: Any, invoice: Invoice
) -> None:
    order, _query = start(world, invoice)
    transfer = receive(world.school_a, 300_000)
    payment_allocate(actor=SYSTEM, payment=transfer, invoice=invoice, amount=300_000, how="auto")
    assert gateway_reply_apply(query=answer(order), source="ipn").code == "00"
    invoice.refresh_from_db()
    payment = Payment.objects.get(provider="gateway")
    assert (invoice.paid, invoice.status) == (500_000, InvoiceStatus.PAID)
    assert (payment.allocated, payment.credited, payment.unassigned) == (200_000, 300_000, 0)
    credit = Credit.objects.get()
    assert (credit.student, credit.amount) == (world.students["an"], 300_000)
    assert ledger_check() == []


# --- views: IPN endpoint, return page, the full flow through the fake gateway ---------------


def test_ipn_endpoint_answers_json_in_the_gateway_format(
    client: Client, world: Any, invoice: Invoice
) -> None:
    order, _query = start(world, invoice)
    url = reverse("payments:gateway_ipn")
    first = client.get(url, answer(order))
    again = client.get(url, answer(order))
    assert (first.status_code, first.json()) == (
        200,
        {"RspCode": "00", "Message": "Confirm Success"},
    )
    assert again.json() == {"RspCode": "02", "Message": "Order already confirmed"}
    assert client.get(url).json() == {"RspCode": "97", "Message": "Invalid signature"}
    assert Payment.objects.count() == 1


def test_ipn_endpoint_refuses_a_repeated_field(
    client: Client, world: Any, invoice: Invoice
) -> None:
    order, _query = start(world, invoice)
    query = "&".join(f"{k}={v}" for k, v in answer(order).items()) + "&vnp_Amount=100"
    response = client.get(f"{reverse('payments:gateway_ipn')}?{query}")
    assert response.json()["RspCode"] == "97"
    assert not Payment.objects.exists()


def test_return_page_with_a_forged_answer_records_nothing(
    client: Client, world: Any, invoice: Invoice
) -> None:
    order, _query = start(world, invoice)
    forged = answer(order) | {"vnp_Amount": "100"}
    response = client.get(reverse("payments:gateway_return"), forged)
    assert response.status_code == 400
    assert b'data-gateway-result="refused"' in response.content
    _nothing_changed(invoice, order)


def _parent_pays(client: Client, invoice: Invoice, choice: str, **extra: str) -> Any:
    assert client.login(username="parent", password=PASSWORD)
    url = reverse("payments:gateway_start", args=[invoice.pk])
    confirm = client.get(url)
    assert f'data-amount="{invoice.balance}"'.encode() in confirm.content
    assert not GatewayOrder.objects.exists()  # a link never creates an order
    response = client.post(url)
    assert response.status_code == 302
    gateway = urlsplit(response["Location"])
    assert gateway.path == reverse("payments:fake_gateway_pay")
    page = client.get(f"{gateway.path}?{gateway.query}")
    assert page.status_code == 200
    assert f'data-amount="{invoice.balance}"'.encode() in page.content
    form = dict(parse_qsl(gateway.query, keep_blank_values=True))
    back = client.post(gateway.path, form | {"choice": choice, **extra})
    assert back.status_code == 302
    assert back["Location"].startswith("http://testserver/payments/gateway/return/?")
    return client.get(back["Location"])


def test_full_flow_parent_pays_through_the_fake_gateway(
    client: Client, world: Any, invoice: Invoice
) -> None:
    result = _parent_pays(client, invoice, "pay")
    assert result.status_code == 200
    assert b'data-gateway-result="paid"' in result.content
    invoice.refresh_from_db()
    order = GatewayOrder.objects.get()
    assert (invoice.status, invoice.paid) == (InvoiceStatus.PAID, 500_000)
    # The IPN applied it; the return found it confirmed.
    assert order.response["source"] == "ipn"
    assert Payment.objects.get().allocations.get().how == AllocationHow.GATEWAY
    assert ledger_check() == []


def test_full_flow_with_a_lost_ipn_is_applied_on_return_then_ipn_is_a_replay(
    client: Client, world: Any, invoice: Invoice
) -> None:
    result = _parent_pays(client, invoice, "pay", skip_ipn="1")
    assert b'data-gateway-result="paid"' in result.content
    order = GatewayOrder.objects.get()
    assert order.response["source"] == "return"
    late = client.get(
        reverse("payments:gateway_ipn"), answer(order, vnp_TransactionNo=order.gateway_ref)
    )
    assert late.json()["RspCode"] == "02"
    assert Payment.objects.count() == 1
    invoice.refresh_from_db()
    assert invoice.status == InvoiceStatus.PAID


@pytest.mark.parametrize("choice", ["cancel", "decline"])
def test_full_flow_cancelled_or_declined_leaves_the_invoice_open(
    client: Client, world: Any, invoice: Invoice, choice: str
) -> None:
    result = _parent_pays(client, invoice, choice)
    assert b'data-gateway-result="failed"' in result.content
    invoice.refresh_from_db()
    assert (invoice.status, invoice.paid) == (InvoiceStatus.OPEN, 0)
    assert GatewayOrder.objects.get().status == GatewayOrderStatus.FAILED
    assert not Payment.objects.exists()


def test_pay_online_of_another_family_is_404(client: Client, world: Any) -> None:
    other = bill(world, world.students["binh"], 300_000)
    assert client.login(username="parent", password=PASSWORD)
    url = reverse("payments:gateway_start", args=[other.pk])
    assert client.get(url).status_code == 404
    assert client.post(url).status_code == 404
    assert not GatewayOrder.objects.exists()


def test_fake_gateway_refuses_a_forged_request(
    client: Client, world: Any, invoice: Invoice
) -> None:
    _order, query = start(world, invoice)
    url = reverse("payments:fake_gateway_pay")
    assert client.get(url, query | {"vnp_Amount": "100"}).status_code == 400
    assert client.post(url, query | {"vnp_Amount": "100", "choice": "pay"}).status_code == 400
    assert not Payment.objects.exists()


def test_fake_gateway_is_not_served_outside_demo_debug_and_tests(
    client: Client, world: Any, invoice: Invoice, settings: Any
) -> None:
    _order, query = start(world, invoice)
    settings.PAYMENTS_FAKE_GATEWAY = False
    assert client.get(reverse("payments:fake_gateway_pay"), query).status_code == 404


def test_pay_online_of_a_paid_invoice_says_so_and_creates_nothing(
    client: Client, world: Any, invoice: Invoice
) -> None:
    payment = receive(world.school_a, 500_000)
    payment_allocate(actor=SYSTEM, payment=payment, invoice=invoice, amount=500_000, how="auto")
    assert client.login(username="parent", password=PASSWORD)
    url = reverse("payments:gateway_start", args=[invoice.pk])
    response = client.post(url, follow=True)
    assert response.redirect_chain == [(url, 302)]
    assert [str(m) for m in response.context["messages"]] == [
        f"Hóa đơn {invoice.code} không còn khoản nào phải trả."
    ]
    assert "Hóa đơn này không còn khoản nào phải nộp." in response.content.decode()
    assert not GatewayOrder.objects.exists()


def test_family_portal_offers_pay_online(client: Client, world: Any, invoice: Invoice) -> None:
    assert client.login(username="parent", password=PASSWORD)
    page = client.get(reverse("payments:family")).content.decode()
    assert f'href="{reverse("payments:gateway_start", args=[invoice.pk])}"' in page


def test_family_portal_without_gateway_offers_no_pay_online(
    client: Client, world: Any, invoice: Invoice, settings: Any
) -> None:
    settings.PAYMENTS_GATEWAY_HASH_SECRET = ""
    assert client.login(username="parent", password=PASSWORD)
    page = client.get(reverse("payments:family")).content.decode()
    assert reverse("payments:gateway_start", args=[invoice.pk]) not in page
    assert client.post(reverse("payments:gateway_start", args=[invoice.pk])).status_code == 302
    assert not GatewayOrder.objects.exists()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_concurrent_ipn_and_return_apply_the_order_once(world: Any) -> None:
    """The gateway's IPN and the payer's return arrive at the same moment on four app-server
    threads: the order row lock lets one apply it; the others answer 'already confirmed'."""
    invoice = bill(world, world.students["an"], 500_000)
    order, _query = start(world, invoice)
    reply = answer(order)
    urls = [reverse("payments:gateway_ipn")] * 2 + [reverse("payments:gateway_return")] * 2
    barrier = threading.Barrier(len(urls))
    results: list[str] = []

    def deliver(url: str) -> None:
        try:
            barrier.wait()
            response = Client().get(url, reply)
            results.append(
                response.json()["RspCode"] if "ipn" in url else str(response.status_code)
            )
        finally:
            connection.close()

    threads = [threading.Thread(target=deliver, args=(url,)) for url in urls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    # "99" (or a 400 page): the database was busy and nothing was applied; the gateway retries.
    assert set(results) <= {"00", "02", "99", "200", "400"}
    retry = Client().get(reverse("payments:gateway_ipn"), reply).json()["RspCode"]
    assert retry == "02"
    assert Payment.objects.count() == 1
    assert Allocation.objects.count() == 1
    invoice.refresh_from_db()
    assert (invoice.paid, invoice.status) == (500_000, InvoiceStatus.PAID)
    assert ledger_check() == []
