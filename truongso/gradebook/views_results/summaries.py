"""Summaries with charts (thống kê kết quả): a district, a school by class, or a class.

Officers and leaders (``GRADE_STATS``). Only counts and percentages: no name, no score of
any student, whoever reads it."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from truongso.core import authz
from truongso.core.authz import Perm
from truongso.core.typing import AuthedRequest
from truongso.gradebook import stats
from truongso.gradebook.selectors_results import parse_period, results_summary
from truongso.gradebook.views_results.common import int_param, year_choices, year_param


@login_required
@require_GET
def results_home(request: AuthedRequest) -> HttpResponse:
    if not authz.has_any(request.user, Perm.GRADE_STATS):
        raise PermissionDenied(_("Results summaries are for school leaders and officers."))
    summary = results_summary(
        request.user,
        unit_pk=int_param(request, "unit"),
        class_pk=int_param(request, "class"),
        year=year_param(request),
        period=parse_period(request.GET.get("period"), 0),
    )
    tally = summary.tally
    learning = stats.level_rows("learning", tally.learning, tally.total, stats.LEARNING_ORDER)
    conduct = stats.level_rows("conduct", tally.conduct, tally.total, stats.CONDUCT_ORDER)
    context = {
        "summary": summary,
        "years": year_choices(),
        "periods": (1, 2, 0),
        "learning": learning,
        "conduct": conduct if tally.has_conduct else [],
        "awards": stats.level_rows("award", tally.awards, tally.total, stats.AWARD_ORDER),
        "decisions": stats.level_rows(
            "decision", tally.decisions, tally.total, stats.DECISION_ORDER
        )
        if summary.period == 0
        else [],
        "learning_chart": stats.level_chart(
            "learning", _("Learning results"), learning, tally.total
        ),
        "conduct_chart": stats.level_chart("conduct", _("Conduct"), conduct, tally.total),
        "histograms": stats.histograms(tally, summary.period),
        "columns": [row.code for row in learning],
    }
    return render(request, "gradebook/results/home.html", context)
