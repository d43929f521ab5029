"""Serializers of the admission rounds API: output shapes and input checks (the services
check the rules themselves)."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import PolymorphicProxySerializer, extend_schema_field
from rest_framework import serializers

from truongso.admissions.models import AdmissionRound, AssignmentRun, RoundKind, RunResult, TieRule


class RoundSerializer(serializers.ModelSerializer[AdmissionRound]):
    organiser_name = serializers.CharField(source="organiser.name", read_only=True)

    class Meta:
        model = AdmissionRound
        fields = [
            "id",
            "name",
            "kind",
            "status",
            "organiser",
            "organiser_name",
            "registration_opens",
            "registration_closes",
            "results_publish_at",
            "confirmation_deadline",
            "preferences_max",
            "formula",
            "priority_bonus",
            "encouragement_max",
            "exclude_on_zero",
            "penalties",
            "tie_rule",
            "zone_rules",
            "birth_year",
        ]
        read_only_fields = fields


class SchoolDemandSerializer(serializers.Serializer[Any]):
    school_id = serializers.IntegerField()
    code = serializers.CharField()
    name = serializers.CharField()
    quota = serializers.IntegerField()
    zone = serializers.CharField()
    is_open = serializers.BooleanField()
    by_preference = serializers.ListField(child=serializers.IntegerField())
    ratio = serializers.DecimalField(max_digits=8, decimal_places=2, allow_null=True)
    admitted = serializers.IntegerField()
    confirmed = serializers.IntegerField()
    pending = serializers.IntegerField()
    declined = serializers.IntegerField()
    released = serializers.IntegerField()


class RoundInputSerializer(serializers.Serializer[Any]):
    organiser = serializers.IntegerField(required=False)
    name = serializers.CharField(max_length=200)
    kind = serializers.ChoiceField(choices=RoundKind.choices)
    registration_opens = serializers.DateTimeField()
    registration_closes = serializers.DateTimeField()
    results_publish_at = serializers.DateTimeField(required=False, allow_null=True)
    confirmation_deadline = serializers.DateTimeField(required=False, allow_null=True)
    preferences_max = serializers.IntegerField(required=False, min_value=1, max_value=10)
    formula = serializers.JSONField(required=False)
    priority_bonus = serializers.JSONField(required=False)
    encouragement_max = serializers.DecimalField(max_digits=4, decimal_places=2, required=False)
    exclude_on_zero = serializers.BooleanField(required=False)
    penalties = serializers.ListField(child=serializers.CharField(), required=False)
    tie_rule = serializers.ChoiceField(choices=TieRule.choices, required=False)
    zone_rules = serializers.BooleanField(required=False)
    birth_year = serializers.IntegerField(required=False, allow_null=True)


class PlaceSerializer(serializers.Serializer[Any]):
    school = serializers.IntegerField()
    quota = serializers.IntegerField(min_value=0)
    zone = serializers.CharField(max_length=20, required=False, allow_blank=True, default="")
    is_open = serializers.BooleanField(required=False, default=True)


class PlacesSerializer(serializers.Serializer[Any]):
    schools = PlaceSerializer(many=True)


class ScoresInputSerializer(serializers.Serializer[Any]):
    csv = serializers.CharField(
        help_text="CSV text: ma_ho_so (or learner_id) and one column per subject"
    )
    filename = serializers.CharField(required=False, default="api.csv", max_length=100)


class ReasonCountSerializer(serializers.Serializer[Any]):
    admitted = serializers.IntegerField()
    excluded = serializers.IntegerField()
    no_preferences = serializers.IntegerField()
    no_place = serializers.IntegerField()


class ExamSchoolSummarySerializer(serializers.Serializer[Any]):
    school_id = serializers.IntegerField()
    code = serializers.CharField()
    name = serializers.CharField()
    quota = serializers.IntegerField()
    admitted = serializers.IntegerField()
    by_preference = serializers.ListField(child=serializers.IntegerField())
    cutoff = serializers.CharField(allow_null=True, help_text="lowest effective score admitted")
    marks = serializers.ListField(child=serializers.CharField(), help_text="needed at NV1, NV2…")
    lowest = serializers.CharField(allow_null=True)
    tied_admitted = serializers.IntegerField()
    tied_refused = serializers.IntegerField()
    over_quota = serializers.IntegerField()
    fill_rate = serializers.FloatField()


class ExamRunSummarySerializer(serializers.Serializer[Any]):
    """A grade-10 run: the engine's outcome per school (cut-offs, ties)."""

    schools = ExamSchoolSummarySerializer(many=True)
    reasons = ReasonCountSerializer()
    quota = serializers.IntegerField()
    tie_rule = serializers.ChoiceField(choices=TieRule.choices)
    rounds = serializers.IntegerField(help_text="rounds of the engine until nothing moved")


