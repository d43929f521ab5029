"""Classes, their rosters, and teaching assignments (phân công giảng dạy)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from truongso.registry import selectors
from truongso.registry.api import inputs
from truongso.registry.api.serializers import (
    STUDENT_ROW_COLUMNS,
    ClassSerializer,
    StudentRowSerializer,
    TeachingAssignmentSerializer,
)
from truongso.registry.api.views.base import ApiViewSet, errors
from truongso.registry.services import classes


class ClassViewSet(ApiViewSet):
    @extend_schema(
        summary=_("Classes you may see"),
        parameters=[inputs.ClassFilterSerializer],
        responses={200: ClassSerializer(many=True), **errors(400)},
    )
    def list(self, request: Request) -> Response:
        found = self.filters(inputs.ClassFilterSerializer)
        rows = selectors.class_list(
            request.user,
            school=found.get("school"),
            year=found.get("school_year"),
            grade=found.get("grade"),
        )
        return self.page(rows, ClassSerializer)

    @extend_schema(summary=_("One class"), responses={200: ClassSerializer, **errors(404)})
    def retrieve(self, request: Request, pk: int) -> Response:
        return self.show(selectors.class_detail(request.user, pk), ClassSerializer)

    @extend_schema(
        summary=_("Open a class in a school year"),
        request=inputs.ClassCreateSerializer,
        responses={201: ClassSerializer, **errors(400, 403)},
    )
    def create(self, request: Request) -> Response:
        data = self.parse(inputs.ClassCreateSerializer)
        created = classes.class_create(actor=request.user, **data)
        return self.show(created, ClassSerializer, status=201)

    @extend_schema(
        summary=_("Rename a class or change its homeroom teacher"),
        request=inputs.ClassUpdateSerializer,
        responses={200: ClassSerializer, **errors(400, 403, 404)},
    )
    def update(self, request: Request, pk: int) -> Response:
        return self._update(request, pk, partial=False)

    @extend_schema(
        summary=_("Rename a class or change its homeroom teacher (only the fields sent)"),
        request=inputs.ClassUpdateSerializer,
        responses={200: ClassSerializer, **errors(400, 403, 404)},
    )
    def partial_update(self, request: Request, pk: int) -> Response:
        return self._update(request, pk, partial=True)

    def _update(self, request: Request, pk: int, *, partial: bool) -> Response:
        school_class = selectors.class_detail(request.user, pk)
        data = self.parse(inputs.ClassUpdateSerializer, partial=partial)
        updated = classes.class_update(
            actor=request.user,
            school_class=school_class,
            name=data.get("name", school_class.name),
            homeroom_teacher=data.get("homeroom_teacher", school_class.homeroom_teacher),
        )
        return self.show(updated, ClassSerializer)

    @extend_schema(
        summary=_("Students currently in the class"),
        responses={200: StudentRowSerializer(many=True), **errors(404)},
    )
    @action(detail=True, methods=["get"])
    def students(self, request: Request, pk: int) -> Response:
        school_class = selectors.class_detail(request.user, pk)
        rows = selectors.student_list(request.user, school_class=school_class, status=None)
        return self.page(rows.only(*STUDENT_ROW_COLUMNS), StudentRowSerializer)


class TeachingAssignmentViewSet(ApiViewSet):
    error_fields = {"school_class": "class"}

    @extend_schema(
        summary=_("Teaching assignments you may see"),
        parameters=[inputs.AssignmentFilterSerializer],
        responses={200: TeachingAssignmentSerializer(many=True), **errors(400)},
    )
    def list(self, request: Request) -> Response:
        found = self.filters(inputs.AssignmentFilterSerializer)
        rows = selectors.teaching_assignment_list(
            request.user, school_class=found.get("class"), staff=found.get("staff")
        )
        return self.page(rows, TeachingAssignmentSerializer)

    @extend_schema(
        summary=_("Assign the teacher of a subject in a class (replaces the previous one)"),
        request=inputs.AssignmentCreateSerializer,
        responses={201: TeachingAssignmentSerializer, **errors(400, 403)},
    )
    def create(self, request: Request) -> Response:
        data = self.parse(inputs.AssignmentCreateSerializer)
        assignment = classes.teaching_assign(
            actor=request.user,
            school_class=data["class"],
            subject=data["subject"],
            staff=data["staff"],
            semester=data.get("semester"),
        )
        return self.show(assignment, TeachingAssignmentSerializer, status=201)

    @extend_schema(summary=_("Remove an assignment"), responses={204: None, **errors(403, 404)})
    def destroy(self, request: Request, pk: int) -> Response:
        assignment = selectors.teaching_assignment_detail(request.user, pk)
        classes.teaching_unassign(actor=request.user, assignment=assignment)
        return Response(status=204)
