"""The department's chart: share of cashless collection per school, drawn on the server as SVG.

Horizontal bars (school names are long), one ``<rect class="bar">`` per school with its
percentage in ``data-value`` and a ``<title>`` read on hover and by screen readers; the
chart scales with its container (``viewBox``) and the page shows the same figures in a table.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from truongso.payments.selectors_pages import SchoolShare

WIDTH = 640
ROW = 30  # height of one school's row
LABEL = 250  # room for the school's name on the left
BAR_MAX = WIDTH - LABEL - 70  # and for the percentage on the right
FILL = "#198754"  # Bootstrap's success green
TRACK = "#e9ecef"


def _number(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


def _percent_text(value: float) -> str:
    return _number(value).replace(".", ",") + " %"


def _row(index: int, share: SchoolShare) -> str:
    y = index * ROW + 6
    width = BAR_MAX * share.percent / 100
    name = escape(share.school.name)
    caption = escape(f"{share.school.name}: {_percent_text(share.percent)}")
    return (
        f"<g><title>{caption}</title>"
        f'<text x="{LABEL - 8}" y="{y + 14}" text-anchor="end" font-size="13">{name}</text>'
        f'<rect x="{LABEL}" y="{y}" width="{BAR_MAX}" height="{ROW - 12}" fill="{TRACK}"/>'
        f'<rect class="bar" x="{LABEL}" y="{y}" width="{_number(width)}" height="{ROW - 12}" '
        f'fill="{FILL}" data-value="{_number(share.percent)}"/>'
        f'<text x="{LABEL + BAR_MAX + 6}" y="{y + 14}" font-size="13">'
        f"{_percent_text(share.percent)}</text></g>"
    )


def cashless_chart_svg(shares: Sequence[SchoolShare], *, title: str, desc: str) -> SafeString:
    height = max(len(shares), 1) * ROW + 6
    rows = "".join(_row(i, share) for i, share in enumerate(shares))
    return mark_safe(  # noqa: S308 - every text above is escaped
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height}" role="img" '
        f'aria-labelledby="cashless-title cashless-desc" class="chart w-100" '
        f'font-family="system-ui, sans-serif">'
        f'<title id="cashless-title">{escape(title)}</title>'
        f'<desc id="cashless-desc">{escape(desc)}</desc>{rows}</svg>'
    )
