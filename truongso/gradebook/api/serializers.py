"""Output of the gradebook API: what a client reads. Input lives in ``inputs.py``.

Serializers read only what the selectors loaded. Scores and averages are strings with one
decimal place at most ("8.5", "7.7"), exactly as stored or rounded half up; ``null`` is a
result that cannot be computed yet because an entry is missing.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from truongso.gradebook import stats
from truongso.gradebook.selectors import Grid
from truongso.gradebook.selectors_api import SchoolSummary
from truongso.registry.api.serializers import (
    ClassRefSerializer,
    OrgUnitRefSerializer,
    SchoolYearRefSerializer,
    StudentRefSerializer,
)
from truongso.registry.models import Subject
from truongso.workflow.models import ApprovalRequest


def level_name(kind: str, code: str | None) -> str:
    """The Vietnamese name of a level, award or decision ("" for none)."""
    return stats.level_name(kind, code) if code else ""


class StudentFieldsMixin(serializers.Serializer[Any]):
    """Who a row is about: the student's ID, learner ID (or temporary code) and name."""

    student = serializers.IntegerField(source="student.pk")
    learner_id = serializers.CharField(
        source="student.identifier", help_text=_("The learner ID, or the temporary code.")
    )
    full_name = serializers.CharField(source="student.full_name")


class SubjectRefSerializer(serializers.ModelSerializer[Subject]):
    class Meta:
        model = Subject
        fields = ["id", "code", "name"]


# The grid -----------------------------------------------------------------------------------
class GridColumnSerializer(serializers.Serializer[Any]):
    code = serializers.CharField(help_text=_('"tx1" ... regular, "gk" mid-term, "ck" end-term.'))
    label = serializers.CharField()  # type: ignore[assignment]
    kind = serializers.ChoiceField(
        choices=["score", "test", "mark"],
        help_text=_("score: 0–10, one decimal; test: whole points; mark: one of the choices."),
    )
    group = serializers.ChoiceField(
        choices=["tx", "gk", "ck"], help_text=_("Deadline group of the column.")
    )
    choices = serializers.ListField(child=serializers.CharField())
    locked = serializers.BooleanField()
    lock_reason = serializers.CharField(allow_null=True)


class OutcomeSerializer(serializers.Serializer[Any]):
    """A subject's result: the average of a scored subject, the mark of a comment-only one
    (Đ / CĐ; HTT / HT / CHT in primary), the periodic test in primary."""

    average = serializers.DecimalField(max_digits=3, decimal_places=1, allow_null=True)
    mark = serializers.CharField(allow_null=True)
    test = serializers.IntegerField(allow_null=True)


class GridRowSerializer(StudentFieldsMixin):
    in_class = serializers.BooleanField(
        help_text=_("False: left the class during the semester (read-only).")
    )
    cells = serializers.DictField(
        child=serializers.CharField(), help_text=_("Column code → value as stored.")
    )
    comment = serializers.CharField(help_text=_("The subject teacher's comment."))
    average = serializers.DecimalField(
        source="outcome.average",
        max_digits=3,
        decimal_places=1,
        allow_null=True,
        help_text=_("Semester average (ĐTBmhk); null while an entry is missing."),
    )
    mark = serializers.CharField(
        source="outcome.mark", allow_null=True, help_text=_("Semester mark (comment subjects).")
    )


class GridSerializer(serializers.Serializer[Any]):
    subject = SubjectRefSerializer()
    semester = serializers.IntegerField()
    editable = serializers.BooleanField(help_text=_("You may enter scores (before deadlines)."))
    closed = serializers.BooleanField(help_text=_("The principal has closed the semester."))
    columns = serializers.SerializerMethodField()
    rows = GridRowSerializer(many=True)

    def get_fields(self) -> dict[str, serializers.Field[Any, Any, Any, Any]]:
        fields = super().get_fields()
        fields["class"] = ClassRefSerializer(source="school_class")
        return fields

    @extend_schema_field(GridColumnSerializer(many=True))
    def get_columns(self, grid: Grid) -> list[dict[str, Any]]:
        return [
            {
                "code": c.code,
                "label": c.label,
                "kind": c.kind,
                "group": c.group,
                "choices": list(c.choices),
                "locked": bool(grid.locks.get(c.code)),
                "lock_reason": grid.locks.get(c.code),
            }
            for c in grid.columns
        ]


