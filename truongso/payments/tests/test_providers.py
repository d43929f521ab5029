"""Adapters alone (no database): signed samples accepted, forgeries and stale ones refused."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.utils import translation

from truongso.payments.providers import (
    Casso,
    Malformed,
    NotAuthentic,
    NotConfigured,
    PayOS,
    SePay,
    Stale,
)
from truongso.payments.providers.casso import canonical_json
from truongso.payments.tests import bankfeed as bf

VN = dt.timezone(dt.timedelta(hours=7))


@pytest.fixture(autouse=True)
def _english() -> Any:
    with translation.override("en"):
        yield


def now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def sepay_key() -> SePay:
    return SePay(secrets={"api_key": bf.SEPAY_KEY})


def sepay_hmac() -> SePay:
    return SePay(secrets={"hmac_secret": bf.SEPAY_HMAC, "api_key": bf.SEPAY_KEY})


class TestSePay:
    def test_api_key_sample_is_accepted_and_parsed(self) -> None:
        body = bf.sepay_body(92704, 2_277_000, "HP3K7QX9MT nop hoc phi")
        sepay_key().verify(headers=bf.sepay_key_headers(), body=body, now=now())
        [txn] = sepay_key().parse(body)
        assert txn.provider_ref == "92704"
        assert txn.incoming is True
        assert txn.amount == 2_277_000
        assert txn.account_number == bf.ACCOUNT
        assert txn.memo == "HP3K7QX9MT nop hoc phi"
        assert txn.bank_reference == "MBVCB.92704"
        assert txn.paid_at.utcoffset() == dt.timedelta(hours=7)

    @pytest.mark.parametrize(
        "headers",
        [{}, {"Authorization": "Apikey wrong"}, {"Authorization": f"Bearer {bf.SEPAY_KEY}"}],
    )
    def test_wrong_or_missing_api_key_is_refused(self, headers: dict[str, str]) -> None:
        with pytest.raises(NotAuthentic):
            sepay_key().verify(headers=headers, body=bf.sepay_body(1, 10, "x"), now=now())

    def test_hmac_sample_is_accepted(self) -> None:
        body = bf.sepay_body(7, 500_000, "HP3K7QX9MT")
        sepay_hmac().verify(headers=bf.sepay_hmac_headers(body), body=body, now=now())

    def test_hmac_mode_ignores_an_api_key_alone(self) -> None:
        body = bf.sepay_body(7, 500_000, "x")
        with pytest.raises(NotAuthentic):
            sepay_hmac().verify(headers=bf.sepay_key_headers(), body=body, now=now())

    def test_tampered_body_is_refused(self) -> None:
        body = bf.sepay_body(7, 500_000, "x")
        headers = bf.sepay_hmac_headers(body)
        forged = body.replace(b"500000", b"900000")
        with pytest.raises(NotAuthentic):
            sepay_hmac().verify(headers=headers, body=forged, now=now())

    def test_wrong_secret_is_refused(self) -> None:
        body = bf.sepay_body(7, 500_000, "x")
        with pytest.raises(NotAuthentic):
            sepay_hmac().verify(
                headers=bf.sepay_hmac_headers(body, secret="other"), body=body, now=now()
            )

    @pytest.mark.parametrize("offset", [-301, 301, -3600])
    def test_stale_or_future_timestamp_is_refused(self, offset: int) -> None:
        body = bf.sepay_body(7, 500_000, "x")
        at = now()
        headers = bf.sepay_hmac_headers(body, at=at.timestamp() + offset)
        with pytest.raises(Stale):
            sepay_hmac().verify(headers=headers, body=body, now=at)

    def test_replayed_delivery_is_refused_after_the_window(self) -> None:
        body = bf.sepay_body(7, 500_000, "x")
        at = now()
        headers = bf.sepay_hmac_headers(body, at=at.timestamp())
        sepay_hmac().verify(headers=headers, body=body, now=at)
        later = at + dt.timedelta(minutes=6)
        with pytest.raises(Stale):
            sepay_hmac().verify(headers=headers, body=body, now=later)

    def test_outgoing_transfer_is_parsed_as_outgoing(self) -> None:
        [txn] = sepay_key().parse(bf.sepay_body(8, 10_000, "rut tien", kind="out"))
        assert txn.incoming is False

    def test_without_secrets_nothing_is_accepted(self) -> None:
        with pytest.raises(NotConfigured):
            SePay(secrets={}).verify(headers=bf.sepay_key_headers(), body=b"{}", now=now())


class TestCasso:
    def test_signed_sample_is_accepted_and_parsed(self) -> None:
        body, headers = bf.casso_signed(bf.casso_body(2051, 1_500_000, "HP3K7QX9MT"))
        adapter = Casso(secrets={"secret": bf.CASSO_SECRET})
        adapter.verify(headers=headers, body=body, now=now())
        [txn] = adapter.parse(body)
        assert (txn.provider_ref, txn.amount, txn.memo) == ("2051", 1_500_000, "HP3K7QX9MT")
        assert (txn.payer_name, txn.payer_account) == ("NGUYEN VAN CHA", "0011001234567")
        assert txn.bank_reference == "FT2051"

    def test_signature_covers_keys_sorted_recursively(self) -> None:
        payload = {"b": 1, "a": {"d": [{"z": 1, "y": "Đ"}], "c": None}}
        assert canonical_json(payload) == '{"a":{"c":null,"d":[{"y":"Đ","z":1}]},"b":1}'

    def test_wrong_signature_is_refused(self) -> None:
        body, headers = bf.casso_signed(bf.casso_body(1, 10, "x"), secret="other")
        with pytest.raises(NotAuthentic):
            Casso(secrets={"secret": bf.CASSO_SECRET}).verify(headers=headers, body=body, now=now())

    def test_tampered_amount_is_refused(self) -> None:
        payload = bf.casso_body(1, 10_000, "x")
        _body, headers = bf.casso_signed(payload)
        forged = json.dumps({**payload, "data": {**payload["data"], "amount": 10_000_000}})
        with pytest.raises(NotAuthentic):
            Casso(secrets={"secret": bf.CASSO_SECRET}).verify(
                headers=headers, body=forged.encode(), now=now()
            )

    def test_stale_timestamp_is_refused(self) -> None:
        old = int((now().timestamp() - 600) * 1000)
        body, headers = bf.casso_signed(bf.casso_body(1, 10, "x"), at_ms=old)
        with pytest.raises(Stale):
            Casso(secrets={"secret": bf.CASSO_SECRET}).verify(headers=headers, body=body, now=now())

    @pytest.mark.parametrize("value", ["", "t=abc,v1=00", "v1=00", "t=1700000000000"])
    def test_malformed_signature_header_is_refused(self, value: str) -> None:
        body, _headers = bf.casso_signed(bf.casso_body(1, 10, "x"))
        with pytest.raises(NotAuthentic):
            Casso(secrets={"secret": bf.CASSO_SECRET}).verify(
                headers={"X-Casso-Signature": value}, body=body, now=now()
            )

    def test_negative_amount_is_an_outgoing_transfer(self) -> None:
        body, _headers = bf.casso_signed(bf.casso_body(1, -25_000, "phi"))
        [txn] = Casso(secrets={"secret": bf.CASSO_SECRET}).parse(body)
        assert (txn.incoming, txn.amount) == (False, 25_000)


class TestPayOS:
    def test_signed_sample_is_accepted_and_parsed(self) -> None:
        body = bf.payos_body("TF230204212323", 3_000_000, "HP3K7QX9MT")
        adapter = PayOS(secrets={"checksum_key": bf.PAYOS_KEY})
        adapter.verify(headers={}, body=body, now=now())
        [txn] = adapter.parse(body)
        assert (txn.provider_ref, txn.amount, txn.memo) == (
            "TF230204212323",
            3_000_000,
            "HP3K7QX9MT",
        )
        assert adapter.reply_ok().body == {"error": 0, "message": "Ok", "data": None}

    def test_wrong_signature_is_refused(self) -> None:
        body = bf.payos_body("TF1", 3_000, "x", secret="other")
        with pytest.raises(NotAuthentic):
            PayOS(secrets={"checksum_key": bf.PAYOS_KEY}).verify(headers={}, body=body, now=now())

    def test_old_transaction_is_refused(self) -> None:
        body = bf.payos_body("TF1", 3_000, "x", when="2025-01-02 08:00:00")
        with pytest.raises(Stale):
            PayOS(secrets={"checksum_key": bf.PAYOS_KEY}).verify(headers={}, body=body, now=now())


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"not json", "not valid UTF-8 JSON"),
        (b"\xff\xfe", "not valid UTF-8 JSON"),
        (b"[1, 2]", "must be a JSON object"),
        (b'{"id": 1, "transferType": "in"}', "transferAmount"),
        (b'{"id": 1, "transferType": "sideways"}', "transferType"),
    ],
)
def test_malformed_bodies_say_what_is_wrong(body: bytes, message: str) -> None:
    with pytest.raises(Malformed) as caught:
        sepay_key().parse(body)
    assert message in str(caught.value.reason)


@pytest.mark.parametrize(
    ("amount", "message"),
    [(-5, "positive"), (0, "positive"), (10.5, "whole đồng"), ("100", "number"), (True, "number")],
)
def test_amounts_must_be_positive_whole_dong(amount: object, message: str) -> None:
    data = json.loads(bf.sepay_body(1, 1, "x"))
    data["transferAmount"] = amount
    with pytest.raises(Malformed) as caught:
        sepay_key().parse(json.dumps(data).encode())
    assert message in str(caught.value.reason)


@pytest.mark.parametrize("ref", [{"a": 1}, [1], True, "x" * 101])
def test_transaction_ids_must_be_plain(ref: object) -> None:
    data = json.loads(bf.sepay_body(1, 1, "x"))
    data["id"] = ref
    with pytest.raises(Malformed, match="not a transaction id"):
        sepay_key().parse(json.dumps(data).encode())
