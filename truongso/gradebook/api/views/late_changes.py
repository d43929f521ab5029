"""Late changes: after a deadline or the closing, a teacher asks with a reason and the
principal approves (the change is then applied and the official results refreshed),
rejects, or returns the request."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from truongso.gradebook import selectors_api
from truongso.gradebook.api import inputs
from truongso.gradebook.api.serializers import LateChangeSerializer
from truongso.gradebook.late_changes import late_change_request
from truongso.registry.api.views.base import ApiViewSet, errors
from truongso.workflow.models import RequestStatus
from truongso.workflow.services import approval_decide


class LateChangeFilterSerializer(serializers.Serializer[object]):
    status = serializers.ChoiceField(choices=RequestStatus.choices, required=False)


class LateChangeViewSet(ApiViewSet):
    @extend_schema(
        summary=_("Late-change requests you filed, and those of the schools you lead"),
        parameters=[LateChangeFilterSerializer],
        responses={200: LateChangeSerializer(many=True), **errors(400)},
    )
    def list(self, request: Request) -> Response:
        found = self.filters(LateChangeFilterSerializer)
        rows = selectors_api.late_changes(request.user, status=found.get("status", ""))
        return self.page(rows, LateChangeSerializer)

    @extend_schema(
        summary=_("One late-change request"), responses={200: LateChangeSerializer, **errors(404)}
    )
    def retrieve(self, request: Request, pk: int) -> Response:
        found = selectors_api.late_change_detail(request.user, pk)
        return self.show(found, LateChangeSerializer)

    @extend_schema(
        summary=_("Ask, with a reason, to change entries that are locked or closed"),
        request=inputs.LateChangeCreateSerializer,
        responses={201: LateChangeSerializer, **errors(400, 403)},
    )
    def create(self, request: Request) -> Response:
        data = self.parse(inputs.LateChangeCreateSerializer)
        made = late_change_request(
            actor=request.user,
            school_class=data["class"],
            semester=data["semester"],
            student=data["student"],
            subject=data["subject"],
            cells=data["cells"],
            reason=data["reason"],
        )
        return self.show(made, LateChangeSerializer, status=201)

    @extend_schema(
        summary=_("The principal approves (and applies), rejects or returns a request"),
        request=inputs.DecisionSerializer,
        responses={200: LateChangeSerializer, **errors(400, 403, 404)},
    )
    @action(detail=True, methods=["post"])
    def decide(self, request: Request, pk: int) -> Response:
        found = selectors_api.late_change_detail(request.user, pk)
        data = self.parse(inputs.DecisionSerializer)
        decided = approval_decide(
            actor=request.user, request=found, decision=data["decision"], note=data["note"]
        )
        return self.show(decided, LateChangeSerializer)
