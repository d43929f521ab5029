"""Students: the list, the profile, admission, corrections and enrolment changes."""

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
    GuardianSerializer,
    StudentDetailSerializer,
    StudentHistorySerializer,
    StudentRowSerializer,
    TransferSerializer,
)
from truongso.registry.api.views.base import ApiViewSet, errors
from truongso.registry.services import enrolment, students

WRITE_ERRORS = errors(400, 403, 404)


class StudentViewSet(ApiViewSet):
    @property
    def error_fields(self) -> dict[str, str]:
        """Service field names that differ from this API's input names."""
        if self.action == "create":
            return {"date": "admitted_on", "school_class": "class", "to_class": "class"}
        return {"to_class": "class"}

    @extend_schema(
        summary=_("Students you may see"),
        parameters=[inputs.StudentFilterSerializer],
        responses={200: StudentRowSerializer(many=True), **errors(400)},
    )
    def list(self, request: Request) -> Response:
        found = self.filters(inputs.StudentFilterSerializer)
        rows = selectors.student_list(
            request.user,
            query=found.get("q", ""),
            school=found.get("school"),
            school_class=found.get("class"),
            grade=found.get("grade"),
            status=None if found["status"] == inputs.ALL else found["status"],
        )
        return self.page(rows.only(*STUDENT_ROW_COLUMNS), StudentRowSerializer)

    def _detail(self, request: Request, pk: int, status: int = 200) -> Response:
        student = selectors.student_detail(request.user, pk)
        return self.show(student, StudentDetailSerializer, status=status)

    @extend_schema(
        summary=_("A student's profile with guardians and current class"),
        responses={200: StudentDetailSerializer, **errors(404)},
    )
    def retrieve(self, request: Request, pk: int) -> Response:
        return self._detail(request, pk)

    @extend_schema(
        summary=_("Admit a new student into a class (record, placement, register line)"),
        request=inputs.StudentAdmitSerializer,
        responses={201: StudentDetailSerializer, **errors(400, 403)},
    )
    def create(self, request: Request) -> Response:
        data = self.parse(inputs.StudentAdmitSerializer)
        student = students.student_admit(
            actor=request.user,
            school_class=data.pop("class"),
            admitted_on=data.pop("admitted_on"),
            decision_no=data.pop("decision_no", ""),
            data=data,
        )
        return self._detail(request, student.pk, status=201)

    @extend_schema(
        summary=_("Correct personal data (the learner ID never changes once set)"),
        request=inputs.StudentUpdateSerializer,
        responses={200: StudentDetailSerializer, **WRITE_ERRORS},
    )
    def partial_update(self, request: Request, pk: int) -> Response:
        student = selectors.student_detail(request.user, pk)
        data = self.parse(inputs.StudentUpdateSerializer, partial=True)
        students.student_update(actor=request.user, student=student, data=data)
        return self._detail(request, pk)

    @extend_schema(
        summary=_("Record the learner ID issued by the Ministry for a temporary code"),
        request=inputs.LearnerIdSerializer,
        responses={200: StudentDetailSerializer, **WRITE_ERRORS},
    )
    @action(detail=True, methods=["post"], url_path="learner-id")
    def learner_id(self, request: Request, pk: int) -> Response:
        student = selectors.student_detail(request.user, pk)
        data = self.parse(inputs.LearnerIdSerializer)
        students.learner_id_assign(actor=request.user, student=student, **data)
        return self._detail(request, pk)

    @extend_schema(
        summary=_("Enrolment history and register lines"),
        responses={200: StudentHistorySerializer, **errors(404)},
    )
    @action(detail=True, methods=["get"])
    def history(self, request: Request, pk: int) -> Response:
        student = selectors.student_detail(request.user, pk)
        history = {
            "events": student.events.all(),
            "register_entries": selectors.student_register_lines(student),
        }
        return self.show(history, StudentHistorySerializer)

    @extend_schema(
        summary=_("Link a parent or guardian (an existing one is reused)"),
        request=inputs.GuardianLinkSerializer,
        responses={201: GuardianSerializer, **WRITE_ERRORS},
    )
    @action(detail=True, methods=["post"])
    def guardians(self, request: Request, pk: int) -> Response:
        student = selectors.student_detail(request.user, pk)
        data = self.parse(inputs.GuardianLinkSerializer)
        link = students.guardian_link(
            actor=request.user,
            student=student,
            relation=data.pop("relation"),
            is_primary=data.pop("is_primary"),
            data=data,
        )
        return self.show(link, GuardianSerializer, status=201)

    @extend_schema(
        summary=_("Ask another school of the system to take the student"),
        request=inputs.StudentTransferSerializer,
        responses={201: TransferSerializer, **WRITE_ERRORS},
    )
    @action(detail=True, methods=["post"])
    def transfer(self, request: Request, pk: int) -> Response:
        student = selectors.student_detail(request.user, pk)
        data = self.parse(inputs.StudentTransferSerializer)
        sent = enrolment.transfer_request(actor=request.user, student=student, **data)
        return self.show(sent, TransferSerializer, status=201)

    @extend_schema(
        summary=_("Move the student to another class of the same school and year"),
        request=inputs.ClassChangeSerializer,
        responses={200: StudentDetailSerializer, **WRITE_ERRORS},
    )
    @action(detail=True, methods=["post"], url_path="class-change")
    def class_change(self, request: Request, pk: int) -> Response:
        student = selectors.student_detail(request.user, pk)
        data = self.parse(inputs.ClassChangeSerializer)
        enrolment.class_change(
            actor=request.user,
            student=student,
            to_class=data["class"],
            date=data["date"],
            reason=data.get("reason", ""),
        )
        return self._detail(request, pk)

    @extend_schema(
        summary=_("The student leaves: moved outside the system, left, or graduated"),
        request=inputs.StudentExitSerializer,
        responses={200: StudentDetailSerializer, **WRITE_ERRORS},
    )
    @action(detail=True, methods=["post"])
    def exit(self, request: Request, pk: int) -> Response:
        student = selectors.student_detail(request.user, pk)
        data = self.parse(inputs.StudentExitSerializer)
        enrolment.student_exit(actor=request.user, student=student, **data)
        return self._detail(request, pk)
