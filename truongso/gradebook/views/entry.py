"""Sổ điểm: "my gradebooks", the score-entry grid of a class, subject and semester (a plain
form that saves the whole grid, enhanced by grid.js to save changed cells as JSON), and the
history of a student's row."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from truongso.core import authz
from truongso.core.authz import Perm, Role
from truongso.core.typing import AuthedRequest
from truongso.gradebook import selectors, selectors_entry
from truongso.gradebook.errors import CellErrors
from truongso.gradebook.schemes import engine_for_class, subject_specs
from truongso.gradebook.selectors import Grid
from truongso.gradebook.services import cells as cell_services
from truongso.gradebook.services.cells import COMMENT, CellChange
from truongso.gradebook.views import tables
from truongso.gradebook.views.common import (
    BadPayload,
    cell_errors_json,
    changes_from_json,
    class_or_404,
    errors_by_cell,
    form_cells,
    json_error,
    semester_or_404,
    subject_or_404,
)
from truongso.registry.models import SchoolClass, Student, Subject
from truongso.registry.selectors import current_year

FAMILY_ROLES = {Role.PARENT, Role.STUDENT}


def student_report_url(student: Student) -> str:
    """The child's report, a page of the results area, when it exists."""
    for kwargs in ({"pk": student.pk}, {"student_pk": student.pk}):
        try:
            return reverse("gradebook:student_report", kwargs=kwargs)
        except NoReverseMatch:
            continue
    return ""


def _semester_param(request: AuthedRequest, default: int) -> int:
    raw = request.GET.get("semester", "")
    return int(raw) if raw in ("1", "2") else default


@login_required
@require_GET
def home(request: AuthedRequest) -> HttpResponse:
    user = request.user
    if not authz.has_any(user, Perm.GRADE_VIEW):
        raise PermissionDenied
    user_roles = authz.roles(user)
    if user_roles and user_roles <= FAMILY_ROLES:
        return _family(request)
    year = current_year()
    semester = _semester_param(request, selectors_entry.current_semester(year))
    schools = selectors_entry.managed_schools(user) if year else []
    return render(
        request,
        "gradebook/entry/home.html",
        {
            "year": year,
            "semester": semester,
            "cards": selectors_entry.my_cards(user, semester),
            "overviews": [
                selectors_entry.school_overview(user, school, year, semester)
                for school in schools
                if year is not None
            ],
        },
    )


def _family(request: AuthedRequest) -> HttpResponse:
    children = [
        (child, student_report_url(child))
        for child in selectors_entry.family_students(request.user)
    ]
    if len(children) == 1 and children[0][1]:
        return redirect(children[0][1])
    return render(request, "gradebook/entry/family.html", {"children": children})


# The grid --------------------------------------------------------------------------------
def _grid_urls(school_class: SchoolClass, subject: Subject, semester: int) -> dict[str, str]:
    args = [school_class.pk, subject.code, semester]
    return {
        name: reverse(f"gradebook:{name}", args=args)
        for name in ("grid", "grid_save", "grid_export", "grid_import")
    }


def _grid_table(
    g: Grid,
    typed: dict[tuple[int, str], str] | None = None,
    errors: dict[tuple[int, str], str] | None = None,
) -> tables.TableView:
    school_class, subject = g.school_class, g.subject
    engine = engine_for_class(school_class)
    spec = subject_specs(school_class.grade)[subject.code]
    columns = [tables.engine_column(engine, c, g.locks.get(c.code)) for c in g.columns]
    columns.append(tables.comment_column(g.locks.get("ck")))
    stored = {row.student.pk: row for row in g.rows}

    def value(student: Student, code: str) -> str:
        row = stored[student.pk]
        return row.comment if code == COMMENT else str(row.cells.get(code, ""))

    rows = tables.build_rows(
        [(r.student, r.in_class) for r in g.rows],
        columns,
        value,
        lambda code, old: old,
        editable=g.editable,
        typed=typed,
        errors=errors,
    )
    args = [school_class.pk, subject.code, g.semester]
    any_locked = any(c.locked for c in columns)
    for row in rows:
        row.outcome = tables.outcome_text(stored[row.student.pk].outcome)
        row.history_url = reverse("gradebook:cell_history", args=[*args, row.student.pk])
        if g.editable and any_locked and row.in_class:
            row.request_url = reverse("gradebook:late_change", args=[*args, row.student.pk])
    return tables.TableView(
        columns,
        rows,
        g.editable,
        _("Semester average") if spec.scored else _("Result"),
        tables.outcome_rules(engine, spec, g.columns),
    )


