"""PDF building blocks shared by every document the project prints (receipts, report cards).

ReportLab with DejaVu Sans, shipped in ``truongso/core/fonts/`` with its licence: ReportLab's
own Vera font lacks most Vietnamese letters (108 of 155 code points). The TrueType font is
embedded as a subset with a ToUnicode map, so the text of every PDF can be searched, copied
and read back by machines (tests read receipts with pypdf). Fonts are registered once per
process; a one-page document then takes about 10 ms.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.graphics.shapes import Drawing
from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

FONT_DIR = Path(__file__).resolve().parent / "fonts"
FONT = "DejaVuSans"
FONT_BOLD = "DejaVuSans-Bold"


@functools.cache
def register_fonts() -> None:
    """Register DejaVu Sans (regular and bold) with ReportLab, once per process."""
    pdfmetrics.registerFont(TTFont(FONT, str(FONT_DIR / "DejaVuSans.ttf")))
    pdfmetrics.registerFont(TTFont(FONT_BOLD, str(FONT_DIR / "DejaVuSans-Bold.ttf")))
    pdfmetrics.registerFontFamily(
        FONT, normal=FONT, bold=FONT_BOLD, italic=FONT, boldItalic=FONT_BOLD
    )


@functools.cache
def styles() -> dict[str, ParagraphStyle]:
    """Paragraph styles in DejaVu Sans: ``body``, ``small``, ``title``, ``heading``, ``right``."""
    register_fonts()
    body = ParagraphStyle("body", fontName=FONT, fontSize=10, leading=14)
    return {
        "body": body,
        "small": ParagraphStyle("small", parent=body, fontSize=8, leading=11),
        "title": ParagraphStyle(
            "title", parent=body, fontName=FONT_BOLD, fontSize=15, leading=20, alignment=1
        ),
        "heading": ParagraphStyle(
            "heading", parent=body, fontName=FONT_BOLD, fontSize=11, leading=15
        ),
        "centre": ParagraphStyle("centre", parent=body, alignment=1),
        "right": ParagraphStyle("right", parent=body, alignment=2),
    }


def qr_drawing(data: str, size: float) -> Drawing:
    """A vector QR code of ``data`` (error correction M), ``size`` points square."""
    widget: Any = QrCodeWidget(data, barLevel="M")
    x0, y0, x1, y1 = widget.getBounds()
    width, height = x1 - x0, y1 - y0
    drawing = Drawing(size, size, transform=[size / width, 0, 0, size / height, 0, 0])
    drawing.add(widget)
    return drawing
