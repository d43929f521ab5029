"""Invoices and payments in the user's reach (an accountant her school's, a parent his
children's), read through the page selectors; nothing here writes."""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework.request import Request
from rest_framework.response import Response

from truongso.core.authz import Perm
from truongso.payments import selectors_pages as pages
from truongso.payments.api import inputs
from truongso.payments.api.serializers import (
    InvoiceDetailSerializer,
    InvoiceSerializer,
    PaymentSerializer,
)
from truongso.payments.models import Allocation, SchoolBankAccount
from truongso.registry.api.views.base import ApiViewSet, errors
from truongso.registry.models import OrgUnit


def _school(user: Any, pk: int | None) -> OrgUnit | None:
    """The school filter: a school outside the user's reach is a 404, like its rows."""
    return None if pk is None else pages.require_school(user, Perm.PAYMENT_VIEW, pk)


class PaymentsViewSet(ApiViewSet):
    def get_serializer_context(self) -> dict[str, Any]:
        context = super().get_serializer_context()
        context["accounts"] = _AccountCache()
        return context


class _AccountCache(dict[int, SchoolBankAccount | None]):
    """The collection account of each school, looked up once per response."""

    def get(self, school_id: int, default: Any = None) -> SchoolBankAccount | None:
        if school_id not in self:
            self[school_id] = pages.bank_account_of_id(school_id)
        return self[school_id]


class InvoiceViewSet(PaymentsViewSet):
    @extend_schema(
        summary=_("Invoices you may see, newest first, each with its VietQR payload"),
        parameters=[inputs.InvoiceFilterSerializer],
        responses={200: InvoiceSerializer(many=True), **errors(400, 404)},
    )
    def list(self, request: Request) -> Response:
        found = self.filters(inputs.InvoiceFilterSerializer)
        rows = pages.invoice_list(
            request.user,
            school=_school(request.user, found.get("school")),
            query=found.get("q", ""),
            status=found.get("status", ""),
        )
        return self.page(rows, InvoiceSerializer)

    @extend_schema(
        summary=_("An invoice with its lines and the VietQR payload of what is still due"),
        responses={200: InvoiceDetailSerializer, **errors(404)},
    )
    def retrieve(self, request: Request, pk: int) -> Response:
        return self.show(pages.invoice_detail(request.user, pk), InvoiceDetailSerializer)


class PaymentViewSet(PaymentsViewSet):
    @extend_schema(
        summary=_("Payments you may see, newest first, with the invoices they paid"),
        parameters=[inputs.PaymentFilterSerializer],
        responses={200: PaymentSerializer(many=True), **errors(400, 404)},
    )
    def list(self, request: Request) -> Response:
        found = self.filters(inputs.PaymentFilterSerializer)
        rows = pages.payments_visible(request.user).select_related("school")
        school = _school(request.user, found.get("school"))
        if school is not None:
            rows = rows.filter(school=school)
        for name in ("status", "method"):
            if found.get(name):
                rows = rows.filter(**{name: found[name]})
        allocations = Allocation.objects.select_related("invoice").only(
            "payment_id", "invoice__code"
        )
        rows = rows.prefetch_related(Prefetch("allocations", queryset=allocations))
        return self.page(rows.order_by("-paid_at", "-pk"), PaymentSerializer)

    @extend_schema(
        summary=_("A payment with the invoices it paid"),
        responses={200: PaymentSerializer, **errors(404)},
    )
    def retrieve(self, request: Request, pk: int) -> Response:
        return self.show(pages.receipt_payment(request.user, pk), PaymentSerializer)