class SavedCellSerializer(serializers.Serializer[Any]):
    student = serializers.IntegerField()
    code = serializers.CharField()
    value = serializers.CharField(help_text=_('The value as stored ("8,5" is stored "8.5").'))


class GridSavedSerializer(serializers.Serializer[Any]):
    changed = serializers.IntegerField(help_text=_("Number of cells whose value changed."))
    cells = SavedCellSerializer(many=True)
    rows = GridRowSerializer(many=True, help_text=_("The rows of the students concerned."))


class SubjectSavedCellSerializer(SavedCellSerializer):
    subject = serializers.CharField()


class ManySavedSerializer(serializers.Serializer[Any]):
    changed = serializers.IntegerField()
    cells = SubjectSavedCellSerializer(many=True)


class CellErrorSerializer(serializers.Serializer[Any]):
    student = serializers.IntegerField()
    subject = serializers.CharField(required=False, help_text=_("Multi-subject saves only."))
    code = serializers.CharField()
    message = serializers.CharField()
    current = serializers.CharField(
        required=False, help_text=_("Conflicts only: the value saved by someone else meanwhile.")
    )


class CellErrorsSerializer(serializers.Serializer[Any]):
    detail = serializers.CharField()
    cells = CellErrorSerializer(many=True)


# The homeroom sheet -------------------------------------------------------------------------
class TermColumnSerializer(serializers.Serializer[Any]):
    code = serializers.CharField(
        help_text=_('"conduct", "absences_excused", "absences_unexcused", "comment", "q:<code>".')
    )
    label = serializers.CharField()  # type: ignore[assignment]
    kind = serializers.ChoiceField(choices=["level", "count", "text", "rating"])
    choices = serializers.ListField(child=serializers.CharField())
    choice_names = serializers.SerializerMethodField()

    @extend_schema_field(serializers.DictField(child=serializers.CharField()))
    def get_choice_names(self, column: Any) -> dict[str, str]:
        if column.kind != "level":
            return {}
        return {choice: level_name("conduct", choice) for choice in column.choices}


class HomeroomRowSerializer(StudentFieldsMixin):
    in_class = serializers.BooleanField()
    cells = serializers.DictField(child=serializers.CharField())


class HomeroomSheetSerializer(serializers.Serializer[Any]):
    semester = serializers.IntegerField()
    editable = serializers.BooleanField(help_text=_("You are the class's homeroom teacher."))
    locked = serializers.SerializerMethodField()
    lock_reason = serializers.CharField(source="lock", allow_null=True)
    closed = serializers.BooleanField()
    columns = TermColumnSerializer(many=True)
    rows = HomeroomRowSerializer(many=True)

    def get_fields(self) -> dict[str, serializers.Field[Any, Any, Any, Any]]:
        fields = super().get_fields()
        fields["class"] = ClassRefSerializer(source="school_class")
        return fields

    def get_locked(self, sheet: Any) -> bool:
        return bool(sheet.lock)


class HomeroomSavedSerializer(serializers.Serializer[Any]):
    changed = serializers.IntegerField()
    cells = SavedCellSerializer(many=True)
    rows = HomeroomRowSerializer(many=True)


# Results ------------------------------------------------------------------------------------
class ResultFieldsMixin(serializers.Serializer[Any]):
    learning = serializers.CharField(
        allow_null=True, help_text=_("tot / kha / dat / chua_dat (primary: htxs / htt / ht / cht).")
    )
    learning_name = serializers.SerializerMethodField()
    conduct = serializers.CharField(allow_null=True)
    conduct_name = serializers.SerializerMethodField()
    award = serializers.CharField(help_text=_('"xuat_sac", "gioi" or "" (year only).'))
    award_name = serializers.SerializerMethodField()
    decision = serializers.CharField(help_text=_("Year-end decision (year only)."))
    decision_name = serializers.SerializerMethodField()
    absences = serializers.IntegerField()
    subjects = serializers.DictField(
        child=OutcomeSerializer(), help_text=_("Subject code → the subject's result.")
    )

    def get_learning_name(self, row: Any) -> str:
        return stats.level_name("learning", row.learning or stats.NOT_YET)

    def get_conduct_name(self, row: Any) -> str:
        return level_name("conduct", row.conduct)

    def get_award_name(self, row: Any) -> str:
        return level_name("award", row.award)

    def get_decision_name(self, row: Any) -> str:
        return level_name("decision", row.decision)


