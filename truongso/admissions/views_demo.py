"""Demo only: a filled exam-score file for a round, standing in for the exam board, so the
demo's grade-10 round can be walked from applications to results by hand. The file goes
through the ordinary score import like any other; off outside demos (404)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse

from truongso.admissions import demo_rounds, selectors
from truongso.admissions.models import RoundKind
from truongso.core.demo import demo_tools_allowed
from truongso.core.typing import AuthedRequest


@login_required
def demo_score_file(request: AuthedRequest, pk: int) -> HttpResponse:
    if not demo_tools_allowed():
        raise Http404
    r = selectors.round_get(request.user, pk)
    if not selectors.can_manage(request.user, r):
        raise PermissionDenied
    if r.kind != RoundKind.GRADE10:
        raise Http404
    response = HttpResponse(demo_rounds.demo_score_file(r), content_type="text/csv")
    response["Content-Disposition"] = f'attachment; filename="diem-thi-mau-{r.pk}.csv"'
    return response
