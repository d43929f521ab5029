"""The homeroom teacher's page of a class (lớp chủ nhiệm): conduct, absences, comment and,
under Thông tư 27, the ratings of qualities and competences, with the same grid as the
scores; and the read-only class overview of every subject's result."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from truongso.core.typing import AuthedRequest
from truongso.gradebook import selectors, selectors_entry
from truongso.gradebook.errors import CellErrors
from truongso.gradebook.models import StudentTerm
from truongso.gradebook.rosters import roster
from truongso.gradebook.rules.engine import BaseEngine
from truongso.gradebook.rules.levels import (
    AWARD_NAMES,
    DECISION_NAMES,
    LEVEL_NAMES,
    PRIMARY_NAMES,
    RETEST,
    SUMMER,
)
from truongso.gradebook.rules.tt22 import RETEST_SUMMER
from truongso.gradebook.schemes import engine_for_class
from truongso.gradebook.services import cells as cell_services
from truongso.gradebook.services.cells import (
    CONDUCT_ALIASES,
    QUALITY_ALIASES,
    CellChange,
)
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
)
from truongso.registry.models import SchoolClass

CONDUCT_SHOWN = {code: str(name) for code, name in LEVEL_NAMES.items()}


def decision_text(decision: str) -> str:
    """Year-end decision in words; "retest_summer" is both a re-test and summer training."""
    if decision == RETEST_SUMMER:
        return f"{DECISION_NAMES[RETEST]}, {DECISION_NAMES[SUMMER]}"
    return str(DECISION_NAMES.get(decision, ""))


def shown(code: str, stored: str) -> str:
    """A stored entry as the page shows it (conduct "kha" is shown "Khá")."""
    if code == "conduct":
        return str(LEVEL_NAMES.get(stored, stored))
    return stored


def term_columns(engine: BaseEngine, labels: dict[str, Any], lock: str | None) -> list[Any]:
    columns = []
    if engine.code == "tt22":
        columns.append(
            tables.ColumnView(
                "conduct",
                str(labels["conduct"]),
                "choice",
                lock,
                {
                    "aliases": CONDUCT_ALIASES,
                    "display": {k: str(v) for k, v in LEVEL_NAMES.items()},
                    "message": _("Conduct is Tốt, Khá, Đạt or Chưa đạt (not “%(v)s”).")
                    % {"v": "{v}"},
                },
            )
        )
    count_message = _("Absences are a whole number of sessions from 0 to 250 (“%(v)s”).") % {
        "v": "{v}"
    }
    for code in ("absences_excused", "absences_unexcused"):
        columns.append(
            tables.ColumnView(
                code, str(labels[code]), "count", lock, {"max": 250, "message": count_message}
            )
        )
    quality_message = _("Rate Tốt, Đạt or Cần cố gắng (not “%(v)s”).") % {"v": "{v}"}
    for code, name in engine.params.get("qualities", []):
        columns.append(
            tables.ColumnView(
                f"q:{code}",
                name,
                "choice",
                lock,
                {"aliases": QUALITY_ALIASES, "message": quality_message},
            )
        )
    columns.append(tables.comment_column(lock))
    return columns


def _table(
    request: AuthedRequest,
    school_class: SchoolClass,
    semester: int,
    typed: dict[tuple[int, str], str] | None = None,
    errors: dict[tuple[int, str], str] | None = None,
) -> tables.TableView:
    user = request.user
    terms = selectors.class_terms(user, school_class, semester)  # 404 when out of reach
    editable = cell_services.may_enter_terms(user, school_class)
    engine = engine_for_class(school_class)
    period = cell_services.period_for(school_class, semester)
    lock = cell_services._lock_message(period, "conduct", timezone.now())
    columns = term_columns(engine, selectors_entry.term_labels(school_class), lock)
    current = set(school_class.current_students.values_list("pk", flat=True))
    past_year = not school_class.school_year.is_current
    students = [(s, s.pk in current or past_year) for s in roster(school_class, semester)]

    def stored(student: Any, code: str) -> str:
        row = terms.get(student.pk)
        return cell_services._term_get(row, code) if row is not None else ""

    rows = tables.build_rows(
        students, columns, stored, shown, editable=editable, typed=typed, errors=errors
    )
    if editable and lock:
        for row in rows:
            if row.in_class:
                row.request_url = reverse(
                    "gradebook:term_late_change", args=[school_class.pk, semester, row.student.pk]
                )
    return tables.TableView(columns, rows, editable)


def _page(
    request: AuthedRequest,
    school_class: SchoolClass,
    semester: int,
    table: tables.TableView,
    status: int = 200,
) -> HttpResponse:
    save_url = reverse("gradebook:homeroom_save", args=[school_class.pk, semester])
    config = tables.script_config(table, save_url, tables.grid_texts(), {})
    return render(
        request,
        "gradebook/homeroom/page.html",
        {
            "school_class": school_class,
            "semester": semester,
            "other_semester": 2 if semester == 1 else 1,
            "table": table,
            "config": config,
        },
        status=status,
    )


@login_required
def homeroom(request: AuthedRequest, pk: int, semester: int) -> HttpResponse:
    school_class = class_or_404(pk)
    semester = semester_or_404(semester)
    if request.method != "POST":
        return _page(request, school_class, semester, _table(request, school_class, semester))
    _table(request, school_class, semester)  # 404 before 403
    if not cell_services.may_enter_terms(request.user, school_class):
        raise PermissionDenied
    posted = form_cells(request.POST)
    changes = [
        CellChange(student, code, posted.old.get((student, code), ""), new)
        for (student, code), new in posted.typed.items()
        if new.strip() != shown(code, posted.old.get((student, code), ""))
    ]
    if not changes:
        messages.info(request, _("No changes to save."))
        return redirect(request.path)
    try:
        saved = cell_services.terms_save(
            actor=request.user, school_class=school_class, semester=semester, changes=changes
        )
    except CellErrors as exc:
        messages.error(request, str(exc))
        table = _table(request, school_class, semester, posted.typed, errors_by_cell(exc.errors))
        return _page(request, school_class, semester, table, status=400)
    messages.success(request, _("Saved %(n)s cell(s).") % {"n": saved})
    return redirect(request.path)


@login_required
@require_POST
def homeroom_save(request: AuthedRequest, pk: int, semester: int) -> JsonResponse:
    school_class = class_or_404(pk)
    semester = semester_or_404(semester)
    user = request.user
    if not selectors.may_view_class(user, school_class):
        return json_error(_("This gradebook does not exist."), 404)
    if not cell_services.may_enter_terms(user, school_class):
        return json_error(_("Only the homeroom teacher records conduct for this class."), 403)
    try:
        changes = changes_from_json(request)
        saved = cell_services.terms_save(
            actor=user, school_class=school_class, semester=semester, changes=changes
        )
    except BadPayload as exc:
        return json_error(exc.message, exc.status)
    except CellErrors as exc:
        return cell_errors_json(exc)
    except PermissionDenied as exc:
        return json_error(str(exc), 403)
    terms = selectors.class_terms(user, school_class, semester)
    cells = []
    for change in changes:
        row: StudentTerm | None = terms.get(change.student_id)
        value = cell_services._term_get(row, change.code) if row is not None else ""
        cells.append({"student": change.student_id, "code": change.code, "value": value})
    return JsonResponse(
        {
            "saved": saved,
            "saved_at": timezone.localtime().strftime("%H:%M"),
            "cells": cells,
            "outcomes": {},
        }
    )


@login_required
@require_GET
def class_overview(request: AuthedRequest, pk: int, semester: int) -> HttpResponse:
    """Read-only: each subject's result, the learning result and conduct per student."""
    school_class = class_or_404(pk)
    period = semester_or_404(semester, year=True)
    overview = selectors_entry.class_overview(request.user, school_class, period)
    names = PRIMARY_NAMES if overview.primary else LEVEL_NAMES
    rows = [
        {
            "student": r.student,
            "subjects": [
                tables.outcome_text(r.summary.subjects[s.code])
                if s.code in r.summary.subjects
                else ""
                for s in overview.subjects
            ],
            "learning": str(names.get(r.summary.learning or "", "")),
            "conduct": str(LEVEL_NAMES.get(r.summary.conduct or "", "")),
            "award": str(AWARD_NAMES.get(r.summary.award, "")),
            "decision": decision_text(r.summary.decision),
            "absences": r.absences,
        }
        for r in overview.results
    ]
    return render(
        request,
        "gradebook/homeroom/overview.html",
        {
            "school_class": school_class,
            "period": period,
            "overview": overview,
            "rows": rows,
            "may_enter_terms": cell_services.may_enter_terms(request.user, school_class),
        },
    )
