"""Serializers of the admission rounds API: output shapes and input checks (the services
check the rules themselves)."""

from __future__ import annotations

from typing import Any

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


class RunSerializer(serializers.ModelSerializer[AssignmentRun]):
    class Meta:
        model = AssignmentRun
        fields = [
            "id",
            "round",
            "label",
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
