"""Horizontal bar charts for the admission pages (cut-offs, fill rates, tỷ lệ chọi, and for
a placement by zone the admitted in zone and by lottery), drawn on the server as SVG: one
row per school, up to two series (two runs side by side, or in zone / by lottery). The
``<svg role="img">`` carries a ``<title>`` and ``<desc>``; each bar its value in
``data-value`` and a ``<title>``; it scales with its container, so it fits a 360 px phone.
Pages show the same numbers in a table beside it."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.utils.formats import number_format
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

WIDTH = 480
ROW = 18  # height of one bar
GAP = 8
LABEL = 150  # room for the school label on the left
LABEL_CHARS = 22  # what fits in it at 11 px (Vietnamese capitals and diacritics are wide)
TEXT = 48  # room for the value on the right
COLOURS = ("#0d6efd", "#d63384")


@dataclass(frozen=True)
class Row:
    label: str
    values: tuple[float | None, ...]  # one per series; None draws no bar ("–")
    texts: tuple[str, ...]


def short_label(name: str, room: int = LABEL_CHARS) -> str:
    """A school's name as it fits left of the bars: without the leading "Trường" every
    school has, then cut with "…" (the bar's title keeps the whole name)."""
    name = name.removeprefix("Trường ")
    return name if len(name) <= room else name[: room - 1] + "…"


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
        label = short_label(row.label)
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


def _by_school(
    summaries: Sequence[Mapping[str, Any]],
) -> tuple[dict[int, list[Mapping[str, Any] | None]], dict[int, str]]:
    """Each school's summary row in each run (None where it is missing), and its name."""
    by_school: dict[int, list[Mapping[str, Any] | None]] = {}
    names: dict[int, str] = {}
    for s, summary in enumerate(summaries):
        for row in summary.get("schools", []):
            names[row["school_id"]] = row["name"]
            by_school.setdefault(row["school_id"], [None] * len(summaries))[s] = row
    return by_school, names


def cutoff_chart(chart_id: str, title: str, summaries: Sequence[Mapping[str, Any]]) -> SafeString:
    """Exam runs: the cut-off of each school, one series per run."""
    by_school, names = _by_school(summaries)
    rows = []
    for school_id, cells in by_school.items():
        values = tuple(
            float(c["cutoff"]) if c and c.get("cutoff") is not None else None for c in cells
        )
        texts = tuple(
            number_format(Decimal(c["cutoff"]), 2) if c and c.get("cutoff") is not None else "–"
            for c in cells
        )
        rows.append(Row(names[school_id], values, texts))
    return hbar_svg(
        chart_id=chart_id,
        title=title,
        desc=_("Cut-off score of each school; no bar when the school did not fill."),
        rows=rows,
    )


def percent_text(rate: Any) -> str:
    """A fill rate ``0.175`` → ``17,5 %`` (charts and the tables beside them)."""
    return f"{number_format(Decimal(str(rate)) * 100, 1)} %"


def fill_chart(chart_id: str, summaries: Sequence[Mapping[str, Any]]) -> SafeString:
    """Admitted as a share of the quota, one series per run (exam or zone alike)."""
    by_school, names = _by_school(summaries)
    rows = [
        Row(
            names[school_id],
            tuple(float(c["fill_rate"]) * 100 if c else None for c in cells),
            tuple(percent_text(c["fill_rate"]) if c else "–" for c in cells),
        )
        for school_id, cells in by_school.items()
    ]
    return hbar_svg(
        chart_id=chart_id,
        title=_("Fill rate"),
        desc=_("Admitted as a share of the quota, per school."),
        rows=rows,
        maximum=max([100.0, *(v for r in rows for v in r.values if v is not None)]),
    )


def zone_chart(chart_id: str, summary: Mapping[str, Any]) -> SafeString:
    """A placement by zone: per school, the children of its zone admitted, then those
    admitted by lottery (two bars)."""
    rows = [
        Row(
            row["name"],
            (float(row.get("in_zone", 0)), float(row.get("by_lottery", 0))),
            (str(row.get("in_zone", 0)), str(row.get("by_lottery", 0))),
        )
        for row in summary.get("schools", [])
    ]
    return hbar_svg(
        chart_id=chart_id,
        title=_("Admitted in zone and by lottery"),
        desc=_(
            "Per school: children of its zone admitted (first bar), admitted by lottery "
            "(second bar)."
        ),
        rows=rows,
    )


def admitted_chart(chart_id: str, summaries: Sequence[Mapping[str, Any]]) -> SafeString:
    """Admitted per school, one series per run (zone runs have no cut-off to compare)."""
    by_school, names = _by_school(summaries)
    rows = [
        Row(
            names[school_id],
            tuple(float(c["admitted"]) if c else None for c in cells),
            tuple(f"{c['admitted']}/{c['quota']}" if c else "–" for c in cells),
        )
        for school_id, cells in by_school.items()
    ]
    return hbar_svg(
        chart_id=chart_id,
        title=pgettext("admissions", "Admitted"),
        desc=_("Admitted per school and quota, in each run."),
        rows=rows,
    )
