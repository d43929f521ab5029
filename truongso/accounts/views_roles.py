"""Role management (phân quyền): the grants in the user's scope, grant and revoke.

Grants are read through ``authz.scope(user, Perm.ROLE_MANAGE, ...)``; writes go through
``accounts.services.role_grant`` / ``role_revoke``, which check the permission again.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from truongso.accounts import services
from truongso.accounts.forms_roles import ROLE_LABELS, RoleFilterForm, RoleGrantForm
from truongso.accounts.selectors_roles import (
    grant_list,
    grants_in_scope,
    known_users,
    may_handle,
    role_manage_units,
)
from truongso.core import authz
from truongso.core.authz import Perm
from truongso.core.pagination import paginate
from truongso.core.typing import AuthedRequest

KNOWN_USERS_SHOWN = 500


def _require_role_manage(user: object) -> None:
    if not authz.has_any(user, Perm.ROLE_MANAGE):
        raise PermissionDenied


@login_required
@require_GET
def role_list(request: AuthedRequest) -> HttpResponse:
    user = request.user
    _require_role_manage(user)
    units = role_manage_units(user)
    form = RoleFilterForm(request.GET, units=units)
    form.is_valid()
    chosen = getattr(form, "cleaned_data", {})
    grants = grant_list(
        user,
        query=chosen.get("q") or "",
        role=chosen.get("role") or "",
        unit=chosen.get("unit"),
    )
    page_obj = paginate(request, grants, per_page=50)
    for grant in page_obj:
        grant.may_revoke = may_handle(user, grant.role, grant.org_unit)
    return render(request, "accounts/roles_list.html", {"form": form, "page_obj": page_obj})


@login_required
def role_grant(request: AuthedRequest) -> HttpResponse:
    user = request.user
    _require_role_manage(user)
    initial = {"org_unit": request.GET.get("unit"), "username": request.GET.get("username")}
    form = RoleGrantForm(request.POST or None, actor=user, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.role_grant(
                actor=user,
                user=data["username"],
                role=data["role"],
                org_unit=data["org_unit"],
                valid_until=data["valid_until"],
            )
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            messages.success(
                request,
                _("%(user)s is now %(role)s at %(unit)s.")
                % {
                    "user": data["username"].get_full_name(),
                    "role": ROLE_LABELS[data["role"]],
                    "unit": data["org_unit"].name,
                },
            )
            return redirect("accounts:role_list")
    usernames = known_users(user).order_by("username").values_list("username", "full_name")
    return render(
        request,
        "accounts/roles_grant.html",
        {"form": form, "known_users": usernames[:KNOWN_USERS_SHOWN]},
    )


@login_required
def role_revoke(request: AuthedRequest, pk: int) -> HttpResponse:
    """GET asks for confirmation; POST revokes."""
    user = request.user
    _require_role_manage(user)
    grant = grants_in_scope(user).select_related("user", "org_unit").filter(pk=pk).first()
    if grant is None:
        raise Http404
    if not may_handle(user, grant.role, grant.org_unit):
        raise PermissionDenied
    if request.method == "POST":
        services.role_revoke(actor=user, assignment=grant)
        messages.success(
            request,
            _("The role %(role)s of %(user)s at %(unit)s was revoked.")
            % {
                "role": grant.get_role_display(),
                "user": grant.user.get_full_name(),
                "unit": grant.org_unit.name,
            },
        )
        return redirect("accounts:role_list")
    return render(request, "accounts/roles_revoke.html", {"grant": grant})
