"""Forms of the org pages (units, classes, staff, school years, curriculum).

They parse and present input; the rules live in ``registry.cleaning`` and the services,
whose ``ValidationError`` dicts are put back on the fields by :func:`show_errors`. Filter
forms drop what they cannot parse, so garbage in the query string never breaks a list.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from truongso.accounts.services import STAFF_LOGIN_ROLES
from truongso.core.authz import Role
from truongso.registry.models import OrgUnit, SchoolYear, Staff, Subject
from truongso.registry.reference import (
    GRADE_CHOICES,
    AssessmentType,
    Employment,
    Gender,
    OrgKind,
    Ownership,
    Position,
    SchoolLevel,
)

ACTIVE_CHOICES = [("1", _("Open")), ("0", _("Closed")), ("all", _("All"))]
WORKING_CHOICES = [("1", _("Working")), ("0", _("No longer working")), ("all", _("All"))]
BLANK: list[tuple[Any, Any]] = [("", "—")]


def show_errors(form: forms.Form, exc: ValidationError) -> None:
    """Put a service's errors on the form: at the named field when the form has it."""
    if not hasattr(exc, "error_dict"):
        for message in exc.messages:
            form.add_error(None, message)
        return
    for name, errors in exc.error_dict.items():
        target = name if name in form.fields else None
        for error in errors:
            for message in error.messages:
                form.add_error(target, message)


def filters(form: forms.Form) -> dict[str, Any]:
    """The filter values that parsed; a bad value is simply ignored."""
    form.is_valid()
    return {k: v for k, v in getattr(form, "cleaned_data", {}).items() if v not in (None, "")}


def active_value(raw: str | None) -> bool | None:
    """ "1" (default) → open only, "0" → closed only, "all" → both."""
    return {"0": False, "all": None}.get(raw or "1", True)


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs=attrs, format="%Y-%m-%d")


if TYPE_CHECKING:
    _UnitField = forms.ModelChoiceField[OrgUnit]
    _StaffField = forms.ModelChoiceField[Staff]
else:  # the stubs' generics do not exist at run time
    _UnitField = _StaffField = forms.ModelChoiceField


