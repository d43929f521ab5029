"""Forms of the payments pages. They parse input; the rules (amounts, overlaps, what may be
cancelled) live in the services, whose ``ValidationError`` is shown at the fields."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from truongso.payments.models import (
    BillingPeriod,
    FeeItem,
    FeeKind,
    InvoiceStatus,
    ReductionKind,
)
from truongso.registry.forms_students import DateInput
from truongso.registry.models import SchoolClass, Student
from truongso.registry.reference import GRADE_CHOICES

MAX_AMOUNT = 1_000_000_000  # one thousand million đồng: beyond any school fee, a typo
MAX_DOCUMENT_BYTES = 5 * 1024 * 1024
DOCUMENT_TYPES = (".pdf", ".jpg", ".jpeg", ".png")


def amount_field(label: Any, *, required: bool = True) -> forms.IntegerField:
    return forms.IntegerField(
        label=label,
        required=required,
        min_value=0,
        max_value=MAX_AMOUNT,
        widget=forms.NumberInput(attrs={"inputmode": "numeric", "step": 1000}),
    )


class ClassField(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.name)


class StudentField(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        class_name = obj.current_class.name if obj.current_class_id else "—"
        return f"{obj.full_name} ({class_name}, {obj.identifier})"


class FeeItemForm(forms.Form):
    code = forms.CharField(label=_("Code"), max_length=20)
    name = forms.CharField(label=_("Name"), max_length=200)
    kind = forms.ChoiceField(label=_("Kind of fee"), choices=FeeKind.choices)
    period = forms.ChoiceField(label=_("Billing period"), choices=BillingPeriod.choices)
    amount = amount_field(_("Amount per period (đồng)"))
    grade = forms.TypedChoiceField(
        label=_("Grade"),
        required=False,
        coerce=int,
        empty_value=None,
        choices=[("", _("Every grade")), *GRADE_CHOICES],
    )

    def __init__(self, *args: Any, classes: QuerySet[SchoolClass], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["school_class"] = ClassField(
            label=_("Class"), queryset=classes, required=False, empty_label=_("Every class")
        )
        self.fields["amount"].help_text = _("Whole đồng, without dots: 1500000")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("grade") and data.get("school_class"):
            self.add_error("school_class", _("Choose a grade or a class, not both."))
        return data


class FeeReductionForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind of reduction"), choices=ReductionKind.choices)
    percent = forms.IntegerField(label=_("Percentage"), required=False, min_value=0, max_value=100)
    amount = amount_field(_("Amount (đồng)"), required=False)
    reason = forms.CharField(
        label=_("Reason (policy group)"),
        max_length=255,
        help_text=_("For example: child of a person with meritorious services (Nghị định 238)"),
    )
    decision_ref = forms.CharField(label=_("Decision number"), max_length=100, required=False)
    document = forms.FileField(
        label=_("Document (PDF or photo, up to 5 MB)"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": ",".join(DOCUMENT_TYPES)}),
    )
    valid_from = forms.DateField(label=_("Valid from"), widget=DateInput())
    valid_to = forms.DateField(label=_("Valid to"), required=False, widget=DateInput())

    def __init__(
        self,
        *args: Any,
        students: QuerySet[Student],
        fee_items: QuerySet[FeeItem],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["student"] = StudentField(label=_("Student"), queryset=students)
        self.fields["fee_item"] = forms.ModelChoiceField(
            label=_("Fee item"),
            queryset=fee_items,
            required=False,
            empty_label=_("Every tuition item"),
        )
        self.order_fields(["student", "fee_item", "kind", "percent", "amount", "reason"])

    def clean_document(self) -> Any:
        upload = self.cleaned_data.get("document")
        if not upload:
            return None
        if not upload.name.lower().endswith(DOCUMENT_TYPES):
            raise forms.ValidationError(_("The document must be a PDF, JPEG or PNG file."))
        if upload.size > MAX_DOCUMENT_BYTES:
            raise forms.ValidationError(_("The document is larger than 5 MB."))
        return upload

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        kind = data.get("kind")
        if kind == ReductionKind.PERCENT and not data.get("percent"):
            self.add_error("percent", _("Enter the percentage of the reduction (1 to 100)."))
        if kind == ReductionKind.AMOUNT and not data.get("amount"):
            self.add_error("amount", _("Enter the amount of the reduction in đồng."))
        start, end = data.get("valid_from"), data.get("valid_to")
        if start and end and end < start:
            self.add_error("valid_to", _("The end date is before the start date."))
        data["percent"] = data.get("percent") or 0
        data["amount"] = data.get("amount") or 0
        return data


class InvoiceRunForm(forms.Form):
    period_key = forms.RegexField(
        label=_("Period key"),
        max_length=20,
        regex=r"^[A-Za-z0-9._-]+$",
        help_text=_("Short and unique for the period, e.g. 2026-09, HK1, NAM"),
        error_messages={"invalid": _("Use only letters, digits and - _ .")},
    )
    period_label = forms.CharField(
        label=_("Fee period"), max_length=60, help_text=_("Shown to parents, e.g. Tháng 9/2026")
    )
    due_date = forms.DateField(label=_("Due date"), widget=DateInput())
    grade = forms.TypedChoiceField(
        label=_("Grade"),
        required=False,
        coerce=int,
        empty_value=None,
        choices=[("", _("Every grade")), *GRADE_CHOICES],
    )

    def __init__(
        self,
        *args: Any,
        classes: QuerySet[SchoolClass],
        fee_items: QuerySet[FeeItem],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["school_class"] = ClassField(
            label=_("Class"), queryset=classes, required=False, empty_label=_("Every class")
        )
        self.fields["fee_items"] = forms.ModelMultipleChoiceField(
            label=_("Fee items"), queryset=fee_items, widget=forms.CheckboxSelectMultiple
        )


class InvoiceFilterForm(forms.Form):
    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=100,
        widget=forms.TextInput(
            attrs={
                "type": "search",
                "placeholder": _("Student name or invoice code"),
                "autocomplete": "off",
            }
        ),
    )
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("All statuses")), *InvoiceStatus.choices],
    )

    def __init__(self, data: Any, *, classes: QuerySet[SchoolClass]) -> None:
        super().__init__(data)
        self.fields["class"] = ClassField(
            label=_("Class"), queryset=classes, required=False, empty_label=_("All classes")
        )
        self.order_fields(["q", "class", "status"])

    def make_live(self, url: str, target: str) -> None:
        """Search as you type and filter on change with HTMX; the plain form still works."""
        common = {"hx-get": url, "hx-target": target, "hx-include": "closest form"}
        common["hx-push-url"] = "true"
        self.fields["q"].widget.attrs.update(
            common, **{"hx-trigger": "input changed delay:300ms, search"}
        )
        for name in ("class", "status"):
            self.fields[name].widget.attrs.update(common, **{"hx-trigger": "change"})

    def filters(self) -> dict[str, Any]:
        if not self.is_valid():
            return {}
        data = self.cleaned_data
        return {"query": data["q"], "school_class": data["class"], "status": data["status"]}


class CancelForm(forms.Form):
    reason = forms.CharField(label=_("Reason for cancelling"), max_length=255)


class CreditNoteForm(forms.Form):
    amount = amount_field(_("Amount to take off (đồng)"))
    reason = forms.CharField(label=_("Reason"), max_length=255)

    def clean_amount(self) -> int:
        amount = int(self.cleaned_data["amount"])
        if amount <= 0:
            raise forms.ValidationError(_("The amount must be more than 0 đồng."))
        return amount


class DayForm(forms.Form):
    day = forms.DateField(label=_("Day"), required=False, widget=DateInput())
