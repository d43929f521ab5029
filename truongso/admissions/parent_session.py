"""The parent's session after OTP: a signed, long-lived cookie naming the verified phone.

No password and no database row: the cookie is the phone signed with ``SECRET_KEY``
(``django.core.signing``, salted and timestamped), valid ``ADMISSIONS_PARENT_SESSION_DAYS``
days (30). Whoever holds it may see and edit the applications registered with that phone,
nothing else; staff logins are unaffected. Checking it costs a few microseconds, so the
day-one peak is not spent on password hashing (DESIGN.md §5).
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse

COOKIE = "truongso_admission"
SALT = "truongso.admissions.parent-session"


def max_age() -> int:
    return int(getattr(settings, "ADMISSIONS_PARENT_SESSION_DAYS", 30)) * 24 * 3600


def session_phone(request: HttpRequest) -> str | None:
    """The verified phone of this browser, or ``None`` (no cookie, tampered or too old)."""
    value = request.get_signed_cookie(COOKIE, default=None, salt=SALT, max_age=max_age())
    return value or None


def session_open(response: HttpResponse, phone: str) -> None:
    response.set_signed_cookie(
        COOKIE,
        phone,
        salt=SALT,
        max_age=max_age(),
        httponly=True,
        secure=settings.SESSION_COOKIE_SECURE,
        samesite="Lax",
    )


def session_close(response: HttpResponse) -> None:
    response.delete_cookie(COOKIE, samesite="Lax")
