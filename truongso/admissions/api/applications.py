"""Applications for the schools' and the organiser's systems (/api/v1/admissions/applications/):
the scoped review list and detail, review actions and confirmation in person, through the
same selectors and services as the review and result pages."""

from __future__ import annotations

from typing import Any

from django.http import Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from truongso.admissions import selectors_apply
from truongso.admissions.models import (
    Application,
    ApplicationStatus,
    ExamScore,
    Preference,
)
from truongso.admissions.services import applications as application_services
from truongso.admissions.services import confirm as confirm_services
from truongso.admissions.services.runs import results_visible
from truongso.registry.api.views.base import ApiViewSet, errors


class PreferenceSerializer(serializers.ModelSerializer[Preference]):
    school_code = serializers.CharField(source="school.code", read_only=True)
    school_name = serializers.CharField(source="school.name", read_only=True)

    class Meta:
        model = Preference
        fields = ["rank", "school", "school_code", "school_name"]
        read_only_fields = fields


class ScoreSerializer(serializers.ModelSerializer[ExamScore]):
    class Meta:
        model = ExamScore
        fields = ["subject", "score"]
        read_only_fields = fields


class ApplicationSerializer(serializers.ModelSerializer[Application]):
    round_name = serializers.CharField(source="round.name", read_only=True)
    preferences = PreferenceSerializer(many=True, read_only=True)

    class Meta:
        model = Application
        fields = [
            "id",
            "code",
            "round",
            "round_name",
            "learner_id",
            "full_name",
            "birth_date",
            "gender",
            "zone",
            "priority_group",
            "status",
            "review_note",
            "admission_score",
            "admitted_school",
            "admitted_preference",
            "confirmation",
            "submitted_at",
            "preferences",
        ]
        read_only_fields = fields


class ApplicationDetailSerializer(ApplicationSerializer):
    current_school_name = serializers.CharField(
        source="current_school.name", read_only=True, allow_null=True, default=None
    )
    scores = serializers.SerializerMethodField()
    result = serializers.SerializerMethodField()

    class Meta(ApplicationSerializer.Meta):
        fields = [
            *ApplicationSerializer.Meta.fields,
            "guardian_name",
            "phone",
            "address",
            "current_school",
            "current_school_name",
            "encouragement",
            "excluded_reason",
            "result_reason",
            "confirmed_at",
            "scores",
            "result",
        ]
        read_only_fields = fields

    @extend_schema_field(ScoreSerializer(many=True))
    def get_scores(self, obj: Application) -> list[dict[str, Any]]:
        rows = obj.scores.order_by("subject")
        return list(ScoreSerializer(rows, many=True).data)

    @extend_schema_field(OpenApiTypes.OBJECT)
    def get_result(self, obj: Application) -> dict[str, Any] | None:
        if obj.admitted_school_id is None and not obj.result_reason:
            return None
        school = obj.admitted_school
        return {
            "school": obj.admitted_school_id,
            "school_code": school.code if school else None,
            "school_name": school.name if school else None,
            "preference": obj.admitted_preference,
            "reason": obj.result_reason,
            "published": results_visible(obj.round),
        }


class ApplicationFilterSerializer(serializers.Serializer[Any]):
    q = serializers.CharField(required=False, allow_blank=True, default="")
    round = serializers.IntegerField(required=False)
    school = serializers.IntegerField(required=False)
    status = serializers.ChoiceField(
        choices=ApplicationStatus.choices, required=False, allow_blank=True, default=""
    )


class ReviewInputSerializer(serializers.Serializer[Any]):
    decision = serializers.ChoiceField(choices=["accept", "return"])
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=500)


class ApplicationViewSet(ApiViewSet):
    def _get(self, pk: int) -> Application:
        application = selectors_apply.application_for_review(self.request.user, pk)
        if application is None:
            raise Http404
        return application

    @extend_schema(
        summary="Applications you may review (scoped; newest first)",
        parameters=[
            OpenApiParameter("q", str, description="application code, learner ID or name"),
            OpenApiParameter("round", int),
            OpenApiParameter("school", int, description="named in a preference"),
            OpenApiParameter("status", str, enum=ApplicationStatus.values),
        ],
        responses={200: ApplicationSerializer(many=True), **errors(400)},
    )
    def list(self, request: Request) -> Response:
        f = self.filters(ApplicationFilterSerializer)
        rows = selectors_apply.applications_for_review(
            request.user,
            q=f["q"],
            round_id=str(f.get("round", "")),
            status=f["status"],
            school_id=str(f.get("school", "")),
        )
        return self.page(rows, ApplicationSerializer)

    @extend_schema(
        summary="One application: preferences, scores, result and confirmation",
        responses={200: ApplicationDetailSerializer, **errors(404)},
    )
    def retrieve(self, request: Request, pk: int) -> Response:
        return self.show(self._get(pk), ApplicationDetailSerializer)

    @extend_schema(
        summary="Accept (checked) or return for correction with a note",
        request=ReviewInputSerializer,
        responses={200: ApplicationDetailSerializer, **errors(400, 403, 404)},
    )
    @action(detail=True, methods=["post"])
    def review(self, request: Request, pk: int) -> Response:
        application = self._get(pk)
        data = self.parse(ReviewInputSerializer)
        application_services.application_review(
            actor=request.user,
            application=application,
            decision=data["decision"],
            note=data["note"],
        )
        return self.show(self._get(pk), ApplicationDetailSerializer)

    @extend_schema(
        summary="Confirm the admitted place for a parent who came in person",
        request=None,
        responses={200: ApplicationDetailSerializer, **errors(400, 403, 404)},
    )
    @action(detail=True, methods=["post"])
    def confirm(self, request: Request, pk: int) -> Response:
        application = self._get(pk)
        confirm_services.application_confirm(actor=request.user, application=application)
        return self.show(self._get(pk), ApplicationDetailSerializer)

    @extend_schema(
        summary="Decline the admitted place for a parent who came in person",
        request=None,
        responses={200: ApplicationDetailSerializer, **errors(400, 403, 404)},
    )
    @action(detail=True, methods=["post"])
    def decline(self, request: Request, pk: int) -> Response:
        application = self._get(pk)
        confirm_services.application_decline(actor=request.user, application=application)
        return self.show(self._get(pk), ApplicationDetailSerializer)
