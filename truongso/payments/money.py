"""Amounts of money as Vietnamese people write them: 1.500.000 đ (dots between thousands)."""

from __future__ import annotations


def vnd(amount: int | None) -> str:
    """``1500000`` → ``"1.500.000 đ"``; negative amounts keep their sign."""
    if amount is None:
        return "—"
    sign = "-" if amount < 0 else ""
    return f"{sign}{abs(int(amount)):,}".replace(",", ".") + " đ"
