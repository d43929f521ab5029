"""Staff pages: the list, a staff member's card, the staff form and "create login".

The initial password of a new login is kept in the session only until the next page shows
it once; it is never stored in clear anywhere else.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_variables
from django.views.decorators.http import require_GET

from truongso.accounts import services as account_services
from truongso.core import authz
from truongso.core.authz import Perm
from truongso.core.pagination import paginate
from truongso.core.typing import AuthedRequest
from truongso.registry import selectors, selectors_org
from truongso.registry.forms_org import (
    StaffAccountForm,
    StaffFilterForm,
    StaffForm,
    filters,
    show_errors,
)
from truongso.registry.models import Staff
from truongso.registry.services import staff as staff_services

NEW_LOGIN_KEY = "new_staff_login"


def _working(raw: str | None) -> bool | None:
    return {"0": False, "all": None}.get(raw or "1", True)


@login_required
@require_GET
def staff_list(request: AuthedRequest) -> HttpResponse:
    user = request.user
    if not authz.has_any(user, Perm.STAFF_VIEW):
        raise PermissionDenied
    form = StaffFilterForm(request.GET, units=selectors_org.staff_filter_units(user))
    chosen = filters(form)
    staff = selectors.staff_list(
        user,
        query=chosen.get("q", ""),
        org_unit=chosen.get("unit"),
        position=chosen.get("position", ""),
        active=_working(request.GET.get("working")),
    )
    return render(
        request,
        "registry/staff/list.html",
        {
            "form": form,
            "page_obj": paginate(request, staff),
            "may_create": selectors_org.staff_unit_choices(user).exists(),
        },
    )


def _may_create_login(user: object, member: Staff) -> bool:
    return (
        member.user_id is None
        and member.is_active
        and member.org_unit.is_school
        and authz.can(user, Perm.ROLE_MANAGE, member.org_unit.path)
        and authz.check(user, Perm.STAFF_MANAGE, member)
    )


@login_required
@require_GET
@never_cache
def staff_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    user = request.user
    member = selectors.staff_detail(user, pk)
    new_login = request.session.pop(NEW_LOGIN_KEY, None)
    if new_login and new_login.get("staff") != member.pk:
        new_login = None
    return render(
        request,
        "registry/staff/detail.html",
        {
            "member": member,
            "assignments": selectors_org.staff_assignments(member),
            "homeroom_classes": selectors_org.staff_homeroom_classes(member),
            "grants": selectors_org.staff_grants(member),
            "may_edit": authz.check(user, Perm.STAFF_MANAGE, member),
            "may_create_login": _may_create_login(user, member),
            "new_login": new_login,
        },
    )


@login_required
def staff_create(request: AuthedRequest) -> HttpResponse:
    user = request.user
    units = selectors_org.staff_unit_choices(user)
    if not units.exists():
        raise PermissionDenied
    initial = {"org_unit": request.GET.get("unit"), "position": "giao_vien"}
    form = StaffForm(request.POST or None, units=units, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            member = staff_services.staff_create(
                actor=user, org_unit=form.cleaned_data["org_unit"], data=form.data_for_service()
            )
        except ValidationError as exc:
            show_errors(form, exc)
        else:
            messages.success(request, _("%(name)s was added.") % {"name": member.full_name})
            return redirect("registry:staff_detail", pk=member.pk)
    return render(request, "registry/staff/form.html", {"form": form, "member": None})


@login_required
def staff_edit(request: AuthedRequest, pk: int) -> HttpResponse:
    user = request.user
    member = selectors.staff_detail(user, pk)
    if not authz.check(user, Perm.STAFF_MANAGE, member):
        raise PermissionDenied
    initial = {name: getattr(member, name) for name in staff_services.STAFF_FIELDS}
    form = StaffForm(request.POST or None, units=None, editing=True, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            staff_services.staff_update(actor=user, staff=member, data=form.data_for_service())
        except ValidationError as exc:
            show_errors(form, exc)
        else:
            messages.success(request, _("The changes were saved."))
            return redirect("registry:staff_detail", pk=member.pk)
    return render(request, "registry/staff/form.html", {"form": form, "member": member})


@login_required
@never_cache
@sensitive_variables("password")
def staff_account(request: AuthedRequest, pk: int) -> HttpResponse:
    """Create the login of a staff member and grant a school role (ROLE_MANAGE only)."""
    user = request.user
    member = selectors.staff_detail(user, pk)
    if not _may_create_login(user, member):
        raise PermissionDenied
    suggestion = account_services.username_suggest(
        full_name=member.full_name, unit_name=member.org_unit.name
    )
    form = StaffAccountForm(request.POST or None, initial={"username": suggestion})
    if request.method == "POST" and form.is_valid():
        try:
            account, password = account_services.staff_account_create(
                actor=user, staff=member, **form.cleaned_data
            )
        except ValidationError as exc:
            show_errors(form, exc)
        else:
            request.session[NEW_LOGIN_KEY] = {
                "staff": member.pk,
                "username": account.username,
                "password": password,
            }
            messages.success(request, _("The login was created."))
            return redirect("registry:staff_detail", pk=member.pk)
    return render(request, "registry/staff/account.html", {"form": form, "member": member})
