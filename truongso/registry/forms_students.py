"""Forms of the student pages. They parse and present input; the rules live in
``registry.cleaning`` and the services, whose ``ValidationError`` dicts are shown at the
fields by :func:`show_errors`."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from truongso.registry.models import EventKind, OrgUnit, SchoolClass, SchoolYear, StudentStatus
from truongso.registry.reference import ETHNIC_GROUPS, GRADE_CHOICES, Gender, Relation

# Above this many schools a select list is unusable: the filter takes a school code instead.
SCHOOL_SELECT_LIMIT = 300
STATUS_ALL = "all"


def show_errors(form: forms.Form, exc: ValidationError) -> None:
    """Put a service's errors on the form: at the named field when the form has it."""
    if not hasattr(exc, "error_dict"):
        for message in exc.messages:
            form.add_error(None, message)
        return
    for field, errors in exc.error_dict.items():
        target = field if field in form.fields else None
        for error in errors:
            for message in error.messages:
                form.add_error(target, message)


class DateInput(forms.DateInput):
    """The browser's date picker; its value is ISO, which every date input format accepts."""

    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs=attrs, format="%Y-%m-%d")


if TYPE_CHECKING:
    ClassChoiceBase = forms.ModelChoiceField[SchoolClass]
else:  # the stubs make the field generic; Django's class is not subscriptable at run time
    ClassChoiceBase = forms.ModelChoiceField


class ClassChoiceField(ClassChoiceBase):
    """Classes labelled with their school and year, e.g. "6A1 – THCS An Bài (2025–2026)"."""

    def __init__(self, *args: Any, with_school: bool = True, **kwargs: Any) -> None:
        self.with_school = with_school
        super().__init__(*args, **kwargs)

    def label_from_instance(self, obj: SchoolClass) -> str:
        if not self.with_school:
            return f"{obj.name} ({obj.school_year})"
        return f"{obj.name} – {obj.school.name} ({obj.school_year})"


# --- The student list ---------------------------------------------------------------------


