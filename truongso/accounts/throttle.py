"""Login throttling: failures counted per (username, IP) and per IP in the shared cache.

With several app servers the cache is Redis, so the counts are shared. A lock-out expires
by itself after ``LOGIN_LOCKOUT_SECONDS``; a successful login clears the user's count.
"""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.core.cache import cache


def _key(kind: str, *parts: str) -> str:
    digest = hashlib.sha256("\x00".join(parts).encode()).hexdigest()[:32]
    return f"login-fail:{kind}:{digest}"


def _keys(username: str, ip: str | None) -> tuple[str, str]:
    return _key("user", username.lower(), ip or ""), _key("ip", ip or "")


def is_locked(username: str, ip: str | None) -> bool:
    user_key, ip_key = _keys(username, ip)
    user_failures: int = cache.get(user_key, 0)
    ip_failures: int = cache.get(ip_key, 0)
    return (
        user_failures >= settings.LOGIN_FAILURE_LIMIT
        or ip_failures >= settings.LOGIN_FAILURE_IP_LIMIT
    )


def record_failure(username: str, ip: str | None) -> int:
    """Count one failure; returns the failures so far for this username and IP."""
    count = 0
    for key in _keys(username, ip):
        cache.add(key, 0, settings.LOGIN_LOCKOUT_SECONDS)
        try:
            value = cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.set(key, 1, settings.LOGIN_LOCKOUT_SECONDS)
            value = 1
        count = count or value
    return count


def clear(username: str, ip: str | None) -> None:
    cache.delete(_keys(username, ip)[0])
