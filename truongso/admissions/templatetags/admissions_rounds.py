"""Filters of the department's run pages: scores and penalties as the Vietnamese write them
(``17,25``), the tie rule by its name. Run summaries keep numbers as text in JSON."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal, InvalidOperation
from typing import Any

from django import template
from django.utils.formats import number_format

from truongso.admissions.models import TieRule
from truongso.admissions.rounds_charts import percent_text

register = template.Library()


@register.filter
def points(value: Any) -> str:
    """``"17.25"`` → ``17,25`` (localised, the decimals as stored); empty stays ``–``."""
    if value is None or value == "":
        return "–"
    try:
        return number_format(Decimal(str(value)))
    except InvalidOperation:
        return str(value)


@register.filter
def points_list(values: Iterable[Any] | None) -> str:
    """``["17.25", "18.25"]`` → ``17,25 / 18,25``."""
    shown = [points(v) for v in values or []]
    return " / ".join(shown) if shown else "–"


@register.filter
def tie_rule_label(value: str) -> str:
    return str(TieRule(value).label) if value in TieRule.values else value


@register.filter
def percent(rate: Any) -> str:
    """A fill rate ``0.175`` → ``17,5 %``, as the charts beside the tables write it."""
    return "–" if rate is None or rate == "" else percent_text(rate)
