from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from truongso.reportcards.verify import MAX_UPLOAD


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        min_length=10,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3, "class": "form-control"}),
        error_messages={
            "required": _("Give the reason."),
            "min_length": _("Give the reason in a sentence (at least 10 characters)."),
        },
    )


class CodeForm(forms.Form):
    code = forms.CharField(
        label=_("Code printed on the report card"),
        max_length=20,
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "placeholder": "ABCDE-12345", "class": "form-control"}
        ),
    )


class UploadForm(forms.Form):
    file = forms.FileField(
        label=_("The report card's PDF file"),
        widget=forms.ClearableFileInput(
            attrs={"accept": "application/pdf", "class": "form-control"}
        ),
    )

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD:
            raise forms.ValidationError(
                _("The file is larger than 10 MB: it is not a report card.")
            )
        return upload
