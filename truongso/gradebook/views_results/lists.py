"""The year-end lists of a class or a school: awards, promoted, re-tests (with subjects),
summer training, repeating; the school's leaders record re-tests and finalise the year."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from truongso.core.typing import AuthedRequest
from truongso.gradebook.selectors_results import lists_school, report_student, year_lists
from truongso.gradebook.services import yearend
from truongso.gradebook.views_results.common import int_param, year_choices, year_param
from truongso.registry.models import OrgUnit, SchoolYear, Student


@login_required
def lists(request: AuthedRequest) -> HttpResponse:
    class_pk = int_param(request, "class")
    school_pk = int_param(request, "school")
    if class_pk is None and school_pk is None:
        default = lists_school(request.user)
        school_pk = default.pk if default else 0
    found = year_lists(
        request.user, school_pk=school_pk, class_pk=class_pk, year=year_param(request)
    )
    if request.method == "POST":
        return _record(request, found.school, found.year)
    context = {"found": found, "years": year_choices()}
    return render(request, "gradebook/results/lists.html", context)


def _record(request: AuthedRequest, school: OrgUnit, year: SchoolYear) -> HttpResponse:
    """One form per student on the page: re-test results, conduct after summer training, the
    review of a primary pupil; or the finalising of the year."""
    back = request.get_full_path()
    action = request.POST.get("action", "")
    try:
        if action == "finalise":
            counts = yearend.year_finalise(
                actor=request.user,
                school=school,
                year=year,
                allow_incomplete=request.POST.get("confirm") == "1",
            )
            messages.success(
                request,
                _("Year-end decisions recorded: %(p)s promoted, %(r)s repeat the grade.")
                % {"p": counts["promoted"], "r": counts["repeat"]},
            )
        else:
            student = report_student(request.user, int(request.POST.get("student", "0") or 0))
            _save_one(request, action, student, year)
            messages.success(request, _("Saved for %(name)s.") % {"name": student.full_name})
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    return redirect(back if back.startswith(reverse("gradebook:lists")) else "gradebook:lists")


def _save_one(request: AuthedRequest, action: str, student: Student, year: SchoolYear) -> None:
    actor, post = request.user, request.POST
    if action == "retest":
        values = {k[len("retest:") :]: str(v) for k, v in post.items() if k.startswith("retest:")}
        yearend.retest_save(actor=actor, student=student, year=year, values=values)
    elif action == "summer":
        value = post.get("summer_conduct", "")
        yearend.summer_conduct_save(actor=actor, student=student, year=year, value=value)
    elif action == "review":
        result = post.get("review", "")
        yearend.summer_review_save(actor=actor, student=student, year=year, result=result)
    else:
        raise ValidationError(_("Unknown action."))
