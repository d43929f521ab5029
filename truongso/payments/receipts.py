"""Receipts (biên lai thu tiền): one PDF per payment, and the public check of a receipt.

The PDF is made with ReportLab and DejaVu Sans (``core.pdf``), so its Vietnamese text can be
searched and read back. It carries a QR code of a public address where anyone holding the
paper can check that the school really received the money: the address holds a signed
reference to the payment (nothing to guess), and the page shows only masked data (initials
of the payer, the amount, the date and the school), never a child's full name.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

from django.core import signing
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from reportlab.lib import colors
from reportlab.lib.pagesizes import A5
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from truongso.core import pdf
from truongso.payments.models import Payment, PaymentStatus
from truongso.payments.money import vnd

SALT = "truongso.payments.receipt"


def receipt_number(payment: Payment) -> str:
    """BL + the school's code + the payment's number: unique, and says where it was paid."""
    return f"BL-{payment.school.code}-{payment.pk:07d}"


def check_token(payment: Payment) -> str:
    return signing.Signer(salt=SALT).sign(str(payment.pk)).replace(":", ".")


def payment_pk_from(token: str) -> int | None:
    """The payment a receipt-check token names, or ``None`` when it is forged or garbled."""
    try:
        value = signing.Signer(salt=SALT).unsign(token.replace(".", ":"))
    except signing.BadSignature:
        return None
    return int(value) if value.isdigit() else None


def check_path(payment: Payment) -> str:
    return reverse("payments:receipt_check", kwargs={"token": check_token(payment)})


def mask_name(name: str) -> str:
    """Initials only: "Nguyễn Văn An" → "N. V. A."."""
    return " ".join(f"{word[0]}." for word in name.split() if word) or "—"


@dataclass(frozen=True)
class ReceiptCheck:
    number: str
    school: str
    paid_at: str
    amount: int
    payer: str
    refunded: bool


def receipt_check(payment: Payment) -> ReceiptCheck:
    local = timezone.localtime(payment.paid_at)
    return ReceiptCheck(
        number=receipt_number(payment),
        school=payment.school.name,
        paid_at=local.strftime("%d/%m/%Y %H:%M"),
        amount=payment.amount,
        payer=mask_name(
            payment.payer_name or (payment.student.full_name if payment.student else "")
        ),
        refunded=payment.status == PaymentStatus.REFUNDED,
    )


# --- The PDF ------------------------------------------------------------------------------


def receipt_pdf(payment: Payment, *, check_url: str) -> bytes:
    """A one-page A5 receipt of ``payment`` (allocations prefetched with their invoices)."""
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=A5,
        leftMargin=12 * mm,
        rightMargin=12 * mm,
        topMargin=10 * mm,
        bottomMargin=10 * mm,
        title=_("Receipt %(number)s") % {"number": receipt_number(payment)},
        author=payment.school.name,
    )
    doc.build(_story(payment, check_url))
    return buffer.getvalue()


def _story(payment: Payment, check_url: str) -> list[object]:
    s = pdf.styles()
    local = timezone.localtime(payment.paid_at)
    facts = [
        (_("Receipt number"), receipt_number(payment)),
        (_("Received on"), local.strftime("%d/%m/%Y %H:%M")),
        (_("Payer"), payment.payer_name or "—"),
        (_("Method"), payment.get_method_display()),
        (_("Transaction reference"), payment.provider_ref),
        (_("Amount"), vnd(payment.amount)),
    ]
    if payment.memo:
        facts.append((_("Transfer memo"), payment.memo))
    return [
        Paragraph(payment.school.name, s["centre"]),
        Spacer(1, 2 * mm),
        Paragraph(_("RECEIPT"), s["title"]),
        Spacer(1, 4 * mm),
        _table([[Paragraph(k, s["small"]), Paragraph(v, s["body"])] for k, v in facts], [34, 90]),
        Spacer(1, 4 * mm),
        *_allocations(payment),
        Spacer(1, 5 * mm),
        _verify_block(check_url),
    ]


def _allocations(payment: Payment) -> list[object]:
    s = pdf.styles()
    rows = [
        [
            Paragraph(_("Invoice"), s["small"]),
            Paragraph(_("Student"), s["small"]),
            Paragraph(_("For"), s["small"]),
            Paragraph(_("Amount"), s["small"]),
        ]
    ]
    for allocation in payment.allocations.all():
        invoice = allocation.invoice
        rows.append(
            [
                Paragraph(invoice.code, s["small"]),
                Paragraph(invoice.student.full_name, s["small"]),
                Paragraph(invoice.period_label, s["small"]),
                Paragraph(vnd(allocation.amount), s["right"]),
            ]
        )
    notes = []
    if payment.credited:
        notes.append(
            _("Kept as credit for the next invoices: %(a)s") % {"a": vnd(payment.credited)}
        )
    if payment.unassigned:
        notes.append(_("Not yet assigned to an invoice: %(a)s") % {"a": vnd(payment.unassigned)})
    if payment.refunded:
        notes.append(_("Refunded: %(a)s") % {"a": vnd(payment.refunded)})
    story: list[object] = [Paragraph(_("Paid for"), s["heading"])]
    if len(rows) > 1:
        story.append(_table(rows, [26, 40, 30, 28], header=True))
    story += [Paragraph(note, s["body"]) for note in notes]
    return story


def _verify_block(check_url: str) -> Table:
    s = pdf.styles()
    text = Paragraph(
        _("Scan the code or open the address below to check this receipt:")
        + f"<br/><font size=7>{check_url}</font>",
        s["small"],
    )
    return _table([[pdf.qr_drawing(check_url, 26 * mm), text]], [30, 94], grid=False)


def _table(
    rows: list[list[object]], widths_mm: list[int], *, header: bool = False, grid: bool = True
) -> Table:
    table = Table(rows, colWidths=[w * mm for w in widths_mm])
    style: list[tuple[object, ...]] = [("VALIGN", (0, 0), (-1, -1), "MIDDLE")]
    if grid:
        style.append(("GRID", (0, 0), (-1, -1), 0.4, colors.grey))
    if header:
        style.append(("BACKGROUND", (0, 0), (-1, 0), colors.whitesmoke))
    table.setStyle(TableStyle(style))
    return table
