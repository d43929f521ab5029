"""Results: a class's (computed, or official once closed), a student's official results,
and a school's aggregates (no individual data)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.request import Request
from rest_framework.response import Response

from truongso.core import authz
from truongso.core.authz import Perm
from truongso.gradebook import selectors, selectors_api
from truongso.gradebook.api import inputs
from truongso.gradebook.api.serializers import (
    ClassResultsSerializer,
    SchoolSummarySerializer,
    StudentResultsSerializer,
)
from truongso.gradebook.api.views.base import CLASS_ID, GradebookViewSet
from truongso.registry import selectors as registry_selectors
from truongso.registry.api.views.base import errors
from truongso.registry.reference import OrgKind

STUDENT_ID = OpenApiParameter(
    "student_id", OpenApiTypes.INT, OpenApiParameter.PATH, description=_("The student's ID.")
)
SCHOOL_ID = OpenApiParameter(
    "school_id", OpenApiTypes.INT, OpenApiParameter.PATH, description=_("The school's ID.")
)


class ClassResultsViewSet(GradebookViewSet):
    @extend_schema(
        summary=_("Every student's results: computed, or official once the period is closed"),
        parameters=[CLASS_ID, inputs.ResultsFilterSerializer],
        responses={200: ClassResultsSerializer, **errors(400, 404)},
    )
    def retrieve(self, request: Request, class_id: int) -> Response:
        school_class = self.school_class(class_id)
        period = self.filters(inputs.ResultsFilterSerializer)["period"]
        found = selectors_api.class_results_read(request.user, school_class, period)
        return self.show(found, ClassResultsSerializer)


class StudentResultsViewSet(GradebookViewSet):
    @extend_schema(
        summary=_("A student's official results (parents and the student too)"),
        parameters=[STUDENT_ID],
        responses={200: StudentResultsSerializer, **errors(403, 404)},
    )
    def retrieve(self, request: Request, student_id: int) -> Response:
        student = inputs.student_in_reach(request.user, student_id)
        if student is None:
            raise Http404
        if not authz.has_any(request.user, Perm.GRADE_VIEW):
            raise PermissionDenied(_("You may read aggregates only, not a student's results."))
        results = selectors.student_results(request.user, student)
        return self.show({"student": student, "results": results}, StudentResultsSerializer)


class SchoolSummaryViewSet(GradebookViewSet):
    @extend_schema(
        summary=_("A school's results in figures: levels per grade, score distributions"),
        parameters=[SCHOOL_ID, inputs.SummaryFilterSerializer],
        responses={200: SchoolSummarySerializer, **errors(400, 403, 404)},
    )
    def retrieve(self, request: Request, school_id: int) -> Response:
        school = registry_selectors.org_unit_detail(request.user, school_id)
        if school.kind != OrgKind.SCHOOL:
            raise Http404
        found = self.filters(inputs.SummaryFilterSerializer)
        year = found.get("year") or registry_selectors.current_year()
        if year is None:
            raise Http404
        summary = selectors_api.school_summary(request.user, school, year, found["period"])
        return self.show(summary, SchoolSummarySerializer)
