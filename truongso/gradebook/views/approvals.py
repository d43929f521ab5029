"""Late changes (đề nghị sửa điểm): the teacher's request for locked cells of a student, the
principal's inbox (approve, reject or return, with a note), and the requester's own list
(withdraw, resubmit)."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from truongso.core import authz
from truongso.core.authz import Perm
from truongso.core.typing import AuthedRequest
from truongso.gradebook import selectors_entry
from truongso.gradebook.late_changes import KIND, late_change_request, late_change_resubmit
from truongso.gradebook.views import homeroom as homeroom_views
from truongso.gradebook.views.common import MAX_VALUE, class_or_404, semester_or_404
from truongso.gradebook.views.entry import _grid_table, _load_grid
from truongso.gradebook.views.tables import ColumnView, RowView
from truongso.registry.models import SchoolClass, Subject
from truongso.workflow import selectors as workflow_selectors
from truongso.workflow.models import ApprovalRequest, RequestStatus
from truongso.workflow.services import approval_decide, approval_withdraw

REASON_MAX = 2000
DECISIONS = {
    "approve": RequestStatus.APPROVED,
    "reject": RequestStatus.REJECTED,
    "return": RequestStatus.RETURNED,
}


def _messages_of(exc: ValidationError) -> list[str]:
    return [str(m) for m in exc.messages]


# The teacher's request -------------------------------------------------------------------
def _late_change_page(
    request: AuthedRequest,
    *,
    school_class: SchoolClass,
    subject: Subject | None,
    semester: int,
    columns: list[ColumnView],
    row: RowView,
    shown: Callable[[str, str], str],
    back_url: str,
) -> HttpResponse:
    locked = [(c, cell) for c, cell in zip(columns, row.cells, strict=True) if c.locked]
    if not locked:
        messages.info(request, _("These columns are open: change them in the gradebook."))
        return redirect(back_url)
    errors: list[str] = []
    typed: dict[str, str] = {}
    reason = ""
    if request.method == "POST":
        reason = request.POST.get("reason", "")[:REASON_MAX]
        cells = {}
        for column, cell in locked:
            new = request.POST.get(f"c:{column.code}", shown(column.code, cell.old))[:MAX_VALUE]
            old = request.POST.get(f"o:{column.code}", cell.old)[:MAX_VALUE]
            typed[column.code] = new
            if new.strip() != shown(column.code, old):
                cells[column.code] = (old, new)
        if not cells:
            errors.append(_("Type the new value of at least one cell."))
        else:
            try:
                late_change_request(
                    actor=request.user,
                    school_class=school_class,
                    semester=semester,
                    student=row.student,
                    cells=cells,
                    reason=reason,
                    subject=subject,
                )
            except ValidationError as exc:
                errors += _messages_of(exc)
            else:
                messages.success(request, _("Your request was sent to the principal for approval."))
                return redirect(back_url)
    return render(
        request,
        "gradebook/approvals/late_change.html",
        {
            "school_class": school_class,
            "subject": subject,
            "semester": semester,
            "student": row.student,
            "cells": [(c, cell, typed.get(c.code, cell.value)) for c, cell in locked],
            "reason": reason,
            "errors": errors,
            "back_url": back_url,
        },
        status=400 if errors else 200,
    )


def _row(rows: list[RowView], student_pk: int) -> RowView:
    for row in rows:
        if row.student.pk == student_pk and row.in_class:
            return row
    raise Http404


@login_required
def late_change(
    request: AuthedRequest, class_pk: int, subject_code: str, semester: int, student_pk: int
) -> HttpResponse:
    g = _load_grid(request, class_pk, subject_code, semester)
    if not g.editable:
        raise PermissionDenied
    table = _grid_table(g)
    return _late_change_page(
        request,
        school_class=g.school_class,
        subject=g.subject,
        semester=g.semester,
        columns=table.columns,
        row=_row(table.rows, student_pk),
        shown=lambda code, old: old,
        back_url=reverse("gradebook:grid", args=[class_pk, g.subject.code, g.semester]),
    )


@login_required
def term_late_change(
    request: AuthedRequest, pk: int, semester: int, student_pk: int
) -> HttpResponse:
    school_class = class_or_404(pk)
    semester = semester_or_404(semester)
    table = homeroom_views._table(request, school_class, semester)
    if not table.editable:
        raise PermissionDenied
    return _late_change_page(
        request,
        school_class=school_class,
        subject=None,
        semester=semester,
        columns=table.columns,
        row=_row(table.rows, student_pk),
        shown=homeroom_views.shown,
        back_url=reverse("gradebook:homeroom", args=[pk, semester]),
    )


# The principal's inbox ---------------------------------------------------------------------
@login_required
@require_GET
def inbox(request: AuthedRequest) -> HttpResponse:
    user = request.user
    if not authz.has_any(user, Perm.GRADE_MANAGE):
        raise PermissionDenied
    waiting = workflow_selectors.requests_to_decide(user, Perm.GRADE_MANAGE)
    return render(
        request,
        "gradebook/approvals/inbox.html",
        {"items": selectors_entry.request_views(waiting.filter(kind=KIND)[:100])},
    )


@login_required
@require_POST
def decide(request: AuthedRequest, pk: int) -> HttpResponse:
    found = workflow_selectors.request_detail(request.user, pk)  # 404 for everyone else
    decision = DECISIONS.get(request.POST.get("decision", ""))
    note = request.POST.get("note", "")[:REASON_MAX]
    if decision is None:
        messages.error(request, _("Choose approve, reject or return."))
        return redirect("gradebook:approvals")
    try:
        approval_decide(actor=request.user, request=found, decision=decision, note=note)
    except ValidationError as exc:
        for message in _messages_of(exc):
            messages.error(request, message)
        return redirect("gradebook:approvals")
    done = {
        RequestStatus.APPROVED: _("Approved: the change is now in the gradebook."),
        RequestStatus.REJECTED: _("Rejected; the teacher sees your note."),
        RequestStatus.RETURNED: _("Returned to the teacher for changes."),
    }
    messages.success(request, done[decision])
    return redirect("gradebook:approvals")


# The requester's own list ---------------------------------------------------------------------
@login_required
@require_GET
def mine(request: AuthedRequest) -> HttpResponse:
    found = workflow_selectors.my_requests(request.user).filter(kind=KIND)
    items = selectors_entry.request_views(
        found.select_related("requested_by", "decided_by").order_by("-requested_at", "-id")[:200]
    )
    return render(request, "gradebook/approvals/mine.html", {"items": items})


@login_required
@require_POST
def withdraw(request: AuthedRequest, pk: int) -> HttpResponse:
    found = workflow_selectors.request_detail(request.user, pk)
    try:
        approval_withdraw(actor=request.user, request=found)
    except ValidationError as exc:
        for message in _messages_of(exc):
            messages.error(request, message)
    else:
        messages.success(request, _("The request was withdrawn."))
    return redirect("gradebook:my_requests")


def _own_returned(request: AuthedRequest, pk: int) -> ApprovalRequest:
    found = workflow_selectors.request_detail(request.user, pk)
    if found.requested_by_id != request.user.pk or found.kind != KIND:
        raise PermissionDenied
    return found


@login_required
def resubmit(request: AuthedRequest, pk: int) -> HttpResponse:
    found = _own_returned(request, pk)
    [item] = selectors_entry.request_views([found])
    errors: list[str] = []
    typed = {code: new for code, _label, _old, new in item.cells}
    reason = found.reason
    if request.method == "POST":
        typed = {
            code: request.POST.get(f"c:{code}", new)[:MAX_VALUE]
            for code, _label, _old, new in item.cells
        }
        reason = request.POST.get("reason", "")[:REASON_MAX]
        try:
            late_change_resubmit(actor=request.user, request=found, cells=typed, reason=reason)
        except ValidationError as exc:
            errors = _messages_of(exc)
        else:
            messages.success(request, _("The request was sent again."))
            return redirect("gradebook:my_requests")
    if found.status != RequestStatus.RETURNED and not errors:
        messages.error(request, _("Only a returned request can be submitted again."))
        return redirect("gradebook:my_requests")
    return render(
        request,
        "gradebook/approvals/resubmit.html",
        {
            "item": item,
            "cells": [(code, label, old, typed[code]) for code, label, old, _new in item.cells],
            "reason": reason,
            "errors": errors,
        },
        status=400 if errors else 200,
    )
