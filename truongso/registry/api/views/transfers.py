"""Transfers between schools of the system: sent by one school, decided by the other."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from truongso.registry import selectors
from truongso.registry.api import inputs
from truongso.registry.api.serializers import TransferSerializer
from truongso.registry.api.views.base import ApiViewSet, errors
from truongso.registry.services import enrolment

DECISION_ERRORS = errors(400, 403, 404)


class TransferViewSet(ApiViewSet):
    error_fields = {"to_class": "class"}

    @extend_schema(
        summary=_("Transfers from or to your schools, waiting and decided"),
        parameters=[inputs.TransferFilterSerializer],
        responses={200: TransferSerializer(many=True), **errors(400)},
    )
    def list(self, request: Request) -> Response:
        found = self.filters(inputs.TransferFilterSerializer)
        rows = selectors.transfer_list(request.user, status=found.get("status", ""))
        return self.page(rows, TransferSerializer)

    @extend_schema(summary=_("One transfer"), responses={200: TransferSerializer, **errors(404)})
    def retrieve(self, request: Request, pk: int) -> Response:
        return self.show(selectors.transfer_detail(request.user, pk), TransferSerializer)

    @extend_schema(
        summary=_("The receiving school accepts and places the student in a class"),
        request=inputs.TransferAcceptSerializer,
        responses={200: TransferSerializer, **DECISION_ERRORS},
    )
    @action(detail=True, methods=["post"])
    def accept(self, request: Request, pk: int) -> Response:
        transfer = selectors.transfer_detail(request.user, pk)
        data = self.parse(inputs.TransferAcceptSerializer)
        enrolment.transfer_accept(
            actor=request.user, request=transfer, to_class=data["class"], date=data.get("date")
        )
        return self.retrieve(request, pk)

    @extend_schema(
        summary=_("The receiving school refuses the transfer"),
        request=inputs.TransferDecisionSerializer,
        responses={200: TransferSerializer, **DECISION_ERRORS},
    )
    @action(detail=True, methods=["post"])
    def decline(self, request: Request, pk: int) -> Response:
        return self._decide(request, pk, cancel=False)

    @extend_schema(
        summary=_("The sending school withdraws its request"),
        request=inputs.TransferDecisionSerializer,
        responses={200: TransferSerializer, **DECISION_ERRORS},
    )
    @action(detail=True, methods=["post"])
    def cancel(self, request: Request, pk: int) -> Response:
        return self._decide(request, pk, cancel=True)

    def _decide(self, request: Request, pk: int, *, cancel: bool) -> Response:
        transfer = selectors.transfer_detail(request.user, pk)
        data = self.parse(inputs.TransferDecisionSerializer)
        enrolment.transfer_decline(
            actor=request.user, request=transfer, note=data.get("note", ""), cancel=cancel
        )
        return self.retrieve(request, pk)