class UnitChoiceField(_UnitField):
    """Units labelled "code – name", indented by depth so the tree shows in the list."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("empty_label", "—")
        super().__init__(*args, **kwargs)

    def label_from_instance(self, obj: OrgUnit) -> str:
        return f"{'· ' * obj.depth}{obj.code} – {obj.name}"


class StaffChoiceField(_StaffField):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("empty_label", "—")
        super().__init__(*args, **kwargs)

    def label_from_instance(self, obj: Staff) -> str:
        return f"{obj.full_name} ({obj.get_position_display()})"


def search_field() -> forms.CharField:
    return forms.CharField(
        label=_("Search"),
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
    )


# --- Org units --------------------------------------------------------------------------


class OrgUnitFilterForm(forms.Form):
    q = search_field()
    kind = forms.ChoiceField(label=_("Kind"), required=False, choices=BLANK + OrgKind.choices)
    level = forms.ChoiceField(
        label=_("School level"), required=False, choices=BLANK + SchoolLevel.choices
    )
    parent = UnitChoiceField(label=_("Under"), required=False, queryset=OrgUnit.objects.none())
    active = forms.ChoiceField(label=_("Status"), required=False, choices=ACTIVE_CHOICES)

    def __init__(self, *args: Any, parents: QuerySet[OrgUnit], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["parent"].queryset = parents  # type: ignore[attr-defined]


class OrgUnitForm(forms.Form):
    """Creating a unit (all fields) or editing one (only the fields the actor may change)."""

    parent = UnitChoiceField(label=_("Under"), queryset=OrgUnit.objects.none())
    kind = forms.ChoiceField(label=_("Kind"), choices=OrgKind.choices, initial=OrgKind.SCHOOL)
    code = forms.CharField(
        label=_("Unit code"),
        max_length=20,
        help_text=_("The code in the Ministry database, e.g. 34070001."),
    )
    name = forms.CharField(label=_("Name"), max_length=255)
    level = forms.ChoiceField(
        label=_("School level"),
        required=False,
        choices=BLANK + SchoolLevel.choices,
        help_text=_("Schools only."),
    )
    grade_from = forms.TypedChoiceField(
        label=_("Lowest grade"), required=False, coerce=int, empty_value=None,
        choices=BLANK + GRADE_CHOICES,
        help_text=_("Leave empty to use the usual span of the level."),
    )  # fmt: skip
    grade_to = forms.TypedChoiceField(
        label=_("Highest grade"), required=False, coerce=int, empty_value=None,
        choices=BLANK + GRADE_CHOICES,
    )  # fmt: skip
    ownership = forms.ChoiceField(
        label=_("Ownership"), required=False, choices=BLANK + Ownership.choices
    )
    address = forms.CharField(label=_("Address"), required=False, max_length=255)
    phone = forms.CharField(
        label=_("Phone"),
        required=False,
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
    )
    # Checked by the service together with the phone, so both errors show at once.
    email = forms.CharField(label=_("Email"), required=False, max_length=254)

    def __init__(
        self,
        *args: Any,
        parents: QuerySet[OrgUnit] | None = None,
        editable: tuple[str, ...] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        if parents is not None:
            self.fields["parent"].queryset = parents  # type: ignore[attr-defined]
        if editable is not None:
            for name in list(self.fields):
                if name not in editable:
                    del self.fields[name]


# --- Classes ----------------------------------------------------------------------------


class ClassFilterForm(forms.Form):
    school = forms.ModelChoiceField(
        label=_("School"), required=False, queryset=OrgUnit.objects.none()
    )
    year = forms.ModelChoiceField(
        label=_("School year"), required=False, queryset=SchoolYear.objects.all()
    )
    grade = forms.TypedChoiceField(
        label=_("Grade"), required=False, coerce=int, choices=BLANK + GRADE_CHOICES
    )

    def __init__(self, *args: Any, schools: QuerySet[OrgUnit], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["school"].queryset = schools  # type: ignore[attr-defined]
        self.fields["year"].empty_label = None  # type: ignore[attr-defined]


class ClassForm(forms.Form):
    school = forms.ModelChoiceField(label=_("School"), queryset=OrgUnit.objects.none())
    school_year = forms.ModelChoiceField(
        label=_("School year"), queryset=SchoolYear.objects.all(), empty_label=None
    )
    grade = forms.TypedChoiceField(label=_("Grade"), coerce=int, choices=GRADE_CHOICES)
    name = forms.CharField(
        label=_("Class name"), max_length=20, help_text=_("For example 6A1 or 10 Toán.")
    )
    homeroom_teacher = StaffChoiceField(
        label=_("Homeroom teacher"),
        required=False,
        queryset=Staff.objects.none(),
        help_text=_("Chosen among the working staff of the school."),
    )

    def __init__(
        self,
        *args: Any,
        schools: QuerySet[OrgUnit] | None,
        teachers: QuerySet[Staff],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["homeroom_teacher"].queryset = teachers  # type: ignore[attr-defined]
        if schools is None:  # editing: the school, year and grade of a class stay
            for name in ("school", "school_year", "grade"):
                del self.fields[name]
        else:
            self.fields["school"].queryset = schools  # type: ignore[attr-defined]


class TeachingAssignForm(forms.Form):
    staff = StaffChoiceField(label=_("Teacher"), queryset=Staff.objects.none())

    def __init__(self, *args: Any, teachers: QuerySet[Staff], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["staff"].queryset = teachers  # type: ignore[attr-defined]


# --- Staff ------------------------------------------------------------------------------


class StaffFilterForm(forms.Form):
    q = search_field()
    unit = UnitChoiceField(label=_("Workplace"), required=False, queryset=OrgUnit.objects.none())
    position = forms.ChoiceField(
        label=_("Position"), required=False, choices=BLANK + Position.choices
    )
    working = forms.ChoiceField(label=_("Status"), required=False, choices=WORKING_CHOICES)

    def __init__(self, *args: Any, units: QuerySet[OrgUnit], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units  # type: ignore[attr-defined]


class StaffForm(forms.Form):
    """Fields are parsed loosely; ``registry.cleaning`` (through the service) decides."""

    org_unit = UnitChoiceField(label=_("Workplace"), queryset=OrgUnit.objects.none())
    full_name = forms.CharField(label=_("Full name"), max_length=100)
    staff_code = forms.CharField(label=_("Staff ID"), required=False, max_length=20)
    birth_date = forms.DateField(label=_("Birth date"), required=False, widget=DateInput())
    gender = forms.ChoiceField(label=_("Gender"), required=False, choices=BLANK + Gender.choices)
    citizen_id = forms.CharField(
        label=_("Citizen ID"),
        required=False,
        max_length=14,
        widget=forms.TextInput(attrs={"inputmode": "numeric"}),
        help_text=_("12 digits (CCCD)."),
    )
    phone = forms.CharField(
        label=_("Phone"),
        required=False,
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off"}),
    )
    email = forms.CharField(label=_("Email"), required=False, max_length=254)
    position = forms.ChoiceField(label=_("Position"), choices=Position.choices)
    employment = forms.ChoiceField(
        label=_("Employment"), required=False, choices=BLANK + Employment.choices
    )
    main_subject = forms.ModelChoiceField(
        label=_("Main subject"), required=False, queryset=Subject.objects.order_by("name")
    )
    is_active = forms.BooleanField(label=_("Still working here"), required=False)

    def __init__(
        self, *args: Any, units: QuerySet[OrgUnit] | None, editing: bool = False, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        if units is None:
            del self.fields["org_unit"]
        else:
            self.fields["org_unit"].queryset = units  # type: ignore[attr-defined]
        if not editing:
            del self.fields["is_active"]

    def data_for_service(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data.pop("org_unit", None)
        return data


ROLE_LABELS = dict(Role.choices)


class StaffAccountForm(forms.Form):
    username = forms.CharField(
        label=_("Username"),
        max_length=150,
        help_text=_("Suggested from the name without diacritics; you may change it."),
        widget=forms.TextInput(attrs={"autocapitalize": "none", "autocomplete": "off"}),
    )
    role = forms.ChoiceField(
        label=_("Role at the school"),
        choices=[(role.value, ROLE_LABELS[role.value]) for role in STAFF_LOGIN_ROLES],
    )


# --- School years and curriculum -------------------------------------------------------


class SchoolYearForm(forms.Form):
    code = forms.CharField(label=_("School year"), max_length=9, help_text="2026-2027")
    semester1_start = forms.DateField(label=_("Semester I starts"), widget=DateInput())
    semester1_end = forms.DateField(label=_("Semester I ends"), widget=DateInput())
    semester2_start = forms.DateField(label=_("Semester II starts"), widget=DateInput())
    semester2_end = forms.DateField(label=_("Semester II ends"), widget=DateInput())
    make_current = forms.BooleanField(label=_("Make it the current year"), required=False)

    def semesters(self) -> Any:
        d = self.cleaned_data
        return (
            (d["semester1_start"], d["semester1_end"]),
            (d["semester2_start"], d["semester2_end"]),
        )


class GradeFilterForm(forms.Form):
    grade = forms.TypedChoiceField(label=_("Grade"), coerce=int, choices=GRADE_CHOICES)


class GradeSubjectForm(forms.Form):
    periods_per_year = forms.IntegerField(
        label=_("Periods per year"),
        min_value=1,
        max_value=700,
        error_messages={
            key: _("Periods per year must be between 1 and 700.")
            for key in ("invalid", "min_value", "max_value")
        },
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    assessment_type = forms.ChoiceField(label=_("Assessment type"), choices=AssessmentType.choices)
