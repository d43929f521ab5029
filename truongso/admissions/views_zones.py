"""The organiser's enrolment-code page for grade-1 and grade-6 rounds: upload the list of
children (CSV or .xlsx) and download the codes as .xlsx to hand to the parents. Thin: the
services in services/codes.py write, check and audit."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy, ngettext

from truongso.admissions.models import EnrolmentCode
from truongso.admissions.services import codes as code_services
from truongso.admissions.services.zones import ZONE_KINDS
from truongso.admissions.views_rounds import _errors, _managed
from truongso.core.typing import AuthedRequest


class CodesUploadForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("List of children (.xlsx or CSV)"),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv"}),
    )


@login_required
def codes_page(request: AuthedRequest, pk: int) -> HttpResponse:
    r = _managed(request, pk)
    if r.kind not in ZONE_KINDS:
        raise Http404
    form = CodesUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            report = code_services.codes_import(
                actor=request.user, round=r, data=upload.read(), file_name=upload.name
            )
        except ValidationError as exc:
            _errors(form, exc)
        else:
            n = report.created
            messages.success(
                request,
                ngettext("%(n)s enrolment code issued.", "%(n)s enrolment codes issued.", n)
                % {"n": n},
            )
            return redirect("admission_rounds:codes", r.pk)
    count = EnrolmentCode.objects.filter(round=r).count()
    return render(
        request,
        "admissions/rounds/codes.html",
        {"round": r, "form": form, "count": count},
        status=400 if request.method == "POST" else 200,
    )


@login_required
def codes_xlsx(request: AuthedRequest, pk: int) -> HttpResponse:
    r = _managed(request, pk)
    if r.kind not in ZONE_KINDS:
        raise Http404
    export = code_services.codes_export(actor=request.user, round=r)
    response = HttpResponse(export.content, content_type=export.content_type)
    response["Content-Disposition"] = f'attachment; filename="{export.filename}"'
    return response
