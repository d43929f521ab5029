from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from truongso.core import authz

# Paths reachable before the second factor: the login flow itself and public pages.
_OPEN_PREFIXES = (
    "/accounts/login/",
    "/accounts/logout/",
    "/accounts/otp/",
    "/static/",
    "/healthz",
    "/i18n/",
    "/verify/",
)


def needs_second_factor(user: object) -> bool:
    """Officers, principals and superusers confirm every login with TOTP."""
    if getattr(user, "is_superuser", False):
        return True
    return bool(authz.roles(user) & authz.SECOND_FACTOR_ROLES)


class SecondFactorMiddleware:
    """Officers and principals must pass TOTP before anything else (session logins only;
    API tokens can only be created from a verified session)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if (
            user.is_authenticated
            and not request.path.startswith(_OPEN_PREFIXES)
            and not getattr(user, "is_verified", lambda: False)()
            and needs_second_factor(user)
        ):
            if request.path.startswith("/api/"):
                return JsonResponse(
                    {"detail": _("Second factor (TOTP) required for this account.")}, status=403
                )
            return redirect(
                f"{reverse('accounts:otp')}?{urlencode({'next': request.get_full_path()})}"
            )
        return self.get_response(request)
