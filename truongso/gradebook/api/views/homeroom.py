"""The homeroom teacher's sheet of a class: conduct, absences, comments (and, in primary,
qualities and competences)."""

from __future__ import annotations

from django.http import Http404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework.request import Request
from rest_framework.response import Response

from truongso.gradebook import selectors, selectors_api
from truongso.gradebook.api import inputs
from truongso.gradebook.api.serializers import HomeroomSavedSerializer, HomeroomSheetSerializer
from truongso.gradebook.api.views.base import (
    CLASS_ID,
    SEMESTER,
    GradebookViewSet,
    cell_errors,
    saved,
)
from truongso.gradebook.services import cells
from truongso.registry.api.views.base import errors


class HomeroomViewSet(GradebookViewSet):
    @extend_schema(
        summary=_("The homeroom sheet: conduct, absences, comments (qualities in primary)"),
        parameters=[CLASS_ID, SEMESTER],
        responses={200: HomeroomSheetSerializer, **errors(404)},
    )
    def retrieve(self, request: Request, class_id: int, semester: int) -> Response:
        school_class, semester = self.school_class(class_id), self.semester(semester)
        sheet = selectors_api.homeroom_sheet(request.user, school_class, semester)
        return self.show(sheet, HomeroomSheetSerializer)

    @extend_schema(
        summary=_("Save cells of the homeroom sheet (the homeroom teacher), all or nothing"),
        parameters=[CLASS_ID, SEMESTER],
        request=inputs.CellChangesSerializer,
        responses={
            200: HomeroomSavedSerializer,
            **cell_errors(400),
            **errors(403, 404),
            **cell_errors(409),
        },
    )
    def save_cells(self, request: Request, class_id: int, semester: int) -> Response:
        school_class, semester = self.school_class(class_id), self.semester(semester)
        if not selectors.may_view_class(request.user, school_class):
            raise Http404
        changes = self.parse(inputs.CellChangesSerializer)["changes"]
        changed = cells.terms_save(
            actor=request.user, school_class=school_class, semester=semester, changes=changes
        )
        sheet = selectors_api.homeroom_sheet(request.user, school_class, semester)
        result = saved(sheet.rows, changes, changed, lambda row, c: row.cells[c.code])
        return self.show(result, HomeroomSavedSerializer)
