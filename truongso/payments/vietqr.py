"""VietQR payloads (mã VietQR): NAPAS's profile of the EMVCo merchant-presented QR code.

A payload is a chain of ``ID(2) LEN(2) VALUE`` fields (NAPAS "Quy cách kỹ thuật mã QR",
v1.5.2, after EMV QRCPS-MPM v1.1):

* ``00`` payload format ``01``; ``01`` point of initiation ``11`` static / ``12`` dynamic;
* ``38`` the beneficiary: ``00`` GUID ``A000000727`` (NAPAS), ``01`` { ``00`` bank BIN,
  ``01`` account or card number }, ``02`` service ``QRIBFTTA`` (to account) / ``QRIBFTTC``
  (to card);
* ``53`` currency ``704`` (VND), ``54`` amount, ``58`` country ``VN``;
* ``62`` additional data: ``01`` bill number, ``08`` purpose of transaction;
* ``63`` CRC-16/CCITT-FALSE over everything before it, ``6304`` included, 4 upper-case hex.

Banking apps copy the purpose (62-08) into the transfer memo, and the memo is what the bank
notification carries back: an invoice's purpose therefore starts with its invoice code.
Free text is stripped of diacritics (the QR character set is ASCII); a value that does not
fit is refused with a message naming the field, never cut silently.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.utils.translation import gettext as _

from truongso.payments.models import InvoiceStatus

if TYPE_CHECKING:
    from truongso.payments.models import Invoice, SchoolBankAccount

NAPAS_GUID = "A000000727"
SERVICE_TO_ACCOUNT = "QRIBFTTA"
SERVICE_TO_CARD = "QRIBFTTC"
CURRENCY_VND = "704"
COUNTRY_VN = "VN"
STATIC = "11"
DYNAMIC = "12"

MAX_AMOUNT_CHARS = 13
MAX_ACCOUNT_CHARS = 19
MAX_ADDITIONAL_CHARS = 25  # bill number (62-01) and purpose (62-08)
MAX_PAYLOAD_CHARS = 512  # EMV QRCPS-MPM 4.6: the whole payload

_BIN = re.compile(r"\d{6}")
_ACCOUNT = re.compile(r"[0-9A-Za-z]+")
_SPACES = re.compile(r"\s+")
# đ/Đ are letters of their own, not d + a combining mark: NFD leaves them alone.
_EXTRA = str.maketrans({"đ": "d", "Đ": "D"})


class VietQRError(ValueError):
    """A value that cannot go into a VietQR code; the message names the field and why."""

    def __init__(self, message: str, *, field: str) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


def strip_diacritics(text: str) -> str:
    """ASCII form of Vietnamese free text, case kept: "Học phí tháng 9" -> "Hoc phi thang 9".

    Characters with no ASCII form (emoji, other scripts) are dropped, blanks collapsed.
    """
    decomposed = unicodedata.normalize("NFD", text.translate(_EXTRA))
    kept = "".join(ch for ch in decomposed if not unicodedata.combining(ch) and " " <= ch <= "~")
    return _SPACES.sub(" ", kept).strip()


def crc16_ccitt_false(data: bytes) -> int:
    """CRC-16/CCITT-FALSE: polynomial 0x1021, initial value 0xFFFF, no reflection, no xor-out."""
    crc = 0xFFFF
    for byte in data:
        crc ^= byte << 8
        for _bit in range(8):
            crc = ((crc << 1) ^ 0x1021) if crc & 0x8000 else crc << 1
            crc &= 0xFFFF
    return crc


def crc_hex(text: str) -> str:
    return f"{crc16_ccitt_false(text.encode('ascii')):04X}"


def tlv(tag: str, value: str) -> str:
    if len(value) > 99:
        raise VietQRError(
            _("Field %(tag)s is %(n)s characters long; a VietQR field holds at most 99.")
            % {"tag": tag, "n": len(value)},
            field=tag,
        )
    return f"{tag}{len(value):02d}{value}"


@dataclass(frozen=True)
class Transfer:
    """What a VietQR code asks the payer's bank to do."""

    bank_bin: str
    account: str
    amount: int | None = None
    bill_number: str = ""
    purpose: str = ""
    to_card: bool = False
    dynamic: bool = True


def _clean_bin(value: str) -> str:
    if not _BIN.fullmatch(value):
        raise VietQRError(
            _("The bank BIN must be exactly 6 digits (got %(value)r).") % {"value": value},
            field="bank_bin",
        )
    return value


def _clean_account(value: str) -> str:
    value = value.replace(" ", "")
    if not _ACCOUNT.fullmatch(value) or len(value) > MAX_ACCOUNT_CHARS:
        raise VietQRError(
            _(
                "The account number must be 1 to %(max)s letters or digits without spaces "
                "(got %(value)r)."
            )
            % {"max": MAX_ACCOUNT_CHARS, "value": value},
            field="account",
        )
    return value


