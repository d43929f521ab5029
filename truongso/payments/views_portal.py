"""The parent portal (cổng phụ huynh): each child's open invoices with the amount and the
VietQR code to scan from any banking app, on a 360 px phone; paid invoices and receipts.
Also the payments home, which sends each user to the page of his role, the receipt PDF and
the public receipt check."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET, require_POST

from truongso.core import authz
from truongso.core.audit import audit_export
from truongso.core.authz import Perm
from truongso.core.demo import demo_tools_allowed
from truongso.core.typing import AuthedRequest
from truongso.payments import receipts, simulate
from truongso.payments import selectors_pages as pages
from truongso.payments.gateway.services import gateway_config
from truongso.payments.models import InvoiceStatus, Payment, SchoolBankAccount
from truongso.payments.notices import payment_qr
from truongso.payments.views_common import is_family_only


@login_required
@require_GET
def home(request: AuthedRequest) -> HttpResponse:
    user = request.user
    if is_family_only(user):
        return redirect("payments:family")
    if authz.has_any(user, Perm.PAYMENT_VIEW):
        return redirect("payments:invoice_list")
    if authz.has_any(user, Perm.PAYMENT_STATS):
        return redirect("payments:report_cashless")
    raise PermissionDenied


@login_required
@require_GET
def family(request: AuthedRequest) -> HttpResponse:
    user = request.user
    if not is_family_only(user):
        return redirect("payments:invoice_list")
    children = pages.family_invoices(user)
    accounts: dict[int, SchoolBankAccount | None] = {}
    for child in children:
        for invoice in child.invoices:
            if invoice.school_id not in accounts:
                accounts[invoice.school_id] = pages.bank_account_of(invoice.school)
            # shown beside the invoice on its card
            invoice.pay_qr = payment_qr(invoice, accounts[invoice.school_id])  # type: ignore[attr-defined]
    context = {
        "children": children,
        "payments": pages.payments_visible(user).select_related("school")[:10],
        "pay_online_url": "payments:gateway_start" if gateway_config() else "",
        "simulate": demo_tools_allowed(),
    }
    return render(request, "payments/portal/family.html", context)


@login_required
@require_POST
def demo_transfer(request: AuthedRequest, pk: int) -> HttpResponse:
    """Demo only: play the parent's bank, as if he had scanned the QR code and paid."""
    if not demo_tools_allowed():
        raise Http404
    invoice = pages.invoice_detail(request.user, pk)
    account = pages.bank_account_of(invoice.school)
    if account is None or invoice.balance <= 0:
        messages.error(request, _("Nothing to pay on invoice %(code)s.") % {"code": invoice.code})
        return redirect("payments:family")
    status, _reply = simulate.deliver_in_process(simulate.sepay_transfer(invoice, account))
    invoice.refresh_from_db()
    if status == 200 and invoice.status == InvoiceStatus.PAID:
        messages.success(
            request,
            _("The bank reported your transfer: invoice %(code)s is paid.")
            % {"code": invoice.code},
        )
    else:
        messages.warning(
            request, _("The bank notification was not applied (HTTP %(s)s).") % {"s": status}
        )
    return redirect(request.POST.get("next") or "payments:family")


@login_required
@require_GET
def receipt_pdf(request: AuthedRequest, pk: int) -> HttpResponse:
    payment = pages.receipt_payment(request.user, pk)
    check_url = request.build_absolute_uri(receipts.check_path(payment))
    body = receipts.receipt_pdf(payment, check_url=check_url)
    audit_export(
        actor=request.user,
        what="payments.receipt",
        org_path=payment.school.path,
        rows=1,
        params={"payment": payment.pk},
    )
    response = HttpResponse(body, content_type="application/pdf")
    name = receipts.receipt_number(payment)
    response["Content-Disposition"] = f'inline; filename="{name}.pdf"'
    response["Cache-Control"] = "private, no-store"
    return response


@require_GET
@cache_control(public=True, max_age=300)
def receipt_check(request: HttpRequest, token: str) -> HttpResponse:
    """Public: anyone holding a receipt checks it; only masked data is shown."""
    pk = receipts.payment_pk_from(token)
    if pk is None:
        raise Http404
    payment = get_object_or_404(Payment.objects.select_related("school", "student"), pk=pk)
    context = {"check": receipts.receipt_check(payment)}
    return render(request, "payments/receipts/check.html", context)
