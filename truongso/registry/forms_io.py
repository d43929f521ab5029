"""The upload form of the import page."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from truongso.registry.models import ImportKind, OrgUnit, SchoolYear

# Above this many units the unit is typed as a code instead of chosen from a list.
UNIT_SELECT_LIMIT = 300


class UnitChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: OrgUnit) -> str:
        return f"{obj.code} – {obj.name}"


class ImportForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind of data"), choices=ImportKind.choices)
    file = forms.FileField(
        label=_("Excel file (.xlsx)"),
        help_text=_(
            "Fill in the template of the chosen kind; the first sheet with its headers is read."
        ),
        widget=forms.ClearableFileInput(
            attrs={
                "accept": ".xlsx,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
            }
        ),
    )

    def __init__(
        self,
        data: Any = None,
        files: Any = None,
        *,
        units: QuerySet[OrgUnit],
        years: QuerySet[SchoolYear],
        current_year: SchoolYear | None,
        **kwargs: Any,
    ) -> None:
        super().__init__(data, files, **kwargs)
        unit = UnitChoiceField(
            label=_("Import into"),
            queryset=units,
            to_field_name="code",
            help_text=_("The school (or the Phòng/Sở for schools and staff)."),
        )
        count = units.count()
        if count > UNIT_SELECT_LIMIT:
            unit.widget = forms.TextInput(attrs={"placeholder": _("Unit code")})
        elif count == 1:
            unit.initial = units.first()
        self.fields["org_unit"] = unit
        self.fields["school_year"] = forms.ModelChoiceField(
            label=_("School year"),
            queryset=years,
            required=False,
            initial=current_year,
            to_field_name="code",
            help_text=_("The year of the classes students are placed in."),
        )
        self.order_fields(["kind", "org_unit", "school_year", "file"])
