"""The main menu, built from the permissions each entry needs (never shown without them)."""

from __future__ import annotations

from dataclasses import dataclass

from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from truongso.core import authz
from truongso.core.authz import Perm


@dataclass(frozen=True)
class NavItem:
    label: str | Promise
    url_name: str
    perm: Perm | None
    icon: str = ""
    # "main" entries sit in the bar; "manage" entries in the "Quản lý" drop-down.
    group: str = "main"


# Apps append their entries in AppConfig.ready(); order is menu order.
ITEMS: list[NavItem] = []


def add(item: NavItem) -> None:
    if item.url_name not in {i.url_name for i in ITEMS}:
        ITEMS.append(item)


def groups_for(request: HttpRequest) -> dict[str, list[dict[str, object]]]:
    grouped: dict[str, list[dict[str, object]]] = {"main": [], "manage": []}
    for item in items_for(request):
        grouped[str(item["group"])].append(item)
    return grouped


def items_for(request: HttpRequest) -> list[dict[str, object]]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return []
    result = []
    for item in ITEMS:
        if item.perm is not None and not authz.has_any(user, item.perm):
            continue
        try:
            url = reverse(item.url_name)
        except NoReverseMatch:
            continue
        result.append(
            {
                "label": str(item.label),
                "url": url,
                "active": request.path.startswith(url) and url != "/",
                "icon": item.icon,
                "group": item.group,
            }
        )
    return result


add(NavItem(_("Home"), "core:home", None, "house"))
