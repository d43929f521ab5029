"""Helpers shared by the payments views (never imported outside the views)."""

from __future__ import annotations

from typing import Any

from django.http import HttpResponse
from django.shortcuts import render
from django.utils.cache import patch_vary_headers

from truongso.core import authz
from truongso.core.authz import Perm
from truongso.core.typing import AuthedRequest
from truongso.payments import selectors_pages as pages
from truongso.registry.models import OrgUnit

FAMILY_ROLES = {"parent", "student"}


def wants_fragment(request: AuthedRequest) -> bool:
    """An HTMX request for a region of the page (not a history restore of the whole page)."""
    htmx: Any = getattr(request, "htmx", None)
    return bool(htmx) and not htmx.history_restore_request and not htmx.boosted


def render_region(
    request: AuthedRequest, template: str, partial: str, context: dict[str, Any]
) -> HttpResponse:
    """The whole page, or only its ``partial`` for an HTMX request; caches keep them apart."""
    name = f"{template}#{partial}" if wants_fragment(request) else template
    response = render(request, name, context)
    patch_vary_headers(response, ["HX-Request"])
    return response


def is_family_only(user: Any) -> bool:
    """Parents and students (and nobody else) use the family portal."""
    roles = authz.roles(user)
    return bool(roles) and roles <= FAMILY_ROLES and not user.is_superuser


def manages_payments(user: Any) -> bool:
    return bool(user.is_superuser or authz.grant_roots(user, Perm.PAYMENT_MANAGE))


def school_or_choice(request: AuthedRequest) -> tuple[OrgUnit | None, HttpResponse | None]:
    """The school of a management page, or the page to answer instead (choose a school,
    or 403 for a user who manages no school's payments)."""
    school, count = pages.pick_school(
        request.user, Perm.PAYMENT_MANAGE, request.GET.get("school", "")
    )
    if school is not None:
        return school, None
    if count == 0:
        return None, render(request, "403.html", status=403)
    schools = pages.schools_for(request.user, Perm.PAYMENT_MANAGE)
    return None, render(
        request, "payments/choose_school.html", {"schools": schools, "next": request.path}
    )
