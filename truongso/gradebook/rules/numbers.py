"""Exact score arithmetic in tenths of a point.

Scores are entered with at most one decimal place (Thông tư 22/2021/TT-BGDĐT, Art. 5.3.b),
so every score is a whole number of tenths. Averages are computed on those integers and
rounded half up to one decimal place exactly as ``Decimal(...).quantize(Decimal("0.1"),
ROUND_HALF_UP)`` would (binary floats would turn 8.25 into 8.2); the integer form is also
what lets a district's year be computed in a fraction of a second.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

TENTH = Decimal("0.1")


def to_tenths(value: Decimal) -> int:
    """8.5 -> 85. The value must already have at most one decimal place."""
    tenths = value * 10
    if tenths != tenths.to_integral_value():
        raise ValueError(f"{value} has more than one decimal place")
    return int(tenths)


def from_tenths(tenths: int) -> Decimal:
    """85 -> Decimal("8.5")."""
    return (Decimal(tenths) / 10).quantize(TENTH)


def weighted_average_tenths(pairs: Iterable[tuple[int, int]]) -> int:
    """Σ(score·weight) / Σweight, in tenths, rounded half up (scores are non-negative)."""
    numerator = 0
    denominator = 0
    for tenths, weight in pairs:
        numerator += tenths * weight
        denominator += weight
    if denominator == 0:
        raise ValueError("no weights")
    return (2 * numerator + denominator) // (2 * denominator)


def round_half_up(value: Decimal) -> Decimal:
    return value.quantize(TENTH, rounding=ROUND_HALF_UP)


def parse_decimal(raw: str) -> Decimal | None:
    """ "8,5" or "8.5" -> Decimal("8.5"); None when not a plain decimal number."""
    text = raw.strip().replace(",", ".")
    if not text or text.count(".") > 1 or not text.replace(".", "").isdigit():
        return None
    try:
        return Decimal(text)
    except InvalidOperation:
        return None
