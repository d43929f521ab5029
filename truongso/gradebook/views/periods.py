"""Semester management for school leaders: entry deadlines per column group, completeness
per class and subject, closing the semester (with an explicit confirmation when some
students are incomplete)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from truongso.core.typing import AuthedRequest
from truongso.gradebook import selectors_entry
from truongso.gradebook.forms import CloseForm, DeadlinesForm
from truongso.gradebook.services.periods import deadlines_set, period_close
from truongso.gradebook.views.common import semester_or_404


@login_required
def period(request: AuthedRequest, school_pk: int, year_pk: int, semester: int) -> HttpResponse:
    state = selectors_entry.period_state(
        request.user, school_pk, year_pk, semester_or_404(semester)
    )
    deadlines = state.period.deadlines if state.period else {}
    form = DeadlinesForm(request.POST or None, deadlines=deadlines)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                deadlines_set(
                    actor=request.user,
                    school=state.school,
                    year=state.year,
                    semester=semester,
                    deadlines=form.deadlines(),
                )
            except ValidationError as exc:
                for message in exc.messages:
                    form.add_error(None, message)
            else:
                messages.success(request, _("The deadlines were saved."))
                return redirect(request.path)
        status = 400
    return render(
        request,
        "gradebook/periods/period.html",
        {
            "state": state,
            "semester": semester,
            "form": form,
            "close_form": CloseForm(),
            "overview": selectors_entry.school_overview(
                request.user, state.school, state.year, semester
            ),
        },
        status=status,
    )


@login_required
@require_POST
def close(request: AuthedRequest, school_pk: int, year_pk: int, semester: int) -> HttpResponse:
    state = selectors_entry.period_state(
        request.user, school_pk, year_pk, semester_or_404(semester), count=False
    )
    form = CloseForm(request.POST)
    confirm = form.is_valid() and form.cleaned_data["confirm"]
    try:
        period_close(
            actor=request.user,
            school=state.school,
            year=state.year,
            semester=semester,
            allow_incomplete=bool(confirm),
        )
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("The semester is closed; the official results are stored."))
    return redirect("gradebook:period", school_pk=school_pk, year_pk=year_pk, semester=semester)
