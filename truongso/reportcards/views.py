"""Report-card pages: the homeroom teacher's class, the principal's school year with its
signing batches (progress polled by HTMX), a card with its versions, corrections and
revocation, a student's cards with the transfer zip and the multi-year book."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from truongso.core.audit import audit_export
from truongso.core.typing import AuthedRequest
from truongso.reportcards import selectors, transfer
from truongso.reportcards.forms import ReasonForm
from truongso.reportcards.render import report_card_pdf
from truongso.reportcards.services import batches, cards


def _errors(request: AuthedRequest, exc: ValidationError) -> None:
    for message in exc.messages:
        messages.error(request, message)


def _pdf(body: bytes, filename: str, *, inline: bool = True) -> HttpResponse:
    response = HttpResponse(body, content_type="application/pdf")
    disposition = "inline" if inline else "attachment"
    response["Content-Disposition"] = f'{disposition}; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_GET
def home(request: AuthedRequest) -> HttpResponse:
    return render(request, "reportcards/home.html", {"home": selectors.home(request.user)})


@login_required
def class_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    page = selectors.class_page(request.user, pk)
    if request.method == "POST":
        try:
            batches.batch_start(
                actor=request.user,
                school_year=page.school_class.school_year,
                school_class=page.school_class,
            )
        except ValidationError as exc:
            _errors(request, exc)
        else:
            messages.success(request, _("Signing has started; it runs in the background."))
        return redirect("reportcards:class_detail", pk=pk)
    return render(request, "reportcards/class.html", {"page": page})


@login_required
@require_GET
def preview(request: AuthedRequest, pk: int, student_pk: int) -> HttpResponse:
    """An unsigned preview of a student's card, for the homeroom teacher's review."""
    page = selectors.class_page(request.user, pk)
    row = next((r for r in page.rows if r.student.pk == student_pk), None)
    if row is None:
        raise Http404
    body = report_card_pdf(row.student, page.school_class.school_year)
    _log(request, "reportcards.preview", page.school_class.school.path, row.student.pk)
    return _pdf(body, f"xem-truoc-{row.student.identifier}.pdf")


def _log(request: AuthedRequest, what: str, path: str, student_pk: int) -> None:
    audit_export(
        actor=request.user, what=what, org_path=path, rows=1, params={"student": student_pk}
    )


@login_required
def school_year(request: AuthedRequest, pk: int, year_pk: int) -> HttpResponse:
    page = selectors.school_page(request.user, pk, year_pk)
    if request.method == "POST":
        try:
            batches.batch_start(actor=request.user, school_year=page.year, school=page.school)
        except ValidationError as exc:
            _errors(request, exc)
        else:
            messages.success(request, _("Signing and sealing have started in the background."))
        return redirect("reportcards:school_year", pk=pk, year_pk=year_pk)
    return render(request, "reportcards/school.html", {"page": page})


@login_required
@require_GET
def batch_progress(request: AuthedRequest, pk: int) -> HttpResponse:
    batch = selectors.batch_for(request.user, pk)
    context = {"batch": batch, "finished": not batch.is_running}
    response = render(request, "reportcards/_batch.html", context)
    patch_vary_headers(response, ["HX-Request"])
    return response


@login_required
@require_POST
def batch_resume(request: AuthedRequest, pk: int) -> HttpResponse:
    batch = selectors.batch_for(request.user, pk)
    try:
        batches.batch_resume(actor=request.user, batch=batch)
    except ValidationError as exc:
        _errors(request, exc)
    else:
        messages.success(request, _("The batch carries on where it stopped."))
    if batch.school_class_id:
        return redirect("reportcards:class_detail", pk=batch.school_class_id)
    return redirect("reportcards:school_year", pk=batch.school_id, year_pk=batch.school_year_id)


@login_required
def card_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    card = selectors.card_for(request.user, pk)
    form = ReasonForm(request.POST or None)
    if request.method == "POST":
        action = request.POST.get("action")
        if action not in ("correct", "revoke"):
            raise PermissionDenied
        if form.is_valid():
            service = cards.card_correct if action == "correct" else cards.card_revoke
            try:
                made = service(actor=request.user, card=card, reason=form.cleaned_data["reason"])
            except ValidationError as exc:
                _errors(request, exc)
            else:
                messages.success(request, _done(action))
                return redirect("reportcards:card_detail", pk=made.pk)
    context = {
        "card": card,
        "versions": selectors.versions_of(card),
        "may_issue": selectors.may_issue(request.user, card.school),
        "form": form,
    }
    return render(request, "reportcards/card.html", context)


def _done(action: str) -> str:
    if action == "correct":
        return _(
            "The correction was made as a new version; the homeroom teacher and the principal "
            "sign it again, then it replaces the old one."
        )
    return _("The report card is revoked.")


@login_required
@require_GET
def card_pdf(request: AuthedRequest, pk: int) -> HttpResponse:
    card = selectors.card_for(request.user, pk)
    with card.pdf.open("rb") as handle:
        body = handle.read()
    _log(request, "reportcards.card", card.school.path, card.student_id)
    return _pdf(body, transfer.filename(card), inline=False)


@login_required
@require_GET
def student_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    student = selectors.student_for(request.user, pk)
    context = {"student": student, "cards": selectors.student_cards(request.user, student)}
    return render(request, "reportcards/student.html", context)


@login_required
@require_GET
def student_zip(request: AuthedRequest, pk: int) -> HttpResponse:
    """The student's issued cards as a zip (transfer to a school outside the system)."""
    student = selectors.student_for(request.user, pk)
    issued = selectors.issued_cards(request.user, student)
    body = transfer.cards_zip(student, issued)
    audit_export(
        actor=request.user,
        what="reportcards.zip",
        org_path=student.school.path if student.school else "",
        rows=len(issued),
        params={"student": student.pk},
    )
    response = HttpResponse(body, content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="hoc-ba-{student.identifier}.zip"'
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_GET
def student_book(request: AuthedRequest, pk: int) -> HttpResponse:
    student = selectors.student_for(request.user, pk)
    body = transfer.book_pdf(student, selectors.issued_cards(request.user, student))
    _log(request, "reportcards.book", student.school.path if student.school else "", student.pk)
    return _pdf(body, f"so-hoc-ba-{student.identifier}.pdf")