def _clean_amount(value: int | None) -> str:
    if value is None:
        return ""
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise VietQRError(
            _("The amount must be a whole positive number of đồng (got %(value)r).")
            % {"value": value},
            field="amount",
        )
    text = str(value)
    if len(text) > MAX_AMOUNT_CHARS:
        raise VietQRError(
            _("The amount %(value)s has more than %(max)s digits.")
            % {"value": value, "max": MAX_AMOUNT_CHARS},
            field="amount",
        )
    return text


def _clean_text(value: str, *, field: str, label: str) -> str:
    text = strip_diacritics(value)
    if len(text) > MAX_ADDITIONAL_CHARS:
        raise VietQRError(
            _(
                "The %(label)s is %(n)s characters long without diacritics; "
                "a VietQR code holds at most %(max)s: %(text)r."
            )
            % {"label": label, "n": len(text), "max": MAX_ADDITIONAL_CHARS, "text": text},
            field=field,
        )
    return text


def payload(transfer: Transfer) -> str:
    """The payload string of ``transfer``, CRC included. Raises :class:`VietQRError`."""
    amount = _clean_amount(transfer.amount)
    beneficiary = tlv("00", _clean_bin(transfer.bank_bin)) + tlv(
        "01", _clean_account(transfer.account)
    )
    merchant = (
        tlv("00", NAPAS_GUID)
        + tlv("01", beneficiary)
        + tlv("02", SERVICE_TO_CARD if transfer.to_card else SERVICE_TO_ACCOUNT)
    )
    bill = _clean_text(transfer.bill_number, field="bill_number", label=_("bill number"))
    purpose = _clean_text(transfer.purpose, field="purpose", label=_("purpose of payment"))
    additional = (tlv("01", bill) if bill else "") + (tlv("08", purpose) if purpose else "")
    body = (
        tlv("00", "01")
        + tlv("01", DYNAMIC if transfer.dynamic else STATIC)
        + tlv("38", merchant)
        + tlv("53", CURRENCY_VND)
        + (tlv("54", amount) if amount else "")
        + tlv("58", COUNTRY_VN)
        + (tlv("62", additional) if additional else "")
        + "6304"
    )
    if len(body) + 4 > MAX_PAYLOAD_CHARS:
        raise VietQRError(
            _("The VietQR payload would exceed %(max)s characters.") % {"max": MAX_PAYLOAD_CHARS},
            field="payload",
        )
    return body + crc_hex(body)


def invoice_purpose(code: str, reason: str) -> str:
    """The purpose of an invoice's transfer: its code, then as many whole words of the reason
    as fit in 25 characters ("HP3K7QX9MT Hoc phi thang"). The code always comes first so that
    the memo the bank sends back can be matched."""
    purpose = code
    for word in strip_diacritics(reason).split(" "):
        if not word or len(purpose) + 1 + len(word) > MAX_ADDITIONAL_CHARS:
            break
        purpose = f"{purpose} {word}"
    # A reason cut after "... -" would leave a dangling dash in the payer's memo.
    return purpose.rstrip(" -–,;:")


def invoice_payload(invoice: Invoice, bank_account: SchoolBankAccount) -> str:
    """A dynamic VietQR payload for what is still due on ``invoice``, into ``bank_account``.

    Bill number = invoice code, purpose = code + the start of the reason, amount = balance.
    Raises :class:`VietQRError` when nothing is due (a paid or cancelled invoice).
    """
    if invoice.status == InvoiceStatus.CANCELLED or invoice.balance <= 0:
        raise VietQRError(
            _("Invoice %(code)s has nothing left to pay.") % {"code": invoice.code},
            field="amount",
        )
    return payload(
        Transfer(
            bank_bin=bank_account.bank_bin,
            account=bank_account.account_number,
            amount=invoice.balance,
            bill_number=invoice.code,
            purpose=invoice_purpose(invoice.code, invoice.reason),
        )
    )


def parse(text: str) -> dict[str, str]:
    """Read a payload back: a flat dict of ``"38.01.00"``-style keys, CRC verified.

    Raises :class:`VietQRError` on a malformed chain or a wrong CRC (used by tests and by
    anyone checking a code printed by another system).
    """
    if len(text) < 8 or text[-8:-4] != "6304" or crc_hex(text[:-4]) != text[-4:].upper():
        raise VietQRError(_("The VietQR checksum (field 63) is wrong."), field="63")
    fields: dict[str, str] = {}
    _parse_into(fields, text[:-8], prefix="", nested={"38", "62", "38.01"})
    fields["63"] = text[-4:]
    return fields


def _parse_into(fields: dict[str, str], text: str, *, prefix: str, nested: set[str]) -> None:
    pos = 0
    while pos < len(text):
        tag, size = text[pos : pos + 2], text[pos + 2 : pos + 4]
        if not (tag.isdigit() and size.isdigit()) or pos + 4 + int(size) > len(text):
            raise VietQRError(
                _("The VietQR payload is malformed at position %(pos)s.") % {"pos": pos},
                field=prefix + tag,
            )
        value = text[pos + 4 : pos + 4 + int(size)]
        key = prefix + tag
        if key in nested:
            _parse_into(fields, value, prefix=key + ".", nested=nested)
        else:
            fields[key] = value
        pos += 4 + int(size)
