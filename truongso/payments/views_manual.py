"""The accountant's counter: record a Mobile Money or card-terminal payment from its slip, and
refund money (a payment's unassigned part, or a student's credit). Thin: the rules are in
``manual.py`` and the payments services."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q, QuerySet
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from truongso.core import authz
from truongso.core.authz import Perm
from truongso.core.typing import AuthedRequest
from truongso.payments import selectors_counter
from truongso.payments.forms_manual import ManualPaymentForm, RefundForm
from truongso.payments.manual import ManualOutcome, manual_payment_record
from truongso.payments.models import Payment
from truongso.payments.selectors import student_credit
from truongso.payments.services import payment_refund
from truongso.registry.models import OrgUnit, Student


def _money(amount: int) -> str:
    return number_format(amount, force_grouping=True)


def _schools(request: AuthedRequest) -> QuerySet[OrgUnit]:
    roots = authz.grant_roots(request.user, Perm.PAYMENT_MANAGE)
    units = OrgUnit.objects.filter(kind="school", is_active=True).order_by("name")
    if request.user.is_superuser:
        return units
    return units.filter(pk__in=[u.pk for u in units if any(u.path.startswith(r) for r in roots)])


def _form_errors(form: ManualPaymentForm | RefundForm, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


@login_required
def manual_record(request: AuthedRequest) -> HttpResponse:
    schools = list(_schools(request))
    if not schools:
        raise PermissionDenied
    chosen = request.POST.get("school") or request.GET.get("school") or str(schools[0].pk)
    school = next((s for s in schools if str(s.pk) == chosen), None)
    if school is None:
        raise Http404
    form = ManualPaymentForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            try:
                outcome = manual_payment_record(
                    actor=request.user,
                    school=school,
                    method=data["method"],
                    channel=form.channel,
                    reference=data["reference"],
                    amount=data["amount"],
                    paid_at=data["paid_at"],
                    payer_name=data["payer_name"],
                    invoice_code=data["invoice_code"],
                    memo=data["memo"],
                )
            except ValidationError as exc:
                _form_errors(form, exc)
            else:
                messages.success(request, _recorded_message(outcome))
                return redirect(f"{request.path}?school={school.pk}")
    return render(
        request,
        "payments/counter/record.html",
        {
            "form": form,
            "school": school,
            "schools": schools,
            "recent": selectors_counter.recent_payments(request.user, school),
            "credits": selectors_counter.credit_holders(request.user, school),
        },
        status=status,
    )


def _recorded_message(outcome: ManualOutcome) -> str:
    payment, allocated, credited = outcome.payment, outcome.allocated, outcome.credited
    text = _("Recorded %(amount)s đồng (%(ref)s).") % {
        "amount": _money(payment.amount),
        "ref": payment.provider_ref,
    }
    if allocated:
        text += " " + _("%(amount)s đồng paid the invoice.") % {"amount": _money(allocated)}
    if credited:
        text += " " + _("%(amount)s đồng went to the student's credit.") % {
            "amount": _money(credited)
        }
    if not allocated and not credited:
        text += " " + _("It waits in the unassigned queue.")
    return text


def _refund_page(
    request: AuthedRequest, *, maximum: int, context: dict[str, object], **target: object
) -> HttpResponse:
    form = RefundForm(request.POST or None, maximum=maximum)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                refund = payment_refund(
                    actor=request.user,
                    amount=form.cleaned_data["amount"],
                    reason=form.cleaned_data["reason"],
                    reference=form.cleaned_data["reference"],
                    **target,  # type: ignore[arg-type]
                )
            except ValidationError as exc:
                _form_errors(form, exc)
            else:
                messages.success(
                    request,
                    _("Refund of %(amount)s đồng recorded.") % {"amount": _money(refund.amount)},
                )
                return redirect(request.path)
    return render(
        request,
        "payments/counter/refund.html",
        {"form": form, "maximum": maximum, **context},
        status=status,
    )


@login_required
def payment_refund_view(request: AuthedRequest, pk: int) -> HttpResponse:
    payment = (
        authz.scope(request.user, Perm.PAYMENT_MANAGE, Payment.objects.select_related("school"))
        .filter(pk=pk)
        .first()
    )
    if payment is None:
        raise Http404
    return _refund_page(
        request, maximum=payment.unassigned, context={"payment": payment}, payment=payment
    )


@login_required
def credit_refund_view(request: AuthedRequest, pk: int, school_pk: int) -> HttpResponse:
    school = next((s for s in _schools(request) if s.pk == school_pk), None)
    # Only a student with an account at the school (enrolled, or invoiced there).
    student = (
        Student.objects.filter(Q(school_id=school_pk) | Q(invoices__school_id=school_pk), pk=pk)
        .distinct()
        .first()
    )
    if school is None or student is None:
        raise Http404
    credit = student_credit(student, school=school)
    if credit <= 0 and request.method != "POST":
        messages.info(request, _("This student has no credit at this school."))
    return _refund_page(
        request,
        maximum=credit,
        context={"student": student, "school": school},
        student=student,
        school=school,
    )
