"""Whether demo-only tools are on: the buttons that play an outside party (a parent's bank,
an exam board's score file) so that a demo can be walked without one. Never in production:
only with ``TRUONGSO_DEMO=1`` (``make demo``), ``DEBUG`` or under tests."""

from __future__ import annotations

from django.conf import settings


def demo_tools_allowed() -> bool:
    return bool(settings.DEMO_MODE or settings.DEBUG or settings.TESTING)