class ZoneSchoolSummarySerializer(serializers.Serializer[Any]):
    school_id = serializers.IntegerField()
    code = serializers.CharField()
    name = serializers.CharField()
    zone = serializers.CharField()
    quota = serializers.IntegerField()
    admitted = serializers.IntegerField()
    in_zone = serializers.IntegerField(help_text="children of the school's zone, all admitted")
    by_lottery = serializers.IntegerField(help_text="out-of-zone, in the published lottery order")
    over_quota = serializers.IntegerField(help_text="in-zone children beyond the quota")
    by_preference = serializers.ListField(child=serializers.IntegerField())
    fill_rate = serializers.FloatField()


class ZoneRunSummarySerializer(serializers.Serializer[Any]):
    """A grade-1/6 placement by zone: no scores, so no cut-offs or ties."""

    schools = ZoneSchoolSummarySerializer(many=True)
    reasons = ReasonCountSerializer()
    quota = serializers.IntegerField()


RUN_SUMMARY = PolymorphicProxySerializer(
    component_name="RunSummary",
    serializers=[ExamRunSummarySerializer, ZoneRunSummarySerializer],
    resource_type_field_name=None,
)


class RunSerializer(serializers.ModelSerializer[AssignmentRun]):
    method = serializers.SerializerMethodField(
        help_text="exam: the grade-10 engine; zone: placement by residence zone (grades 1, 6)"
    )
    summary = serializers.SerializerMethodField()

    class Meta:
        model = AssignmentRun
        fields = [
            "id",
            "round",
            "label",
            "method",
            "params",
            "summary",
            "applicants",
            "admitted",
            "duration_ms",
            "is_published",
            "published_at",
            "created_at",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.ChoiceField(choices=["exam", "zone"]))
    def get_method(self, obj: AssignmentRun) -> str:
        return run_method(obj)

    @extend_schema_field(RUN_SUMMARY)
    def get_summary(self, obj: AssignmentRun) -> dict[str, Any]:
        if run_method(obj) == "zone":
            return dict(ZoneRunSummarySerializer(obj.summary).data)
        return dict(obj.summary)  # an exam run's summary as stored


def run_method(run: AssignmentRun) -> str:
    return "zone" if run.is_zone else "exam"


class RunInputSerializer(serializers.Serializer[Any]):
    round = serializers.IntegerField()
    label = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")  # type: ignore[assignment]
    quotas = serializers.DictField(child=serializers.IntegerField(), required=False)
    penalties = serializers.ListField(child=serializers.CharField(), required=False)
    tie_rule = serializers.ChoiceField(choices=TieRule.choices, required=False)


class PublishInputSerializer(serializers.Serializer[Any]):
    at = serializers.DateTimeField(required=False, allow_null=True)


class CompareInputSerializer(serializers.Serializer[Any]):
    with_run = serializers.IntegerField()


class ResultSerializer(serializers.ModelSerializer[RunResult]):
    application_code = serializers.CharField(source="application.code")
    full_name = serializers.CharField(source="application.full_name")
    admission_score = serializers.DecimalField(
        source="application.admission_score", max_digits=5, decimal_places=2, allow_null=True
    )
    school_code = serializers.CharField(source="school.code", allow_null=True, default=None)

    class Meta:
        model = RunResult
        fields = [
            "application_code",
            "full_name",
            "admission_score",
            "school",
            "school_code",
            "preference",
            "reason",
        ]
        read_only_fields = fields
