"""Application pages: the public round page, phone → OTP → form → slip, "my applications",
and the review list and detail of schools and the organiser.

Parents have no account: the signed phone cookie of ``parent_session`` is their session.
Views parse, call one service or selector, render.
"""

from __future__ import annotations

import re
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from truongso.admissions import otp
from truongso.admissions import selectors_apply as sel
from truongso.admissions.confirmation import confirmation_pdf
from truongso.admissions.models import (
    Application,
    ApplicationDocument,
    ApplicationStatus,
    SmsMessage,
)
from truongso.admissions.parent_session import session_close, session_open, session_phone
from truongso.admissions.services import applications as svc
from truongso.admissions.services.runs import results_visible
from truongso.admissions.sms import backend_get
from truongso.core import authz
from truongso.core.authz import Perm
from truongso.core.middleware import client_ip
from truongso.core.pagination import paginate

PERSON_FIELDS = (
    "learner_id",
    "enrolment_code",
    "full_name",
    "birth_date",
    "gender",
    "guardian_name",
    "address",
    "zone",
    "priority_group",
    "encouragement",
    "current_school",
)


# --- Public pages ---------------------------------------------------------------------------


@require_GET
def rounds(request: HttpRequest) -> HttpResponse:
    return render(request, "admissions/apply/rounds.html", {"rounds": sel.rounds_public()})


@require_GET
def round_page(request: HttpRequest, round_id: int) -> HttpResponse:
    data = sel.round_public(round_id)
    if data is None:
        raise Http404
    return render(request, "admissions/apply/round.html", {"r": data})


@require_GET
def check(request: HttpRequest, code: str) -> HttpResponse:
    """What a printed slip's QR code opens: the application exists, and its state (no data)."""
    application = sel.application_check(code)
    if application is None:
        raise Http404
    response = render(request, "admissions/apply/check.html", {"a": application})
    response["Cache-Control"] = "private, max-age=60"
    return response


# --- Phone verification ---------------------------------------------------------------------


def _next_url(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}):
        return target
    return reverse("admissions_apply:mine")


@never_cache
@require_http_methods(["GET", "POST"])
def phone(request: HttpRequest) -> HttpResponse:
    ctx: dict[str, Any] = {"next": _next_url(request), "phone": request.POST.get("phone", "")}
    if request.method == "POST":
        try:
            challenge = otp.challenge_issue(
                phone=request.POST.get("phone"), remote_addr=client_ip(request)
            )
        except otp.OtpRefused as exc:
            ctx["error"] = exc.messages[0]
        else:
            ctx.update(phone=challenge.phone, sent=True, demo_code=_demo_code(challenge.phone))
            return render(request, "admissions/apply/verify.html", ctx)
    return render(request, "admissions/apply/phone.html", ctx)


def _demo_code(phone_number: str) -> str:
    """Demo installations without a gateway show the code sent (there is no real phone)."""
    if not settings.DEMO_MODE or backend_get().name == "http":
        return ""
    text = (
        SmsMessage.objects.filter(phone=phone_number)
        .order_by("-pk")
        .values_list("text", flat=True)
        .first()
    )
    found = re.search(r"\b(\d{6})\b", text or "")
    return found.group(1) if found else ""


@never_cache
@require_POST
def verify(request: HttpRequest) -> HttpResponse:
    ctx: dict[str, Any] = {"next": _next_url(request), "phone": request.POST.get("phone", "")}
    try:
        verified = otp.challenge_verify(phone=ctx["phone"], code=request.POST.get("code"))
    except otp.OtpRefused as exc:
        ctx["error"] = exc.messages[0]
        return render(request, "admissions/apply/verify.html", ctx, status=400)
    response = redirect(ctx["next"])
    session_open(response, verified)
    return response


@require_POST
def logout(request: HttpRequest) -> HttpResponse:
    response = redirect("admissions_apply:rounds")
    session_close(response)
    return response


def _phone_or_redirect(request: HttpRequest) -> str | HttpResponse:
    verified = session_phone(request)
    if verified is None:
        return redirect(f"{reverse('admissions_apply:phone')}?next={request.path}")
    return verified


