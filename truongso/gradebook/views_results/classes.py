"""A class's results for a semester or the year, and their .xlsx export."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from truongso.core.typing import AuthedRequest
from truongso.gradebook import exports_results
from truongso.gradebook.selectors_results import class_results_for, parse_period

SORTS = ("name", "result")


def _query(request: AuthedRequest) -> tuple[int | None, str]:
    raw = request.GET.get("period")
    period = parse_period(raw, -1) if raw else None
    sort = request.GET.get("sort", "name")
    return (None if period == -1 else period), (sort if sort in SORTS else "name")


@login_required
@require_GET
def class_results(request: AuthedRequest, pk: int) -> HttpResponse:
    period, sort = _query(request)
    results = class_results_for(request.user, pk, period, sort)
    context = {"results": results, "sort": sort, "periods": (1, 2, 0)}
    return render(request, "gradebook/results/class.html", context)


@login_required
@require_GET
def class_results_export(request: AuthedRequest, pk: int) -> HttpResponse:
    period, sort = _query(request)
    results = class_results_for(request.user, pk, period, sort)
    export = exports_results.class_results_export(actor=request.user, results=results)
    response = HttpResponse(export.content, content_type=export.content_type)
    response["Content-Disposition"] = f'attachment; filename="{export.filename}"'
    return response
