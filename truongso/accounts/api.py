"""API authentication by personal token: ``Authorization: Bearer ts_<prefix>_<secret>``."""

from __future__ import annotations

import datetime as dt
import hmac
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework import authentication, exceptions
from rest_framework.request import Request

from truongso.accounts.models import ApiToken

TOKEN_PREFIX = "ts_"  # noqa: S105 - a public marker, not a secret
_TOUCH_EVERY = dt.timedelta(minutes=5)


def parse_token(raw: str) -> tuple[str, str] | None:
    """``ts_<prefix>_<secret>`` -> (prefix, full token); None when malformed."""
    if not raw.startswith(TOKEN_PREFIX):
        return None
    parts = raw.split("_", 2)
    if len(parts) != 3 or not parts[1] or not parts[2]:
        return None
    return parts[1], raw


class TokenAuthentication(authentication.BaseAuthentication):
    keywords = ("bearer", "token")

    def authenticate(self, request: Request) -> tuple[Any, ApiToken] | None:
        header = authentication.get_authorization_header(request).decode("latin-1").split()
        if not header or header[0].lower() not in self.keywords:
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed(_("Malformed Authorization header."))
        parsed = parse_token(header[1])
        if parsed is None:
            raise exceptions.AuthenticationFailed(_("Invalid API token."))
        prefix, secret = parsed
        token = ApiToken.objects.select_related("user").filter(prefix=prefix).first()
        now = timezone.now()
        if (
            token is None
            or not hmac.compare_digest(token.digest, ApiToken.hash_secret(secret))
            or token.revoked_at is not None
            or (token.expires_at is not None and token.expires_at <= now)
            or not token.user.is_active
        ):
            raise exceptions.AuthenticationFailed(_("Invalid, expired or revoked API token."))
        if token.last_used_at is None or now - token.last_used_at > _TOUCH_EVERY:
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        return token.user, token

    def authenticate_header(self, request: Request) -> str:
        return 'Bearer realm="api"'
