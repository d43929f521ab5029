from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest

from truongso.core import navigation as nav


def navigation(request: HttpRequest) -> dict[str, Any]:
    return {
        "nav_groups": nav.groups_for(request),
        "demo_mode": settings.DEMO_MODE,
    }
