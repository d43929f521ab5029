"""Forms of the entry pages: entry deadlines, closing a semester, uploading a grid file."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext_lazy as _

LOCAL_FORMAT = "%Y-%m-%dT%H:%M"
GROUP_LABELS = {
    "tx": _("Regular assessments (TX)"),
    "gk": _("Mid-term (GK)"),
    "ck": _("End of term (CK) and comments"),
    "conduct": _("Homeroom: conduct, absences, comments"),
}


class LocalDateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs=attrs, format=LOCAL_FORMAT)


class DeadlinesForm(forms.Form):
    """When each column group locks for teachers; empty: no deadline."""

    def __init__(self, *args: Any, deadlines: dict[str, str] | None = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        for group, label in GROUP_LABELS.items():
            self.fields[group] = forms.DateTimeField(
                label=label,
                required=False,
                widget=LocalDateTimeInput(),
                input_formats=[LOCAL_FORMAT, "%Y-%m-%d %H:%M", "%d/%m/%Y %H:%M"],
            )
            stored = parse_datetime((deadlines or {}).get(group) or "")
            if stored is not None:
                self.initial[group] = timezone.localtime(stored).replace(tzinfo=None)

    def deadlines(self) -> dict[str, dt.datetime | None]:
        return {group: self.cleaned_data.get(group) for group in GROUP_LABELS}


class CloseForm(forms.Form):
    confirm = forms.BooleanField(
        label=_("Close anyway: the students with missing entries get no result"),
        required=False,
    )


class GridImportForm(forms.Form):
    file = forms.FileField(
        label=_("Gradebook file (.xlsx) exported from this page"),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx"}),
    )
