"""The audit-log viewer (nhật ký thao tác): who changed what, when, before and after.

Principals see their school's entries and officers their subtree's, through
``authz.scope(user, Perm.AUDIT_VIEW, ...)`` in :mod:`truongso.core.selectors`.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from truongso.core import authz, selectors
from truongso.core.authz import Perm
from truongso.core.pagination import paginate
from truongso.core.typing import AuthedRequest

# Readable names of the actions services record; unknown actions show their code.
ACTION_LABELS: dict[str, Any] = {
    "login": _("Logged in"),
    "login.failed": _("Failed login"),
    "login.locked": _("Login locked"),
    "otp.enrol": _("Set up two-step login"),
    "otp.failed": _("Wrong login code"),
    "password.change": _("Changed password"),
    "user.create": _("Created an account"),
    "role.grant": _("Granted a role"),
    "role.revoke": _("Revoked a role"),
    "api_token.create": _("Created an API token"),
    "api_token.revoke": _("Revoked an API token"),
    "org_unit.create": _("Created a unit"),
    "org_unit.update": _("Changed a unit"),
    "org_unit.set_active": _("Closed or reopened a unit"),
    "school_year.create": _("Created a school year"),
    "school_year.set_current": _("Changed the current school year"),
    "curriculum.update": _("Changed the curriculum"),
    "class.create": _("Created a class"),
    "class.update": _("Changed a class"),
    "teaching.assign": _("Assigned a teacher"),
    "teaching.unassign": _("Removed a teaching assignment"),
    "staff.create": _("Added a staff member"),
    "staff.update": _("Changed a staff record"),
    "staff.move": _("Moved a staff member"),
    "staff.account_create": _("Created a staff login"),
    "student.create": _("Added a student"),
    "student.update": _("Changed a student record"),
    "export": _("Exported personal data"),
}


class AuditFilterForm(forms.Form):
    action = forms.CharField(
        label=_("Action"),
        required=False,
        max_length=64,
        help_text=_("A code or its beginning, e.g. staff or role.grant."),
    )
    object_type = forms.CharField(label=_("Object type"), required=False, max_length=64)
    actor = forms.CharField(label=_("Username"), required=False, max_length=150)
    date_from = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", _("The end date is before the start date."))
        return data


def _filters(form: AuditFilterForm) -> dict[str, Any]:
    form.is_valid()
    data = getattr(form, "cleaned_data", {})
    return {k: v for k, v in data.items() if v not in (None, "")}


def _require_audit_view(user: Any) -> None:
    if not authz.has_any(user, Perm.AUDIT_VIEW):
        raise PermissionDenied


@login_required
@require_GET
def audit_list(request: AuthedRequest) -> HttpResponse:
    user = request.user
    _require_audit_view(user)
    form = AuditFilterForm(request.GET)
    chosen = _filters(form)
    entries = selectors.audit_entries(
        user,
        action=chosen.get("action", ""),
        object_type=chosen.get("object_type", ""),
        actor=chosen.get("actor", ""),
        date_from=chosen.get("date_from"),
        date_to=chosen.get("date_to"),
    )
    page_obj = paginate(request, entries, per_page=50)
    for entry in page_obj:
        entry.action_label = ACTION_LABELS.get(entry.action, entry.action)
    return render(
        request,
        "core/audit_list.html",
        {"form": form, "page_obj": page_obj, "known_actions": sorted(ACTION_LABELS)},
    )


@login_required
@require_GET
def audit_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    user = request.user
    _require_audit_view(user)
    entry = selectors.audit_entry(user, pk)
    return render(
        request,
        "core/audit_detail.html",
        {
            "entry": entry,
            "action_label": ACTION_LABELS.get(entry.action, entry.action),
            "rows": selectors.audit_changes(entry),
            # A creation shows only "after", a deletion only "before"; an update compares.
            "show_before": entry.before is not None,
            "show_after": entry.after is not None,
            "compare": entry.before is not None and entry.after is not None,
        },
    )
