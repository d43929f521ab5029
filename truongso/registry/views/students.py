"""Student pages: the searchable list, the profile, admission and corrections.

Thin views: each parses input, calls one selector or service, and renders. Visibility
comes from ``registry.selectors`` (404 outside the user's scope); services check the
write permission themselves (403 for what the user may see but not do).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from truongso.core import authz
from truongso.core.authz import Perm
from truongso.core.pagination import paginate
from truongso.core.typing import AuthedRequest
from truongso.registry import selectors
from truongso.registry.forms_students import (
    AdmitForm,
    LearnerIdForm,
    StudentFilterForm,
    StudentForm,
    show_errors,
)
from truongso.registry.models import (
    OrgUnit,
    SchoolClass,
    Student,
    StudentStatus,
    TransferRequest,
    TransferStatus,
)
from truongso.registry.services import students as student_services

LIST_TEMPLATE = "registry/students/list.html"
FORM_TEMPLATE = "registry/students/form.html"
FAMILY_ROLES = {"parent", "student"}


def wants_fragment(request: AuthedRequest) -> bool:
    """An HTMX request for a region of the page (not a history restore of the whole page)."""
    htmx: Any = getattr(request, "htmx", None)
    return bool(htmx) and not htmx.history_restore_request and not htmx.boosted


def render_region(
    request: AuthedRequest, template: str, partial: str, context: dict[str, Any]
) -> HttpResponse:
    """The whole page, or only its ``partial`` for an HTMX request; caches keep them apart."""
    name = f"{template}#{partial}" if wants_fragment(request) else template
    response = render(request, name, context)
    patch_vary_headers(response, ["HX-Request"])
    return response


def may_admit(user: Any) -> bool:
    return bool(user.is_superuser or authz.grant_roots(user, Perm.ENROLMENT_MANAGE))


def is_family_only(user: Any) -> bool:
    """Parents and students (and nobody else) get the card layout of their own children."""
    roles = authz.roles(user)
    return bool(roles) and roles <= FAMILY_ROLES and not user.is_superuser


@login_required
@require_GET
def student_list(request: AuthedRequest) -> HttpResponse:
    user = request.user
    schools = selectors.school_choices(user)
    school_count = schools.count()
    code = request.GET.get("school", "").strip()
    school: OrgUnit | None = None
    if code:
        school = schools.filter(code=code).first()
    elif school_count == 1:
        school = schools.first()
    year = selectors.current_year()
    classes = selectors.class_list(user, school=school, year=year) if school and year else None
    form = StudentFilterForm(
        request.GET,
        schools=schools,
        classes=classes if classes is not None else SchoolClass.objects.none(),
        school_count=school_count,
    )
    form.make_live(reverse("registry:student_list"), "#student-results")
    filters = form.filters()
    family_view = is_family_only(user)
    if family_view:  # a parent sees every child of his, whatever the status
        filters["status"] = None
    page = paginate(request, selectors.student_list(user, **filters))
    only_school = school if school_count == 1 else None
    context = {
        "form": form,
        "page_obj": page,
        "show_class_filter": classes is not None,
        "show_school_column": school_count != 1,
        "family_view": family_view,
        "can_admit": may_admit(user),
        "can_see_transfers": may_admit(user),
        "register_school": only_school
        if only_school and authz.can(user, Perm.REGISTER_VIEW, only_school.path)
        else None,
    }
    return render_region(request, LIST_TEMPLATE, "results", context)


@dataclass(frozen=True)
class ProfileActions:
    """What the profile offers the user; every button is also checked by its service."""

    edit: bool
    enrol: bool
    readmit: bool
    inbox: bool
    pending_transfer: TransferRequest | None

    @property
    def any(self) -> bool:
        return self.edit or self.enrol or self.readmit


def profile_actions(user: Any, student: Student) -> ProfileActions:
    studying = student.status == StudentStatus.STUDYING
    here = student.school is not None and authz.can(
        user, Perm.ENROLMENT_MANAGE, student.school.path
    )
    pending = next(
        (t for t in student.transfer_requests.all() if t.status == TransferStatus.PENDING),
        None,
    )
    return ProfileActions(
        edit=authz.check(user, Perm.STUDENT_EDIT, student),
        enrol=here and studying,
        readmit=not studying and may_admit(user),
        inbox=may_admit(user),
        pending_transfer=pending,
    )


@login_required
@require_GET
def student_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    student = selectors.student_detail(request.user, pk)
    context = {
        "student": student,
        "placement": selectors.current_placement(student),
        "register_lines": [
            (line, authz.can(request.user, Perm.REGISTER_VIEW, line.school.path))
            for line in selectors.student_register_lines(student)
        ],
        "actions": profile_actions(request.user, student),
    }
    return render(request, "registry/students/detail.html", context)


def form_page(request: AuthedRequest, form: Any, **context: Any) -> HttpResponse:
    return render(request, FORM_TEMPLATE, {"form": form, **context})


@login_required
def student_create(request: AuthedRequest) -> HttpResponse:
    if not may_admit(request.user):
        raise PermissionDenied(_("You cannot admit students."))
    classes = selectors.enrolment_classes(request.user)
    form = AdmitForm(
        request.POST or None, classes=classes, initial={"class": request.GET.get("class")}
    )
    if request.method == "POST" and form.is_valid():
        try:
            student = student_services.student_admit(
                actor=request.user,
                school_class=form.cleaned_data["class"],
                data=form.student_data(),
                admitted_on=form.cleaned_data["admitted_on"],
                kind=form.admission_kind,
                from_school_name=form.cleaned_data["from_school_name"],
                decision_no=form.cleaned_data["decision_no"],
            )
        except ValidationError as exc:
            show_errors(form, exc)
        else:
            messages.success(
                request,
                _("%(name)s has been admitted (%(id)s).")
                % {"name": student.full_name, "id": student.identifier},
            )
            return redirect("registry:student_detail", pk=student.pk)
    return form_page(
        request,
        form,
        title=_("Admit a student"),
        intro=_(
            "The student gets a line in the school's enrolment register. Parents can be "
            "added on the profile afterwards."
        ),
        submit=_("Admit"),
        cancel_url=reverse("registry:student_list"),
    )


def editable_student(request: AuthedRequest, pk: int) -> Student:
    """The student for a correction page: 404 when out of sight, 403 when read-only."""
    student = selectors.student_detail(request.user, pk)
    if not authz.check(request.user, Perm.STUDENT_EDIT, student):
        raise PermissionDenied(_("You cannot change this student's record."))
    return student


def personal_initial(student: Student) -> dict[str, Any]:
    initial = {name: getattr(student, name) for name in StudentForm.PERSONAL_FIELDS}
    initial["birth_date"] = student.birth_date.strftime("%d/%m/%Y")
    initial["citizen_id"] = student.citizen_id or ""
    return initial


@login_required
def student_edit(request: AuthedRequest, pk: int) -> HttpResponse:
    student = editable_student(request, pk)
    form = StudentForm(request.POST or None, initial=personal_initial(student))
    if request.method == "POST" and form.is_valid():
        try:
            student_services.student_update(
                actor=request.user, student=student, data=form.student_data()
            )
        except ValidationError as exc:
            show_errors(form, exc)
        else:
            messages.success(request, _("The student's record has been saved."))
            return redirect("registry:student_detail", pk=student.pk)
    return form_page(
        request,
        form,
        student=student,
        title=_("Correct the student's record"),
        submit=_("Save"),
        cancel_url=reverse("registry:student_detail", args=[student.pk]),
    )


@login_required
def student_learner_id(request: AuthedRequest, pk: int) -> HttpResponse:
    student = editable_student(request, pk)
    if student.learner_id:
        messages.info(request, _("This student already has a learner ID."))
        return redirect("registry:student_detail", pk=student.pk)
    form = LearnerIdForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            student_services.learner_id_assign(
                actor=request.user, student=student, learner_id=form.cleaned_data["learner_id"]
            )
        except ValidationError as exc:
            show_errors(form, exc)
        else:
            messages.success(
                request,
                _("Learner ID %(id)s has been recorded.") % {"id": student.learner_id},
            )
            return redirect("registry:student_detail", pk=student.pk)
    return form_page(
        request,
        form,
        student=student,
        title=_("Record the learner ID"),
        intro=_("%(name)s is known by the temporary code %(code)s until then.")
        % {"name": student.full_name, "code": student.temp_code},
        submit=_("Save"),
        cancel_url=reverse("registry:student_detail", args=[student.pk]),
    )
