"""The enrolment register (sổ đăng bộ) of one school, as on paper, searchable and printable.

Viewing is permission-checked by ``selectors.register_for``; exports are logged by the
exporter, not here (Thông tư 32/2020/TT-BGDĐT, Art. 21 lists the register among the
school's records).
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.views.decorators.http import require_GET

from truongso.core.pagination import paginate
from truongso.core.typing import AuthedRequest
from truongso.registry import selectors
from truongso.registry.forms_students import RegisterFilterForm
from truongso.registry.models import EventKind
from truongso.registry.views.students import render_region

REGISTER_PAGE_SIZE = 50


def kind_label(kind: str) -> str:
    return str(EventKind(kind).label) if kind in EventKind.values else kind


@login_required
@require_GET
def register(request: AuthedRequest, pk: int) -> HttpResponse:
    school = selectors.org_unit_detail(request.user, pk)
    if not school.is_school:
        raise Http404
    entries = selectors.register_for(request.user, school)
    form = RegisterFilterForm(request.GET)
    page = paginate(
        request, selectors.register_search(entries, **form.filters()), REGISTER_PAGE_SIZE
    )
    rows = [(entry, kind_label(entry.leave_kind) if entry.leave_kind else "") for entry in page]
    context = {"school": school, "form": form, "page_obj": page, "rows": rows}
    return render_region(request, "registry/register/register.html", "rows", context)
