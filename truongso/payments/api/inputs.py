"""Query parameters of the payments API, validated (400 with messages by field)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from truongso.payments.models import InvoiceStatus, PaymentMethod, PaymentStatus


class InvoiceFilterSerializer(serializers.Serializer[Any]):
    q = serializers.CharField(
        required=False,
        max_length=100,
        help_text=_("Student name (diacritics optional) or the start of an invoice code."),
    )
    school = serializers.IntegerField(required=False, help_text=_("ID of a school"))
    status = serializers.ChoiceField(choices=InvoiceStatus.choices, required=False)


class PaymentFilterSerializer(serializers.Serializer[Any]):
    school = serializers.IntegerField(required=False, help_text=_("ID of a school"))
    status = serializers.ChoiceField(choices=PaymentStatus.choices, required=False)
    method = serializers.ChoiceField(choices=PaymentMethod.choices, required=False)
