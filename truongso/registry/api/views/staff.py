"""Teachers and staff of schools and education offices."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework.request import Request
from rest_framework.response import Response

from truongso.registry import selectors
from truongso.registry.api import inputs
from truongso.registry.api.serializers import StaffSerializer
from truongso.registry.api.views.base import ApiViewSet, errors
from truongso.registry.services import staff


class StaffViewSet(ApiViewSet):
    @extend_schema(
        summary=_("Staff you may see"),
        parameters=[inputs.StaffFilterSerializer],
        responses={200: StaffSerializer(many=True), **errors(400)},
    )
    def list(self, request: Request) -> Response:
        found = self.filters(inputs.StaffFilterSerializer)
        rows = selectors.staff_list(
            request.user,
            query=found.get("q", ""),
            org_unit=found.get("org_unit"),
            position=found.get("position", ""),
            active=inputs.active_value(found["active"]),
        )
        return self.page(rows, StaffSerializer)

    @extend_schema(summary=_("One staff member"), responses={200: StaffSerializer, **errors(404)})
    def retrieve(self, request: Request, pk: int) -> Response:
        return self.show(selectors.staff_detail(request.user, pk), StaffSerializer)

    @extend_schema(
        summary=_("Add a staff member to a unit"),
        request=inputs.StaffCreateSerializer,
        responses={201: StaffSerializer, **errors(400, 403)},
    )
    def create(self, request: Request) -> Response:
        data = self.parse(inputs.StaffCreateSerializer)
        org_unit = data.pop("org_unit")
        created = staff.staff_create(actor=request.user, org_unit=org_unit, data=data)
        return self.show(created, StaffSerializer, status=201)

    @extend_schema(
        summary=_("Correct a staff record (only the fields sent)"),
        request=inputs.StaffUpdateSerializer,
        responses={200: StaffSerializer, **errors(400, 403, 404)},
    )
    def partial_update(self, request: Request, pk: int) -> Response:
        member = selectors.staff_detail(request.user, pk)
        data = self.parse(inputs.StaffUpdateSerializer, partial=True)
        return self.show(
            staff.staff_update(actor=request.user, staff=member, data=data), StaffSerializer
        )
