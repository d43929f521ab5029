"""Query parameters shared by the results pages."""

from __future__ import annotations

from django.http import Http404, HttpRequest

from truongso.registry.models import SchoolYear
from truongso.registry.selectors import current_year, school_year_list


def int_param(request: HttpRequest, name: str) -> int | None:
    raw = request.GET.get(name, "").strip()
    return int(raw) if raw.isdigit() and len(raw) < 10 else None


def year_param(request: HttpRequest) -> SchoolYear:
    """The school year asked for, else the current one (404 for an unknown year)."""
    pk = int_param(request, "year")
    year = SchoolYear.objects.filter(pk=pk).first() if pk else current_year()
    if year is None:
        raise Http404
    return year


def year_choices() -> list[SchoolYear]:
    return list(school_year_list())
