"""Output of the REST API: what a client reads. Input lives in ``inputs.py``.

Each serializer reads only what its selector loaded (``select_related`` / ``prefetch_related``
chosen there), so serializing a page never runs a query per row. Dates are ISO 8601.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from truongso.registry import selectors
from truongso.registry.models import (
    EnrolmentEvent,
    GradeSubject,
    OrgUnit,
    Placement,
    RegisterEntry,
    SchoolClass,
    SchoolYear,
    Semester,
    Staff,
    Student,
    StudentGuardian,
    Subject,
    TeachingAssignment,
    TransferRequest,
)
from truongso.registry.reference import ETHNICITY_NAMES


class OrgUnitRefSerializer(serializers.ModelSerializer[OrgUnit]):
    class Meta:
        model = OrgUnit
        fields = ["id", "code", "name"]


class OrgUnitSerializer(serializers.ModelSerializer[OrgUnit]):
    parent = OrgUnitRefSerializer(allow_null=True)

    class Meta:
        model = OrgUnit
        fields = [
            "id",
            "kind",
            "code",
            "name",
            "parent",
            "depth",
            "level",
            "grade_from",
            "grade_to",
            "ownership",
            "address",
            "phone",
            "email",
            "is_active",
        ]


class SemesterSerializer(serializers.ModelSerializer[Semester]):
    class Meta:
        model = Semester
        fields = ["number", "start_date", "end_date"]


class SchoolYearRefSerializer(serializers.ModelSerializer[SchoolYear]):
    class Meta:
        model = SchoolYear
        fields = ["id", "code"]


class SchoolYearSerializer(serializers.ModelSerializer[SchoolYear]):
    semesters = SemesterSerializer(many=True)

    class Meta:
        model = SchoolYear
        fields = ["id", "code", "start_date", "end_date", "is_current", "semesters"]


class SubjectSerializer(serializers.ModelSerializer[Subject]):
    class Meta:
        model = Subject
        fields = ["id", "code", "name", "name_en"]


class GradeSubjectSerializer(serializers.ModelSerializer[GradeSubject]):
    subject = SubjectSerializer()
    regular_assessments = serializers.IntegerField(
        help_text=_("Regular assessments per semester (Thông tư 22/2021, Art. 6.2.b).")
    )

    class Meta:
        model = GradeSubject
        fields = [
            "id",
            "grade",
            "subject",
            "periods_per_year",
            "assessment_type",
            "is_elective",
            "regular_assessments",
        ]


class StaffRefSerializer(serializers.ModelSerializer[Staff]):
    class Meta:
        model = Staff
        fields = ["id", "full_name"]


class ClassRefSerializer(serializers.ModelSerializer[SchoolClass]):
    class Meta:
        model = SchoolClass
        fields = ["id", "name", "grade"]


class ClassSerializer(serializers.ModelSerializer[SchoolClass]):
    school = OrgUnitRefSerializer()
    school_year = SchoolYearRefSerializer()
    homeroom_teacher = StaffRefSerializer(allow_null=True)
    size = serializers.IntegerField(
        allow_null=True, help_text=_("Students currently in the class (lists only).")
    )

    class Meta:
        model = SchoolClass
        fields = ["id", "name", "grade", "school", "school_year", "homeroom_teacher", "size"]


class TeachingAssignmentSerializer(serializers.ModelSerializer[TeachingAssignment]):
    staff = StaffRefSerializer()
    subject = SubjectSerializer()
    school = OrgUnitRefSerializer(source="school_class.school")

    class Meta:
        model = TeachingAssignment
        fields = ["id", "staff", "subject", "semester", "periods_per_week", "school"]

    def get_fields(self) -> dict[str, serializers.Field[Any, Any, Any, Any]]:
        fields = super().get_fields()
        fields["class"] = ClassRefSerializer(source="school_class")
        return fields


class StaffSerializer(serializers.ModelSerializer[Staff]):
    org_unit = OrgUnitRefSerializer()
    main_subject = SubjectSerializer(allow_null=True)

    class Meta:
        model = Staff
        fields = [
            "id",
            "org_unit",
            "staff_code",
            "full_name",
            "birth_date",
            "gender",
            "citizen_id",
            "phone",
            "email",
            "position",
            "employment",
            "main_subject",
            "is_active",
        ]


class StudentRowSerializer(serializers.ModelSerializer[Student]):
    """One row of the student list: identity, school and current class."""

    identifier = serializers.CharField(help_text=_("The learner ID, or the temporary code."))
    ethnicity_name = serializers.SerializerMethodField()
    school = OrgUnitRefSerializer(allow_null=True)
    current_class = ClassRefSerializer(allow_null=True)

    class Meta:
        model = Student
        fields = [
            "id",
            "identifier",
            "learner_id",
            "temp_code",
            "full_name",
            "birth_date",
            "gender",
            "ethnicity",
            "ethnicity_name",
            "school",
            "current_class",
            "status",
        ]

    def get_ethnicity_name(self, student: Student) -> str:
        return ETHNICITY_NAMES.get(student.ethnicity, "")


# The columns a student row reads: lists load only these (about half of the student's and
# of its school's columns), which matters on the busiest endpoint of the API.
STUDENT_ROW_COLUMNS = (
    *(f for f in StudentRowSerializer.Meta.fields if f not in {"identifier", "ethnicity_name"}),
    "school__code",
    "school__name",
    "current_class__name",
    "current_class__grade",
)


class GuardianSerializer(serializers.ModelSerializer[StudentGuardian]):
    """A guardian as linked to one student (the ``id`` is the link's)."""

    guardian_id = serializers.IntegerField()
    full_name = serializers.CharField(source="guardian.full_name")
    phone = serializers.CharField(source="guardian.phone")
    email = serializers.CharField(source="guardian.email")

    class Meta:
        model = StudentGuardian
        fields = ["id", "guardian_id", "full_name", "relation", "is_primary", "phone", "email"]


class PlacementSerializer(serializers.ModelSerializer[Placement]):
    school_class = ClassRefSerializer()
    school = OrgUnitRefSerializer(source="school_class.school")
    school_year = SchoolYearRefSerializer(source="school_class.school_year")

    class Meta:
        model = Placement
        fields = ["school_class", "school", "school_year", "start_date", "end_date"]


class StudentDetailSerializer(StudentRowSerializer):
    guardians = GuardianSerializer(source="guardian_links", many=True)
    current_placement = serializers.SerializerMethodField()

    class Meta(StudentRowSerializer.Meta):
        fields = [
            *StudentRowSerializer.Meta.fields,
            "citizen_id",
            "nationality",
            "birthplace",
            "hometown",
            "permanent_address",
            "current_address",
            "guardians",
            "current_placement",
            "created_at",
            "updated_at",
        ]

    @extend_schema_field(PlacementSerializer(allow_null=True))
    def get_current_placement(self, student: Student) -> dict[str, Any] | None:
        placement = selectors.current_placement(student)
        return PlacementSerializer(placement).data if placement is not None else None


class EnrolmentEventSerializer(serializers.ModelSerializer[EnrolmentEvent]):
    school = OrgUnitRefSerializer()
    school_class = ClassRefSerializer(allow_null=True)
    other_school = OrgUnitRefSerializer(allow_null=True)

    class Meta:
        model = EnrolmentEvent
        fields = [
            "id",
            "kind",
            "date",
            "school",
            "school_class",
            "other_school",
            "other_school_name",
            "reason",
            "decision_no",
        ]


class RegisterEntrySerializer(serializers.ModelSerializer[RegisterEntry]):
    school = OrgUnitRefSerializer()

    class Meta:
        model = RegisterEntry
        fields = [
            "id",
            "school",
            "number",
            "admitted_on",
            "admitted_grade",
            "admitted_class_name",
            "admission_kind",
            "from_school_name",
            "left_on",
            "leave_kind",
            "leave_note",
        ]


class StudentHistorySerializer(serializers.Serializer[Any]):
    """Enrolment history (newest first) and the enrolment-register lines (sổ đăng bộ)."""

    events = EnrolmentEventSerializer(many=True)
    register_entries = RegisterEntrySerializer(many=True)


class StudentRefSerializer(serializers.ModelSerializer[Student]):
    identifier = serializers.CharField()

    class Meta:
        model = Student
        fields = ["id", "identifier", "full_name"]


class TransferSerializer(serializers.ModelSerializer[TransferRequest]):
    student = StudentRefSerializer()
    from_school = OrgUnitRefSerializer()
    to_school = OrgUnitRefSerializer()
    target_class = ClassRefSerializer(allow_null=True)

    class Meta:
        model = TransferRequest
        fields = [
            "id",
            "student",
            "from_school",
            "to_school",
            "status",
            "reason",
            "requested_on",
            "created_at",
            "decided_at",
            "decision_note",
            "target_class",
        ]
