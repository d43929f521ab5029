"""Forms of the bank-feed pages: manual assignment and statement upload."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from truongso.payments.models import SchoolBankAccount
from truongso.payments.statement_files import CUSTOM, FIELD_LABELS, FIELDS, PRESETS

ENCODINGS = [
    ("auto", _("Detect automatically")),
    ("utf-8", "UTF-8"),
    ("cp1258", _("Windows Vietnamese (cp1258)")),
    ("utf-16", "UTF-16"),
]
MAX_STATEMENT_BYTES = 10 * 1024 * 1024


def _amount() -> forms.IntegerField:
    return forms.IntegerField(
        label=_("Amount (đồng)"),
        min_value=1,
        widget=forms.NumberInput(attrs={"inputmode": "numeric", "step": 1000}),
    )


class AssignForm(forms.Form):
    code = forms.CharField(label=_("Invoice code"), max_length=30)
    amount = _amount()


class CreditForm(forms.Form):
    learner_id = forms.CharField(label=_("Student's learner ID"), max_length=20)
    amount = _amount()


class StatementForm(forms.Form):
    bank_account = forms.ModelChoiceField(
        label=_("Bank account"), queryset=SchoolBankAccount.objects.none(), empty_label=None
    )
    preset = forms.ChoiceField(
        label=_("Bank format"),
        choices=[
            *((p.key, p.label) for p in PRESETS.values()),
            (CUSTOM, _("Other bank (map the columns below)")),
        ],
    )
    encoding = forms.ChoiceField(label=_("Text encoding (CSV)"), choices=ENCODINGS, initial="auto")
    file = forms.FileField(label=_("Statement file (.csv or .xlsx)"))

    def __init__(self, *args: Any, accounts: QuerySet[SchoolBankAccount], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["bank_account"].queryset = accounts  # type: ignore[attr-defined]
        for name in FIELDS:
            self.fields[f"col_{name}"] = forms.CharField(
                label=FIELD_LABELS[name], max_length=100, required=False
            )

    def mapping(self) -> dict[str, str]:
        """Only the columns typed in; the preset supplies the others."""
        return {
            name: self.cleaned_data[f"col_{name}"]
            for name in FIELDS
            if self.cleaned_data.get(f"col_{name}")
        }

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_STATEMENT_BYTES:
            raise forms.ValidationError(_("The file is larger than 10 MB."))
        if not upload.name.lower().endswith((".csv", ".txt", ".xlsx", ".xls")):
            raise forms.ValidationError(_("Upload a .csv or .xlsx file."))
        return upload
