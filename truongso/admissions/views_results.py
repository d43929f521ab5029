"""Results pages: the parent's result (phone session, no account) with the explanation and the
confirm/decline buttons; the admitting school's list with its confirmation progress."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from truongso.admissions import results
from truongso.admissions.exports_results import admitted_export
from truongso.admissions.models import Application, ConfirmationStatus, RoundSchool
from truongso.admissions.parent_session import session_phone
from truongso.admissions.services import confirm
from truongso.core import authz
from truongso.core.authz import Perm
from truongso.core.pagination import paginate
from truongso.core.text import fold

STATES = {
    "waiting": ("", ConfirmationStatus.PENDING),
    "confirmed": (ConfirmationStatus.CONFIRMED,),
    "declined": (ConfirmationStatus.DECLINED,),
    "released": (ConfirmationStatus.RELEASED,),
}


def _phone_login_url(request: HttpRequest) -> str | None:
    """The phone verification page of the application pages, coming back here after."""
    try:
        return f"{reverse('admissions_apply:phone')}?next={request.path}"
    except NoReverseMatch:
        return None


class _NeedPhone(Exception):
    pass


def _own_application(request: HttpRequest, code: str) -> tuple[Application, str]:
    phone = session_phone(request)
    if phone is None:
        raise _NeedPhone
    application = (
        Application.objects.select_related("round", "round__organiser", "admitted_school")
        .filter(code=code.strip().upper())
        .first()
    )
    # Somebody else's code is "not found": the page never says a code exists.
    if application is None or application.phone != phone:
        raise Http404
    return application, phone


@never_cache
def my_results(request: HttpRequest) -> HttpResponse:
    """Every application registered with the verified phone, with its result when published."""
    phone = session_phone(request)
    if phone is None:
        return _need_phone(request)
    applications = (
        Application.objects.filter(phone=phone)
        .select_related("round", "admitted_school")
        .order_by("-round__registration_opens", "code")
    )
    rows = [results.application_result(app) for app in applications]
    context = {"rows": rows, "phone": results.mask_phone(phone)}
    return render(request, "admissions/results/mine.html", context)


def _need_phone(request: HttpRequest) -> HttpResponse:
    login = {"login_url": _phone_login_url(request)}
    return render(request, "admissions/results/need_phone.html", login, status=403)


@never_cache
def result_detail(request: HttpRequest, code: str) -> HttpResponse:
    try:
        application, _phone = _own_application(request, code)
    except _NeedPhone:
        return _need_phone(request)
    view = results.application_result(application)
    return render(request, "admissions/results/detail.html", {"r": view})


def _answer(request: HttpRequest, application: Application, actor: Any, accept: bool) -> None:
    service = confirm.application_confirm if accept else confirm.application_decline
    try:
        service(actor=actor, application=application)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return
    if accept:
        messages.success(
            request,
            _("Enrolment confirmed: %(name)s will study at %(school)s.")
            % {"name": application.full_name, "school": application.admitted_school},
        )
    else:
        messages.info(request, _("You declined the place; it goes to the second round."))


@require_POST
def result_answer(request: HttpRequest, code: str, answer: str) -> HttpResponse:
    try:
        application, phone = _own_application(request, code)
    except _NeedPhone:
        return _need_phone(request)
    if answer not in ("confirm", "decline"):
        raise Http404
    _answer(request, application, confirm.ParentPhone(phone), answer == "confirm")
    return redirect("admissions_results:detail", code=application.code)


# -- the school's pages ---------------------------------------------------------------------


@login_required
def school_rounds(request: HttpRequest) -> HttpResponse:
    """The (round, school) pairs whose admitted lists the user may read."""
    roots = authz.grant_roots(request.user, Perm.ADMISSION_VIEW)
    if not roots and not request.user.is_superuser:
        raise PermissionDenied
    pairs = RoundSchool.objects.filter(round__status__in=["published", "finished"])
    if not request.user.is_superuser:
        pairs = pairs.filter(authz.path_q("school__path", roots))
    pairs = pairs.select_related("round", "school").order_by(
        "-round__registration_opens", "school__name"
    )
    return render(
        request, "admissions/results/school_rounds.html", {"page_obj": paginate(request, pairs)}
    )


def _school_round(request: HttpRequest, round_id: int, school_id: int) -> RoundSchool:
    pair = get_object_or_404(
        RoundSchool.objects.select_related("round", "round__organiser", "school"),
        round_id=round_id,
        school_id=school_id,
    )
    if not authz.can(request.user, Perm.ADMISSION_VIEW, pair.school.path):
        raise PermissionDenied
    return pair


@login_required
def school_admitted(request: HttpRequest, round_id: int, school_id: int) -> HttpResponse:
    pair = _school_round(request, round_id, school_id)
    rows = results.school_admitted(pair.round, pair.school)
    state = request.GET.get("state", "")
    if state in STATES:
        rows = rows.filter(confirmation__in=STATES[state])
    query = request.GET.get("q", "").strip()
    if query:
        rows = rows.filter(Q(search_name__contains=fold(query)) | Q(code__iexact=query))
    context = {
        "pair": pair,
        "progress": results.school_progress(pair.round, pair.school),
        "page_obj": paginate(request, rows, per_page=50),
        "state": state,
        "q": query,
        "can_answer": authz.can(request.user, Perm.ADMISSION_REVIEW, pair.school.path),
    }
    return render(request, "admissions/results/school.html", context)


@login_required
@require_POST
def school_answer(
    request: HttpRequest, round_id: int, school_id: int, code: str, answer: str
) -> HttpResponse:
    """A parent who comes to the school: the school confirms (or declines) for her."""
    pair = _school_round(request, round_id, school_id)
    application = get_object_or_404(
        Application.objects.select_related("round", "round__organiser", "admitted_school"),
        round=pair.round,
        admitted_school=pair.school,
        code=code,
    )
    if answer not in ("confirm", "decline"):
        raise Http404
    _answer(request, application, request.user, answer == "confirm")
    return redirect("admissions_results:school", round_id=round_id, school_id=school_id)


@login_required
def school_export(request: HttpRequest, round_id: int, school_id: int) -> HttpResponse:
    pair = _school_round(request, round_id, school_id)
    export = admitted_export(actor=request.user, round_=pair.round, school=pair.school)
    response = HttpResponse(export.content, content_type=export.content_type)
    response["Content-Disposition"] = f'attachment; filename="{export.filename}"'
    return response
