"""VietQR payloads: the NAPAS reference reproduced byte for byte, CRC, limits, invoices."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from truongso.payments import vietqr
from truongso.payments.models import Invoice, InvoiceStatus, SchoolBankAccount
from truongso.payments.vietqr import Transfer, VietQRError

# NAPAS "Quy cách kỹ thuật mã QR" v1.5.2, example of a dynamic code to an account.
NAPAS_REFERENCE = (
    "00020101021238570010A00000072701270006970403011300110123456780208QRIBFTTA"
    "530370454061800005802VN62340107NPS68690819thanh toan don hang63042E2E"
)


def reference_transfer(**changes: object) -> Transfer:
    fields: dict[str, object] = {
        "bank_bin": "970403",
        "account": "0011012345678",
        "amount": 180000,
        "bill_number": "NPS6869",
        "purpose": "thanh toan don hang",
    }
    fields.update(changes)
    return Transfer(**fields)  # type: ignore[arg-type]


def test_napas_reference_payload_reproduced_exactly() -> None:
    assert vietqr.payload(reference_transfer()) == NAPAS_REFERENCE


def test_crc_is_ccitt_false() -> None:
    # The standard check value of CRC-16/CCITT-FALSE over "123456789".
    assert vietqr.crc16_ccitt_false(b"123456789") == 0x29B1
    assert vietqr.crc_hex(NAPAS_REFERENCE[:-4]) == "2E2E"


def test_parse_reads_every_field_back() -> None:
    assert vietqr.parse(NAPAS_REFERENCE) == {
        "00": "01",
        "01": "12",
        "38.00": "A000000727",
        "38.01.00": "970403",
        "38.01.01": "0011012345678",
        "38.02": "QRIBFTTA",
        "53": "704",
        "54": "180000",
        "58": "VN",
        "62.01": "NPS6869",
        "62.08": "thanh toan don hang",
        "63": "2E2E",
    }


@pytest.mark.parametrize(
    "tampered",
    [
        NAPAS_REFERENCE[:-4] + "2E2F",
        NAPAS_REFERENCE.replace("180000", "180001"),
        NAPAS_REFERENCE[:-8],
    ],
)
def test_parse_refuses_a_wrong_checksum(tampered: str) -> None:
    with pytest.raises(VietQRError) as caught:
        vietqr.parse(tampered)
    assert caught.value.field == "63"


def test_static_code_without_amount_or_additional_data() -> None:
    code = vietqr.payload(
        Transfer(bank_bin="970436", account="1234567890", dynamic=False, to_card=False)
    )
    body = "00020101021138540010A00000072701240006970436011012345678900208QRIBFTTA53037045802VN6304"
    assert code == body + vietqr.crc_hex(body)
    assert "54" not in vietqr.parse(code)


def test_to_card_service_code() -> None:
    code = vietqr.payload(reference_transfer(to_card=True, account="9704031234567890"))
    assert vietqr.parse(code)["38.02"] == "QRIBFTTC"


def test_diacritics_are_stripped_case_kept() -> None:
    assert vietqr.strip_diacritics("Học phí  Đợt 1 – lớp 6A1 😀") == "Hoc phi Dot 1 lop 6A1"
    code = vietqr.payload(reference_transfer(purpose="Nộp tiền ăn bán trú"))
    assert vietqr.parse(code)["62.08"] == "Nop tien an ban tru"


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"bank_bin": "97040"}, "bank_bin"),
        ({"bank_bin": "97040A"}, "bank_bin"),
        ({"account": "0011-0123"}, "account"),
        ({"account": "1" * 20}, "account"),
        ({"account": ""}, "account"),
        ({"amount": 0}, "amount"),
        ({"amount": -5}, "amount"),
        ({"amount": 10**13}, "amount"),
        ({"amount": True}, "amount"),
        ({"bill_number": "HP" + "X" * 24}, "bill_number"),
        ({"purpose": "Thanh toán học phí học kì I năm học 2026"}, "purpose"),
    ],
)
def test_limits_are_enforced_with_the_field_named(changes: dict[str, object], field: str) -> None:
    with pytest.raises(VietQRError) as caught:
        vietqr.payload(reference_transfer(**changes))
    assert caught.value.field == field
    assert caught.value.message


def test_longest_values_that_fit() -> None:
    code = vietqr.payload(
        reference_transfer(
            account="1" * 19, amount=10**13 - 1, bill_number="B" * 25, purpose="P" * 25
        )
    )
    fields = vietqr.parse(code)
    assert (fields["54"], fields["62.01"], fields["62.08"]) == ("9" * 13, "B" * 25, "P" * 25)


def test_purpose_error_message_is_vietnamese_first() -> None:
    from django.utils import translation

    with translation.override("vi"), pytest.raises(VietQRError) as caught:
        vietqr.payload(reference_transfer(purpose="x" * 26))
    assert "25" in caught.value.message


@settings(max_examples=500, deadline=None)  # no timing: a loaded CI box is slow, not wrong
@given(
    amount=st.integers(min_value=1, max_value=10**13 - 1),
    purpose=st.text(max_size=40),
    account=st.from_regex(r"[0-9A-Z]{1,19}", fullmatch=True),
)
def test_any_accepted_transfer_parses_back(amount: int, purpose: str, account: str) -> None:
    transfer = reference_transfer(amount=amount, purpose=purpose, account=account)
    try:
        code = vietqr.payload(transfer)
    except VietQRError as exc:
        assert exc.field == "purpose"
        assert len(vietqr.strip_diacritics(purpose)) > 25
        return
    fields = vietqr.parse(code)
    assert fields["54"] == str(amount)
    assert fields["38.01.01"] == account
    assert fields.get("62.08", "") == vietqr.strip_diacritics(purpose)
    assert code.isascii()


def test_invoice_purpose_starts_with_the_code_and_keeps_whole_words() -> None:
    assert vietqr.invoice_purpose("HP3K7QX9MT", "Học phí tháng 9/2026 lớp 6A1") == (
        "HP3K7QX9MT Hoc phi thang"
    )
    assert vietqr.invoice_purpose("HP3K7QX9MT", "") == "HP3K7QX9MT"
    # The cut never leaves the reason's separator dangling.
    assert vietqr.invoice_purpose("HP3K7QX9MT", "Thang 9/2025 - Nguyen Van An") == (
        "HP3K7QX9MT Thang 9/2025"
    )


def _invoice(**changes: object) -> Invoice:
    fields: dict[str, object] = {
        "code": "HP3K7QX9MT",
        "reason": "Học phí tháng 9/2026",
        "total": 1_250_000,
        "credited": 50_000,
        "paid": 200_000,
        "status": InvoiceStatus.PARTIAL,
        "due_date": dt.date(2026, 9, 30),
    }
    fields.update(changes)
    return Invoice(**fields)  # type: ignore[arg-type]


def test_invoice_payload_asks_for_the_balance() -> None:
    account = SchoolBankAccount(bank_bin="970415", account_number="113366668888")
    code = vietqr.invoice_payload(_invoice(), account)
    body = (
        "0002010102123856"  # 38: 56 characters
        "0010A000000727"
        "01260006970415011211336666888802"
        "08QRIBFTTA"
        "5303704"
        "54071000000"  # the balance: 1,250,000 - 50,000 - 200,000
        "5802VN"
        "6242"
        "0110HP3K7QX9MT"
        "0824HP3K7QX9MT Hoc phi thang"
        "6304"
    )
    assert code == body + vietqr.crc_hex(body)
    fields = vietqr.parse(code)
    assert (fields["01"], fields["54"], fields["62.01"]) == ("12", "1000000", "HP3K7QX9MT")


@pytest.mark.parametrize(
    "changes",
    [
        {"paid": 1_200_000, "status": InvoiceStatus.PAID},
        {"status": InvoiceStatus.CANCELLED},
    ],
)
def test_invoice_payload_refused_when_nothing_is_due(changes: dict[str, object]) -> None:
    account = SchoolBankAccount(bank_bin="970415", account_number="113366668888")
    with pytest.raises(VietQRError) as caught:
        vietqr.invoice_payload(_invoice(**changes), account)
    assert caught.value.field == "amount"
