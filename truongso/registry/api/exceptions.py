"""Error responses of the REST API: service errors become 400/403/409 JSON, never a 500.

Services raise Django's ``ValidationError`` (a message, a list, or a dict keyed by field)
and ``PermissionDenied``; DRF only knows its own exceptions, so they are mapped here. Every
message is in the request's language (``Accept-Language``, Vietnamese by default). A view
whose input names differ from the service's (``class`` vs ``to_class``) declares
``error_fields`` to translate the keys back to what the client sent.
"""

from __future__ import annotations

import math
from typing import Any

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError
from django.utils.translation import gettext as _
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import exception_handler, set_rollback

DJANGO_NON_FIELD = "__all__"


def validation_detail(
    exc: DjangoValidationError, field_map: dict[str, str] | None = None
) -> dict[str, list[str]]:
    """``{"field": ["message", ...]}`` in the active language; general errors under
    ``non_field_errors`` like DRF's own."""
    non_field = api_settings.NON_FIELD_ERRORS_KEY
    if not hasattr(exc, "error_dict"):
        return {non_field: [str(message) for message in exc.messages]}
    detail: dict[str, list[str]] = {}
    for field, messages in exc.message_dict.items():
        key = non_field if field == DJANGO_NON_FIELD else (field_map or {}).get(field, field)
        detail.setdefault(key, []).extend(str(message) for message in messages)
    return detail


def api_exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, DjangoValidationError):
        field_map = getattr(context.get("view"), "error_fields", None)
        set_rollback()
        return Response(validation_detail(exc, field_map), status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, RequestDataTooBig):
        # DRF reads the body through request.body, so Django's size limit applies; answer
        # the API client in JSON rather than with Django's HTML 400 page.
        limit_mb = (settings.DATA_UPLOAD_MAX_MEMORY_SIZE or 0) // (1024 * 1024)
        return Response(
            {"detail": _("The request body is larger than %(mb)s MB.") % {"mb": limit_mb}},
            status=status.HTTP_413_REQUEST_ENTITY_TOO_LARGE,
        )
    if isinstance(exc, IntegrityError):
        # Two requests raced past a service's uniqueness check; the database refused one.
        set_rollback()
        return Response(
            {"detail": _("This conflicts with a change saved at the same moment; try again.")},
            status=status.HTTP_409_CONFLICT,
        )
    return exception_handler(_in_request_language(exc), context)


def _in_request_language(exc: Exception) -> Exception:
    """DRF builds a few messages without gettext (JSON parse errors, CSRF failures, the
    wait of a throttled request); give the client a translated one instead."""
    if isinstance(exc, exceptions.ParseError):
        return exceptions.ParseError(_("The request body is not valid JSON."))
    if isinstance(exc, exceptions.PermissionDenied) and str(exc.detail).startswith("CSRF"):
        return exceptions.PermissionDenied(
            _("CSRF check failed: send the X-CSRFToken header with the csrftoken cookie.")
        )
    if isinstance(exc, exceptions.Throttled):
        wait = getattr(exc, "wait", None)
        throttled = exceptions.Throttled(
            detail=_("Too many requests. Try again in %(wait)s seconds.")
            % {"wait": math.ceil(wait or 1)}
        )
        throttled.wait = wait  # type: ignore[attr-defined]  # read back for Retry-After
        return throttled
    return exc
