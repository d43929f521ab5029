"""Horizontal bar charts for the admission pages (cut-offs, fill rates, tỷ lệ chọi), drawn
on the server as SVG: one row per school, up to two series (two runs side by side). The
``<svg role="img">`` carries a ``<title>`` and ``<desc>``; each bar its value in
``data-value`` and a ``<title>``; it scales with its container, so it fits a 360 px phone.
Pages show the same numbers in a table beside it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

WIDTH = 480
ROW = 18  # height of one bar
GAP = 8
LABEL = 150  # room for the school label on the left
TEXT = 48  # room for the value on the right
COLOURS = ("#0d6efd", "#d63384")


@dataclass(frozen=True)
class Row:
    label: str
    values: tuple[float | None, ...]  # one per series; None draws no bar ("–")
    texts: tuple[str, ...]


def hbar_svg(
    *, chart_id: str, title: str, desc: str, rows: Sequence[Row], maximum: float | None = None
) -> SafeString:
    series = max((len(r.values) for r in rows), default=1)
    top = maximum or max((v for r in rows for v in r.values if v is not None), default=1) or 1
    block = ROW * series + GAP
    height = max(block * len(rows) + GAP, 30)
    span = WIDTH - LABEL - TEXT
    parts = [
        f'<svg id="{escape(chart_id)}" class="admission-chart" role="img" '
        f'viewBox="0 0 {WIDTH} {height}" width="100%" preserveAspectRatio="xMinYMin meet" '
        f'aria-labelledby="{escape(chart_id)}-t {escape(chart_id)}-d" '
        f'xmlns="http://www.w3.org/2000/svg">',
        f'<title id="{escape(chart_id)}-t">{escape(title)}</title>',
        f'<desc id="{escape(chart_id)}-d">{escape(desc)}</desc>',
    ]
    for i, row in enumerate(rows):
        y = GAP + i * block
        label = row.label if len(row.label) <= 24 else row.label[:23] + "…"
        parts.append(
            f'<text x="{LABEL - 4}" y="{y + ROW * series / 2 + 4:.1f}" text-anchor="end" '
            f'font-size="11">{escape(label)}</text>'
        )
        for s, value in enumerate(row.values):
            by = y + s * ROW
            text = row.texts[s] if s < len(row.texts) else ""
            width = 0.0 if value is None else max(span * min(value / top, 1.0), 1.0)
            parts.append(
                f'<rect class="bar" x="{LABEL}" y="{by + 2}" width="{width:.1f}" '
                f'height="{ROW - 4}" fill="{COLOURS[s % len(COLOURS)]}" '
                f'data-value="{"" if value is None else value}">'
                f"<title>{escape(row.label)}: {escape(text)}</title></rect>"
            )
            parts.append(
                f'<text x="{LABEL + width + 3:.1f}" y="{by + ROW - 5}" font-size="10">'
                f"{escape(text)}</text>"
            )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every text above is escaped
