"""School years with their semesters, and the curriculum (subjects per grade).

Both are national reference data: every signed-in user may read them; only holders of
CALENDAR_MANAGE / CURRICULUM_MANAGE change them, through the services.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from truongso.core import authz
from truongso.core.authz import Perm
from truongso.core.typing import AuthedRequest
from truongso.registry import selectors_org
from truongso.registry.forms_org import (
    GradeFilterForm,
    GradeSubjectForm,
    SchoolYearForm,
    show_errors,
)
from truongso.registry.models import GradeSubject, SchoolYear
from truongso.registry.services import calendar as calendar_services
from truongso.registry.services import curriculum as curriculum_services
from truongso.registry.views.classes import is_htmx

CURRICULUM = "registry/calendar/curriculum.html"


@login_required
def year_list(request: AuthedRequest) -> HttpResponse:
    user = request.user
    may_manage = authz.has_any(user, Perm.CALENDAR_MANAGE)
    form = SchoolYearForm(request.POST or None) if may_manage else None
    if request.method == "POST":
        if form is None:
            raise PermissionDenied
        if form.is_valid():
            try:
                year = calendar_services.school_year_create(
                    actor=user,
                    code=form.cleaned_data["code"].strip(),
                    semesters=form.semesters(),
                    make_current=form.cleaned_data["make_current"],
                )
            except ValidationError as exc:
                show_errors(form, exc)
            else:
                messages.success(request, _("School year %(year)s was created.") % {"year": year})
                return redirect("registry:year_list")
    return render(
        request,
        "registry/calendar/years.html",
        {"years": selectors_org.school_years(), "form": form, "may_manage": may_manage},
    )


@login_required
@require_POST
def year_set_current(request: AuthedRequest, pk: int) -> HttpResponse:
    year = SchoolYear.objects.filter(pk=pk).first()
    if year is None:
        raise Http404
    calendar_services.school_year_set_current(actor=request.user, year=year)
    messages.success(request, _("%(year)s is now the current school year.") % {"year": year})
    return redirect("registry:year_list")


@login_required
@require_GET
def curriculum(request: AuthedRequest) -> HttpResponse:
    form = GradeFilterForm(request.GET or {"grade": "6"})
    grade = form.cleaned_data["grade"] if form.is_valid() else 6
    return render(
        request,
        CURRICULUM,
        {
            "form": form,
            "grade": grade,
            "subjects": selectors_org.curriculum(grade),
            "may_manage": authz.has_any(request.user, Perm.CURRICULUM_MANAGE),
        },
    )


@login_required
def curriculum_edit(request: AuthedRequest, pk: int) -> HttpResponse:
    """One row of the curriculum, edited in place (HTMX) or on a page of its own."""
    if not authz.has_any(request.user, Perm.CURRICULUM_MANAGE):
        raise PermissionDenied
    grade_subject = GradeSubject.objects.select_related("subject").filter(pk=pk).first()
    if grade_subject is None:
        raise Http404
    initial = {
        "periods_per_year": grade_subject.periods_per_year,
        "assessment_type": grade_subject.assessment_type,
    }
    form = GradeSubjectForm(request.POST or None, initial=initial)
    saved = False
    if request.method == "POST" and form.is_valid():
        try:
            curriculum_services.grade_subject_update(
                actor=request.user, grade_subject=grade_subject, **form.cleaned_data
            )
        except ValidationError as exc:
            show_errors(form, exc)
        else:
            saved = True
            if not is_htmx(request):
                messages.success(request, _("The curriculum was updated."))
                return redirect(f"{reverse('registry:curriculum')}?grade={grade_subject.grade}")
    editing = not saved and request.GET.get("cancel") is None
    template = (
        f"{CURRICULUM}#subject_row" if is_htmx(request) else "registry/calendar/subject_form.html"
    )
    response = render(
        request,
        template,
        {"gs": grade_subject, "form": form, "editing": editing, "may_manage": True},
    )
    patch_vary_headers(response, ["HX-Request"])
    return response
