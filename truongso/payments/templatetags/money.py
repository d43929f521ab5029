"""``{% load money %}``: ``{{ invoice.balance|vnd }}`` → 1.500.000 đ."""

from __future__ import annotations

from django import template

from truongso.payments import money

register = template.Library()


@register.filter
def vnd(amount: int | None) -> str:
    return money.vnd(amount)
