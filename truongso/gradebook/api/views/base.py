"""What the gradebook's API views share: the class, subject and semester of the URL, and
the answer to a refused save (one message per cell, 400 or 409)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from django.http import Http404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse
from rest_framework.response import Response
from rest_framework.views import set_rollback

from truongso.gradebook.api.serializers import CellErrorsSerializer
from truongso.gradebook.errors import CellError, CellErrors
from truongso.gradebook.services.cells import CellChange
from truongso.registry import selectors as registry_selectors
from truongso.registry.api.views.base import FIELD_ERRORS, ApiViewSet
from truongso.registry.models import SchoolClass, Subject

CLASS_ID = OpenApiParameter(
    "class_id", OpenApiTypes.INT, OpenApiParameter.PATH, description=_("The class's ID.")
)
SUBJECT_CODE = OpenApiParameter(
    "subject_code", OpenApiTypes.STR, OpenApiParameter.PATH, description=_('e.g. "TOAN".')
)
SEMESTER = OpenApiParameter(
    "semester", OpenApiTypes.INT, OpenApiParameter.PATH, enum=[1, 2], description=_("1 or 2.")
)
CELL_REF = {"$ref": "#/components/schemas/CellErrors"}


def cell_errors(*codes: int) -> dict[int, OpenApiResponse]:
    """A refused save: 400 for invalid or locked cells (or a malformed body: messages by
    field), 409 when cells changed meanwhile (each with its ``current`` value)."""
    described = {
        400: OpenApiResponse(
            {"oneOf": [CELL_REF, FIELD_ERRORS]},
            _("Nothing saved: a message per invalid or locked cell, or per malformed field."),
        ),
        409: OpenApiResponse(
            CellErrorsSerializer,
            _("Nothing saved: cells changed by someone else meanwhile (see current)."),
        ),
    }
    return {code: described[code] for code in codes}


def saved(
    rows: Sequence[Any],
    changes: Sequence[CellChange],
    changed: int,
    value: Callable[[Any, CellChange], str],
) -> dict[str, Any]:
    """The answer to a save: the cells sent, as stored ("8,5" became "8.5"), and the rows
    they belong to, read again (with their new averages)."""
    by_student = {row.student.pk: row for row in rows}
    touched = {change.student_id for change in changes}
    return {
        "changed": changed,
        "cells": [
            {"student": c.student_id, "code": c.code, "value": value(by_student[c.student_id], c)}
            for c in changes
        ],
        "rows": [row for row in rows if row.student.pk in touched],
    }


def _error_json(error: CellError, *, with_subject: bool) -> dict[str, object]:
    data = error.as_json()
    if with_subject:  # a multi-subject save names cells "TOAN:tx1"
        data["subject"], _sep, data["code"] = str(data["code"]).partition(":")
    return data


class GradebookViewSet(ApiViewSet):
    pagination_class = None
    # Cell codes of this view's saves carry the subject ("TOAN:tx1").
    subject_in_codes = False

    def handle_exception(self, exc: Exception) -> Response:
        if isinstance(exc, CellErrors):
            set_rollback()
            conflict = all(error.current is not None for error in exc.errors)
            cells = [_error_json(e, with_subject=self.subject_in_codes) for e in exc.errors]
            return Response({"detail": str(exc), "cells": cells}, status=409 if conflict else 400)
        return super().handle_exception(exc)

    def school_class(self, class_id: int) -> SchoolClass:
        """The class, if the user may see it at all (404 otherwise); the gradebook's own
        rules then decide what of it she may read or change."""
        return registry_selectors.class_detail(self.request.user, class_id)

    def subject(self, code: str) -> Subject:
        found = registry_selectors.subject_list().filter(code=code).first()
        if found is None:
            raise Http404
        return found

    @staticmethod
    def semester(number: int) -> int:
        if number not in (1, 2):
            raise Http404
        return number
