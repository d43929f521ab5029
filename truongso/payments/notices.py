"""What a parent is shown to pay an invoice: the school's account, the amount, the transfer
memo and the VietQR code (payload string and SVG image), the same on the invoice page, the
parent portal, the printable notice and in the API."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from truongso.payments import qr, vietqr
from truongso.payments.models import Invoice, SchoolBankAccount


@dataclass(frozen=True)
class PaymentQR:
    code: str
    account: SchoolBankAccount
    amount: int
    memo: str
    payload: str

    @property
    def svg(self) -> SafeString:
        title = _("VietQR code to pay invoice %(code)s") % {"code": self.code}
        return mark_safe(qr.svg(self.payload, title=title))  # noqa: S308 - segno's own SVG


def payment_qr(invoice: Invoice, account: SchoolBankAccount | None) -> PaymentQR | None:
    """The VietQR of what is still due; ``None`` when nothing is due or the school has no
    collection account configured."""
    if account is None:
        return None
    try:
        payload = vietqr.invoice_payload(invoice, account)
    except vietqr.VietQRError:
        return None
    memo = vietqr.invoice_purpose(invoice.code, invoice.reason)
    return PaymentQR(
        code=invoice.code, account=account, amount=invoice.balance, memo=memo, payload=payload
    )
