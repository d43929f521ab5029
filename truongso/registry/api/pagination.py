"""Page-number pagination for every API list: ``?page=N&page_size=M`` (at most 200)."""

from __future__ import annotations

from rest_framework.pagination import PageNumberPagination


class ApiPagination(PageNumberPagination):
    """``PAGE_SIZE`` rows by default; a client may ask for up to ``max_page_size``.

    A page size that is not a positive number falls back to the default, a larger one is
    capped, and a page past the end answers 404 with a message (never a 500).
    """

    page_size_query_param = "page_size"
    max_page_size = 200