# --- The parent's applications --------------------------------------------------------------


@never_cache
@require_GET
def mine(request: HttpRequest) -> HttpResponse:
    verified = _phone_or_redirect(request)
    if isinstance(verified, HttpResponse):
        return verified
    applications = list(sel.applications_of_phone(verified))
    for application in applications:
        # Once the results are out, the parent goes on from here to the result and confirmation.
        application.results_open = results_visible(application.round)  # type: ignore[attr-defined]
    return render(
        request,
        "admissions/apply/mine.html",
        {"phone": verified, "applications": applications},
    )


def _form_context(r: Any, data: dict[str, Any], prefs: list[str], errors: Any) -> dict[str, Any]:
    ranks = list(range(1, r.preferences_max + 1))
    prefs = (prefs + [""] * len(ranks))[: len(ranks)]
    return {
        "r": r,
        "data": data,
        "pref_slots": list(zip(ranks, prefs, strict=True)),
        "schools": sel.round_schools(r),
        "zones": svc.round_zones(r),
        "priority_groups": sorted((r.priority_bonus or {}).items()),
        "errors": errors,
        "general_errors": (errors or {}).get("__all__", []),
    }


def _posted(request: HttpRequest) -> tuple[dict[str, Any], list[str]]:
    data = {name: request.POST.get(name, "") for name in PERSON_FIELDS}
    return data, request.POST.getlist("preferences")


@never_cache
@require_http_methods(["GET", "POST"])
def apply(request: HttpRequest, round_id: int) -> HttpResponse:
    verified = _phone_or_redirect(request)
    if isinstance(verified, HttpResponse):
        return verified
    r = sel.round_open_get(round_id)
    if r is None:
        raise Http404
    data: dict[str, Any] = {}
    prefs: list[str] = []
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        data, prefs = _posted(request)
        try:
            application = svc.application_apply(
                round=r, phone=verified, data=data, preferences=prefs
            )
        except ValidationError as exc:
            errors = exc.message_dict
        else:
            messages.success(
                request,
                _("Application received. Your application code is %(code)s.")
                % {"code": application.code},
            )
            return redirect("admissions_apply:detail", code=application.code)
    ctx = _form_context(r, data, prefs, errors)
    ctx["window_open"] = svc.window_is_open(r)
    return render(request, "admissions/apply/form.html", ctx, status=400 if errors else 200)


def _own(request: HttpRequest, code: str) -> tuple[Application, str] | HttpResponse:
    verified = _phone_or_redirect(request)
    if isinstance(verified, HttpResponse):
        return verified
    application = sel.application_of_phone(verified, code)
    if application is None:
        raise Http404
    return application, verified


@never_cache
@require_GET
def detail(request: HttpRequest, code: str) -> HttpResponse:
    own = _own(request, code)
    if isinstance(own, HttpResponse):
        return own
    application, _phone = own
    editable = (
        svc.window_is_open(application.round) and application.status != ApplicationStatus.WITHDRAWN
    )
    return render(
        request,
        "admissions/apply/detail.html",
        {"a": application, "editable": editable, "doc_errors": []},
    )


@never_cache
@require_http_methods(["GET", "POST"])
def edit(request: HttpRequest, code: str) -> HttpResponse:
    own = _own(request, code)
    if isinstance(own, HttpResponse):
        return own
    application, verified = own
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        data, prefs = _posted(request)
        try:
            svc.application_update(
                application=application, phone=verified, data=data, preferences=prefs
            )
        except ValidationError as exc:
            errors = exc.message_dict
        else:
            messages.success(request, _("Application updated."))
            return redirect("admissions_apply:detail", code=application.code)
    else:
        data = {name: getattr(application, name, "") for name in PERSON_FIELDS}
        data["birth_date"] = application.birth_date.strftime("%d/%m/%Y")
        data["current_school"] = application.current_school_id or ""
        data["gender"] = "Nam" if application.gender == "M" else "Nữ"
        prefs = [str(p.school_id) for p in application.preferences.all()]
    ctx = _form_context(application.round, data, prefs, errors)
    ctx.update(a=application, window_open=svc.window_is_open(application.round))
    return render(request, "admissions/apply/form.html", ctx, status=400 if errors else 200)


