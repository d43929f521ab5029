"""Output shapes of the payments API (money in integer đồng, datetimes in ISO 8601 UTC)."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from truongso.payments.models import Invoice, InvoiceLine, Payment, SchoolBankAccount
from truongso.payments.notices import payment_qr


class VietQRSerializer(serializers.Serializer[Any]):
    payload = serializers.CharField(help_text="EMVCo/NAPAS VietQR string, CRC included")
    bank_bin = serializers.CharField(source="account.bank_bin")
    bank_name = serializers.CharField(source="account.bank_name")
    account_number = serializers.CharField(source="account.account_number")
    account_name = serializers.CharField(source="account.account_name")
    amount = serializers.IntegerField()
    memo = serializers.CharField()


class InvoiceLineSerializer(serializers.ModelSerializer[InvoiceLine]):
    net = serializers.IntegerField(read_only=True)

    class Meta:
        model = InvoiceLine
        fields = ["description", "amount", "reduction", "reduction_reason", "net"]


class InvoiceSerializer(serializers.ModelSerializer[Invoice]):
    school = serializers.CharField(source="school.code")
    student_id = serializers.IntegerField()
    student_name = serializers.CharField(source="student.full_name")
    class_name = serializers.CharField(source="school_class.name", default=None)
    balance = serializers.IntegerField(read_only=True)
    vietqr = serializers.SerializerMethodField()

    class Meta:
        model = Invoice
        fields = [
            "id",
            "code",
            "school",
            "student_id",
            "student_name",
            "class_name",
            "period_label",
            "payer_name",
            "beneficiary_name",
            "reason",
            "issued_at",
            "due_date",
            "total",
            "credited",
            "paid",
            "balance",
            "status",
            "vietqr",
        ]

    @extend_schema_field(VietQRSerializer(allow_null=True))
    def get_vietqr(self, invoice: Invoice) -> dict[str, Any] | None:
        """What is still due as a VietQR payload; null when nothing is due."""
        accounts: dict[int, SchoolBankAccount | None] = self.context["accounts"]
        found = payment_qr(invoice, accounts.get(invoice.school_id))
        return None if found is None else dict(VietQRSerializer(found).data)


class InvoiceDetailSerializer(InvoiceSerializer):
    lines = InvoiceLineSerializer(many=True, read_only=True)

    class Meta(InvoiceSerializer.Meta):
        fields = [*InvoiceSerializer.Meta.fields, "lines"]


class PaymentSerializer(serializers.ModelSerializer[Payment]):
    school = serializers.CharField(source="school.code")
    unassigned = serializers.IntegerField(read_only=True)
    invoices = serializers.SerializerMethodField()
    receipt_url = serializers.SerializerMethodField()

    class Meta:
        model = Payment
        fields = [
            "id",
            "school",
            "method",
            "provider",
            "provider_ref",
            "amount",
            "paid_at",
            "payer_name",
            "memo",
            "student_id",
            "status",
            "allocated",
            "credited",
            "refunded",
            "unassigned",
            "invoices",
            "receipt_url",
        ]

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_invoices(self, payment: Payment) -> list[str]:
        """Codes of the invoices this payment paid (part of)."""
        return sorted({a.invoice.code for a in payment.allocations.all()})

    def get_receipt_url(self, payment: Payment) -> str:
        return reverse("payments:receipt_pdf", args=[payment.pk])
