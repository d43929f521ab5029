"""Input of the REST API: query filters and request bodies, kept apart from the output.

These serializers check only the shape of the input (types, choices, IDs the user may see);
the rules of the domain (names, ID formats, ages, uniqueness) are the services' and
``registry.cleaning``'s, so forms, API and spreadsheets share one set of messages.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from truongso.registry import selectors
from truongso.registry.api.fields import RecordField, first
from truongso.registry.models import EventKind, StudentStatus, TransferStatus
from truongso.registry.reference import (
    ETHNIC_GROUPS,
    GRADE_CHOICES,
    Employment,
    Gender,
    OrgKind,
    Ownership,
    Position,
    Relation,
    SchoolLevel,
)

ALL = "all"
SEMESTERS = [(1, "I"), (2, "II")]
EXIT_KINDS = [
    (kind.value, kind.label)
    for kind in (EventKind.TRANSFER_OUT, EventKind.LEFT, EventKind.GRADUATED)
]


def org_unit_field(**kwargs: Any) -> RecordField:
    return RecordField(selectors.org_unit_detail, **kwargs)


def class_field(**kwargs: Any) -> RecordField:
    return RecordField(selectors.class_detail, **kwargs)


def staff_field(**kwargs: Any) -> RecordField:
    return RecordField(selectors.staff_detail, **kwargs)


def subject_field(**kwargs: Any) -> RecordField:
    return RecordField(lambda _user, pk: first(selectors.subject_list(), pk), **kwargs)


def school_year_field(**kwargs: Any) -> RecordField:
    return RecordField(lambda _user, pk: first(selectors.school_year_list(), pk), **kwargs)


def text(**kwargs: Any) -> serializers.CharField:
    """Optional free text; its length and content are checked by the service."""
    return serializers.CharField(required=False, allow_blank=True, **kwargs)


class WithClassField(serializers.Serializer[Any]):
    """Adds a field named ``class`` (a Python keyword, so it cannot be declared directly)."""

    class_field_options: dict[str, Any] = {}

    def get_fields(self) -> dict[str, serializers.Field[Any, Any, Any, Any]]:
        fields = super().get_fields()
        fields["class"] = class_field(**self.class_field_options)
        return fields


def active_choice() -> serializers.ChoiceField:
    return serializers.ChoiceField(
        choices=["true", "false", ALL],
        default="true",
        help_text=_("Working/open records only (true, default), closed ones (false) or all."),
    )


def active_value(value: str) -> bool | None:
    return None if value == ALL else value == "true"


# --- Filters (query parameters) ---------------------------------------------------------


class OrgUnitFilterSerializer(serializers.Serializer[Any]):
    q = text(max_length=100, help_text=_("Name (without diacritics is fine) or code prefix."))
    kind = serializers.ChoiceField(choices=OrgKind.choices, required=False)
    level = serializers.ChoiceField(choices=SchoolLevel.choices, required=False)
    # DRF moves declared fields off the class; the name only shadows ``Field.parent`` for mypy.
    parent = org_unit_field(required=False, help_text=_("Units below this one."))  # type: ignore[assignment]
    active = active_choice()


class ClassFilterSerializer(serializers.Serializer[Any]):
    school = org_unit_field(required=False)
    school_year = school_year_field(required=False)
    grade = serializers.ChoiceField(choices=GRADE_CHOICES, required=False)


class GradeSubjectFilterSerializer(serializers.Serializer[Any]):
    grade = serializers.ChoiceField(choices=GRADE_CHOICES, required=False)


class AssignmentFilterSerializer(WithClassField):
    class_field_options = {"required": False}
    staff = staff_field(required=False)


class StaffFilterSerializer(serializers.Serializer[Any]):
    q = text(max_length=100, help_text=_("Name (without diacritics is fine) or staff ID prefix."))
    org_unit = org_unit_field(required=False)
    position = serializers.ChoiceField(choices=Position.choices, required=False)
    active = active_choice()


class StudentFilterSerializer(WithClassField):
    class_field_options = {"required": False}
    q = text(
        max_length=100,
        help_text=_(
            "Name (diacritics optional), or the beginning of a learner ID, citizen ID or "
            "temporary code."
        ),
    )
    school = org_unit_field(required=False)
    grade = serializers.ChoiceField(choices=GRADE_CHOICES, required=False)
    status = serializers.ChoiceField(
        choices=[*StudentStatus.choices, (ALL, _("All"))],
        default=StudentStatus.STUDYING,
        help_text=_("Studying students by default; 'all' for every status."),
    )


class TransferFilterSerializer(serializers.Serializer[Any]):
    status = serializers.ChoiceField(choices=TransferStatus.choices, required=False)


# --- Organisation, classes, staff ---------------------------------------------------------


class OrgUnitUpdateSerializer(serializers.Serializer[Any]):
    name = serializers.CharField(max_length=255)
    level = serializers.ChoiceField(choices=SchoolLevel.choices, allow_blank=True)
    grade_from = serializers.IntegerField(allow_null=True, min_value=1, max_value=12)
    grade_to = serializers.IntegerField(allow_null=True, min_value=1, max_value=12)
    ownership = serializers.ChoiceField(choices=Ownership.choices, allow_blank=True)
    address = serializers.CharField(max_length=255, allow_blank=True)
    phone = serializers.CharField(max_length=20, allow_blank=True)
    email = serializers.EmailField(allow_blank=True)


class OrgUnitCreateSerializer(OrgUnitUpdateSerializer):
    kind = serializers.ChoiceField(choices=OrgKind.choices)
    code = serializers.CharField(max_length=20)
    parent = org_unit_field(allow_null=True)  # type: ignore[assignment]
    level = serializers.ChoiceField(choices=SchoolLevel.choices, allow_blank=True, default="")
    grade_from = serializers.IntegerField(allow_null=True, min_value=1, max_value=12, default=None)
    grade_to = serializers.IntegerField(allow_null=True, min_value=1, max_value=12, default=None)
    ownership = serializers.ChoiceField(choices=Ownership.choices, allow_blank=True, default="")
    address = serializers.CharField(max_length=255, allow_blank=True, default="")
    phone = serializers.CharField(max_length=20, allow_blank=True, default="")
    email = serializers.EmailField(allow_blank=True, default="")


class ClassUpdateSerializer(serializers.Serializer[Any]):
    name = serializers.CharField(max_length=100)
    homeroom_teacher = staff_field(allow_null=True, required=False)


class ClassCreateSerializer(ClassUpdateSerializer):
    school = org_unit_field()
    school_year = school_year_field()
    grade = serializers.ChoiceField(choices=GRADE_CHOICES)


class AssignmentCreateSerializer(WithClassField):
    subject = subject_field()
    staff = staff_field()
    semester = serializers.ChoiceField(
        choices=SEMESTERS, allow_null=True, required=False, help_text=_("Empty for the whole year.")
    )


class StaffUpdateSerializer(serializers.Serializer[Any]):
    full_name = serializers.CharField()
    staff_code = text()
    birth_date = serializers.DateField(allow_null=True, required=False)
    gender = serializers.ChoiceField(choices=Gender.choices, allow_blank=True, required=False)
    citizen_id = text(allow_null=True)
    phone = text()
    email = text()
    position = serializers.ChoiceField(choices=Position.choices, required=False)
    employment = serializers.ChoiceField(
        choices=Employment.choices, allow_blank=True, required=False
    )
    main_subject = subject_field(allow_null=True, required=False)
    is_active = serializers.BooleanField(required=False)


class StaffCreateSerializer(StaffUpdateSerializer):
    org_unit = org_unit_field()


# --- Students -----------------------------------------------------------------------------


class StudentDataSerializer(serializers.Serializer[Any]):
    """Personal fields of a student, as ``registry.cleaning.clean_student_data`` takes them."""

    learner_id = text(allow_null=True, help_text=_("10-digit Ministry learner ID."))
    citizen_id = text(allow_null=True, help_text=_("12-digit personal identification number."))
    full_name = serializers.CharField()
    birth_date = serializers.DateField()
    gender = serializers.ChoiceField(choices=Gender.choices)
    ethnicity = serializers.ChoiceField(choices=ETHNIC_GROUPS, required=False)
    nationality = text()
    birthplace = text()
    hometown = text()
    permanent_address = text()
    current_address = text()


class StudentUpdateSerializer(StudentDataSerializer):
    """Sent with PATCH: only the fields given change; the learner ID never does once set."""


class StudentAdmitSerializer(WithClassField, StudentDataSerializer):
    admitted_on = serializers.DateField()
    decision_no = text(max_length=50)


class LearnerIdSerializer(serializers.Serializer[Any]):
    learner_id = serializers.CharField()


class GuardianLinkSerializer(serializers.Serializer[Any]):
    full_name = serializers.CharField()
    relation = serializers.ChoiceField(choices=Relation.choices)
    phone = text()
    email = text()
    citizen_id = text(allow_null=True)
    occupation = text()
    is_primary = serializers.BooleanField(default=False)


class StudentTransferSerializer(serializers.Serializer[Any]):
    to_school = RecordField(
        lambda _user, pk: first(selectors.school_directory(), pk),
        help_text=_("Any open school of the system."),
    )
    date = serializers.DateField()
    reason = serializers.CharField(max_length=255)


class ClassChangeSerializer(WithClassField):
    date = serializers.DateField()
    reason = text(max_length=255)


class StudentExitSerializer(serializers.Serializer[Any]):
    kind = serializers.ChoiceField(choices=EXIT_KINDS)
    date = serializers.DateField()
    reason = text(max_length=255)
    other_school_name = text(
        max_length=255, help_text=_("Required when the student moves to a school outside.")
    )


class TransferAcceptSerializer(WithClassField):
    date = serializers.DateField(
        required=False, help_text=_("Defaults to the date of the request.")
    )


class TransferDecisionSerializer(serializers.Serializer[Any]):
    note = text(max_length=255)
