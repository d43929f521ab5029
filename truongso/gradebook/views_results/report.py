"""A student's report (kết quả học tập) for parents, students and teachers: read-only, one
card per subject so that it reads on a phone."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET

from truongso.core.typing import AuthedRequest
from truongso.gradebook.selectors_results import family_children, report_student, student_report
from truongso.gradebook.views_results.common import int_param


@login_required
@require_GET
def my_reports(request: AuthedRequest) -> HttpResponse:
    """A parent picks the child (straight to the report when there is one)."""
    children = family_children(request.user)
    if len(children) == 1:
        return redirect("gradebook:student_report", pk=children[0].pk)
    return render(request, "gradebook/report/choose.html", {"children": children})


@login_required
@require_GET
def student_report_page(request: AuthedRequest, pk: int) -> HttpResponse:
    student = report_student(request.user, pk)
    report = student_report(request.user, student, int_param(request, "year"))
    children = family_children(request.user)
    context = {"report": report, "children": children if len(children) > 1 else []}
    return render(request, "gradebook/report/student.html", context)
