"""Reports: the day's collection of a school, the debt list of a class (page and .xlsx), and
the department's chart of the cashless share of collection per school (a seed KPI).

The first two name payers and students: school staff with ``PAYMENT_VIEW`` only. The chart
adds up amounts per school: officers and school leaders with ``PAYMENT_STATS``.
"""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from truongso.core import authz
from truongso.core.audit import audit_export
from truongso.core.authz import Perm
from truongso.core.typing import AuthedRequest
from truongso.payments import selectors_pages as pages
from truongso.payments.charts import cashless_chart_svg
from truongso.payments.forms import DayForm
from truongso.payments.views_common import manages_payments
from truongso.registry.exports.book import SheetWriter


@login_required
@require_GET
def daily(request: AuthedRequest) -> HttpResponse:
    user = request.user
    school, count = pages.pick_school(user, Perm.PAYMENT_VIEW, request.GET.get("school", ""))
    if school is None and count == 0:
        raise PermissionDenied
    asked = DayForm(request.GET)
    today = timezone.localdate()
    day = (asked.cleaned_data.get("day") if asked.is_valid() else None) or today
    form = DayForm({"day": day.isoformat()})
    context = {
        "form": form,
        "school": school,
        "schools": pages.schools_for(user, Perm.PAYMENT_VIEW) if count > 1 else None,
        "report": pages.daily_collection(user, school, day) if school else None,
        "can_manage": manages_payments(user),
        "previous": day - dt.timedelta(days=1),
        "next": day + dt.timedelta(days=1) if day < today else None,
    }
    return render(request, "payments/reports/daily.html", context)


@login_required
@require_GET
def debts(request: AuthedRequest) -> HttpResponse:
    """The classes of the school, each linking to its debt list."""
    user = request.user
    school, count = pages.pick_school(user, Perm.PAYMENT_VIEW, request.GET.get("school", ""))
    if school is None and count == 0:
        raise PermissionDenied
    year = pages.current_year()
    context = {
        "school": school,
        "schools": pages.schools_for(user, Perm.PAYMENT_VIEW) if count > 1 else None,
        "classes": pages.classes_of(school, year) if school else [],
        "can_manage": manages_payments(user),
    }
    return render(request, "payments/reports/debts.html", context)


@login_required
@require_GET
def class_debts(request: AuthedRequest, class_pk: int) -> HttpResponse:
    school_class = pages.class_of(request.user, class_pk)
    rows = pages.debt_list(request.user, school_class)
    context = {
        "school_class": school_class,
        "rows": rows,
        "total": sum(row.balance for row in rows),
        "can_manage": manages_payments(request.user),
    }
    return render(request, "payments/reports/class_debts.html", context)


@login_required
@require_GET
def class_debts_xlsx(request: AuthedRequest, class_pk: int) -> HttpResponse:
    school_class = pages.class_of(request.user, class_pk)
    rows = pages.debt_list(request.user, school_class)
    writer = SheetWriter(
        _("Debts"),
        [
            _("Ordinal"),
            _("Full name"),
            _("Learner ID"),
            _("Invoices"),
            _("To pay (đồng)"),
            _("Paid (đồng)"),
            _("Still owed (đồng)"),
        ],
        [6, 30, 16, 36, 16, 16, 16],
    )
    writer.titles(
        [
            school_class.school.name,
            _("Debt list of class %(name)s, %(when)s")
            % {"name": school_class.name, "when": timezone.localdate().strftime("%d/%m/%Y")},
        ]
    )
    writer.header()
    for number, row in enumerate(rows, start=1):
        codes = ", ".join(f"{i.code} ({i.period_label})" for i in row.invoices)
        student = row.student
        writer.append(
            [number, student.full_name, student.identifier, codes, row.total, row.paid, row.balance]
        )
    export = writer.save(f"cong-no-{school_class.name}.xlsx")
    audit_export(
        actor=request.user,
        what="payments.debts",
        org_path=school_class.school.path,
        rows=export.rows,
        params={"class": school_class.pk},
    )
    response = HttpResponse(export.content, content_type=export.content_type)
    response["Content-Disposition"] = f'attachment; filename="{export.filename}"'
    return response


@login_required
@require_GET
def cashless(request: AuthedRequest) -> HttpResponse:
    """Share of cashless collection per school, since the start of the school year."""
    user = request.user
    if not authz.has_any(user, Perm.PAYMENT_STATS):
        raise PermissionDenied
    year = pages.current_year()
    end = timezone.localdate()
    start = year.start_date if year else end.replace(month=1, day=1)
    shares = pages.cashless_share(pages.schools_for(user, Perm.PAYMENT_STATS), start, end)
    total = sum(s.total for s in shares)
    cashless_total = sum(s.cashless for s in shares)
    title = _("Share of cashless collection by school")
    desc = _("From %(start)s to %(end)s: %(n)s schools") % {
        "start": start.strftime("%d/%m/%Y"),
        "end": end.strftime("%d/%m/%Y"),
        "n": len(shares),
    }
    context = {
        "shares": shares,
        "start": start,
        "end": end,
        "total": total,
        "cashless_total": cashless_total,
        "percent": 100 * cashless_total / total if total else 0,
        "chart": cashless_chart_svg(shares, title=title, desc=desc),
    }
    return render(request, "payments/reports/cashless.html", context)
