"""Class pages: the list, a class with its roster and teaching assignments (phân công giảng
dạy, edited inline with HTMX), and the class form.

A teacher sees only her classes: the scope rules of ``SchoolClass`` decide, not this file.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from truongso.core import authz
from truongso.core.authz import Perm
from truongso.core.pagination import paginate
from truongso.core.typing import AuthedRequest
from truongso.registry import selectors, selectors_org
from truongso.registry.forms_org import (
    ClassFilterForm,
    ClassForm,
    TeachingAssignForm,
    filters,
    show_errors,
)
from truongso.registry.models import SchoolClass, Staff, Subject, TeachingAssignment
from truongso.registry.services import classes as class_services

DETAIL = "registry/classes/detail.html"


def is_htmx(request: AuthedRequest) -> bool:
    """An HTMX request for a fragment (django-htmx sets ``request.htmx``)."""
    return bool(getattr(request, "htmx", False))


def _may_manage(user: object, school_class: SchoolClass) -> bool:
    return authz.can(user, Perm.CLASS_MANAGE, school_class.school.path)


@login_required
@require_GET
def class_list(request: AuthedRequest) -> HttpResponse:
    user = request.user
    if not authz.has_any(user, Perm.CLASS_VIEW):
        raise PermissionDenied
    params = request.GET.copy()
    if selectors_org.year_from_param(params.get("year")) is None:
        current = selectors.current_year()  # the default, also for a year that does not exist
        params["year"] = str(current.pk) if current else ""
    form = ClassFilterForm(params, schools=selectors.school_choices(user))
    chosen = filters(form)
    year = chosen.get("year")
    classes = selectors.class_list(
        user, school=chosen.get("school"), year=year, grade=chosen.get("grade")
    )
    return render(
        request,
        "registry/classes/list.html",
        {
            "form": form,
            "year": year,
            "page_obj": paginate(request, classes, per_page=50),
            "may_create": selectors.schools_for(user, Perm.CLASS_MANAGE).exists(),
        },
    )


@login_required
@require_GET
def class_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    user = request.user
    school_class = selectors.class_detail(user, pk)
    may_manage = _may_manage(user, school_class)
    return render(
        request,
        DETAIL,
        {
            "school_class": school_class,
            "roster": selectors_org.class_roster(school_class),
            "rows": selectors_org.teaching_table(school_class),
            "may_manage": may_manage,
            "teachers": selectors_org.school_teachers(school_class.school) if may_manage else [],
        },
    )


@login_required
def class_create(request: AuthedRequest) -> HttpResponse:
    user = request.user
    schools = selectors.schools_for(user, Perm.CLASS_MANAGE)
    if not schools.exists():
        raise PermissionDenied
    teachers = Staff.objects.filter(org_unit__in=schools, is_active=True).select_related("org_unit")
    initial = {"school_year": selectors.current_year(), "school": request.GET.get("school")}
    form = ClassForm(request.POST or None, schools=schools, teachers=teachers, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            school_class = class_services.class_create(actor=user, **form.cleaned_data)
        except ValidationError as exc:
            show_errors(form, exc)
        else:
            messages.success(request, _("Class %(name)s was created.") % {"name": school_class})
            return redirect("registry:class_detail", pk=school_class.pk)
    return render(request, "registry/classes/form.html", {"form": form, "school_class": None})


@login_required
def class_edit(request: AuthedRequest, pk: int) -> HttpResponse:
    user = request.user
    school_class = selectors.class_detail(user, pk)
    if not _may_manage(user, school_class):
        raise PermissionDenied
    teachers = selectors_org.school_teachers(school_class.school)
    initial = {"name": school_class.name, "homeroom_teacher": school_class.homeroom_teacher_id}
    form = ClassForm(request.POST or None, schools=None, teachers=teachers, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            class_services.class_update(actor=user, school_class=school_class, **form.cleaned_data)
        except ValidationError as exc:
            show_errors(form, exc)
        else:
            messages.success(request, _("The changes were saved."))
            return redirect("registry:class_detail", pk=school_class.pk)
    return render(
        request, "registry/classes/form.html", {"form": form, "school_class": school_class}
    )


def _row_response(
    request: AuthedRequest, school_class: SchoolClass, subject_id: int, error: str = ""
) -> HttpResponse:
    """The updated table row for HTMX, or the whole page again without it."""
    if not is_htmx(request):
        if error:
            messages.error(request, error)
        return redirect("registry:class_detail", pk=school_class.pk)
    row = selectors_org.teaching_row(school_class, subject_id)
    if row is None:
        raise Http404
    response = render(
        request,
        f"{DETAIL}#teaching_row",
        {
            "school_class": school_class,
            "row": row,
            "may_manage": True,
            "teachers": selectors_org.school_teachers(school_class.school),
            "row_error": error,
            "row_saved": not error,
        },
    )
    patch_vary_headers(response, ["HX-Request"])
    return response


@login_required
@require_POST
def teaching_assign(request: AuthedRequest, pk: int, subject_pk: int) -> HttpResponse:
    user = request.user
    school_class = selectors.class_detail(user, pk)
    if not _may_manage(user, school_class):
        raise PermissionDenied
    subject = Subject.objects.filter(pk=subject_pk).first()
    if subject is None:
        raise Http404
    form = TeachingAssignForm(
        request.POST, teachers=selectors_org.school_teachers(school_class.school)
    )
    error = ""
    if not form.is_valid():
        error = _("Choose a teacher of this school.")
    else:
        try:
            class_services.teaching_assign(
                actor=user,
                school_class=school_class,
                subject=subject,
                staff=form.cleaned_data["staff"],
            )
        except ValidationError as exc:
            error = " ".join(exc.messages)
    if not error and not is_htmx(request):
        messages.success(request, _("The teaching assignment was saved."))
    return _row_response(request, school_class, subject.pk, error)


@login_required
@require_POST
def teaching_unassign(request: AuthedRequest, pk: int, assignment_pk: int) -> HttpResponse:
    user = request.user
    school_class = selectors.class_detail(user, pk)
    assignment = TeachingAssignment.objects.filter(
        pk=assignment_pk, school_class=school_class
    ).first()
    if assignment is None:
        raise Http404
    if not _may_manage(user, school_class):
        raise PermissionDenied
    subject_id = assignment.subject_id
    class_services.teaching_unassign(actor=user, assignment=assignment)
    if not is_htmx(request):
        messages.success(request, _("The teaching assignment was removed."))
    return _row_response(request, school_class, subject_id)
