"""Webhook endpoints end to end: stored raw, verified, deduplicated, applied once."""

from __future__ import annotations

import json
import random
import threading
import time
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from truongso.payments.models import (
    Allocation,
    BankNotification,
    Invoice,
    InvoiceStatus,
    NotificationStatus,
    Payment,
)
from truongso.payments.services import ledger_check
from truongso.payments.tests import bankfeed as bf


@pytest.fixture(autouse=True)
def _setup(settings: Any) -> None:
    # Deliveries carry no Accept-Language: the log's reasons are in Vietnamese.
    bf.configure(settings)


@pytest.fixture
def feed(world: Any) -> Any:
    bf.bank_account(world.school_a)
    world.inv_an = bf.invoice(world, world.students["an"], 1_500_000)
    world.inv_binh = bf.invoice(world, world.students["binh"], 700_000)
    world.inv_chi = bf.invoice(world, world.students["chi"], 900_000)
    return world


def url(provider: str) -> str:
    return reverse("payments_bank:webhook", args=[provider])


def post(provider: str, body: bytes, headers: dict[str, str], client: Client | None = None) -> Any:
    client = client or Client(enforce_csrf_checks=True)
    return client.post(url(provider), data=body, content_type="application/json", headers=headers)


def sepay(ref: int, amount: int, memo: str, **kw: Any) -> Any:
    return post("sepay", bf.sepay_body(ref, amount, memo, **kw), bf.sepay_key_headers())


def refresh(invoice: Invoice) -> Invoice:
    invoice.refresh_from_db()
    return invoice


class TestSignedSamplesAccepted:
    def test_sepay_pays_the_invoice_named_in_the_memo(self, feed: Any) -> None:
        response = sepay(92704, 1_500_000, f"{feed.inv_an.code} nop hoc phi")
        assert response.status_code == 200
        assert response.json() == {"success": True}
        note = BankNotification.objects.get()
        assert (note.status, note.provider, note.provider_ref) == ("applied", "sepay", "92704")
        payment = Payment.objects.get()
        assert (payment.amount, payment.allocated, payment.status) == (
            1_500_000,
            1_500_000,
            "matched",
        )
        assert note.payment == payment
        assert refresh(feed.inv_an).status == InvoiceStatus.PAID
        assert Allocation.objects.get().how == "auto"
        assert ledger_check() == []

    def test_sepay_hmac_mode(self, feed: Any, settings: Any) -> None:
        settings.PAYMENTS_SEPAY_HMAC_SECRET = bf.SEPAY_HMAC
        body = bf.sepay_body(5, 700_000, feed.inv_binh.code)
        response = post("sepay", body, bf.sepay_hmac_headers(body))
        assert response.status_code == 200
        assert refresh(feed.inv_binh).status == InvoiceStatus.PAID

    def test_casso_v2(self, feed: Any) -> None:
        body, headers = bf.casso_signed(
            bf.casso_body(2051, 700_000, f"CT DEN {feed.inv_binh.code}")
        )
        response = post("casso", body, headers)
        assert response.status_code == 200
        payment = Payment.objects.get()
        assert (payment.provider, payment.provider_ref, payment.payer_name) == (
            "casso",
            "2051",
            "NGUYEN VAN CHA",
        )
        assert refresh(feed.inv_binh).status == InvoiceStatus.PAID

    def test_payos(self, feed: Any) -> None:
        response = post("payos", bf.payos_body("FT2509001", 900_000, feed.inv_chi.code), {})
        assert response.status_code == 200
        assert response.json() == {"error": 0, "message": "Ok", "data": None}
        assert refresh(feed.inv_chi).status == InvoiceStatus.PAID

    def test_the_api_key_is_not_stored(self, feed: Any) -> None:
        sepay(1, 1_500_000, feed.inv_an.code)
        headers = BankNotification.objects.get().headers
        assert bf.SEPAY_KEY not in json.dumps(headers)
        assert headers["Authorization"].endswith("(hidden)")