class ResultRowSerializer(StudentFieldsMixin, ResultFieldsMixin):
    pass


class AssessedSubjectSerializer(serializers.Serializer[Any]):
    code = serializers.CharField()
    name = serializers.CharField()
    assessment_type = serializers.CharField()


class ClassResultsSerializer(serializers.Serializer[Any]):
    period = serializers.IntegerField(help_text=_("1, 2, or 0 for the year."))
    official = serializers.BooleanField(
        help_text=_("Stored when the period was closed; computed from the entries otherwise.")
    )
    computed_at = serializers.DateTimeField(allow_null=True)
    subjects = AssessedSubjectSerializer(many=True)
    rows = ResultRowSerializer(many=True)

    def get_fields(self) -> dict[str, serializers.Field[Any, Any, Any, Any]]:
        fields = super().get_fields()
        fields["class"] = ClassRefSerializer(source="school_class")
        return fields


class TermResultSerializer(ResultFieldsMixin):
    id = serializers.IntegerField()
    school_year = SchoolYearRefSerializer()
    period = serializers.IntegerField(help_text=_("1, 2, or 0 for the year."))
    retests = serializers.DictField(child=serializers.JSONField(), help_text=_("Re-test results."))
    summer_conduct = serializers.CharField()
    computed_at = serializers.DateTimeField()

    def get_fields(self) -> dict[str, serializers.Field[Any, Any, Any, Any]]:
        fields = super().get_fields()
        fields["class"] = ClassRefSerializer(source="school_class")
        return fields

    def to_representation(self, instance: Any) -> dict[str, Any]:
        data = super().to_representation(instance)
        data["learning"] = data["learning"] or None
        data["conduct"] = data["conduct"] or None
        return data


class StudentResultsSerializer(serializers.Serializer[Any]):
    student = StudentRefSerializer()
    results = TermResultSerializer(many=True, help_text=_("Newest school year first."))


# School summary -----------------------------------------------------------------------------
class LevelCountSerializer(serializers.Serializer[Any]):
    code = serializers.CharField(help_text=_('"" counts the students not computable yet.'))
    name = serializers.CharField()
    count = serializers.IntegerField()
    percent = serializers.DecimalField(max_digits=4, decimal_places=1, allow_null=True)


def level_rows(kind: str, counts: Counter[str], whole: int, order: Sequence[str]) -> list[Any]:
    """The levels present, in the results pages' order, with their share of ``whole``."""
    rows = [
        {
            "code": code,
            "name": stats.level_name(kind, code),
            "count": counts[code],
            "percent": stats.percent(counts[code], whole),
        }
        for code in order
        if counts.get(code)
    ]
    return list(LevelCountSerializer(rows, many=True).data)


class TallySerializer(serializers.Serializer[Any]):
    students = serializers.IntegerField(source="total")
    learning = serializers.SerializerMethodField()
    conduct = serializers.SerializerMethodField()
    awards = serializers.SerializerMethodField()
    decisions = serializers.SerializerMethodField(help_text=_("Year-end decisions (year only)."))

    @extend_schema_field(LevelCountSerializer(many=True))
    def get_learning(self, tally: stats.Tally) -> list[Any]:
        return level_rows("learning", tally.learning, tally.total, stats.LEARNING_ORDER)

    @extend_schema_field(LevelCountSerializer(many=True))
    def get_conduct(self, tally: stats.Tally) -> list[Any]:
        return level_rows("conduct", tally.conduct, tally.total, stats.CONDUCT_ORDER)

    @extend_schema_field(LevelCountSerializer(many=True))
    def get_awards(self, tally: stats.Tally) -> list[Any]:
        return level_rows("award", tally.awards, tally.total, stats.AWARD_ORDER)

    @extend_schema_field(LevelCountSerializer(many=True))
    def get_decisions(self, tally: stats.Tally) -> list[Any]:
        if not any(tally.decisions):
            return []
        return level_rows("decision", tally.decisions, tally.total, stats.DECISION_ORDER)


