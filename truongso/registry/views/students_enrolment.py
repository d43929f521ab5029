"""Enrolment actions on a student (class change, transfer, leaving, return) and the
transfer inbox of the sending and receiving schools."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from truongso.core import authz
from truongso.core.authz import Perm
from truongso.core.typing import AuthedRequest
from truongso.registry import selectors
from truongso.registry.forms_students import (
    ClassChangeForm,
    ExitForm,
    ReturnForm,
    TransferAcceptForm,
    TransferDecisionForm,
    TransferForm,
    show_errors,
)
from truongso.registry.models import OrgUnit, SchoolClass, Student, StudentStatus, TransferRequest
from truongso.registry.services import enrolment
from truongso.registry.views.students import form_page, may_admit, render_region

DIRECTORY_SIZE = 20


def back_to(student: Student) -> HttpResponse:
    return redirect("registry:student_detail", pk=student.pk)


def enrolled_student(request: AuthedRequest, pk: int) -> Student:
    """A studying student of a school where the user manages enrolment: 404 when out of
    sight, 403 when the user may see but not move the student."""
    student = selectors.student_detail(request.user, pk)
    school = student.school
    if school is None or not authz.can(request.user, Perm.ENROLMENT_MANAGE, school.path):
        raise PermissionDenied(_("You cannot manage enrolment at this school."))
    return student


def not_studying(request: AuthedRequest, student: Student) -> HttpResponse | None:
    if student.status == StudentStatus.STUDYING:
        return None
    messages.error(request, _("%(name)s is not studying now.") % {"name": student.full_name})
    return back_to(student)


@login_required
def student_class_change(request: AuthedRequest, pk: int) -> HttpResponse:
    student = enrolled_student(request, pk)
    placement = selectors.current_placement(student)
    if placement is None:
        return not_studying(request, student) or back_to(student)
    current = placement.school_class
    classes = selectors.enrolment_classes(
        request.user, school=current.school, year=current.school_year
    ).exclude(pk=current.pk)
    form = ClassChangeForm(request.POST or None, classes=classes)
    if request.method == "POST" and form.is_valid():
        try:
            enrolment.class_change(
                actor=request.user,
                student=student,
                to_class=form.cleaned_data["to_class"],
                date=form.cleaned_data["date"],
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as exc:
            show_errors(form, exc)
        else:
            messages.success(
                request,
                _("%(name)s has moved to class %(cls)s.")
                % {"name": student.full_name, "cls": form.cleaned_data["to_class"].name},
            )
            return back_to(student)
    return form_page(
        request,
        form,
        student=student,
        title=_("Change class"),
        intro=_("Current class: %(cls)s. Only classes of the same school year are offered.")
        % {"cls": current.name},
        submit=_("Change class"),
        cancel_url=reverse("registry:student_detail", args=[student.pk]),
    )


def directory_for(query: str, student: Student, chosen: OrgUnit | None) -> list[OrgUnit]:
    found = (
        list(selectors.school_directory(query).exclude(pk=student.school_id or 0)[:DIRECTORY_SIZE])
        if query.strip()
        else []
    )
    if chosen is not None and chosen not in found:
        found.insert(0, chosen)
    return found


@login_required
def student_transfer(request: AuthedRequest, pk: int) -> HttpResponse:
    student = enrolled_student(request, pk)
    refused = not_studying(request, student)
    if refused:
        return refused
    query = (request.POST.get("q") or request.GET.get("q") or "").strip()[:100]
    form = TransferForm(request.POST or None, schools=selectors.school_directory())
    if request.method == "POST" and form.is_valid():
        try:
            transfer = enrolment.transfer_request(
                actor=request.user,
                student=student,
                to_school=form.cleaned_data["to_school"],
                date=form.cleaned_data["date"],
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as exc:
            show_errors(form, exc)
        else:
            messages.success(
                request,
                _(
                    "The transfer request has been sent to %(school)s. %(name)s stays at your "
                    "school until that school accepts."
                )
                % {"school": transfer.to_school.name, "name": student.full_name},
            )
            return back_to(student)
    chosen = form.cleaned_data.get("to_school") if form.is_bound else None
    context = {
        "form": form,
        "student": student,
        "query": query,
        "directory": directory_for(query, student, chosen),
        "chosen_pk": chosen.pk if chosen else request.POST.get("to_school"),
    }
    return render_region(request, "registry/students/transfer.html", "directory", context)


@login_required
def student_exit(request: AuthedRequest, pk: int) -> HttpResponse:
    student = enrolled_student(request, pk)
    refused = not_studying(request, student)
    if refused:
        return refused
    form = ExitForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            enrolment.student_exit(
                actor=request.user,
                student=student,
                kind=form.cleaned_data["kind"],
                date=form.cleaned_data["date"],
                reason=form.cleaned_data["reason"],
                other_school_name=form.cleaned_data["other_school_name"],
            )
        except ValidationError as exc:
            show_errors(form, exc)
        else:
            messages.success(
                request,
                _("%(name)s has left the school; the register line is closed.")
                % {"name": student.full_name},
            )
            return back_to(student)
    return form_page(
        request,
        form,
        student=student,
        title=_("Leaving the school"),
        warning=_(
            "The student leaves the class and the school's enrolment register is closed on "
            "this date. The record and its history are kept. For a transfer to a school in "
            "the system use “Transfer to another school” instead."
        ),
        submit=_("Confirm leaving"),
        submit_style="danger",
        cancel_url=reverse("registry:student_detail", args=[student.pk]),
    )


@login_required
def student_return(request: AuthedRequest, pk: int) -> HttpResponse:
    student = selectors.student_detail(request.user, pk)
    if student.status == StudentStatus.STUDYING:
        messages.info(request, _("%(name)s is already studying.") % {"name": student.full_name})
        return back_to(student)
    if not may_admit(request.user):
        raise PermissionDenied(_("You cannot admit students."))
    classes = selectors.enrolment_classes(request.user, year=selectors.current_year())
    form = ReturnForm(request.POST or None, classes=classes)
    if request.method == "POST" and form.is_valid():
        try:
            enrolment.student_return(
                actor=request.user,
                student=student,
                to_class=form.cleaned_data["to_class"],
                date=form.cleaned_data["date"],
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as exc:
            show_errors(form, exc)
        else:
            messages.success(
                request,
                _("%(name)s is back at school, with a new register line.")
                % {"name": student.full_name},
            )
            return back_to(student)
    return form_page(
        request,
        form,
        student=student,
        title=_("Return to school"),
        submit=_("Readmit"),
        cancel_url=reverse("registry:student_detail", args=[student.pk]),
    )


# --- The transfer inbox -------------------------------------------------------------------


def classes_by_school(classes: list[SchoolClass]) -> dict[int, list[SchoolClass]]:
    grouped: dict[int, list[SchoolClass]] = {}
    for school_class in classes:
        grouped.setdefault(school_class.school_id, []).append(school_class)
    return grouped


@login_required
@require_GET
def transfer_list(request: AuthedRequest) -> HttpResponse:
    user = request.user
    if not may_admit(user):
        raise PermissionDenied(_("You cannot manage enrolment."))
    transfers = list(selectors.pending_transfers(user))
    grouped = classes_by_school(
        list(selectors.enrolment_classes(user, year=selectors.current_year()))
    )
    incoming: list[dict[str, Any]] = []
    outgoing: list[TransferRequest] = []
    for transfer in transfers:
        if authz.can(user, Perm.ENROLMENT_MANAGE, transfer.to_school.path):
            classes = grouped.get(transfer.to_school_id, [])
            incoming.append({"transfer": transfer, "classes": classes})
        if authz.can(user, Perm.ENROLMENT_MANAGE, transfer.from_school.path):
            outgoing.append(transfer)
    return render(
        request,
        "registry/students/transfers.html",
        {"incoming": incoming, "outgoing": outgoing},
    )


def pending_transfer(request: AuthedRequest, pk: int, side: str) -> TransferRequest:
    """A waiting transfer the user can see (404), decided by the given side (403)."""
    transfer = get_object_or_404(selectors.pending_transfers(request.user), pk=pk)
    school = transfer.to_school if side == "to" else transfer.from_school
    if not authz.can(request.user, Perm.ENROLMENT_MANAGE, school.path):
        raise PermissionDenied(_("Only the other school can do this."))
    return transfer


def first_error(form: Any) -> str:
    for field, errors in form.errors.items():
        label = form.fields[field].label if field in form.fields else ""
        return f"{label}: {errors[0]}" if label else str(errors[0])
    return ""


@login_required
@require_POST
def transfer_accept(request: AuthedRequest, pk: int) -> HttpResponse:
    transfer = pending_transfer(request, pk, "to")
    classes = selectors.enrolment_classes(request.user, school=transfer.to_school)
    form = TransferAcceptForm(request.POST, classes=classes)
    if not form.is_valid():
        messages.error(request, first_error(form))
        return redirect("registry:transfer_list")
    try:
        student = enrolment.transfer_accept(
            actor=request.user,
            request=transfer,
            to_class=form.cleaned_data["to_class"],
            date=form.cleaned_data["date"],
        )
    except ValidationError as exc:
        show_errors(form, exc)
        messages.error(request, first_error(form))
        return redirect("registry:transfer_list")
    messages.success(
        request,
        _("%(name)s has joined class %(cls)s with the same learner ID and history.")
        % {"name": student.full_name, "cls": form.cleaned_data["to_class"].name},
    )
    return redirect("registry:student_detail", pk=student.pk)


def decide(request: AuthedRequest, pk: int, *, cancel: bool) -> HttpResponse:
    transfer = pending_transfer(request, pk, "from" if cancel else "to")
    form = TransferDecisionForm(request.POST)
    form.fields["note"].required = not cancel  # a refusal says why
    if not form.is_valid():
        messages.error(request, first_error(form))
        return redirect("registry:transfer_list")
    try:
        enrolment.transfer_decline(
            actor=request.user, request=transfer, note=form.cleaned_data["note"], cancel=cancel
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("registry:transfer_list")
    done = _("The transfer has been cancelled.") if cancel else _("The transfer has been refused.")
    messages.success(request, done)
    return redirect("registry:transfer_list")


@login_required
@require_POST
def transfer_decline(request: AuthedRequest, pk: int) -> HttpResponse:
    return decide(request, pk, cancel=False)


@login_required
@require_POST
def transfer_cancel(request: AuthedRequest, pk: int) -> HttpResponse:
    return decide(request, pk, cancel=True)
