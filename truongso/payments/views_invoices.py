"""Invoices: bulk runs (with a progress bar polled by HTMX), the searchable list, the detail
page with its VietQR code, cancelling, credit notes and the printable payment notice."""

from __future__ import annotations

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
from truongso.core.pagination import paginate
from truongso.core.typing import AuthedRequest
from truongso.payments import qr, services
from truongso.payments import selectors_pages as pages
from truongso.payments.forms import CancelForm, CreditNoteForm, InvoiceFilterForm, InvoiceRunForm
from truongso.payments.models import Invoice, InvoiceStatus, JobStatus
from truongso.payments.notices import payment_qr
from truongso.payments.views_common import render_region, school_or_choice
from truongso.registry.forms_students import show_errors
from truongso.registry.models import SchoolClass

LIST_TEMPLATE = "payments/invoices/list.html"


# --- Runs ---------------------------------------------------------------------------------


@login_required
def run_list(request: AuthedRequest) -> HttpResponse:
    school, other = school_or_choice(request)
    if school is None:
        assert other is not None
        return other
    year = pages.current_year_or_404()
    form = InvoiceRunForm(
        request.POST or None,
        classes=pages.classes_of(school, year),
        fee_items=pages.fee_items_of(school, year).filter(is_active=True),
    )
    if request.method == "POST" and form.is_valid():
        try:
            run = services.invoice_run_start(
                actor=request.user, school=school, school_year=year, **form.cleaned_data
            )
        except ValidationError as exc:
            show_errors(form, exc)
        else:
            messages.success(request, _("Invoicing has started."))
            return redirect("payments:run_detail", pk=run.pk)
    status = 400 if request.method == "POST" else 200
    context = {
        "school": school,
        "year": year,
        "form": form,
        "runs": paginate(request, pages.runs_of(school)),
    }
    return render(request, "payments/runs/list.html", context, status=status)


@login_required
@require_GET
def run_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    run = pages.run_of(request.user, pk)
    finished = run.status in (JobStatus.DONE, JobStatus.FAILED)
    context = {"run": run, "finished": finished, "percent": _percent(run.done, run.total)}
    return render_region(request, "payments/runs/detail.html", "progress", context)


def _percent(done: int, total: int) -> int:
    return 100 if total == 0 else min(100, round(100 * done / total))


# --- List and detail ----------------------------------------------------------------------


@login_required
@require_GET
def invoice_list(request: AuthedRequest) -> HttpResponse:
    user = request.user
    if not authz.has_any(user, Perm.PAYMENT_VIEW):
        raise PermissionDenied
    school, count = pages.pick_school(user, Perm.PAYMENT_VIEW, request.GET.get("school", ""))
    year = pages.current_year()
    classes = pages.classes_of(school, year) if school else SchoolClass.objects.none()
    form = InvoiceFilterForm(request.GET, classes=classes)
    form.make_live(reverse("payments:invoice_list"), "#invoice-results")
    rows = pages.invoice_list(user, school=school, **form.filters())
    context = {
        "form": form,
        "school": school,
        "schools": pages.schools_for(user, Perm.PAYMENT_VIEW) if count > 1 else None,
        "page_obj": paginate(request, rows),
        "can_manage": bool(school and authz.can(user, Perm.PAYMENT_MANAGE, school.path)),
        "show_reports": bool(school and authz.can(user, Perm.PAYMENT_VIEW, school.path)),
    }
    return render_region(request, LIST_TEMPLATE, "results", context)


@login_required
@require_GET
def invoice_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    invoice = pages.invoice_detail(request.user, pk)
    can_manage = authz.can(request.user, Perm.PAYMENT_MANAGE, invoice.school.path)
    context = {
        "invoice": invoice,
        "qr": payment_qr(invoice, pages.bank_account_of(invoice.school)),
        "payments": pages.payments_of_invoice(invoice),
        "can_manage": can_manage and invoice.status != InvoiceStatus.CANCELLED,
        # Families reach an invoice from their portal; the school's list is for its staff.
        "school_list": authz.can(request.user, Perm.PAYMENT_VIEW, invoice.school.path),
        "cancel_form": CancelForm(),
        "credit_form": CreditNoteForm(),
    }
    return render(request, "payments/invoices/detail.html", context)


@login_required
@require_GET
def invoice_notice(request: AuthedRequest, pk: int) -> HttpResponse:
    """The payment notice (giấy báo thu) to print or send: A4 or A5, with the QR code."""
    invoice = pages.invoice_detail(request.user, pk)
    context = {"invoice": invoice, "qr": payment_qr(invoice, pages.bank_account_of(invoice.school))}
    return render(request, "payments/invoices/notice.html", context)


@login_required
@require_GET
def invoice_qr(request: AuthedRequest, pk: int, kind: str) -> HttpResponse:
    invoice = pages.invoice_detail(request.user, pk)
    found = payment_qr(invoice, pages.bank_account_of(invoice.school))
    if found is None:
        raise Http404
    if kind == "png":
        response = HttpResponse(qr.png(found.payload), content_type="image/png")
    else:
        response = HttpResponse(found.svg, content_type="image/svg+xml")
    response["Content-Disposition"] = f'inline; filename="{invoice.code}.{kind}"'
    response["Cache-Control"] = "private, no-store"
    return response


# --- Cancel and credit notes ----------------------------------------------------------------


@login_required
@require_POST
def invoice_cancel(request: AuthedRequest, pk: int) -> HttpResponse:
    invoice = pages.invoice_detail(request.user, pk)
    form = CancelForm(request.POST)
    if form.is_valid():
        try:
            services.invoice_cancel(
                actor=request.user, invoice=invoice, reason=form.cleaned_data["reason"]
            )
        except ValidationError as exc:
            show_errors(form, exc)
        else:
            messages.success(request, _("Invoice %(code)s is cancelled.") % {"code": invoice.code})
            return redirect("payments:invoice_detail", pk=invoice.pk)
    return _form_page(request, invoice, "cancel", form)


@login_required
@require_POST
def invoice_credit(request: AuthedRequest, pk: int) -> HttpResponse:
    invoice = pages.invoice_detail(request.user, pk)
    form = CreditNoteForm(request.POST)
    if form.is_valid():
        try:
            services.credit_note_create(actor=request.user, invoice=invoice, **form.cleaned_data)
        except ValidationError as exc:
            show_errors(form, exc)
        else:
            messages.success(request, _("The credit note was recorded."))
            return redirect("payments:invoice_detail", pk=invoice.pk)
    return _form_page(request, invoice, "credit", form)


def _form_page(
    request: AuthedRequest, invoice: Invoice, which: str, form: CancelForm | CreditNoteForm
) -> HttpResponse:
    context = {"invoice": invoice, "which": which, "form": form}
    return render(request, "payments/invoices/action.html", context, status=400)
