from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest

from truongso.core import navigation as nav
from truongso.core.demo import demo_tools_allowed


def navigation(request: HttpRequest) -> dict[str, Any]:
    return {
        "nav_groups": nav.groups_for(request),
        "demo_mode": settings.DEMO_MODE,
        "demo_tools": demo_tools_allowed(),
    }
