"""Report cards in the API: the public verification (by code, by uploaded file) and a
student's cards for schools and families (same selectors and checks as the pages)."""

from __future__ import annotations

from typing import Any

from django.http import Http404
from django.urls import reverse
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.parsers import MultiPartParser
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import AnonRateThrottle
from rest_framework.views import APIView

from truongso.reportcards import selectors, verify
from truongso.reportcards.services.cards import normalise_code

PUBLIC_CARD = inline_serializer(
    "ReportCardPublic",
    {
        "code": serializers.CharField(),
        "status": serializers.CharField(help_text="signing, issued, superseded or revoked"),
        "status_label": serializers.CharField(),
        "student": serializers.CharField(help_text="Initials only"),
        "school": serializers.CharField(),
        "school_year": serializers.CharField(),
        "version": serializers.IntegerField(),
        "sha256": serializers.CharField(),
        "issued_at": serializers.CharField(),
        "signers": serializers.ListField(child=serializers.DictField()),
        "correction_reason": serializers.CharField(),
        "superseded_by_version": serializers.IntegerField(allow_null=True),
        "revoked_at": serializers.CharField(),
        "test_certificates": serializers.BooleanField(),
    },
)
CHECK = inline_serializer(
    "ReportCardFileCheck",
    {
        "sha256": serializers.CharField(),
        "matches_issued": serializers.BooleanField(),
        "signatures_valid": serializers.BooleanField(),
        "genuine": serializers.BooleanField(),
        "problems": serializers.ListField(child=serializers.CharField()),
        "signatures": serializers.ListField(child=serializers.DictField()),
        "card": PUBLIC_CARD,
    },
)


class UploadInput(serializers.Serializer[Any]):
    file = serializers.FileField()
    code = serializers.CharField(required=False, allow_blank=True)

    def validate_file(self, value: Any) -> Any:
        if value.size > verify.MAX_UPLOAD:
            raise serializers.ValidationError("Tệp lớn hơn 10 MB: không phải học bạ.")
        return value


class VerifyCodeView(APIView):
    """What was issued under a printed code (no login; initials only)."""

    authentication_classes: list[Any] = []
    permission_classes = [AllowAny]
    throttle_classes = [AnonRateThrottle]

    @extend_schema(responses={200: PUBLIC_CARD, 404: OpenApiResponse(description="Unknown code")})
    def get(self, request: Request, code: str) -> Response:
        card = selectors.public_card(normalise_code(code))
        if card is None:
            raise Http404
        return Response(verify.public_card(card).as_json())


class VerifyFileView(APIView):
    """Check an uploaded PDF: its signatures, and that it is the file issued (by ``code``, or
    found by its SHA-256)."""

    authentication_classes: list[Any] = []
    permission_classes = [AllowAny]
    throttle_classes = [AnonRateThrottle]
    parser_classes = [MultiPartParser]

    @extend_schema(request={"multipart/form-data": UploadInput}, responses={200: CHECK})
    def post(self, request: Request) -> Response:
        data = UploadInput(data=request.data)
        data.is_valid(raise_exception=True)
        card = None
        if data.validated_data.get("code"):
            card = selectors.public_card(normalise_code(data.validated_data["code"]))
            if card is None:
                raise Http404
        check = verify.check_upload(data.validated_data["file"].read(), card)
        body = check.as_json()
        body["card"] = verify.public_card(check.card).as_json() if check.card else None
        return Response(body, status=status.HTTP_200_OK)


class StudentCardsView(APIView):
    """A student's report cards in reach (every year and version), newest first."""

    @extend_schema(
        responses={
            200: inline_serializer(
                "ReportCardItem",
                {
                    "id": serializers.IntegerField(),
                    "school_year": serializers.CharField(),
                    "school": serializers.CharField(),
                    "class_name": serializers.CharField(),
                    "version": serializers.IntegerField(),
                    "status": serializers.CharField(),
                    "stage": serializers.IntegerField(),
                    "code": serializers.CharField(),
                    "sha256": serializers.CharField(),
                    "pdf": serializers.CharField(),
                },
                many=True,
            )
        }
    )
    def get(self, request: Request, pk: int) -> Response:
        student = selectors.student_for(request.user, pk)
        rows = [
            {
                "id": card.pk,
                "school_year": card.school_year.code,
                "school": card.school.name,
                "class_name": card.school_class.name,
                "version": card.version,
                "status": card.status,
                "stage": card.stage,
                "code": card.code_display,
                "sha256": card.sha256,
                "pdf": request.build_absolute_uri(reverse("reportcards:card_pdf", args=[card.pk])),
            }
            for card in selectors.student_cards(request.user, student)
        ]
        return Response(rows)
