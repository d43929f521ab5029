"""QR images of payment payloads (VietQR) and links (receipt verification), with segno.

Pages embed the SVG (sharp at any zoom, a few kB, prints well on the payment notice); the PNG
is for downloads and for apps that want a bitmap. Error correction M (15 %) is what banking
apps expect of VietQR codes and survives a creased paper notice; segno raises it for free when
the code has room. The quiet zone of 4 modules is the QR standard's minimum: scanners in
banking apps fail more often without it.
"""

from __future__ import annotations

import io

import segno

ERROR_LEVEL = "m"
QUIET_ZONE = 4


def make(data: str) -> segno.QRCode:
    return segno.make_qr(data, error=ERROR_LEVEL, boost_error=True)


def png(data: str, *, scale: int = 8) -> bytes:
    """A black-on-white PNG, ``scale`` pixels per module."""
    buffer = io.BytesIO()
    make(data).save(buffer, kind="png", scale=scale, border=QUIET_ZONE)
    return buffer.getvalue()


def svg(data: str, *, scale: int = 4, title: str = "") -> str:
    """An inline ``<svg>`` element (no XML declaration) that scales with its container."""
    buffer = io.BytesIO()
    make(data).save(
        buffer,
        kind="svg",
        scale=scale,
        border=QUIET_ZONE,
        xmldecl=False,
        svgns=True,
        title=title or None,
        svgclass="qr-code",
        lineclass=None,
        light="#fff",
        omitsize=True,
        nl=False,
    )
    return buffer.getvalue().decode("utf-8")
