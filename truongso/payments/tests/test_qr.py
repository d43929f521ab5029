"""QR images: the PNG decodes back to the exact payload; the SVG is inline and well formed."""

from __future__ import annotations

import io
import re
import xml.etree.ElementTree as ET

import pytest
import zxingcpp
from PIL import Image

from truongso.payments import qr, vietqr
from truongso.payments.tests.test_vietqr import NAPAS_REFERENCE

RECEIPT_URL = "https://truongso.example.vn/bien-lai/kiem-tra/R2026-000123?k=3f9a"


def decode(png: bytes) -> list[str]:
    return [result.text for result in zxingcpp.read_barcodes(Image.open(io.BytesIO(png)))]


@pytest.mark.parametrize(
    "data",
    [
        NAPAS_REFERENCE,
        vietqr.payload(
            vietqr.Transfer(
                bank_bin="970415",
                account="113366668888",
                amount=9_999_999_999_999,
                bill_number="HP3K7QX9MT",
                purpose="HP3K7QX9MT Hoc phi thang",
            )
        ),
        RECEIPT_URL,
    ],
)
def test_png_decodes_back_to_the_payload(data: str) -> None:
    png = qr.png(data)
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    assert decode(png) == [data]


def test_png_small_scale_still_decodes() -> None:
    assert decode(qr.png(NAPAS_REFERENCE, scale=2)) == [NAPAS_REFERENCE]


def test_png_has_quiet_zone_and_is_square() -> None:
    image = Image.open(io.BytesIO(qr.png(NAPAS_REFERENCE, scale=1))).convert("L")
    size = qr.make(NAPAS_REFERENCE).symbol_size(border=0)[0]
    assert image.size == (size + 8, size + 8)
    # The 4-module border is white all round.
    assert all(image.getpixel((x, y)) == 255 for x in range(image.size[0]) for y in range(4))


def test_svg_is_inline_scalable_and_titled() -> None:
    svg = qr.svg(NAPAS_REFERENCE, title="VietQR HP3K7QX9MT")
    assert svg.startswith("<svg ")
    root = ET.fromstring(svg)  # noqa: S314 - our own output
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    assert "width" not in root.attrib
    size = (qr.make(NAPAS_REFERENCE).symbol_size(border=4)[0]) * 4
    assert root.attrib["viewBox"] == f"0 0 {size} {size}"
    assert root.attrib["class"] == "qr-code"
    assert root.find("{http://www.w3.org/2000/svg}title").text == "VietQR HP3K7QX9MT"  # type: ignore[union-attr]


def svg_modules(svg: str) -> set[tuple[int, int]]:
    """The dark modules drawn by segno's dark path (``M x y`` then ``h``/``m`` steps)."""
    paths = ET.fromstring(svg).iter("{http://www.w3.org/2000/svg}path")  # noqa: S314
    path = next(p for p in paths if p.attrib.get("stroke") == "#000")
    steps = re.findall(r"([Mmh])(-?[\d.]+)(?:[ ,](-?[\d.]+))?", path.attrib["d"])
    x = y = 0.0
    dark: set[tuple[int, int]] = set()
    for op, first, second in steps:
        if op == "M":
            x, y = float(first), float(second)
        elif op == "m":
            x, y = x + float(first), y + float(second)
        else:
            dark.update((int(x) + i, int(y)) for i in range(int(float(first))))
            x += float(first)
    return dark


def test_svg_draws_the_symbol_that_decodes() -> None:
    svg = qr.svg(NAPAS_REFERENCE)
    dark = svg_modules(svg)
    size = qr.make(NAPAS_REFERENCE).symbol_size(border=4)[0]
    image = Image.new("L", (size, size), 255)
    for x, y in dark:
        image.putpixel((x, y), 0)
    image = image.resize((size * 6, size * 6), Image.Resampling.NEAREST)
    assert [r.text for r in zxingcpp.read_barcodes(image)] == [NAPAS_REFERENCE]
