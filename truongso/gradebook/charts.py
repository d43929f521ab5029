"""Bar charts and histograms drawn on the server as SVG: no JavaScript, no chart library.

A chart is an ``<svg role="img">`` labelled by its own ``<title>`` and ``<desc>`` (screen
readers read both), with one ``<rect class="bar">`` per bar carrying its count in
``data-value`` and a ``<title>`` of its own (shown on hover). It scales with its container
(``viewBox``, no fixed width). Pages show the same numbers in a table beside it, so the chart
is never the only way to read them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

WIDTH, HEIGHT = 480, 220
TOP, BOTTOM, SIDE = 22, 34, 6  # room for the counts above and the labels below the bars
BAR_SHARE = 0.7  # of each slot; the rest is the gap between bars
FILL = "#0d6efd"  # Bootstrap's primary blue (4.5:1 against white for the text beside it)


@dataclass(frozen=True)
class Bar:
    label: str
    value: int
    note: str = ""  # shown with the count, e.g. "45,6%"


@dataclass(frozen=True)
class Chart:
    """A titled series of bars; ``svg`` draws it, the template lists ``bars`` as a table."""

    chart_id: str
    title: str
    desc: str
    bars: Sequence[Bar]

    @property
    def total(self) -> int:
        return sum(bar.value for bar in self.bars)

    @property
    def svg(self) -> SafeString:
        return bar_chart_svg(self)


def _number(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


def _bar(bar: Bar, x: float, width: float, height: float) -> str:
    base = HEIGHT - BOTTOM
    top = base - height
    centre = x + width / 2
    caption = f"{bar.label}: {bar.value}" + (f" ({bar.note})" if bar.note else "")
    return (
        f"<g><title>{escape(caption)}</title>"
        f'<rect class="bar" x="{_number(x)}" y="{_number(top)}" width="{_number(width)}" '
        f'height="{_number(height)}" fill="{FILL}" data-value="{bar.value}"/>'
        f'<text x="{_number(centre)}" y="{_number(top - 5)}" text-anchor="middle" '
        f'font-size="15">{bar.value}</text>'
        f'<text x="{_number(centre)}" y="{_number(base + 18)}" text-anchor="middle" '
        f'font-size="14">{escape(bar.label)}</text></g>'
    )


def bar_chart_svg(chart: Chart) -> SafeString:
    """Vertical bars, heights proportional to the values (the tallest fills the plot)."""
    slot = (WIDTH - 2 * SIDE) / max(len(chart.bars), 1)
    width = slot * BAR_SHARE
    plot = HEIGHT - TOP - BOTTOM
    highest = max((bar.value for bar in chart.bars), default=0) or 1
    bars = "".join(
        _bar(bar, SIDE + i * slot + (slot - width) / 2, width, plot * bar.value / highest)
        for i, bar in enumerate(chart.bars)
    )
    ident = escape(chart.chart_id)
    base = HEIGHT - BOTTOM
    return mark_safe(  # noqa: S308 - every text inside is escaped above
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
        f'aria-labelledby="{ident}-title {ident}-desc" class="chart w-100 h-auto" '
        f'font-family="system-ui, sans-serif">'
        f'<title id="{ident}-title">{escape(chart.title)}</title>'
        f'<desc id="{ident}-desc">{escape(chart.desc)}</desc>'
        f'<line x1="{SIDE}" y1="{base}" x2="{WIDTH - SIDE}" y2="{base}" stroke="#6c757d"/>'
        f"{bars}</svg>"
    )
