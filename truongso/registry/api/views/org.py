"""Org units (Bộ → Sở → Phòng → Trường) and the national reference lists."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework.request import Request
from rest_framework.response import Response

from truongso.registry import selectors
from truongso.registry.api import inputs
from truongso.registry.api.serializers import (
    GradeSubjectSerializer,
    OrgUnitSerializer,
    SchoolYearSerializer,
    SubjectSerializer,
)
from truongso.registry.api.views.base import ApiViewSet, errors
from truongso.registry.services import org


class OrgUnitViewSet(ApiViewSet):
    @extend_schema(
        summary=_("Org units you may see"),
        parameters=[inputs.OrgUnitFilterSerializer],
        responses={200: OrgUnitSerializer(many=True), **errors(400)},
    )
    def list(self, request: Request) -> Response:
        found = self.filters(inputs.OrgUnitFilterSerializer)
        units = selectors.org_unit_list(
            request.user,
            query=found.get("q", ""),
            kind=found.get("kind", ""),
            level=found.get("level", ""),
            parent=found.get("parent"),
            active=inputs.active_value(found["active"]),
        )
        return self.page(units, OrgUnitSerializer)

    @extend_schema(summary=_("One org unit"), responses={200: OrgUnitSerializer, **errors(404)})
    def retrieve(self, request: Request, pk: int) -> Response:
        return self.show(selectors.org_unit_detail(request.user, pk), OrgUnitSerializer)

    @extend_schema(
        summary=_("Add a unit under a parent (org management right on the parent)"),
        request=inputs.OrgUnitCreateSerializer,
        responses={201: OrgUnitSerializer, **errors(400, 403)},
    )
    def create(self, request: Request) -> Response:
        data = self.parse(inputs.OrgUnitCreateSerializer)
        unit = org.org_unit_create(actor=request.user, **data)
        return self.show(unit, OrgUnitSerializer, status=201)

    @extend_schema(
        summary=_("Change the descriptive fields of a unit"),
        request=inputs.OrgUnitUpdateSerializer,
        responses={200: OrgUnitSerializer, **errors(400, 403, 404)},
    )
    def partial_update(self, request: Request, pk: int) -> Response:
        unit = selectors.org_unit_detail(request.user, pk)
        data = self.parse(inputs.OrgUnitUpdateSerializer, partial=True)
        return self.show(
            org.org_unit_update(actor=request.user, unit=unit, data=data), OrgUnitSerializer
        )


class SchoolYearViewSet(ApiViewSet):
    pagination_class = None

    @extend_schema(
        summary=_("School years with their semesters"), responses=SchoolYearSerializer(many=True)
    )
    def list(self, request: Request) -> Response:
        return self.listing(selectors.school_year_list(), SchoolYearSerializer)


class SubjectViewSet(ApiViewSet):
    pagination_class = None

    @extend_schema(
        summary=_("Subjects of the 2018 programme"), responses=SubjectSerializer(many=True)
    )
    def list(self, request: Request) -> Response:
        return self.listing(selectors.subject_list(), SubjectSerializer)


class GradeSubjectViewSet(ApiViewSet):
    pagination_class = None

    @extend_schema(
        summary=_("Subjects per grade: periods per year and assessment type"),
        parameters=[inputs.GradeSubjectFilterSerializer],
        responses={200: GradeSubjectSerializer(many=True), **errors(400)},
    )
    def list(self, request: Request) -> Response:
        found = self.filters(inputs.GradeSubjectFilterSerializer)
        rows = selectors.grade_subject_list(grade=found.get("grade"))
        return self.listing(rows, GradeSubjectSerializer)
