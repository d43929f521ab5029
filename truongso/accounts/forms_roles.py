"""Forms of the role pages: filter the grants in scope, grant a role on a unit.

The grant form offers only units the actor manages roles on, and accepts only people the
actor can already see (see :func:`selectors_roles.known_users`): a username typed by hand
never reveals whether an account exists elsewhere.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from django import forms
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from truongso.accounts.models import User
from truongso.accounts.selectors_roles import known_users, may_handle, role_manage_units
from truongso.core.authz import ROLE_POLICIES, Role
from truongso.registry.models import OrgUnit

ROLE_LABELS = dict(Role.choices)
GRANTABLE_ROLES = [role for role, policy in ROLE_POLICIES.items() if policy.kinds]

if TYPE_CHECKING:
    _UnitField = forms.ModelChoiceField[OrgUnit]
else:  # the stubs' generics do not exist at run time
    _UnitField = forms.ModelChoiceField


class UnitField(_UnitField):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("empty_label", "—")
        super().__init__(*args, **kwargs)

    def label_from_instance(self, obj: OrgUnit) -> str:
        return f"{'· ' * obj.depth}{obj.code} – {obj.name}"


class RoleFilterForm(forms.Form):
    q = forms.CharField(
        label=_("Name or username"),
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
    )
    role = forms.ChoiceField(
        label=_("Role"),
        required=False,
        choices=[("", "—")] + [(r, ROLE_LABELS[r]) for r in GRANTABLE_ROLES],
    )
    unit = UnitField(label=_("Unit"), required=False, queryset=OrgUnit.objects.none())

    def __init__(self, *args: Any, units: QuerySet[OrgUnit], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units  # type: ignore[attr-defined]


class RoleGrantForm(forms.Form):
    username = forms.CharField(
        label=_("Username"),
        max_length=150,
        help_text=_("A staff member with a login, or someone who already has a role here."),
        widget=forms.TextInput(
            attrs={"list": "known-users", "autocomplete": "off", "autocapitalize": "none"}
        ),
    )
    role = forms.ChoiceField(
        label=_("Role"), choices=[(r, ROLE_LABELS[r]) for r in GRANTABLE_ROLES]
    )
    org_unit = UnitField(label=_("Unit"), queryset=OrgUnit.objects.none())
    valid_until = forms.DateField(
        label=_("Valid until"),
        required=False,
        help_text=_("Leave empty for a role without end date."),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )

    def __init__(self, *args: Any, actor: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.actor = actor
        self.fields["org_unit"].queryset = role_manage_units(actor)  # type: ignore[attr-defined]

    def clean_username(self) -> User:
        name = self.cleaned_data["username"].strip()
        user = known_users(self.actor).filter(username__iexact=name).first()
        if user is None:
            raise forms.ValidationError(
                _("No account with this username among the people you manage."), code="unknown"
            )
        return user

    def clean_valid_until(self) -> dt.datetime | None:
        day = self.cleaned_data.get("valid_until")
        if day is None:
            return None
        if day < timezone.localdate():
            raise forms.ValidationError(_("The end date is in the past."), code="past")
        # Valid through the whole last day, Vietnamese time.
        return timezone.make_aware(dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        role, unit = data.get("role"), data.get("org_unit")
        if role and unit is not None and not may_handle(self.actor, role, unit):
            self.add_error(
                "role", _("This role is granted by the office above the unit, not by the unit.")
            )
        return data
