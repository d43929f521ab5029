"""Pagination for list pages: ?page=N, 25 rows by default, never a 500 on a bad page."""

from __future__ import annotations

from typing import Any

from django.core.paginator import Page, Paginator
from django.http import HttpRequest

PER_PAGE = 25


def paginate(request: HttpRequest, rows: Any, per_page: int = PER_PAGE) -> Page[Any]:
    paginator = Paginator(rows, per_page)
    return paginator.get_page(request.GET.get("page"))
