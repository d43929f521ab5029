"""Export the grid as .xlsx (audited) and import it back: a dry run that lists every bad
cell (row, column, reason), then all-or-nothing apply through ``scores_save``."""

from __future__ import annotations

import secrets
import tempfile
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from truongso.core.audit import audit_export
from truongso.core.typing import AuthedRequest
from truongso.gradebook.errors import CellError, CellErrors
from truongso.gradebook.forms import GridImportForm
from truongso.gradebook.selectors import Grid
from truongso.gradebook.services import cells as cell_services
from truongso.gradebook.services.cells import COMMENT, CellChange
from truongso.gradebook.views.entry import _load_grid
from truongso.gradebook.xlsx import (
    FileCell,
    GridFile,
    check_matches,
    grid_workbook,
    read_grid_file,
)
from truongso.registry.imports.reader import ImportFileError, too_big

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
SESSION_KEY = "gradebook_import"
SHOWN_MAX = 500


@login_required
@require_GET
def grid_export(
    request: AuthedRequest, class_pk: int, subject_code: str, semester: int
) -> HttpResponse:
    g = _load_grid(request, class_pk, subject_code, semester)
    data = grid_workbook(g, request.user.get_full_name() or request.user.username)
    audit_export(
        actor=request.user,
        what="gradebook.grid",
        org_path=g.school_class.school.path,
        rows=len(g.rows),
        params={"class": g.school_class.pk, "subject": g.subject.code, "semester": g.semester},
    )
    name = f"so-diem-{g.school_class.name}-{g.subject.code}-HK{g.semester}.xlsx"
    response = HttpResponse(data, content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def _current(g: Grid) -> dict[tuple[int, str], str]:
    values = {}
    for row in g.rows:
        for column in g.columns:
            values[(row.student.pk, column.code)] = str(row.cells.get(column.code, ""))
        values[(row.student.pk, COMMENT)] = row.comment
    return values


def _changes(found: GridFile, g: Grid) -> list[CellChange]:
    """Cells whose value in the file differs from the gradebook now (the current value is
    the compare-and-set ``old``)."""
    current = _current(g)
    return [
        CellChange(student, code, current.get((student, code), ""), value)
        for (student, code), value in found.values.items()
        if value.strip() != current.get((student, code), "")
    ]


def _dry_run(request: AuthedRequest, g: Grid, changes: list[CellChange]) -> list[CellError]:
    """Run the real save and roll it back: the same checks, nothing kept."""
    errors: list[CellError] = []
    with transaction.atomic():
        try:
            cell_services.scores_save(
                actor=request.user,
                school_class=g.school_class,
                subject=g.subject,
                semester=g.semester,
                changes=changes,
            )
        except CellErrors as exc:
            errors = exc.errors
        transaction.set_rollback(True)
    return errors


def _located(found: GridFile, errors: list[CellError]) -> list[FileCell]:
    cells = []
    for e in errors:
        row, label = found.where.get((e.student_id, e.code), (0, e.code))
        cells.append(FileCell(row, label, e.message))
    return cells


def _saved_upload(upload: Any) -> Path:
    handle = tempfile.NamedTemporaryFile(suffix=".xlsx", delete=False)  # noqa: SIM115
    with handle:
        for chunk in upload.chunks():
            handle.write(chunk)
    return Path(handle.name)


def _read(upload: Any, g: Grid) -> GridFile:
    if upload.size > settings.IMPORT_MAX_BYTES:
        raise ImportFileError(too_big(upload.size))
    path = _saved_upload(upload)
    try:
        found = read_grid_file(path)
    finally:
        path.unlink(missing_ok=True)
    check_matches(found, g)
    return found


def _summary(g: Grid, changes: list[CellChange], found: GridFile) -> list[dict[str, str]]:
    names = {row.student.pk: row.student.full_name for row in g.rows}
    return [
        {
            "row": str(found.where.get((c.student_id, c.code), (0, ""))[0]),
            "student": names.get(c.student_id, str(c.student_id)),
            "column": found.where.get((c.student_id, c.code), (0, c.code))[1],
            "old": c.old,
            "new": c.new.strip(),
        }
        for c in changes[:SHOWN_MAX]
    ]


@login_required
def grid_import(
    request: AuthedRequest, class_pk: int, subject_code: str, semester: int
) -> HttpResponse:
    g = _load_grid(request, class_pk, subject_code, semester)
    if not g.editable:
        raise PermissionDenied
    grid_url = reverse("gradebook:grid", args=[g.school_class.pk, g.subject.code, g.semester])
    if request.method == "POST" and "token" in request.POST:
        return _apply(request, g, grid_url)
    posted = request.method == "POST"
    form = GridImportForm(request.POST, request.FILES) if posted else GridImportForm()
    context: dict[str, Any] = {"g": g, "form": form, "grid_url": grid_url}
    if not posted or not form.is_valid():
        status = 400 if posted else 200
        return render(request, "gradebook/entry/import.html", context, status=status)
    try:
        found = _read(form.cleaned_data["file"], g)
    except ImportFileError as exc:
        form.add_error("file", exc.message)
        return render(request, "gradebook/entry/import.html", context, status=400)
    changes = _changes(found, g)
    problems = sorted(
        found.problems + _located(found, _dry_run(request, g, changes)),
        key=lambda p: (p.row, p.column),
    )
    context.update({"problems": problems, "changes": _summary(g, changes, found)})
    context["count"] = len(changes)
    if problems or not changes:
        status = 400 if problems else 200
        return render(request, "gradebook/entry/import.html", context, status=status)
    token = secrets.token_urlsafe(16)
    request.session[SESSION_KEY] = {
        "token": token,
        "grid": [g.school_class.pk, g.subject.code, g.semester],
        "changes": [[c.student_id, c.code, c.old, c.new] for c in changes],
    }
    context["token"] = token
    return render(request, "gradebook/entry/import.html", context)


def _apply(request: AuthedRequest, g: Grid, grid_url: str) -> HttpResponse:
    pending = request.session.get(SESSION_KEY) or {}
    key = [g.school_class.pk, g.subject.code, g.semester]
    if pending.get("token") != request.POST.get("token") or pending.get("grid") != key:
        messages.error(request, _("This import has expired; upload the file again."))
        return redirect(reverse("gradebook:grid_import", args=key))
    changes = [CellChange(int(s), str(c), str(o), str(n)) for s, c, o, n in pending["changes"]]
    try:
        saved = cell_services.scores_save(
            actor=request.user,
            school_class=g.school_class,
            subject=g.subject,
            semester=g.semester,
            changes=changes,
        )
    except CellErrors as exc:
        del request.session[SESSION_KEY]
        for error in exc.errors[:20]:
            messages.error(request, error.message)
        messages.error(request, _("Nothing was imported; upload the file again."))
        return redirect(reverse("gradebook:grid_import", args=key))
    del request.session[SESSION_KEY]
    messages.success(request, _("Imported: %(n)s cell(s) changed.") % {"n": saved})
    return redirect(grid_url)
