"""Org-unit pages ("Trường học"): the searchable tree, a unit's card, create, edit, close.

Thin views: each parses input, calls one selector or service, and renders. A unit outside
the user's scope is a 404 (``selectors.org_unit_detail``); an action the user may see but
not do is a 403 from the service's own check.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from truongso.core import authz
from truongso.core.authz import Perm
from truongso.core.pagination import paginate
from truongso.core.typing import AuthedRequest
from truongso.registry import selectors, selectors_org
from truongso.registry.forms_org import (
    OrgUnitFilterForm,
    OrgUnitForm,
    active_value,
    filters,
    show_errors,
)
from truongso.registry.services import org as org_services

SCHOOL_ONLY = ("level", "grade_from", "grade_to", "ownership")
CONTACT = set(org_services.CONTACT_FIELDS)


@login_required
@require_GET
def orgunit_list(request: AuthedRequest) -> HttpResponse:
    user = request.user
    if not authz.has_any(user, Perm.ORG_VIEW):
        raise PermissionDenied
    form = OrgUnitFilterForm(request.GET, parents=selectors_org.bureau_choices(user))
    chosen = filters(form)
    units = selectors.org_unit_list(
        user,
        query=chosen.get("q", ""),
        kind=chosen.get("kind", ""),
        level=chosen.get("level", ""),
        parent=chosen.get("parent"),
        active=active_value(request.GET.get("active")),
    )
    return render(
        request,
        "registry/org/list.html",
        {
            "form": form,
            "page_obj": paginate(request, units),
            "may_create": selectors_org.parent_choices(user).exists(),
        },
    )


@login_required
@require_GET
def orgunit_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    user = request.user
    unit = selectors.org_unit_detail(user, pk)
    year = selectors.current_year()
    editable = org_services.org_unit_editable_fields(user, unit)
    parent_path = unit.parent.path if unit.parent else None
    return render(
        request,
        "registry/org/detail.html",
        {
            "unit": unit,
            "year": year,
            "figures": selectors_org.org_unit_figures(unit, year),
            "children": selectors_org.org_unit_children(user, unit),
            "heads": selectors_org.org_unit_heads(unit) if unit.is_school else [],
            "may_edit": bool(editable),
            "may_view_staff": authz.has_any(user, Perm.STAFF_VIEW),
            "may_close": bool(parent_path and authz.can(user, Perm.ORG_MANAGE, parent_path)),
            "may_add_child": unit.is_active
            and selectors_org.parent_choices(user).filter(pk=unit.pk).exists(),
        },
    )


@login_required
def orgunit_create(request: AuthedRequest) -> HttpResponse:
    user = request.user
    parents = selectors_org.parent_choices(user)
    if not parents.exists():
        raise PermissionDenied
    initial = {"parent": request.GET.get("parent")} if request.method == "GET" else None
    form = OrgUnitForm(request.POST or None, parents=parents, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            unit = org_services.org_unit_create(actor=user, **_create_args(form.cleaned_data))
        except ValidationError as exc:
            show_errors(form, exc)
        else:
            messages.success(request, _("%(name)s was created.") % {"name": unit.name})
            return redirect("registry:orgunit_detail", pk=unit.pk)
    return render(request, "registry/org/form.html", {"form": form, "unit": None})


def _create_args(data: dict[str, Any]) -> dict[str, Any]:
    args = dict(data)
    for name in ("level", "ownership", "address", "phone", "email"):
        args[name] = args.get(name) or ""
    return args


@login_required
def orgunit_edit(request: AuthedRequest, pk: int) -> HttpResponse:
    user = request.user
    unit = selectors.org_unit_detail(user, pk)
    editable = org_services.org_unit_editable_fields(user, unit)
    if not editable:
        raise PermissionDenied
    if not unit.is_school:
        editable = tuple(name for name in editable if name not in SCHOOL_ONLY)
    initial = {name: getattr(unit, name) for name in editable}
    form = OrgUnitForm(request.POST or None, initial=initial, editable=editable)
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k in editable}
        for name in ("level", "ownership", "address", "phone", "email"):
            if name in data and data[name] is None:
                data[name] = ""
        try:
            org_services.org_unit_update(actor=user, unit=unit, data=data)
        except ValidationError as exc:
            show_errors(form, exc)
        else:
            messages.success(request, _("The changes were saved."))
            return redirect("registry:orgunit_detail", pk=unit.pk)
    return render(
        request,
        "registry/org/form.html",
        {"form": form, "unit": unit, "contact_only": set(editable) <= CONTACT},
    )


@login_required
@require_POST
def orgunit_close(request: AuthedRequest, pk: int) -> HttpResponse:
    return _set_active(request, pk, active=False)


@login_required
@require_POST
def orgunit_reopen(request: AuthedRequest, pk: int) -> HttpResponse:
    return _set_active(request, pk, active=True)


def _set_active(request: AuthedRequest, pk: int, *, active: bool) -> HttpResponse:
    # Closed units stay visible to their managers: look them up among open and closed.
    unit = selectors.org_unit_detail(request.user, pk)
    try:
        org_services.org_unit_set_active(actor=request.user, unit=unit, active=active)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        if active:
            messages.success(request, _("%(name)s was reopened.") % {"name": unit.name})
        else:
            messages.success(request, _("%(name)s was closed.") % {"name": unit.name})
    return redirect("registry:orgunit_detail", pk=unit.pk)
