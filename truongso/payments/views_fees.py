"""Fee set-up for the accountant: the year's fee items and the students' exemptions and
reductions (with the decision and its scanned document).

Thin views: the school comes from ``?school=<code>`` (or the user's only school) and must be
one where the user manages payments; services check permission again and audit the write.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from truongso.core.authz import Perm
from truongso.core.typing import AuthedRequest
from truongso.payments import selectors_pages as pages
from truongso.payments import services
from truongso.payments.forms import FeeItemForm, FeeReductionForm
from truongso.payments.models import FeeItem
from truongso.payments.views_common import school_or_choice
from truongso.registry.forms_students import show_errors
from truongso.registry.models import OrgUnit

EDITABLE = ("name", "kind", "period", "amount")


def _with_school(url: str, school: OrgUnit) -> str:
    return f"{url}?school={school.code}"


@login_required
def fee_item_list(request: AuthedRequest) -> HttpResponse:
    school, other = school_or_choice(request)
    if school is None:
        assert other is not None
        return other
    year = pages.current_year()
    return render(
        request,
        "payments/fees/list.html",
        {"school": school, "year": year, "fee_items": pages.fee_items_of(school, year)},
    )


@login_required
def fee_item_form(request: AuthedRequest, pk: int | None = None) -> HttpResponse:
    item = None
    if pk is not None:
        item = get_object_or_404(FeeItem.objects.select_related("school"), pk=pk)
        school = pages.require_school(request.user, Perm.PAYMENT_MANAGE, item.school_id)
    else:
        picked, other = school_or_choice(request)
        if picked is None:
            assert other is not None
            return other
        school = picked
    year = item.school_year if item else pages.current_year_or_404()
    initial = _fee_item_initial(item)
    form = FeeItemForm(
        request.POST or None, initial=initial, classes=pages.classes_of(school, year)
    )
    if item is not None:  # code and scope identify the item on issued invoices
        for name in ("code", "grade", "school_class"):
            form.fields[name].disabled = True
    if request.method == "POST" and form.is_valid():
        try:
            if item is None:
                services.fee_item_create(
                    actor=request.user, school=school, school_year=year, **form.cleaned_data
                )
            else:
                data = form.cleaned_data
                services.fee_item_update(
                    actor=request.user, fee_item=item, **{k: data[k] for k in EDITABLE}
                )
        except ValidationError as exc:
            show_errors(form, exc)
        else:
            messages.success(request, _("The fee item was saved."))
            return redirect(_with_school(reverse("payments:fee_item_list"), school))
    status = 400 if request.method == "POST" else 200
    context = {"form": form, "school": school, "year": year, "item": item}
    return render(request, "payments/fees/form.html", context, status=status)


def _fee_item_initial(item: FeeItem | None) -> dict[str, object]:
    if item is None:
        return {}
    fields = ("code", "name", "kind", "period", "amount", "grade", "school_class")
    return {name: getattr(item, name) for name in fields}


@login_required
def reduction_list(request: AuthedRequest) -> HttpResponse:
    school, other = school_or_choice(request)
    if school is None:
        assert other is not None
        return other
    year = pages.current_year()
    return render(
        request,
        "payments/fees/reductions.html",
        {"school": school, "year": year, "reductions": pages.reductions_of(school, year)},
    )


@login_required
def reduction_create(request: AuthedRequest) -> HttpResponse:
    school, other = school_or_choice(request)
    if school is None:
        assert other is not None
        return other
    year = pages.current_year_or_404()
    form = FeeReductionForm(
        request.POST or None,
        request.FILES or None,
        students=pages.students_of(school),
        fee_items=pages.fee_items_of(school, year),
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.fee_reduction_create(actor=request.user, school_year=year, **form.cleaned_data)
        except ValidationError as exc:
            show_errors(form, exc)
        else:
            messages.success(request, _("The reduction was recorded."))
            return redirect(_with_school(reverse("payments:reduction_list"), school))
    status = 400 if request.method == "POST" else 200
    context = {"form": form, "school": school, "year": year}
    return render(request, "payments/fees/reduction_form.html", context, status=status)
