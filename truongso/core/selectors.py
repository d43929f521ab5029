"""The dashboard: what each user sees first, counted through the authorization layer."""

from __future__ import annotations

from typing import Any

from django.apps import apps

from truongso.core import authz
from truongso.core.authz import Perm

# (label, app model, permission): apps add their cards in AppConfig.ready().
CARDS: list[tuple[Any, str, Perm, str]] = []


def add_card(label: Any, model_label: str, perm: Perm, url_name: str) -> None:
    CARDS.append((label, model_label, perm, url_name))


def dashboard_for(user: Any) -> dict[str, Any]:
    cards = []
    for label, model_label, perm, url_name in CARDS:
        if not authz.has_any(user, perm):
            continue
        model = apps.get_model(model_label)
        queryset = authz.scope(user, perm, model._default_manager.all())
        cards.append({"label": label, "count": queryset.count(), "url_name": url_name})
    return {"cards": cards, "roles": sorted(authz.roles(user))}
