"""What every API view set shares: input parsing, pagination, documented error responses.

View sets hold no queryset: every read is a selector call (scoped by ``core.authz``) and
every write a service call, exactly as in the HTML views.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, inline_serializer
from rest_framework import serializers, viewsets
from rest_framework.pagination import BasePagination
from rest_framework.response import Response

from truongso.registry.api.pagination import ApiPagination

DETAIL = inline_serializer("ErrorDetail", {"detail": serializers.CharField()})
FIELD_ERRORS: dict[str, Any] = {
    "type": "object",
    "description": _("Messages by field name; general ones under non_field_errors."),
    "additionalProperties": {"type": "array", "items": {"type": "string"}},
}


def errors(*codes: int) -> dict[int, OpenApiResponse]:
    """Documented error responses: 400 has field messages, the others a ``detail``."""
    described = {
        400: OpenApiResponse(FIELD_ERRORS, _("Invalid input (messages in the request language).")),
        403: OpenApiResponse(DETAIL, _("Visible to you, but you may not do this.")),
        404: OpenApiResponse(DETAIL, _("No such record among those you may see.")),
    }
    return {code: described[code] for code in codes}


class ApiViewSet(viewsets.GenericViewSet[Any]):
    lookup_value_converter = "int"
    pagination_class: type[BasePagination] | None = ApiPagination

    def parse(
        self, serializer_class: type[serializers.Serializer[Any]], *, partial: bool = False
    ) -> dict[str, Any]:
        """The validated request body; a 400 with messages by field otherwise."""
        serializer = serializer_class(
            data=self.request.data, partial=partial, context=self.get_serializer_context()
        )
        serializer.is_valid(raise_exception=True)
        return dict(serializer.validated_data)

    def filters(self, serializer_class: type[serializers.Serializer[Any]]) -> dict[str, Any]:
        """The validated query parameters."""
        serializer = serializer_class(
            data=self.request.query_params, context=self.get_serializer_context()
        )
        serializer.is_valid(raise_exception=True)
        return dict(serializer.validated_data)

    def page(
        self, rows: Iterable[Any], serializer_class: type[serializers.BaseSerializer[Any]]
    ) -> Response:
        page = self.paginate_queryset(rows)  # type: ignore[arg-type]
        data = serializer_class(page, many=True, context=self.get_serializer_context()).data
        return self.get_paginated_response(data)

    def show(
        self,
        obj: Any,
        serializer_class: type[serializers.BaseSerializer[Any]],
        status: int = 200,
    ) -> Response:
        data = serializer_class(obj, context=self.get_serializer_context()).data
        return Response(data, status=status)

    def listing(
        self, rows: Iterable[Any], serializer_class: type[serializers.BaseSerializer[Any]]
    ) -> Response:
        """A short reference list, not paginated."""
        data = serializer_class(rows, many=True, context=self.get_serializer_context()).data
        return Response(data)
