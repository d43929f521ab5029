"""A subject's gradebook for a class and semester: read it, save cells of it; save several
subjects of a class at once."""

from __future__ import annotations

from django.http import Http404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework.request import Request
from rest_framework.response import Response

from truongso.gradebook import selectors, selectors_api
from truongso.gradebook.api import inputs
from truongso.gradebook.api.serializers import (
    GridSavedSerializer,
    GridSerializer,
    ManySavedSerializer,
)
from truongso.gradebook.api.views.base import (
    CLASS_ID,
    SEMESTER,
    SUBJECT_CODE,
    GradebookViewSet,
    cell_errors,
    saved,
)
from truongso.gradebook.schemes import subject_specs
from truongso.gradebook.services import cells
from truongso.gradebook.services.cells import COMMENT, CellChange
from truongso.registry.api.views.base import errors
from truongso.registry.models import SchoolClass, Subject


def _grid_value(row: selectors.GridRow, change: CellChange) -> str:
    return row.comment if change.code == COMMENT else row.cells.get(change.code, "")


class GridViewSet(GradebookViewSet):
    def _target(self, class_id: int, code: str, semester: int) -> tuple[SchoolClass, Subject, int]:
        """The class and subject of the URL, if the user may read this grid (404 if not)."""
        school_class, subject = self.school_class(class_id), self.subject(code)
        semester = self.semester(semester)
        if code not in subject_specs(school_class.grade):
            raise Http404
        if not selectors.may_view_subject(self.request.user, school_class, subject):
            raise Http404
        return school_class, subject, semester

    @extend_schema(
        summary=_("A subject's gradebook for a class and semester: columns, rows, averages"),
        parameters=[CLASS_ID, SUBJECT_CODE, SEMESTER],
        responses={200: GridSerializer, **errors(404)},
    )
    def retrieve(
        self, request: Request, class_id: int, subject_code: str, semester: int
    ) -> Response:
        school_class, subject, semester = self._target(class_id, subject_code, semester)
        return self.show(
            selectors.grid(request.user, school_class, subject, semester), GridSerializer
        )

    @extend_schema(
        summary=_("Save cells of the grid: all or nothing, each compared with what you saw"),
        parameters=[CLASS_ID, SUBJECT_CODE, SEMESTER],
        request=inputs.CellChangesSerializer,
        responses={
            200: GridSavedSerializer,
            **cell_errors(400),
            **errors(403, 404),
            **cell_errors(409),
        },
    )
    def save_cells(
        self, request: Request, class_id: int, subject_code: str, semester: int
    ) -> Response:
        school_class, subject, semester = self._target(class_id, subject_code, semester)
        changes = self.parse(inputs.CellChangesSerializer)["changes"]
        changed = cells.scores_save(
            actor=request.user,
            school_class=school_class,
            subject=subject,
            semester=semester,
            changes=changes,
        )
        grid = selectors.grid(request.user, school_class, subject, semester)
        return self.show(saved(grid.rows, changes, changed, _grid_value), GridSavedSerializer)


class ClassScoresViewSet(GradebookViewSet):
    subject_in_codes = True

    @extend_schema(
        summary=_("Save cells of several subjects of a class at once, all or nothing"),
        parameters=[CLASS_ID, SEMESTER],
        request=inputs.ManyCellChangesSerializer,
        responses={
            200: ManySavedSerializer,
            **cell_errors(400),
            **errors(403, 404),
            **cell_errors(409),
        },
    )
    def save_cells(self, request: Request, class_id: int, semester: int) -> Response:
        school_class, semester = self.school_class(class_id), self.semester(semester)
        changes = self.parse(inputs.ManyCellChangesSerializer)["changes"]
        changed = cells.scores_save_many(
            actor=request.user, school_class=school_class, semester=semester, changes=changes
        )
        stored = selectors_api.stored_cells(
            school_class,
            semester,
            {subject.pk for subject in changes},
            {c.student_id for rows in changes.values() for c in rows},
        )
        rows_saved = []
        for subject, rows in changes.items():
            for change in rows:
                row_cells, comment = stored.get((subject.pk, change.student_id), ({}, ""))
                value = comment if change.code == COMMENT else row_cells.get(change.code, "")
                rows_saved.append(
                    {
                        "subject": subject.code,
                        "student": change.student_id,
                        "code": change.code,
                        "value": value,
                    }
                )
        return self.show({"changed": changed, "cells": rows_saved}, ManySavedSerializer)
