"""Forms of the department's round pages. The rules are typed as short text (one subject per
line ``toan | Toán | 1``; bonuses ``1: 2,0; 2: 1,5``; penalties ``0; 1; 2``) and converted to
the round's data; the service checks them."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Collection
from decimal import Decimal
from typing import Any

from django import forms
from django.forms import BoundField
from django.template.defaultfilters import yesno
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from truongso.admissions.models import AdmissionRound, RoundKind, TieRule

SEPARATORS = re.compile(r"[;\s]+")
# The form fields of a round's field where they differ (the formula is typed in two).
FORM_FIELDS: dict[str, tuple[str, ...]] = {"formula": ("subjects", "max_score")}


def _decimal_text(value: Any) -> str:
    return str(value).replace(".", ",")


def subjects_text(formula: dict[str, Any]) -> str:
    return "\n".join(
        f"{s.get('code', '')} | {s.get('name', '')} | {_decimal_text(s.get('weight', 1))}"
        for s in (formula or {}).get("subjects", [])
    )


def bonus_text(bonus: dict[str, Any]) -> str:
    return "; ".join(f"{k}: {_decimal_text(v)}" for k, v in (bonus or {}).items())


def penalties_text(penalties: list[Any]) -> str:
    return "; ".join(_decimal_text(p) for p in penalties or [])


def parse_penalties(text: str) -> list[str]:
    return [p.replace(",", ".") for p in SEPARATORS.split(text.strip()) if p]


class RoundForm(forms.Form):
    organiser = forms.TypedChoiceField(label=gettext_lazy("Organiser"), coerce=int)
    name = forms.CharField(label=gettext_lazy("Name"), max_length=200)
    kind = forms.ChoiceField(label=gettext_lazy("Kind of round"), choices=RoundKind.choices)
    registration_opens = forms.DateTimeField(
        label=gettext_lazy("Registration opens"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    registration_closes = forms.DateTimeField(
        label=gettext_lazy("Registration closes"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    results_publish_at = forms.DateTimeField(
        label=gettext_lazy("Results published at"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    confirmation_deadline = forms.DateTimeField(
        label=gettext_lazy("Confirmation deadline"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    preferences_max = forms.IntegerField(
        label=gettext_lazy("Number of preferences"), min_value=1, max_value=10, initial=3
    )
    subjects = forms.CharField(
        label=gettext_lazy("Exam subjects"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("One per line: code | name | weight, e.g. toan | Toán | 1"),
    )
    max_score = forms.DecimalField(
        label=gettext_lazy("Maximum score of a subject"), initial=10, max_digits=5, decimal_places=2
    )
    priority_bonus = forms.CharField(
        label=gettext_lazy("Priority bonus by group"),
        required=False,
        help_text=gettext_lazy("e.g. 1: 2,0; 2: 1,5; 3: 1,0"),
    )
    encouragement_max = forms.DecimalField(
        label=gettext_lazy("Maximum encouragement points"),
        initial=0,
        min_value=0,
        max_digits=4,
        decimal_places=2,
    )
    exclude_on_zero = forms.BooleanField(
        label=gettext_lazy("A zero in any exam excludes"), required=False, initial=True
    )
    penalties = forms.CharField(
        label=gettext_lazy("Extra points needed per preference"),
        initial="0; 1; 2",
        help_text=gettext_lazy("NV1 first (0), then NV2, NV3 …, never decreasing"),
    )
    tie_rule = forms.ChoiceField(label=gettext_lazy("Tie rule"), choices=TieRule.choices)
    zone_rules = forms.BooleanField(
        label=gettext_lazy("Preferences limited to the home zone"), required=False
    )

    def __init__(
        self,
        *args: Any,
        organisers: list[tuple[int, str]],
        editable: Collection[str] | None = None,
        **kwargs: Any,
    ) -> None:
        """``editable``: the round's fields that may change (``rounds.editable_fields`` of
        its status); the others are shown as text and whatever is posted for them is
        ignored. None: a new round, everything is open."""
        super().__init__(*args, **kwargs)
        self.fields["organiser"].choices = organisers  # type: ignore[attr-defined]
        self.editable = None if editable is None else set(editable)
        self.readonly: list[str] = []
        if self.editable is None:
            return
        open_fields = {f for name in self.editable for f in FORM_FIELDS.get(name, (name,))}
        for name, field in self.fields.items():
            if name not in open_fields:
                field.disabled = True  # Django keeps the initial value, ignoring the post
                self.readonly.append(name)

    def rows(self) -> list[tuple[BoundField, str | None, str]]:
        """Each field with, when read-only, its value as text and why it is fixed."""
        fixed = _("Fixed once registration opens: parents rely on it.")
        return [
            (
                self[name],
                self._text(name) if name in self.readonly else None,
                _("A round stays with its organiser.") if name == "organiser" else fixed,
            )
            for name in self.fields
        ]

    def _text(self, name: str) -> str:
        field = self.fields[name]
        value = self.get_initial_for_field(field, name)
        if isinstance(field, forms.BooleanField):
            return str(yesno(bool(value)))
        if value is None or value == "":
            return "–"
        if isinstance(field, forms.ChoiceField):
            return str(dict(field.choices).get(value, value))  # type: ignore[arg-type]
        if isinstance(value, dt.datetime):
            return timezone.localtime(value).strftime("%d/%m/%Y %H:%M")
        if isinstance(value, Decimal | float):
            return _decimal_text(value)
        return str(value)

    @classmethod
    def initial_for(cls, r: AdmissionRound) -> dict[str, Any]:
        return {
            "organiser": r.organiser_id,
            "name": r.name,
            "kind": r.kind,
            "registration_opens": r.registration_opens,
            "registration_closes": r.registration_closes,
            "results_publish_at": r.results_publish_at,
            "confirmation_deadline": r.confirmation_deadline,
            "preferences_max": r.preferences_max,
            "subjects": subjects_text(r.formula),
            "max_score": (r.formula or {}).get("max_score", 10),
            "priority_bonus": bonus_text(r.priority_bonus),
            "encouragement_max": r.encouragement_max,
            "exclude_on_zero": r.exclude_on_zero,
            "penalties": penalties_text(r.penalties),
            "tie_rule": r.tie_rule,
            "zone_rules": r.zone_rules,
        }

    def clean_subjects(self) -> list[dict[str, Any]]:
        subjects = []
        for number, line in enumerate(self.cleaned_data["subjects"].splitlines(), start=1):
            if not line.strip():
                continue
            parts = [p.strip() for p in line.split("|")]
            if len(parts) not in (2, 3):
                raise forms.ValidationError(
                    _("Line %(n)s: write code | name | weight.") % {"n": number}
                )
            weight = parts[2].replace(",", ".") if len(parts) == 3 else "1"
            subjects.append({"code": parts[0], "name": parts[1], "weight": weight})
        return subjects

    def clean_priority_bonus(self) -> dict[str, str]:
        bonus = {}
        for item in re.split(r";", self.cleaned_data["priority_bonus"]):
            if not item.strip():
                continue
            if ":" not in item:
                raise forms.ValidationError(
                    _("Write each group as group: bonus, e.g. 1: 2,0; 2: 1,5.")
                )
            group, value = item.split(":", 1)
            bonus[group.strip()] = value.strip().replace(",", ".")
        return bonus

    def clean_penalties(self) -> list[str]:
        return parse_penalties(self.cleaned_data["penalties"])

    def round_data(self) -> dict[str, Any]:
        """The round's fields from the form; only the editable ones when editing."""
        d = self.cleaned_data
        formula = (
            {"subjects": d["subjects"], "max_score": str(d["max_score"])} if d["subjects"] else {}
        )
        data = {
            "name": d["name"],
            "kind": d["kind"],
            "registration_opens": d["registration_opens"],
            "registration_closes": d["registration_closes"],
            "results_publish_at": d["results_publish_at"],
            "confirmation_deadline": d["confirmation_deadline"],
            "preferences_max": d["preferences_max"],
            "formula": formula,
            "priority_bonus": d["priority_bonus"],
            "encouragement_max": d["encouragement_max"],
            "exclude_on_zero": d["exclude_on_zero"],
            "penalties": d["penalties"],
            "tie_rule": d["tie_rule"],
            "zone_rules": d["zone_rules"],
        }
        if self.editable is None:
            return data
        return {k: v for k, v in data.items() if k in self.editable}


class ScoreUploadForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Score file (.xlsx or CSV)"),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv"}),
    )


class RunForm(forms.Form):
    label = forms.CharField(label=gettext_lazy("Label"), max_length=100, required=False)
    penalties = forms.CharField(label=gettext_lazy("Extra points needed per preference"))
    tie_rule = forms.ChoiceField(label=gettext_lazy("Tie rule"), choices=TieRule.choices)

    def __init__(self, *args: Any, zone: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if zone:  # placement by zone: no scores, so no penalties and no ties to break
            del self.fields["penalties"], self.fields["tie_rule"]

    def clean_penalties(self) -> list[str]:
        return parse_penalties(self.cleaned_data["penalties"])


class PublishForm(forms.Form):
    at = forms.DateTimeField(
        label=gettext_lazy("Parents see the results from"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text=gettext_lazy("Empty: the round's planned time if still ahead, otherwise now."),
    )