@require_POST
def withdraw(request: HttpRequest, code: str) -> HttpResponse:
    own = _own(request, code)
    if isinstance(own, HttpResponse):
        return own
    application, verified = own
    try:
        svc.application_withdraw(application=application, phone=verified)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Application withdrawn."))
    return redirect("admissions_apply:detail", code=application.code)


@require_POST
def document(request: HttpRequest, code: str) -> HttpResponse:
    own = _own(request, code)
    if isinstance(own, HttpResponse):
        return own
    application, verified = own
    upload = request.FILES.get("file")
    if upload is None:
        messages.error(request, _("Choose a file to upload."))
    else:
        try:
            svc.document_add(
                application=application,
                phone=verified,
                kind=request.POST.get("kind", ""),
                upload=upload,
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("Document uploaded."))
    return redirect("admissions_apply:detail", code=application.code)


@never_cache
@require_GET
def slip(request: HttpRequest, code: str) -> HttpResponse:
    own = _own(request, code)
    if isinstance(own, HttpResponse):
        return own
    application, _phone = own
    response = HttpResponse(confirmation_pdf(application), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="ho-so-{application.code}.pdf"'
    return response


# --- Review by schools and the organiser ----------------------------------------------------


@login_required
@require_GET
def review_list(request: HttpRequest) -> HttpResponse:
    if not authz.has_any(request.user, Perm.ADMISSION_VIEW):
        raise PermissionDenied
    filters = {k: request.GET.get(k, "") for k in ("q", "round_id", "status", "school_id")}
    page = paginate(request, sel.applications_for_review(request.user, **filters))
    ctx = {
        "page": page,
        "filters": filters,
        "rounds": sel.rounds_for_review(request.user),
        "schools": sel.review_schools(request.user, filters["round_id"]),
        "statuses": ApplicationStatus.choices,
    }
    template = (
        "admissions/apply/review_rows.html"
        if request.headers.get("HX-Request")
        else "admissions/apply/review_list.html"
    )
    return render(request, template, ctx)


@login_required
@require_http_methods(["GET", "POST"])
def review_detail(request: HttpRequest, pk: int) -> HttpResponse:
    application = sel.application_for_review(request.user, pk)
    if application is None:
        raise Http404
    can_review = authz.check(request.user, Perm.ADMISSION_REVIEW, application)
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        if not can_review:
            raise PermissionDenied
        try:
            if request.POST.get("action") == "correct":
                data = {k: request.POST[k] for k in svc.CORRECTABLE if k in request.POST}
                svc.application_correct(
                    actor=request.user,
                    application=application,
                    data=data,
                    note=request.POST.get("note", ""),
                )
            else:
                svc.application_review(
                    actor=request.user,
                    application=application,
                    decision=request.POST.get("action", ""),
                    note=request.POST.get("note", ""),
                )
        except ValidationError as exc:
            errors = exc.message_dict
        else:
            messages.success(request, _("Saved."))
            return redirect("admissions_apply:review_detail", pk=application.pk)
    return render(
        request,
        "admissions/apply/review_detail.html",
        {
            "a": application,
            "can_review": can_review,
            "errors": errors,
            "general_errors": errors.get("__all__", []),
        },
        status=400 if errors else 200,
    )


def _document_response(document: ApplicationDocument) -> FileResponse:
    """A scan of a personal document: sent only through the checks, never a public URL."""
    response = FileResponse(document.file.open("rb"), filename=document.file_name)
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@require_GET
def document_file(request: HttpRequest, code: str, doc_id: int) -> HttpResponseBase:
    own = _own(request, code)
    if isinstance(own, HttpResponse):
        return own
    document = own[0].documents.filter(pk=doc_id).first()
    if document is None:
        raise Http404
    return _document_response(document)


@login_required
@require_GET
def review_document(request: HttpRequest, pk: int, doc_id: int) -> HttpResponseBase:
    application = sel.application_for_review(request.user, pk)
    document = application.documents.filter(pk=doc_id).first() if application else None
    if document is None:
        raise Http404
    return _document_response(document)