class StudentFilterForm(forms.Form):
    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=100,
        widget=forms.TextInput(
            attrs={
                "type": "search",
                "placeholder": _("Name, learner ID, citizen ID or temporary code"),
                "autocomplete": "off",
            }
        ),
    )
    grade = forms.TypedChoiceField(
        label=_("Grade"),
        required=False,
        coerce=int,
        empty_value=None,
        choices=[("", _("All grades")), *GRADE_CHOICES],
    )
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[*StudentStatus.choices, (STATUS_ALL, _("All statuses"))],
    )

    def __init__(
        self,
        data: Any,
        *,
        schools: QuerySet[OrgUnit],
        classes: QuerySet[SchoolClass],
        school_count: int,
    ) -> None:
        super().__init__(data)
        self.show_school = school_count > 1
        school_field = forms.ModelChoiceField(
            label=_("School"),
            queryset=schools,
            required=False,
            to_field_name="code",
            empty_label=_("All schools"),
        )
        if school_count > SCHOOL_SELECT_LIMIT:
            school_field.widget = forms.TextInput(attrs={"placeholder": _("School code")})
        self.fields["school"] = school_field
        self.fields["class"] = forms.ModelChoiceField(
            label=_("Class"), queryset=classes, required=False, empty_label=_("All classes")
        )
        self.order_fields(["q", "school", "class", "grade", "status"])

    def make_live(self, url: str, target: str) -> None:
        """Search as you type and filter on change with HTMX; the plain form still works.
        Choosing a school reloads the whole page, because the class list depends on it."""
        common = {"hx-get": url, "hx-target": target, "hx-include": "closest form"}
        common["hx-push-url"] = "true"
        self.fields["q"].widget.attrs.update(
            common, **{"hx-trigger": "input changed delay:300ms, search"}
        )
        for name in ("class", "grade", "status"):
            self.fields[name].widget.attrs.update(common, **{"hx-trigger": "change"})
        if isinstance(self.fields["school"].widget, forms.Select):
            self.fields["school"].widget.attrs["onchange"] = "this.form.submit()"

    def filters(self) -> dict[str, Any]:
        """Keyword arguments for ``selectors.student_list``; invalid values are ignored."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        status = data.get("status") or StudentStatus.STUDYING
        return {
            "query": data.get("q") or "",
            "school": data.get("school"),
            "school_class": data.get("class"),
            "grade": data.get("grade"),
            "status": None if status == STATUS_ALL else status,
        }


# --- Personal data ------------------------------------------------------------------------


class StudentForm(forms.Form):
    """The personal data of a learner (admission and correction)."""

    full_name = forms.CharField(label=_("Full name"), max_length=100)
    birth_date = forms.CharField(
        label=_("Birth date"),
        max_length=20,
        help_text=_("dd/mm/yyyy, e.g. 05/09/2014"),
        widget=forms.TextInput(attrs={"placeholder": "dd/mm/yyyy", "inputmode": "numeric"}),
    )
    gender = forms.ChoiceField(label=_("Gender"), choices=[("", "—"), *Gender.choices])
    ethnicity = forms.ChoiceField(label=_("Ethnicity"), choices=ETHNIC_GROUPS, initial="01")
    citizen_id = forms.CharField(
        label=_("Citizen ID (12 digits)"),
        required=False,
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "numeric"}),
    )
    nationality = forms.CharField(
        label=_("Nationality"), required=False, max_length=50, initial="Việt Nam"
    )
    birthplace = forms.CharField(label=_("Birthplace"), required=False, max_length=255)
    hometown = forms.CharField(label=_("Home town"), required=False, max_length=255)
    permanent_address = forms.CharField(
        label=_("Permanent address"), required=False, max_length=255
    )
    current_address = forms.CharField(label=_("Current address"), required=False, max_length=255)

    PERSONAL_FIELDS = (
        "full_name",
        "birth_date",
        "gender",
        "ethnicity",
        "citizen_id",
        "nationality",
        "birthplace",
        "hometown",
        "permanent_address",
        "current_address",
    )

    def student_data(self) -> dict[str, Any]:
        return {name: self.cleaned_data.get(name, "") for name in self.PERSONAL_FIELDS}


class AdmitForm(StudentForm):
    learner_id = forms.CharField(
        label=_("Learner ID (10 digits)"),
        required=False,
        max_length=20,
        help_text=_("Leave empty for a new pupil without one: a temporary code is given."),
        widget=forms.TextInput(attrs={"inputmode": "numeric"}),
    )
    admitted_on = forms.DateField(label=_("Date of admission"), widget=DateInput())
    from_school_name = forms.CharField(
        label=_("Transferred in from (school outside the system)"),
        required=False,
        max_length=255,
    )
    decision_no = forms.CharField(label=_("Decision number"), required=False, max_length=50)

    def __init__(self, data: Any = None, *, classes: QuerySet[SchoolClass], **kwargs: Any):
        kwargs.setdefault("initial", {}).setdefault("admitted_on", timezone.localdate())
        super().__init__(data, **kwargs)
        self.fields["class"] = ClassChoiceField(label=_("Class"), queryset=classes)
        self.order_fields(["class", "admitted_on", "learner_id", *self.PERSONAL_FIELDS])

    def student_data(self) -> dict[str, Any]:
        return {**super().student_data(), "learner_id": self.cleaned_data.get("learner_id", "")}

    @property
    def admission_kind(self) -> str:
        from_school = self.cleaned_data.get("from_school_name")
        return EventKind.TRANSFER_IN if from_school else EventKind.ADMITTED


class LearnerIdForm(forms.Form):
    learner_id = forms.CharField(
        label=_("Learner ID (10 digits)"),
        max_length=20,
        help_text=_("The ID issued by the Ministry's education database. It never changes."),
        widget=forms.TextInput(attrs={"inputmode": "numeric"}),
    )


# --- Guardians ----------------------------------------------------------------------------


class GuardianForm(forms.Form):
    full_name = forms.CharField(label=_("Full name"), max_length=100)
    relation = forms.ChoiceField(label=_("Relation to the student"), choices=Relation.choices)
    phone = forms.CharField(
        label=_("Phone"),
        required=False,
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
    )
    email = forms.CharField(label=_("Email"), required=False, max_length=254)
    citizen_id = forms.CharField(
        label=_("Citizen ID (12 digits)"),
        required=False,
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "numeric"}),
    )
    occupation = forms.CharField(label=_("Occupation"), required=False, max_length=100)
    is_primary = forms.BooleanField(label=_("Primary contact"), required=False)

    GUARDIAN_FIELDS = ("full_name", "phone", "email", "citizen_id", "occupation")

    def guardian_data(self) -> dict[str, Any]:
        return {name: self.cleaned_data.get(name, "") for name in self.GUARDIAN_FIELDS}


# --- Enrolment ----------------------------------------------------------------------------


class ClassChangeForm(forms.Form):
    date = forms.DateField(label=_("Date of the change"), widget=DateInput())
    reason = forms.CharField(label=_("Reason"), required=False, max_length=255)

    def __init__(self, data: Any = None, *, classes: QuerySet[SchoolClass], **kwargs: Any):
        kwargs.setdefault("initial", {}).setdefault("date", timezone.localdate())
        super().__init__(data, **kwargs)
        self.fields["to_class"] = ClassChoiceField(
            label=_("New class"), queryset=classes, with_school=False
        )
        self.order_fields(["to_class", "date", "reason"])


class TransferForm(forms.Form):
    date = forms.DateField(label=_("Transfer date"), widget=DateInput())
    reason = forms.CharField(
        label=_("Reason"),
        max_length=255,
        widget=forms.TextInput(attrs={"placeholder": _("e.g. the family moves house")}),
    )

    def __init__(self, data: Any = None, *, schools: QuerySet[OrgUnit], **kwargs: Any):
        kwargs.setdefault("initial", {}).setdefault("date", timezone.localdate())
        super().__init__(data, **kwargs)
        self.fields["to_school"] = forms.ModelChoiceField(
            label=_("Receiving school"),
            queryset=schools,
            widget=forms.RadioSelect,
            error_messages={"required": _("Search for the receiving school and choose it.")},
        )
        self.order_fields(["to_school", "date", "reason"])


EXIT_KINDS = [
    (EventKind.TRANSFER_OUT.value, _("Transferred to a school outside the system")),
    (EventKind.LEFT.value, _("Left school (dropped out)")),
    (EventKind.GRADUATED.value, _("Graduated (completed the programme)")),
]


class ExitForm(forms.Form):
    kind = forms.ChoiceField(label=_("Way of leaving"), choices=EXIT_KINDS)
    other_school_name = forms.CharField(
        label=_("School moved to"),
        required=False,
        max_length=255,
        help_text=_("Only for a transfer outside the system."),
    )
    reason = forms.CharField(label=_("Reason"), required=False, max_length=255)
    date = forms.DateField(label=_("Date of leaving"), widget=DateInput())

    def __init__(self, data: Any = None, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {}).setdefault("date", timezone.localdate())
        super().__init__(data, **kwargs)


class ReturnForm(forms.Form):
    date = forms.DateField(label=_("Date of return"), widget=DateInput())
    reason = forms.CharField(label=_("Note"), required=False, max_length=255)

    def __init__(self, data: Any = None, *, classes: QuerySet[SchoolClass], **kwargs: Any):
        kwargs.setdefault("initial", {}).setdefault("date", timezone.localdate())
        super().__init__(data, **kwargs)
        self.fields["to_class"] = ClassChoiceField(label=_("Class"), queryset=classes)
        self.order_fields(["to_class", "date", "reason"])


class TransferAcceptForm(forms.Form):
    date = forms.DateField(label=_("Date of arrival"), required=False, widget=DateInput())

    def __init__(self, data: Any = None, *, classes: QuerySet[SchoolClass], **kwargs: Any):
        super().__init__(data, **kwargs)
        self.fields["to_class"] = ClassChoiceField(
            label=_("Class at your school"), queryset=classes, with_school=False
        )
        self.order_fields(["to_class", "date"])


class TransferDecisionForm(forms.Form):
    note = forms.CharField(label=_("Note"), required=False, max_length=255)


# --- The enrolment register ---------------------------------------------------------------


class RegisterFilterForm(forms.Form):
    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=100,
        widget=forms.TextInput(
            attrs={"type": "search", "placeholder": _("Name, register number or learner ID")}
        ),
    )
    year = forms.ModelChoiceField(
        label=_("Admitted in school year"),
        queryset=SchoolYear.objects.order_by("-start_date"),
        required=False,
        to_field_name="code",
        empty_label=_("All years"),
    )

    def filters(self) -> dict[str, Any]:
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        return {"query": data.get("q") or "", "year": data.get("year")}
