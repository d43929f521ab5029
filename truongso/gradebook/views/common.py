"""Shared by the entry pages: looking up the class, subject and semester of a URL, reading
a JSON batch of cells, and answering errors in the shape the grid script expects."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import Http404, HttpRequest, JsonResponse, QueryDict
from django.utils.translation import gettext as _

from truongso.gradebook.errors import CellError, CellErrors
from truongso.gradebook.services.cells import CellChange
from truongso.registry.models import SchoolClass, Subject

# A class of 60 × 20 columns is 1,200 cells; anything far beyond that is not a grid.
MAX_CHANGES = 3000
MAX_BODY = 1024 * 1024
MAX_VALUE = 2000


class BadPayload(Exception):
    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.message = message
        self.status = status


def semester_or_404(number: int, *, year: bool = False) -> int:
    if number in (1, 2) or (year and number == 0):
        return number
    raise Http404


def class_or_404(pk: int) -> SchoolClass:
    """The class of the URL; whether the user may see it is the selectors' decision."""
    found = SchoolClass.objects.select_related("school", "school_year").filter(pk=pk).first()
    if found is None:
        raise Http404
    return found


def subject_or_404(code: str) -> Subject:
    found = Subject.objects.filter(code=code[:20]).first()
    if found is None:
        raise Http404
    return found


def _change(index: int, item: Any) -> CellChange:
    where = _("item %(n)s") % {"n": index + 1}
    if not isinstance(item, dict):
        raise BadPayload(_("The data sent is not a list of cells (%(where)s).") % {"where": where})
    student, code = item.get("student"), item.get("code")
    old, new = item.get("old", ""), item.get("new")
    if isinstance(student, bool) or not isinstance(student, int) or not 0 < student < 2**31:
        raise BadPayload(_("A cell has no valid student (%(where)s).") % {"where": where})
    if not isinstance(code, str) or not 0 < len(code) <= 64:
        raise BadPayload(_("A cell has no valid column (%(where)s).") % {"where": where})
    if not isinstance(old, str) or not isinstance(new, str):
        raise BadPayload(_("Cell values are sent as text (%(where)s).") % {"where": where})
    if len(new) > MAX_VALUE or len(old) > MAX_VALUE:
        raise BadPayload(_("A cell's value is far too long (%(where)s).") % {"where": where})
    return CellChange(student, code, old, new)


def changes_from_json(request: HttpRequest) -> list[CellChange]:
    """``[{student, code, old, new}, ...]`` (or ``{"changes": [...]}``) from the body."""
    length = request.META.get("CONTENT_LENGTH") or "0"
    if not length.isdigit() or int(length) > min(MAX_BODY, settings.DATA_UPLOAD_MAX_MEMORY_SIZE):
        raise BadPayload(_("Too much data in one save; save fewer cells at a time."), 413)
    try:
        data = json.loads(request.body or b"null")
    except RequestDataTooBig as exc:
        raise BadPayload(_("Too much data in one save; save fewer cells at a time."), 413) from exc
    except (ValueError, UnicodeDecodeError) as exc:
        raise BadPayload(_("The data sent could not be read (it is not JSON).")) from exc
    if isinstance(data, dict):
        data = data.get("changes")
    if not isinstance(data, list):
        raise BadPayload(_("The data sent is not a list of cells."))
    if len(data) > MAX_CHANGES:
        raise BadPayload(_("Too many cells in one save; save fewer cells at a time."), 413)
    return [_change(i, item) for i, item in enumerate(data)]


def json_error(message: str, status: int) -> JsonResponse:
    return JsonResponse({"error": message}, status=status)


def cell_errors_json(exc: CellErrors) -> JsonResponse:
    return JsonResponse(
        {"error": str(exc), "errors": [e.as_json() for e in exc.errors]}, status=400
    )


# The form path (no JavaScript): inputs "c:<student>:<code>", hidden "o:<student>:<code>".
@dataclass
class FormCells:
    typed: dict[tuple[int, str], str] = field(default_factory=dict)
    old: dict[tuple[int, str], str] = field(default_factory=dict)


def form_cells(post: QueryDict) -> FormCells:
    found = FormCells()
    for name, value in post.items():
        prefix, _sep, rest = name.partition(":")
        student, _sep2, code = rest.partition(":")
        if prefix not in ("c", "o") or not student.isdigit() or not code or len(code) > 64:
            continue
        key = (int(student), code)
        target = found.typed if prefix == "c" else found.old
        target[key] = str(value)[:MAX_VALUE]
    return found


def errors_by_cell(errors: list[CellError]) -> dict[tuple[int, str], str]:
    return {(e.student_id, e.code): e.message for e in errors}
