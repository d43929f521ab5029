"""Typing helpers shared by views."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.http import HttpRequest

if TYPE_CHECKING:
    from truongso.accounts.models import User


class AuthedRequest(HttpRequest):
    """The request of a view behind ``login_required``: ``user`` is a real account."""

    user: User
