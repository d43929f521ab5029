"""Parents and guardians of a student: add, correct, remove (POST only, audited by services)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from truongso.core.typing import AuthedRequest
from truongso.registry.forms_students import GuardianForm, show_errors
from truongso.registry.models import Student, StudentGuardian
from truongso.registry.services import students as student_services
from truongso.registry.views.students import editable_student, form_page


def guardian_link_of(student: Student, link_pk: int) -> StudentGuardian:
    """One of the student's guardian links (already loaded with the student), else 404."""
    for link in student.guardian_links.all():
        if link.pk == link_pk:
            return link
    raise Http404


@login_required
def guardian_add(request: AuthedRequest, pk: int) -> HttpResponse:
    student = editable_student(request, pk)
    form = GuardianForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            link = student_services.guardian_link(
                actor=request.user,
                student=student,
                data=form.guardian_data(),
                relation=form.cleaned_data["relation"],
                is_primary=form.cleaned_data["is_primary"],
            )
        except ValidationError as exc:
            show_errors(form, exc)
        else:
            messages.success(
                request,
                _("%(name)s has been added as %(relation)s.")
                % {"name": link.guardian.full_name, "relation": link.get_relation_display()},
            )
            return redirect("registry:student_detail", pk=student.pk)
    return form_page(
        request,
        form,
        student=student,
        title=_("Add a parent or guardian"),
        intro=_(
            "A parent already recorded for a brother or sister (same citizen ID, or same "
            "name and phone) is linked, not copied: one account sees all the children."
        ),
        submit=_("Add"),
        cancel_url=reverse("registry:student_detail", args=[student.pk]),
    )


@login_required
def guardian_edit(request: AuthedRequest, pk: int, link_pk: int) -> HttpResponse:
    student = editable_student(request, pk)
    link = guardian_link_of(student, link_pk)
    guardian = link.guardian
    initial = {name: getattr(guardian, name) or "" for name in GuardianForm.GUARDIAN_FIELDS}
    form = GuardianForm(request.POST or None, initial={**initial, "relation": link.relation})
    del form.fields["is_primary"]
    if request.method == "POST" and form.is_valid():
        try:
            student_services.guardian_update(
                actor=request.user,
                link=link,
                data=form.guardian_data(),
                relation=form.cleaned_data["relation"],
            )
        except ValidationError as exc:
            show_errors(form, exc)
        else:
            messages.success(request, _("The parent's details have been saved."))
            return redirect("registry:student_detail", pk=student.pk)
    return form_page(
        request,
        form,
        student=student,
        title=_("Edit a parent or guardian"),
        intro=_("These details are shared by every child of this parent."),
        submit=_("Save"),
        cancel_url=reverse("registry:student_detail", args=[student.pk]),
    )


@login_required
def guardian_remove(request: AuthedRequest, pk: int, link_pk: int) -> HttpResponse:
    """GET asks for confirmation; POST removes the link (the person stays for siblings)."""
    student = editable_student(request, pk)
    link = guardian_link_of(student, link_pk)
    if request.method == "POST":
        student_services.guardian_unlink(actor=request.user, link=link)
        messages.success(
            request,
            _("%(name)s is no longer linked to %(student)s.")
            % {"name": link.guardian.full_name, "student": student.full_name},
        )
        return redirect("registry:student_detail", pk=student.pk)
    context = {
        "title": _("Remove a parent or guardian"),
        "question": _(
            "Remove %(name)s (%(relation)s) from the record of %(student)s? The parent "
            "will no longer see this child."
        )
        % {
            "name": link.guardian.full_name,
            "relation": link.get_relation_display(),
            "student": student.full_name,
        },
        "submit": _("Remove"),
        "cancel_url": reverse("registry:student_detail", args=[student.pk]),
    }
    return render(request, "registry/students/confirm.html", context)