def _grid_page(
    request: AuthedRequest, g: Grid, table: tables.TableView, status: int = 200
) -> HttpResponse:
    urls = _grid_urls(g.school_class, g.subject, g.semester)
    config = tables.script_config(table, urls["grid_save"], tables.grid_texts(), {})
    other = 2 if g.semester == 1 else 1
    return render(
        request,
        "gradebook/entry/grid.html",
        {
            "g": g,
            "table": table,
            "urls": urls,
            "config": config,
            "other_semester": other,
            "other_url": reverse("gradebook:grid", args=[g.school_class.pk, g.subject.code, other]),
            "may_homeroom": selectors.may_view_class(request.user, g.school_class),
        },
        status=status,
    )


def _load_grid(request: AuthedRequest, class_pk: int, subject_code: str, semester: int) -> Grid:
    school_class = class_or_404(class_pk)
    subject = subject_or_404(subject_code)
    return selectors.grid(request.user, school_class, subject, semester_or_404(semester))


@login_required
def grid(request: AuthedRequest, class_pk: int, subject_code: str, semester: int) -> HttpResponse:
    """GET: the grid. POST (no JavaScript): save every changed cell of the form at once."""
    g = _load_grid(request, class_pk, subject_code, semester)
    if request.method != "POST":
        return _grid_page(request, g, _grid_table(g))
    if not g.editable:
        raise PermissionDenied
    posted = form_cells(request.POST)
    changes = [
        CellChange(student, code, posted.old.get((student, code), ""), new)
        for (student, code), new in posted.typed.items()
        if new.strip() != posted.old.get((student, code), "")
    ]
    if not changes:
        messages.info(request, _("No changes to save."))
        return redirect(request.path)
    try:
        saved = cell_services.scores_save(
            actor=request.user,
            school_class=g.school_class,
            subject=g.subject,
            semester=g.semester,
            changes=changes,
        )
    except CellErrors as exc:
        table = _grid_table(g, posted.typed, errors_by_cell(exc.errors))
        messages.error(request, str(exc))
        return _grid_page(request, g, table, status=400)
    messages.success(request, _("Saved %(n)s cell(s).") % {"n": saved})
    return redirect(request.path)


@login_required
@require_POST
def grid_save(
    request: AuthedRequest, class_pk: int, subject_code: str, semester: int
) -> JsonResponse:
    """The grid script's save: changed cells as JSON, compare-and-set, all or nothing."""
    school_class = class_or_404(class_pk)
    subject = subject_or_404(subject_code)
    semester = semester_or_404(semester)
    user = request.user
    if not selectors.may_view_subject(user, school_class, subject):
        return json_error(_("This gradebook does not exist."), 404)
    if not cell_services.may_enter(user, school_class, subject):
        return json_error(_("You may read this gradebook but not enter scores in it."), 403)
    try:
        changes = changes_from_json(request)
        saved = cell_services.scores_save(
            actor=user,
            school_class=school_class,
            subject=subject,
            semester=semester,
            changes=changes,
        )
    except BadPayload as exc:
        return json_error(exc.message, exc.status)
    except CellErrors as exc:
        return cell_errors_json(exc)
    except ValidationError as exc:
        return json_error(" ".join(exc.messages), 400)
    except PermissionDenied as exc:
        return json_error(str(exc), 403)
    return JsonResponse(_saved(school_class, subject, semester, changes, saved))


def _saved(
    school_class: SchoolClass, subject: Subject, semester: int, changes: list[CellChange], n: int
) -> dict[str, Any]:
    """The values as stored now (canonical: "7,5" -> "7.5") and each row's result."""
    rows = selectors_entry.subject_rows(
        school_class, subject, semester, {c.student_id for c in changes}
    )
    engine = engine_for_class(school_class)
    spec = subject_specs(school_class.grade)[subject.code]

    def stored(student_id: int, code: str) -> str:
        row = rows.get(student_id)
        if row is None:
            return ""
        return row.comment if code == COMMENT else str(row.cells.get(code, ""))

    return {
        "saved": n,
        "saved_at": timezone.localtime().strftime("%H:%M"),
        "cells": [
            {"student": c.student_id, "code": c.code, "value": stored(c.student_id, c.code)}
            for c in changes
        ],
        "outcomes": {
            str(sid): tables.outcome_text(engine.semester_outcome(spec, row.cells))
            for sid, row in rows.items()
        },
    }


@login_required
@require_GET
def cell_history(
    request: AuthedRequest, class_pk: int, subject_code: str, semester: int, student_pk: int
) -> HttpResponse:
    school_class = class_or_404(class_pk)
    subject = subject_or_404(subject_code)
    semester = semester_or_404(semester)
    history = selectors_entry.subject_row_history(
        request.user, school_class, subject, semester, student_pk
    )
    return render(
        request,
        "gradebook/entry/history.html",
        {
            "school_class": school_class,
            "subject": subject,
            "semester": semester,
            "history": history,
            "requests": selectors_entry.request_views(history.requests),
            "grid_url": reverse("gradebook:grid", args=[school_class.pk, subject.code, semester]),
        },
    )
