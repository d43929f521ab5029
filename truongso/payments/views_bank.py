"""Bank feed pages: the webhook receivers, the unmatched queue with manual assignment,
the notification log and statement imports. Views parse, call one function, render."""

from __future__ import annotations

import json
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.forms import Form
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from truongso.core import authz, context
from truongso.core.authz import Perm
from truongso.core.pagination import paginate
from truongso.core.typing import AuthedRequest
from truongso.payments import reconcile
from truongso.payments import selectors_bank as bank
from truongso.payments.codes import normalise
from truongso.payments.forms_bank import AssignForm, CreditForm, StatementForm
from truongso.payments.models import Invoice, NotificationStatus, Payment
from truongso.payments.notifications import notification_receive
from truongso.payments.providers import PROVIDERS
from truongso.payments.statements import statement_cross_check, statement_import
from truongso.payments.views_common import school_or_choice
from truongso.registry.models import Student


@csrf_exempt
@require_POST
def webhook(request: HttpRequest, provider: str) -> HttpResponse:
    """POST /payments/webhooks/<provider>/: signed by the service, not by a session."""
    try:
        body = request.body
    except Exception:  # RequestDataTooBig and friends: refuse without a 500
        return JsonResponse({"success": False, "message": "body too large"}, status=413)
    delivery = notification_receive(
        provider=provider,
        headers=dict(request.headers),
        body=body,
        remote_addr=context.current().ip or request.META.get("REMOTE_ADDR"),
    )
    return JsonResponse(delivery.reply.body, status=delivery.reply.status)


def _manager(request: AuthedRequest) -> None:
    if not authz.has_any(request.user, Perm.PAYMENT_MANAGE):
        raise PermissionDenied


@login_required
def queue(request: AuthedRequest) -> HttpResponse:
    school, answer = school_or_choice(request)
    if answer is not None:
        return answer
    assert school is not None
    page = paginate(request, bank.unmatched_payments(request.user, school))
    context_ = {"school": school, "page_obj": page, "tab": "queue"}
    return render(request, "payments/bank/queue.html", context_)


@login_required
@require_http_methods(["GET", "POST"])
def queue_item(request: AuthedRequest, pk: int) -> HttpResponse:
    payment = bank.payment_to_assign(request.user, pk)
    assign = AssignForm(request.POST if request.POST.get("action") == "assign" else None)
    credit = CreditForm(request.POST if request.POST.get("action") == "credit" else None)
    if request.method == "POST":
        done = _act(request, payment, assign, credit)
        if done:
            return redirect("payments_bank:queue_item", pk=payment.pk)
    context_ = {
        "payment": payment,
        "school": payment.school,
        "suggestions": reconcile.suggestions_for(payment) if payment.unassigned else [],
        "assign": assign,
        "credit": credit,
        "allocations": payment.allocations.select_related("invoice__student").order_by("pk"),
        "tab": "queue",
    }
    return render(request, "payments/bank/queue_item.html", context_)


def _act(request: AuthedRequest, payment: Payment, assign: Form, credit: Form) -> bool:
    action = request.POST.get("action")
    try:
        if action == "auto":
            outcome = reconcile.reconcile_payment(actor=request.user, payment=payment)
            messages.info(
                request, outcome.note or _("Matching ran: %(r)s.") % {"r": outcome.result}
            )
            return True
        if action == "assign" and assign.is_valid():
            invoice = _invoice(payment, assign.cleaned_data["code"])
            reconcile.payment_assign(
                actor=request.user, payment=payment, invoice=invoice,
                amount=assign.cleaned_data["amount"],
            )  # fmt: skip
            messages.success(request, _("Assigned to invoice %(code)s.") % {"code": invoice.code})
            return True
        if action == "credit" and credit.is_valid():
            student = _student(payment, credit.cleaned_data["learner_id"])
            reconcile.payment_assign_credit(
                actor=request.user, payment=payment, student=student,
                amount=credit.cleaned_data["amount"],
            )  # fmt: skip
            messages.success(request, _("Put on %(name)s's credit.") % {"name": student.full_name})
            return True
    except ValidationError as error:
        target = credit if action == "credit" else assign
        _show(target, error)
    return False


def _show(form: Form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


def _invoice(payment: Payment, code: str) -> Invoice:
    invoice = Invoice.objects.filter(school_id=payment.school_id, code=normalise(code)).first()
    if invoice is None:
        raise ValidationError(
            {"code": _("No invoice of this school has the code %(c)s.") % {"c": code}}
        )
    return invoice


def _student(payment: Payment, learner_id: str) -> Student:
    student = Student.objects.filter(learner_id=learner_id.strip()).first()
    if student is None:
        raise ValidationError(
            {"learner_id": _("No student has the learner ID %(id)s.") % {"id": learner_id}}
        )
    return student


@login_required
def notification_log(request: AuthedRequest) -> HttpResponse:
    _manager(request)
    status = request.GET.get("status", "")
    provider = request.GET.get("provider", "")
    status = status if status in NotificationStatus.values else ""
    provider = provider if provider in PROVIDERS else ""
    rows = bank.notifications(request.user, status=status, provider=provider)
    context_ = {
        "page_obj": paginate(request, rows, 50),
        "status": status,
        "provider": provider,
        "statuses": NotificationStatus.choices,
        "providers": PROVIDERS,
        "tab": "notifications",
    }
    return render(request, "payments/bank/notifications.html", context_)


@login_required
def notification_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    note = bank.notification(request.user, pk)
    try:
        pretty = json.dumps(json.loads(note.body), ensure_ascii=False, indent=2)
    except ValueError:
        pretty = note.body
    context_ = {"note": note, "pretty": pretty, "tab": "notifications"}
    return render(request, "payments/bank/notification_detail.html", context_)


@login_required
@require_http_methods(["GET", "POST"])
def statement_list(request: AuthedRequest) -> HttpResponse:
    school, answer = school_or_choice(request)
    if answer is not None:
        return answer
    assert school is not None
    accounts = bank.bank_accounts(request.user, school)
    form = StatementForm(request.POST or None, request.FILES or None, accounts=accounts)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        statement = statement_import(
            actor=request.user,
            bank_account=form.cleaned_data["bank_account"],
            file_name=upload.name,
            content=upload.read(),
            preset=form.cleaned_data["preset"],
            mapping=form.mapping(),
            encoding=form.cleaned_data["encoding"],
        )
        return redirect("payments_bank:statement_detail", pk=statement.pk)
    context_: dict[str, Any] = {
        "school": school,
        "form": form,
        "page_obj": paginate(request, bank.statements(request.user, school)),
        "tab": "statements",
    }
    return render(request, "payments/bank/statements.html", context_)


@login_required
def statement_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    statement = bank.statement(request.user, pk)
    lines = statement.lines.select_related("payment").order_by("row_number")
    context_ = {
        "statement": statement,
        "school": statement.school,
        "check": statement_cross_check(statement),
        "page_obj": paginate(request, lines, 100),
        "tab": "statements",
    }
    return render(request, "payments/bank/statement_detail.html", context_)
