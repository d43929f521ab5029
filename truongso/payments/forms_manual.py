"""Forms of the accountant's counter: a Mobile Money or card-terminal slip, a refund."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext_lazy as _

from truongso.payments.manual import WALLETS
from truongso.payments.models import PaymentMethod

DATETIME_FORMATS = ["%Y-%m-%dT%H:%M", "%d/%m/%Y %H:%M", "%d/%m/%Y %H:%M:%S"]


def _now_local() -> str:
    return timezone.localtime().strftime("%Y-%m-%dT%H:%M")


class ManualPaymentForm(forms.Form):
    method = forms.ChoiceField(
        label=_("Method"),
        choices=[
            (PaymentMethod.MOBILE_MONEY.value, PaymentMethod.MOBILE_MONEY.label),
            (PaymentMethod.CARD_POS.value, PaymentMethod.CARD_POS.label),
        ],
    )
    wallet = forms.ChoiceField(label=_("Wallet"), choices=[("", "—"), *WALLETS], required=False)
    terminal = forms.CharField(
        label=_("Terminal ID (TID)"),
        max_length=16,
        required=False,
        help_text=_("Printed at the top of the card slip."),
    )
    reference = forms.CharField(
        label=_("Transaction reference"),
        max_length=60,
        help_text=_("The wallet's transaction ID, or the slip's reference number (RRN)."),
    )
    amount = forms.IntegerField(label=_("Amount (đồng)"), min_value=1)
    paid_at = forms.DateTimeField(
        label=_("Paid at"),
        input_formats=DATETIME_FORMATS,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    payer_name = forms.CharField(label=_("Payer"), max_length=255, required=False)
    invoice_code = forms.CharField(
        label=_("Invoice code"),
        max_length=40,
        required=False,
        help_text=_("Leave empty when unknown: the payment then waits in the unassigned queue."),
    )
    memo = forms.CharField(label=_("Note"), max_length=200, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"paid_at": _now_local(), "method": "mobile_money"})
        super().__init__(*args, **kwargs)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        method = data.get("method")
        if method == PaymentMethod.MOBILE_MONEY and not data.get("wallet"):
            self.add_error("wallet", _("Choose the wallet the money came through."))
        if method == PaymentMethod.CARD_POS and not data.get("terminal"):
            self.add_error("terminal", _("Type the terminal ID (TID) from the slip."))
        return data

    @property
    def channel(self) -> str:
        data = self.cleaned_data
        return str(
            data["wallet"] if data["method"] == PaymentMethod.MOBILE_MONEY else data["terminal"]
        )


class RefundForm(forms.Form):
    amount = forms.IntegerField(label=_("Amount to refund (đồng)"), min_value=1)
    reason = forms.CharField(label=_("Reason"), max_length=255)
    reference = forms.CharField(
        label=_("Refund transfer reference"),
        max_length=100,
        required=False,
        help_text=_("The reference of the transfer that paid the money back, if already made."),
    )

    def __init__(self, *args: Any, maximum: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.maximum = maximum

    def clean_amount(self) -> int:
        amount = int(self.cleaned_data["amount"])
        if amount > self.maximum:
            raise forms.ValidationError(
                _("At most %(max)s đồng can be refunded here.")
                % {"max": number_format(self.maximum, force_grouping=True)}
            )
        return amount
