"""Enrolment codes (mã tuyển sinh) of a grade-1/6 round for the organiser's systems, under
``/api/v1/admissions/rounds/<id>/codes/``: the list, the upload of the list of children and
the .xlsx to hand to the parents. The same permission check and services as the page
(views_zones.py): only who manages the round (ADMISSION_MANAGE at its organiser)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db.models.query import prefetch_related_objects
from django.http import HttpResponse
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.parsers import MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from truongso.admissions import selectors
from truongso.admissions.models import AdmissionRound, EnrolmentCode
from truongso.admissions.services import codes as code_services
from truongso.admissions.services.rounds import require_manage
from truongso.admissions.services.zones import ZONE_KINDS
from truongso.registry.api.views.base import ApiViewSet, errors
from truongso.registry.exports.book import XLSX

MAX_UPLOAD = 10 * 1024 * 1024


class CodeSerializer(serializers.ModelSerializer[EnrolmentCode]):
    school_code = serializers.CharField(
        source="school.code", read_only=True, allow_null=True, default=None
    )
    school_name = serializers.CharField(
        source="school.name", read_only=True, allow_null=True, default=None
    )

    class Meta:
        model = EnrolmentCode
        fields = [
            "id",
            "code",
            "child_name",
            "birth_date",
            "learner_id",
            "zone",
            "school",
            "school_code",
            "school_name",
        ]
        read_only_fields = fields


class CodeFilterSerializer(serializers.Serializer[Any]):
    q = serializers.CharField(required=False, allow_blank=True, default="", max_length=100)
    zone = serializers.CharField(required=False, allow_blank=True, default="", max_length=20)


class CodesUploadSerializer(serializers.Serializer[Any]):
    file = serializers.FileField(
        help_text="The list of children, .xlsx or UTF-8 CSV: name / họ và tên, birth date / "
        "ngày sinh, learner ID / mã định danh (optional), zone / tuyến"
    )

    def validate_file(self, value: Any) -> Any:
        if value.size > MAX_UPLOAD:
            raise serializers.ValidationError(_("The file is larger than 10 MB."))
        return value


class CodesImportedSerializer(serializers.Serializer[Any]):
    created = serializers.IntegerField()
    codes = CodeSerializer(many=True, help_text="The new codes, in the order of the file")


class JsonFirst(BaseContentNegotiation):
    """The download answers .xlsx whatever the client accepts, and its errors JSON: no
    406 for a client that asks for the spreadsheet type."""

    def select_parser(self, request: Request, parsers: Any) -> Any:
        return parsers[0] if parsers else None

    def select_renderer(self, request: Request, renderers: Any, format_suffix: Any = None) -> Any:
        return renderers[0], renderers[0].media_type


def managed_zone_round(user: Any, pk: int) -> AdmissionRound:
    """The round, if ``user`` sees it (else 404) and manages it (else 403), and it is a
    grade-1/6 round (else 400): the page's check, in the services' own words."""
    r = selectors.round_get(user, pk)
    require_manage(user, r.organiser)
    if r.kind not in ZONE_KINDS:
        raise ValidationError(_("Enrolment codes are for grade 1 and grade 6 rounds."))
    return r


class RoundCodeViewSet(ApiViewSet):
    @extend_schema(
        summary="Enrolment codes of a grade-1/6 round (zone, then name)",
        parameters=[
            OpenApiParameter("q", str, description="code, learner ID or part of the name"),
            OpenApiParameter("zone", str),
        ],
        responses={200: CodeSerializer(many=True), **errors(400, 403, 404)},
    )
    def list(self, request: Request, round_pk: int) -> Response:
        r = managed_zone_round(request.user, round_pk)
        f = self.filters(CodeFilterSerializer)
        return self.page(selectors.round_codes(r, q=f["q"], zone=f["zone"]), CodeSerializer)

    @extend_schema(
        summary="Issue codes from a list of children (.xlsx or CSV; all rows or none)",
        request={"multipart/form-data": CodesUploadSerializer},
        responses={201: CodesImportedSerializer, **errors(400, 403, 404)},
    )
    def create(self, request: Request, round_pk: int) -> Response:
        r = managed_zone_round(request.user, round_pk)
        upload = self.parse(CodesUploadSerializer)["file"]
        report = code_services.codes_import(
            actor=request.user, round=r, data=upload.read(), file_name=upload.name or ""
        )
        prefetch_related_objects(report.codes, "school")
        return self.show(report, CodesImportedSerializer, status=201)

    @extend_schema(
        summary="The codes as .xlsx to hand to the parents (audited)",
        operation_id="admissions_rounds_codes_xlsx",
        responses={
            (200, XLSX): OpenApiResponse(OpenApiTypes.BINARY, "ma-tuyen-sinh-<round id>.xlsx"),
            **errors(400, 403, 404),
        },
    )
    def xlsx(self, request: Request, round_pk: int) -> HttpResponse:
        r = managed_zone_round(request.user, round_pk)
        export = code_services.codes_export(actor=request.user, round=r)
        response = HttpResponse(export.content, content_type=export.content_type)
        response["Content-Disposition"] = f'attachment; filename="{export.filename}"'
        return response


codes_view = RoundCodeViewSet.as_view(
    {"get": "list", "post": "create"}, parser_classes=[MultiPartParser]
)
codes_xlsx_view = RoundCodeViewSet.as_view({"get": "xlsx"}, content_negotiation_class=JsonFirst)