class GradeTallySerializer(TallySerializer):
    grade = serializers.IntegerField()


class BinSerializer(serializers.Serializer[Any]):
    low = serializers.DecimalField(max_digits=3, decimal_places=1, help_text=_("From (included)."))
    high = serializers.DecimalField(
        max_digits=3, decimal_places=1, help_text=_("To (excluded, except 10).")
    )
    count = serializers.IntegerField()
    percent = serializers.DecimalField(max_digits=4, decimal_places=1, allow_null=True)


class SubjectDistributionSerializer(serializers.Serializer[Any]):
    code = serializers.CharField()
    name = serializers.CharField()
    count = serializers.IntegerField(help_text=_("Students with an average."))
    bins = BinSerializer(many=True)


class SchoolSummarySerializer(serializers.Serializer[Any]):
    school = OrgUnitRefSerializer()
    school_year = SchoolYearRefSerializer()
    period = serializers.IntegerField(help_text=_("1, 2, or 0 for the year."))
    official = serializers.BooleanField(
        help_text=_("From the official results (period closed); computed otherwise.")
    )
    total = TallySerializer()
    grades = serializers.SerializerMethodField()
    subjects = serializers.SerializerMethodField(
        help_text=_("Distribution of the subject averages (scored subjects).")
    )

    @extend_schema_field(GradeTallySerializer(many=True))
    def get_grades(self, summary: SchoolSummary) -> list[Any]:
        return [
            {"grade": grade, **TallySerializer(tally).data}
            for grade, tally in summary.grades.items()
        ]

    @extend_schema_field(SubjectDistributionSerializer(many=True))
    def get_subjects(self, summary: SchoolSummary) -> list[Any]:
        names = summary.subject_names
        found = []
        for code in sorted(summary.total.scores, key=lambda c: names.get(c, c)):
            counts = summary.total.scores[code]
            whole = sum(counts)
            bins = [
                {
                    "low": Decimal(low) / 10,
                    "high": min(Decimal(high) / 10, Decimal(10)),
                    "count": count,
                    "percent": stats.percent(count, whole),
                }
                for (low, high), count in zip(stats.BINS, counts, strict=True)
            ]
            found.append(
                {"code": code, "name": names.get(code, code), "count": whole, "bins": bins}
            )
        return list(SubjectDistributionSerializer(found, many=True).data)


# Late changes -------------------------------------------------------------------------------
class UserRefSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    full_name = serializers.CharField(source="get_full_name")


class LateChangeCellOutSerializer(serializers.Serializer[Any]):
    code = serializers.CharField()
    old = serializers.CharField()
    new = serializers.CharField()


class LateChangeSerializer(serializers.ModelSerializer[ApprovalRequest]):
    status_name = serializers.CharField(source="get_status_display")
    semester = serializers.IntegerField(source="payload.semester")
    student = serializers.IntegerField(source="payload.student")
    subject = serializers.SerializerMethodField()
    cells = serializers.SerializerMethodField()
    requested_by = UserRefSerializer(allow_null=True)
    decided_by = UserRefSerializer(allow_null=True)

    class Meta:
        model = ApprovalRequest
        fields = [
            "id",
            "status",
            "status_name",
            "title",
            "semester",
            "student",
            "subject",
            "cells",
            "reason",
            "requested_by",
            "requested_at",
            "decided_by",
            "decided_at",
            "decision_note",
        ]

    def get_fields(self) -> dict[str, serializers.Field[Any, Any, Any, Any]]:
        fields = super().get_fields()
        fields["class"] = serializers.IntegerField(source="payload.class")
        return fields

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_subject(self, request: ApprovalRequest) -> str | None:
        """The subject's code; null for the homeroom record."""
        pk = request.payload.get("subject")
        if pk is None:
            return None
        if "subject_codes" not in self.context:
            self.context["subject_codes"] = dict(Subject.objects.values_list("pk", "code"))
        return str(self.context["subject_codes"].get(pk, ""))

    @extend_schema_field(LateChangeCellOutSerializer(many=True))
    def get_cells(self, request: ApprovalRequest) -> list[dict[str, str]]:
        cells = request.payload.get("cells", {})
        return [{"code": code, "old": old, "new": new} for code, (old, new) in cells.items()]
