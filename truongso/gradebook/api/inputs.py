"""Input of the gradebook API: request bodies and query filters, kept apart from the output.

These serializers check only the shape of the input; whether a value is a valid score, a
column is locked or a cell changed meanwhile is decided by the services
(``gradebook.services.cells``), so the grid, spreadsheets and the API share one set of
messages.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from truongso.core.authz import Perm
from truongso.gradebook.services.cells import CellChange
from truongso.registry import selectors as registry_selectors
from truongso.registry.api.fields import MAX_ID, RecordField
from truongso.registry.api.inputs import WithClassField, school_year_field
from truongso.registry.models import Subject
from truongso.workflow.models import RequestStatus

# A full class grid (45 students × 14 subjects × 7 columns and a comment) fits easily.
MAX_CHANGES = 10_000
VALUE_MAX = 1000
SEMESTERS = [(1, "I"), (2, "II")]
PERIODS = [(1, _("Semester I")), (2, _("Semester II")), (0, _("Whole year"))]
DECISIONS = [
    (RequestStatus.APPROVED.value, RequestStatus.APPROVED.label),
    (RequestStatus.REJECTED.value, RequestStatus.REJECTED.label),
    (RequestStatus.RETURNED.value, RequestStatus.RETURNED.label),
]


def cell_value(**kwargs: Any) -> serializers.CharField:
    """A cell's text as typed: "8,5", "Đ", "" to clear; checked by the service."""
    return serializers.CharField(
        allow_blank=True, trim_whitespace=False, max_length=VALUE_MAX, **kwargs
    )


def listing(child: type[serializers.Serializer[Any]], max_length: int) -> Any:
    """A non-empty list of ``child`` objects, at most ``max_length`` (DRF checks it; its
    type stubs do not know the argument)."""
    return child(many=True, allow_empty=False, max_length=max_length)  # type: ignore[call-arg]


class CellChangeSerializer(serializers.Serializer[Any]):
    student = serializers.IntegerField(min_value=1, max_value=MAX_ID)
    code = serializers.CharField(
        max_length=40, help_text=_('Column code: "tx1", "gk", "ck", "comment" ...')
    )
    old = cell_value(help_text=_('The value the writer saw (compare-and-set); "" if empty.'))
    new = cell_value(help_text=_('The value typed; "" clears the cell.'))


def _changes(rows: list[dict[str, Any]]) -> list[CellChange]:
    return [CellChange(r["student"], r["code"], r["old"], r["new"]) for r in rows]


class CellChangesSerializer(serializers.Serializer[Any]):
    """Cells of one grid (a subject's scores, or the homeroom sheet), saved all or nothing."""

    changes = listing(CellChangeSerializer, MAX_CHANGES)

    def validate_changes(self, rows: list[dict[str, Any]]) -> list[CellChange]:
        return _changes(rows)


class SubjectCellChangeSerializer(CellChangeSerializer):
    subject = serializers.CharField(max_length=20, help_text=_('Subject code, e.g. "TOAN".'))


class ManyCellChangesSerializer(serializers.Serializer[Any]):
    """Cells of several subjects of a class, saved in one transaction, all or nothing."""

    changes = listing(SubjectCellChangeSerializer, MAX_CHANGES)

    def validate_changes(self, rows: list[dict[str, Any]]) -> dict[Subject, list[CellChange]]:
        codes = {row["subject"] for row in rows}
        subjects = {s.code: s for s in registry_selectors.subject_list().filter(code__in=codes)}
        unknown = sorted(codes - set(subjects))
        if unknown:
            raise serializers.ValidationError(
                _("Unknown subject codes: %(codes)s.") % {"codes": ", ".join(unknown)}
            )
        grouped: dict[Subject, list[dict[str, Any]]] = {}
        for row in rows:
            grouped.setdefault(subjects[row["subject"]], []).append(row)
        return {subject: _changes(group) for subject, group in grouped.items()}


class ResultsFilterSerializer(serializers.Serializer[Any]):
    period = serializers.ChoiceField(
        choices=PERIODS, help_text=_("1 or 2 for a semester, 0 for the whole year.")
    )


class SummaryFilterSerializer(ResultsFilterSerializer):
    year = school_year_field(
        required=False, help_text=_("School year ID; the current one if omitted.")
    )


class LateChangeCellSerializer(serializers.Serializer[Any]):
    code = serializers.CharField(max_length=40)
    old = cell_value(help_text=_("The value stored now."))
    new = cell_value(help_text=_("The value asked for."))


def student_in_reach(user: Any, pk: int) -> Any:
    """A student whose record the user may read (current or former), or None."""
    students = registry_selectors.student_list(user, status=None, perm=Perm.STUDENT_RECORD)
    return students.filter(pk=pk).first()


class LateChangeCreateSerializer(WithClassField):
    semester = serializers.ChoiceField(choices=SEMESTERS)
    student = RecordField(student_in_reach)
    subject = serializers.CharField(
        max_length=20,
        required=False,
        allow_null=True,
        default=None,
        help_text=_("Subject code for scores; null for the homeroom record (conduct ...)."),
    )
    cells = listing(LateChangeCellSerializer, 100)
    reason = serializers.CharField(max_length=2000)

    def validate_subject(self, code: str | None) -> Subject | None:
        if code is None:
            return None
        subject = registry_selectors.subject_list().filter(code=code).first()
        if subject is None:
            raise serializers.ValidationError(_("Unknown subject code %(code)s.") % {"code": code})
        return subject

    def validate_cells(self, rows: list[dict[str, Any]]) -> dict[str, tuple[str, str]]:
        cells = {row["code"]: (row["old"], row["new"]) for row in rows}
        if len(cells) != len(rows):
            raise serializers.ValidationError(_("The same cell was sent twice."))
        return cells


class DecisionSerializer(serializers.Serializer[Any]):
    decision = serializers.ChoiceField(choices=DECISIONS)
    note = serializers.CharField(
        max_length=2000,
        required=False,
        allow_blank=True,
        default="",
        help_text=_("Required when the request is rejected or returned."),
    )