class TestRefused:
    def assert_refused(self, response: Any, status: int, reason: str) -> BankNotification:
        assert response.status_code == status
        note = BankNotification.objects.get()
        assert note.status == NotificationStatus.REJECTED
        assert reason in note.reason
        assert Payment.objects.count() == 0
        return note

    def test_wrong_api_key(self, feed: Any) -> None:
        body = bf.sepay_body(1, 1_500_000, feed.inv_an.code)
        response = post("sepay", body, bf.sepay_key_headers("guessed"))
        note = self.assert_refused(response, 401, "signature: Thiếu hoặc sai khóa API")
        assert response.json()["success"] is False
        assert json.loads(note.body)["id"] == 1  # stored raw for inspection

    def test_wrong_casso_signature(self, feed: Any) -> None:
        body, headers = bf.casso_signed(bf.casso_body(1, 700_000, "x"), secret="forged")
        self.assert_refused(post("casso", body, headers), 401, "signature: Chữ ký HMAC-SHA512")

    def test_wrong_payos_signature(self, feed: Any) -> None:
        body = bf.payos_body("FT1", 900_000, "x", secret="forged")
        self.assert_refused(post("payos", body, {}), 401, "signature: Chữ ký HMAC-SHA256")

    def test_stale_sepay_timestamp(self, feed: Any, settings: Any) -> None:
        settings.PAYMENTS_SEPAY_HMAC_SECRET = bf.SEPAY_HMAC
        body = bf.sepay_body(5, 700_000, feed.inv_binh.code)
        headers = bf.sepay_hmac_headers(body, at=time.time() - 3600)
        self.assert_refused(post("sepay", body, headers), 401, "stale")

    def test_stale_casso_timestamp(self, feed: Any) -> None:
        payload = bf.casso_body(1, 700_000, "x")
        body, headers = bf.casso_signed(payload, at_ms=int((time.time() - 900) * 1000))
        self.assert_refused(post("casso", body, headers), 401, "stale: Thông báo được ký cách")

    def test_malformed_json(self, feed: Any) -> None:
        response = post("sepay", b'{"id": 1, "transferAmount": ', bf.sepay_key_headers())
        self.assert_refused(response, 400, "malformed: Nội dung không phải JSON UTF-8")

    def test_negative_amount(self, feed: Any) -> None:
        self.assert_refused(sepay(1, -500, "x"), 400, "“transferAmount” phải lớn hơn 0")

    def test_absurd_amount(self, feed: Any) -> None:
        self.assert_refused(
            sepay(1, 9_000_000_000, "x"), 422, "Số tiền 9.000.000.000 đồng vượt mức"
        )

    def test_unknown_account(self, feed: Any) -> None:
        response = sepay(1, 1_500_000, feed.inv_an.code, account="999999999")
        self.assert_refused(response, 422, "không phải tài khoản thu của trường nào")

    def test_unknown_provider_is_stored_too(self, feed: Any) -> None:
        response = post("momo", b"{}", {})
        self.assert_refused(response, 404, "Không biết dịch vụ thông báo “momo”")

    def test_not_configured(self, feed: Any, settings: Any) -> None:
        settings.PAYMENTS_PAYOS_CHECKSUM_KEY = ""
        response = post("payos", bf.payos_body("FT1", 900_000, "x"), {})
        self.assert_refused(response, 503, "not_configured: Máy chủ này chưa cấu hình")

    def test_get_is_not_a_delivery(self, feed: Any) -> None:
        assert Client().get(url("sepay")).status_code == 405


def test_url_without_the_final_slash(feed: Any) -> None:
    body = bf.sepay_body(8, 1_500_000, feed.inv_an.code)
    response = Client().post(
        "/payments/webhooks/sepay", data=body, content_type="application/json",
        headers=bf.sepay_key_headers(),
    )  # fmt: skip
    assert (response.status_code, response.json()) == (200, {"success": True})
    assert refresh(feed.inv_an).status == InvoiceStatus.PAID


def test_outgoing_transfer_is_ignored(feed: Any) -> None:
    response = sepay(3, 200_000, "chi tien mat", kind="out")
    assert response.status_code == 200
    assert BankNotification.objects.get().status == NotificationStatus.IGNORED
    assert Payment.objects.count() == 0


def test_same_id_with_another_amount_is_a_conflict(feed: Any) -> None:
    sepay(11, 1_500_000, feed.inv_an.code)
    response = sepay(11, 9_500_000, feed.inv_an.code)
    assert response.status_code == 409
    latest = BankNotification.objects.order_by("-pk").first()
    assert latest is not None and latest.status == NotificationStatus.REJECTED
    assert Payment.objects.get().amount == 1_500_000


def test_replay_within_the_window_applies_once(feed: Any, settings: Any) -> None:
    settings.PAYMENTS_SEPAY_HMAC_SECRET = bf.SEPAY_HMAC
    body = bf.sepay_body(77, 700_000, feed.inv_binh.code)
    headers = bf.sepay_hmac_headers(body)
    first, second = post("sepay", body, headers), post("sepay", body, headers)
    assert (first.status_code, second.status_code) == (200, 200)
    statuses = list(BankNotification.objects.order_by("pk").values_list("status", flat=True))
    assert statuses == ["applied", "duplicate"]
    assert Allocation.objects.count() == 1
    assert refresh(feed.inv_binh).paid == 700_000


def test_seven_deliveries_shuffled_with_others_apply_once(feed: Any) -> None:
    deliveries = [
        (ref, amount, invoice.code)
        for ref, amount, invoice in (
            (101, 1_500_000, feed.inv_an),
            (102, 700_000, feed.inv_binh),
            (103, 400_000, feed.inv_chi),
        )
    ] * 7
    random.Random(6).shuffle(deliveries)
    for ref, amount, code in deliveries:
        assert sepay(ref, amount, f"hoc phi {code}").status_code == 200
    assert Payment.objects.count() == 3
    assert Allocation.objects.count() == 3
    counts = {
        s: BankNotification.objects.filter(status=s).count() for s in ("applied", "duplicate")
    }
    assert counts == {"applied": 3, "duplicate": 18}
    assert (refresh(feed.inv_an).paid, refresh(feed.inv_binh).paid, refresh(feed.inv_chi).paid) == (
        1_500_000,
        700_000,
        400_000,
    )
    assert refresh(feed.inv_chi).status == InvoiceStatus.PARTIAL
    assert ledger_check() == []


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_concurrent_deliveries_of_one_transaction(feed: Any) -> None:
    """Four app-server threads receive the same notification at once: one payment."""
    body = bf.sepay_body(555, 1_500_000, feed.inv_an.code)
    barrier = threading.Barrier(4)
    codes: list[int] = []

    def deliver() -> None:
        try:
            barrier.wait()
            codes.append(post("sepay", body, bf.sepay_key_headers()).status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=deliver) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert set(codes) <= {200, 503}  # 503: the database was busy, the service retries
    while 503 in codes:  # the service's retries
        codes.remove(503)
        codes.append(post("sepay", body, bf.sepay_key_headers()).status_code)
    assert codes == [200] * 4
    assert Payment.objects.filter(provider_ref="555").count() == 1
    assert Allocation.objects.count() == 1
    assert refresh(feed.inv_an).paid == 1_500_000
    assert BankNotification.objects.filter(status="applied").count() == 1
    assert ledger_check() == []
