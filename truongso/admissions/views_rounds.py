"""The department's admission pages: rounds (list, create, edit, open/close), schools and
quotas, score upload, assignment runs (what-if, detail with cut-off and fill charts,
side-by-side comparison, publication) and statistics (charts and .xlsx). Thin: services
write, selectors read."""

from __future__ import annotations

import io
from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_POST

from truongso.admissions import selectors, zone_summary
from truongso.admissions.forms_rounds import (
    PublishForm,
    RoundForm,
    RunForm,
    ScoreUploadForm,
    penalties_text,
)
from truongso.admissions.models import (
    AdmissionRound,
    Application,
    ApplicationStatus,
    RoundSchool,
    RoundStatus,
    RunReason,
)
from truongso.admissions.rounds_charts import (
    Row,
    admitted_chart,
    cutoff_chart,
    fill_chart,
    hbar_svg,
    zone_chart,
)
from truongso.admissions.services import confirm as confirm_services
from truongso.admissions.services import rounds as round_services
from truongso.admissions.services import runs as run_services
from truongso.admissions.services import scores as score_services
from truongso.admissions.services import zones as zone_services
from truongso.core import authz
from truongso.core.audit import audit_export
from truongso.core.authz import Perm
from truongso.core.typing import AuthedRequest
from truongso.registry.models import OrgUnit
from truongso.registry.reference import OrgKind


def _organisers(user: Any) -> list[tuple[int, str]]:
    roots = authz.grant_roots(user, Perm.ADMISSION_MANAGE)
    if getattr(user, "is_superuser", False):
        units = OrgUnit.objects.exclude(kind=OrgKind.SCHOOL)
    else:
        units = OrgUnit.objects.filter(path__in=roots)
    return [(u.pk, u.name) for u in units.order_by("path")]


def _errors(form: Any, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            target = field if field in form.fields else None
            for message in errors:
                form.add_error(target, message)
    else:
        for message in exc.messages:
            form.add_error(None, message)


def _managed(request: AuthedRequest, pk: int) -> AdmissionRound:
    r = selectors.round_get(request.user, pk)
    if not selectors.can_manage(request.user, r):
        raise PermissionDenied
    return r


@login_required
def round_list(request: AuthedRequest) -> HttpResponse:
    if not authz.has_any(request.user, Perm.ADMISSION_VIEW):
        raise PermissionDenied
    rounds = list(selectors.rounds_visible(request.user))
    return render(
        request,
        "admissions/rounds/list.html",
        {"rounds": rounds, "can_create": bool(_organisers(request.user))},
    )


@login_required
def round_create(request: AuthedRequest) -> HttpResponse:
    organisers = _organisers(request.user)
    if not organisers:
        raise PermissionDenied
    form = RoundForm(request.POST or None, organisers=organisers)
    if request.method == "POST" and form.is_valid():
        organiser = OrgUnit.objects.get(pk=form.cleaned_data["organiser"])
        try:
            r = round_services.round_create(
                actor=request.user, organiser=organiser, data=form.round_data()
            )
        except ValidationError as exc:
            _errors(form, exc)
        else:
            messages.success(request, _("The round was created."))
            return redirect("admission_rounds:detail", r.pk)
    return render(
        request,
        "admissions/rounds/edit.html",
        {"form": form, "round": None},
        status=400 if request.method == "POST" else 200,
    )


@login_required
def round_edit(request: AuthedRequest, pk: int) -> HttpResponse:
    r = _managed(request, pk)
    editable = round_services.editable_fields(r.status)
    if not editable:  # published or finished: nothing can change, so no form at all
        messages.warning(
            request,
            _("The round is “%(s)s”: its rules can no longer change.")
            % {"s": r.get_status_display()},
        )
        return redirect("admission_rounds:detail", r.pk)
    form = RoundForm(
        request.POST or None,
        organisers=[(r.organiser_id, r.organiser.name)],
        initial=RoundForm.initial_for(r),
        editable=editable,
    )
    if request.method == "POST" and form.is_valid():
        changed = {k: v for k, v in form.round_data().items() if _differs(r, k, v)}
        try:
            round_services.round_update(actor=request.user, round=r, data=changed)
        except ValidationError as exc:
            _errors(form, exc)
        else:
            messages.success(request, _("The round was saved."))
            return redirect("admission_rounds:detail", r.pk)
    return render(
        request,
        "admissions/rounds/edit.html",
        {"form": form, "round": r},
        status=400 if request.method == "POST" else 200,
    )


def _formula_key(formula: Any) -> Any:
    formula = formula or {}
    return (
        [
            (str(x.get("code")), str(x.get("name")), Decimal(str(x.get("weight", 1))))
            for x in formula.get("subjects", [])
        ],
        Decimal(str(formula.get("max_score", 10))) if formula else None,
    )


def _differs(r: AdmissionRound, field: str, value: Any) -> bool:
    """A field the form sends back unchanged is not an attempt to change it (an open
    round refuses changes to its rules, not the same rules sent again)."""
    old = getattr(r, field, None)
    try:
        return _changed(field, value, old)
    except (ArithmeticError, TypeError, ValueError):
        return True


def _changed(field: str, value: Any, old: Any) -> bool:
    if field == "formula":
        return bool(_formula_key(value) != _formula_key(old))
    if field == "penalties":
        return [Decimal(p) for p in value] != [Decimal(str(p)) for p in old or []]
    if field == "priority_bonus":
        return {k: Decimal(v) for k, v in value.items()} != {
            k: Decimal(str(v)) for k, v in (old or {}).items()
        }
    if field == "encouragement_max":
        return Decimal(value) != Decimal(old or 0)
    return bool(value != old)


@login_required
def round_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    r = selectors.round_get(request.user, pk)
    demand = selectors.round_demand(r)
    return render(
        request,
        "admissions/rounds/detail.html",
        {
            "round": r,
            "demand": demand,
            "can_manage": selectors.can_manage(request.user, r),
            "can_edit": bool(round_services.editable_fields(r.status)),
            "penalties": penalties_text(r.penalties),
            "subjects": round_services.subject_weights(r),
            "runs": list(selectors.runs_of(request.user, r)[:5]),
            "total_quota": sum(d.quota for d in demand),
            "total_first": sum(d.first_choice for d in demand),
            "can_release": r.status == RoundStatus.PUBLISHED
            and r.confirmation_deadline is not None
            and r.confirmation_deadline < timezone.now(),
            "next_rounds": list(selectors.rounds_visible(request.user).filter(previous_round=r)),
        },
    )


@login_required
@require_POST
def round_release(request: AuthedRequest, pk: int) -> HttpResponse:
    """After the confirmation deadline: release the places still waiting and open a second
    round (a draft) with the places left, as the release command does."""
    r = _managed(request, pk)
    try:
        second = confirm_services.round_release_unconfirmed(actor=request.user, round_=r)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
        return redirect("admission_rounds:detail", r.pk)
    messages.success(
        request,
        _("Unconfirmed places are released; “%(name)s” is ready to prepare.")
        % {"name": second.name},
    )
    return redirect("admission_rounds:detail", second.pk)


@login_required
@require_POST
def round_step(request: AuthedRequest, pk: int, step: str) -> HttpResponse:
    r = _managed(request, pk)
    action = {"open": round_services.round_open, "close": round_services.round_close}.get(step)
    if action is None:
        raise Http404
    try:
        action(actor=request.user, round=r)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(
            request,
            _("Registration is open.") if step == "open" else _("Registration is closed."),
        )
    return redirect("admission_rounds:detail", r.pk)


@login_required
def round_schools(request: AuthedRequest, pk: int) -> HttpResponse:
    r = _managed(request, pk)
    current = {rs.school_id: rs for rs in RoundSchool.objects.filter(round=r)}
    schools = list(
        OrgUnit.objects.filter(
            kind=OrgKind.SCHOOL, path__startswith=r.organiser.path, is_active=True
        ).order_by("code")
    )
    errors: list[str] = []
    rows = []
    places: list[round_services.SchoolPlace] = []
    for school in schools:
        rs = current.get(school.pk)
        row = {
            "school": school,
            "take": rs is not None,
            "quota": rs.quota if rs else "",
            "zone": rs.zone if rs else "",
            "is_open": rs.is_open if rs else True,
        }
        if request.method == "POST":
            row["take"] = f"take_{school.pk}" in request.POST
            row["quota"] = request.POST.get(f"quota_{school.pk}", "").strip()
            row["zone"] = request.POST.get(f"zone_{school.pk}", "").strip()
            row["is_open"] = f"open_{school.pk}" in request.POST
            if row["take"]:
                try:
                    quota = int(str(row["quota"]))
                except ValueError:
                    errors.append(
                        _("%(s)s: the quota “%(q)s” is not a whole number.")
                        % {"s": school.name, "q": row["quota"]}
                    )
                else:
                    places.append(
                        round_services.SchoolPlace(
                            school, quota, str(row["zone"]), bool(row["is_open"])
                        )
                    )
        rows.append(row)
    if request.method == "POST" and not errors:
        try:
            round_services.round_schools_set(actor=request.user, round=r, places=places)
        except ValidationError as exc:
            errors.extend(exc.messages)
        else:
            messages.success(request, _("The schools and quotas were saved."))
            return redirect("admission_rounds:detail", r.pk)
    return render(
        request,
        "admissions/rounds/schools.html",
        {"round": r, "rows": rows, "errors": errors},
        status=400 if errors else 200,
    )


@login_required
def scores_upload(request: AuthedRequest, pk: int) -> HttpResponse:
    r = _managed(request, pk)
    form = ScoreUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            result = score_services.scores_import(
                actor=request.user, round=r, content=upload.read(), filename=upload.name
            )
        except ValidationError as exc:
            _errors(form, exc)
        else:
            messages.success(
                request,
                _(
                    "%(rows)s rows read, %(changed)s applications changed; %(scored)s with an "
                    "admission score, %(excluded)s without (excluded or missing a subject)."
                )
                % result.__dict__,
            )
            return redirect("admission_rounds:detail", r.pk)
    return render(
        request,
        "admissions/rounds/scores.html",
        {"round": r, "form": form, "subjects": round_services.subject_weights(r)},
        status=400 if request.method == "POST" else 200,
    )


@login_required
def run_list(request: AuthedRequest, pk: int) -> HttpResponse:
    r = selectors.round_get(request.user, pk)
    can_manage = selectors.can_manage(request.user, r)
    demand = selectors.round_demand(r)
    zone = r.kind in zone_services.ZONE_KINDS  # grades 1 and 6: by zone, no scores
    form = RunForm(
        request.POST or None,
        initial={"penalties": penalties_text(r.penalties), "tie_rule": r.tie_rule},
        zone=zone,
    )
    quota_rows: list[tuple[selectors.SchoolDemand, str]] = [
        (d, str(request.POST.get(f"quota_{d.school_id}", d.quota))) for d in demand
    ]
    if request.method == "POST":
        if not can_manage:
            raise PermissionDenied
        quotas: dict[int, int] = {}
        for d, text in quota_rows:
            try:
                value = int(text.strip())
            except ValueError:
                form.add_error(
                    None,
                    _("%(s)s: the quota “%(q)s” is not a whole number.") % {"s": d.name, "q": text},
                )
                continue
            if value != d.quota:
                quotas[d.school_id] = value
        if form.is_valid():
            try:
                if zone:
                    run = zone_services.zone_run_create(
                        actor=request.user, round=r, label=form.cleaned_data["label"], quotas=quotas
                    )
                else:
                    run = run_services.run_create(
                        actor=request.user,
                        round=r,
                        label=form.cleaned_data["label"],
                        quotas=quotas,
                        penalties=form.cleaned_data["penalties"],
                        tie_rule=form.cleaned_data["tie_rule"],
                    )
            except ValidationError as exc:
                _errors(form, exc)
            else:
                messages.success(request, _("The assignment ran."))
                return redirect("admission_rounds:run", run.pk)
    runs = list(selectors.runs_of(request.user, r))
    return render(
        request,
        "admissions/rounds/runs.html",
        {
            "round": r,
            "runs": runs,
            "form": form,
            "quota_rows": quota_rows,
            "can_manage": can_manage,
            "zone": zone,
        },
        status=400 if request.method == "POST" else 200,
    )


@login_required
def run_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    run = selectors.run_get(request.user, pk)
    r = run.round
    school_id = request.GET.get("school", "")
    reason = request.GET.get("reason", "")
    if reason not in ("", *RunReason.values):
        reason = ""
    results = selectors.run_results(
        request.user, run, school_id=int(school_id) if school_id.isdigit() else None, reason=reason
    )
    page = Paginator(results, 50).get_page(request.GET.get("page"))
    can_manage = selectors.can_manage(request.user, r)
    zone = run.is_zone
    return render(
        request,
        "admissions/rounds/run.html",
        {
            "round": r,
            "run": run,
            "schools": run.summary.get("schools", []),
            "fill_chart": fill_chart("fill", [run.summary]),
            "page": page,
            **(_zone_run_context(run, page) if zone else _exam_run_context(run)),
            "school_filter": school_id,
            "reason_filter": reason,
            "reasons": RunReason.choices,
            "can_manage": can_manage,
            "can_publish": can_manage and r.status == RoundStatus.CLOSED and not run.is_published,
            "publish_form": PublishForm(),
            "others": list(selectors.runs_of(request.user, r).exclude(pk=run.pk)[:20]),
        },
    )


def _exam_run_context(run: Any) -> dict[str, Any]:
    return {
        "zone": False,
        "cutoff_chart": cutoff_chart("cutoffs", _("Cut-off score"), [run.summary]),
    }


def _zone_run_context(run: Any, page: Any) -> dict[str, Any]:
    """A placement by zone in its own terms: in zone, by lottery, over quota, refusals."""
    return {
        "zone": True,
        "zone_schools": zone_summary.zone_schools(run.summary),
        "refusing": zone_summary.refusing_schools(run.summary),
        "lottery": zone_summary.lottery_sentence(run),
        "zone_chart": zone_chart("zone", run.summary),
        "zone_results": zone_summary.zone_results(run, page.object_list),
    }


@login_required
def run_compare(request: AuthedRequest, pk: int) -> HttpResponse:
    a = selectors.run_get(request.user, pk)
    other = request.GET.get("with", "")
    if not other.isdigit():
        raise Http404
    b = selectors.run_get(request.user, int(other))
    try:
        comparison = run_services.runs_compare(a, b)
    except ValidationError as exc:
        raise Http404 from exc
    zone = a.is_zone or b.is_zone
    summaries = [a.summary, b.summary]
    return render(
        request,
        "admissions/rounds/compare.html",
        {
            "round": a.round,
            "c": comparison,
            "zone": zone,
            "zone_rows": zone_summary.zone_compare(a.summary, b.summary) if zone else [],
            "cutoff_chart": None
            if zone
            else cutoff_chart("compare-cutoffs", _("Cut-off score"), summaries),
            "admitted_chart": admitted_chart("compare-admitted", summaries) if zone else None,
            "fill_chart": fill_chart("compare-fill", summaries),
        },
    )


@login_required
@require_POST
def run_publish(request: AuthedRequest, pk: int) -> HttpResponse:
    run = selectors.run_get(request.user, pk)
    if not selectors.can_manage(request.user, run.round):
        raise PermissionDenied
    form = PublishForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("The publication time is not a valid date and time."))
        return redirect("admission_rounds:run", run.pk)
    try:
        run_services.run_publish(actor=request.user, run=run, at=form.cleaned_data["at"])
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("The results are published."))
    return redirect("admission_rounds:run", run.pk)


def _stats_context(request: AuthedRequest, r: AdmissionRound) -> dict[str, Any]:
    demand = selectors.round_demand(r)
    zone = r.kind in zone_services.ZONE_KINDS
    history = None if zone else selectors.cutoff_history(request.user, r)
    published_run = (
        selectors.runs_of(request.user, r).filter(is_published=True).defer(None).first()
        if zone
        else None
    )
    ratio_chart = hbar_svg(
        chart_id="ratio",
        title=_("First-choice applicants per place"),
        desc=_("NV1 applications divided by the quota (tỷ lệ chọi)."),
        rows=[
            Row(
                d.name,
                (float(d.ratio) if d.ratio is not None else None,),
                (number_format(d.ratio, 2) if d.ratio is not None else "–",),
            )
            for d in demand
        ],
    )
    confirmation_chart = hbar_svg(
        chart_id="confirmation",
        title=_("Confirmation progress"),
        desc=_("Confirmed enrolments as a share of the admitted, per school."),
        rows=[
            Row(
                d.name,
                (d.confirmed_share * 100,),
                (f"{d.confirmed}/{d.admitted}",),
            )
            for d in demand
        ],
        maximum=100,
    )
    return {
        "round": r,
        "demand": demand,
        "history": history,
        "ratio_chart": ratio_chart,
        "confirmation_chart": confirmation_chart,
        "published": r.status in (RoundStatus.PUBLISHED, RoundStatus.FINISHED),
        "zone": zone,
        **(_zone_stats(published_run) if zone else {}),
    }


def _zone_stats(run: Any) -> dict[str, Any]:
    """Grades 1 and 6: the published placement by zone instead of a cut-off history."""
    if run is None or not run.is_zone:
        return {"zone_run": None, "zone_schools": []}
    return {
        "zone_run": run,
        "zone_schools": zone_summary.zone_schools(run.summary),
        "zone_chart": zone_chart("zone", run.summary),
        "lottery": zone_summary.lottery_sentence(run),
    }


@login_required
def round_stats(request: AuthedRequest, pk: int) -> HttpResponse:
    r = selectors.round_get(request.user, pk)
    return render(request, "admissions/rounds/stats.html", _stats_context(request, r))


@login_required
def round_stats_xlsx(request: AuthedRequest, pk: int) -> HttpResponse:
    import openpyxl

    r = selectors.round_get(request.user, pk)
    context = _stats_context(request, r)
    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet(_("Applications"))
    k = r.preferences_max
    sheet.append(
        [
            _("School code"),
            _("School"),
            _("Quota"),
            *[f"NV{i}" for i in range(1, k + 1)],
            _("Applicants per place (NV1)"),
        ]
    )
    for d in context["demand"]:
        sheet.append(
            [d.code, d.name, d.quota, *d.by_preference, float(d.ratio) if d.ratio else None]
        )
    sheet = book.create_sheet(_("Confirmation"))
    sheet.append(
        [
            _("School code"),
            _("School"),
            pgettext("admissions", "Admitted"),
            _("Confirmed"),
            _("Waiting"),
            _("Declined"),
            _("Released"),
        ]
    )
    for d in context["demand"]:
        sheet.append([d.code, d.name, d.admitted, d.confirmed, d.pending, d.declined, d.released])
    if context["zone"]:
        _zone_sheet(book.create_sheet(_("Placement by zone")), context["zone_schools"])
    else:
        sheet = book.create_sheet(_("Cut-offs"))
        history = context["history"]
        sheet.append([_("School code"), _("School"), *[h.name for h in history.rounds]])
        for code, (name, values) in history.schools.items():
            sheet.append([code, name, *[float(v) if v is not None else None for v in values]])
    buffer = io.BytesIO()
    book.save(buffer)
    audit_export(
        actor=request.user,
        what="admissions.statistics",
        org_path=r.organiser.path,
        rows=len(context["demand"]),
        params={"round": r.pk},
    )
    response = HttpResponse(
        buffer.getvalue(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="thong-ke-tuyen-sinh-{r.pk}.xlsx"'
    return response


def _zone_sheet(sheet: Any, schools: list[zone_summary.ZoneSchool]) -> None:
    sheet.append(
        [
            _("School code"),
            _("School"),
            _("Zone"),
            _("Quota"),
            pgettext("admissions", "Admitted"),
            _("In zone"),
            _("By lottery"),
            _("Over quota"),
            _("Children of the zone refused (quota 0)"),
            _("Fill rate"),
        ]
    )
    for z in schools:
        sheet.append(
            [
                z.code,
                z.name,
                z.zone,
                z.quota,
                z.admitted,
                z.in_zone,
                z.by_lottery,
                z.over_quota,
                z.in_zone_refused,
                z.fill_rate,
            ]
        )


def _xlsx_response(rows: Any, filename: str, title: str) -> HttpResponse:
    import openpyxl

    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet(title[:31])
    count = 0
    for row in rows:
        sheet.append(row)
        count += 1
    buffer = io.BytesIO()
    book.save(buffer)
    response = HttpResponse(
        buffer.getvalue(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["X-Rows"] = str(count - 1)
    return response


@login_required
def score_sheet_xlsx(request: AuthedRequest, pk: int) -> HttpResponse:
    """A sheet ready to fill: one row per application code, one column per subject."""
    r = _managed(request, pk)
    applications = (
        Application.objects.filter(round=r)
        .exclude(status=ApplicationStatus.WITHDRAWN)
        .only("code")
        .order_by("code")
    )
    rows = score_services.score_template_rows(r, applications)
    audit_export(
        actor=request.user,
        what="admissions.score_sheet",
        org_path=r.organiser.path,
        rows=len(rows) - 1,
        params={"round": r.pk},
    )
    return _xlsx_response(rows, f"diem-thi-{r.pk}.xlsx", _("Exam scores"))


@login_required
def run_results_xlsx(request: AuthedRequest, pk: int) -> HttpResponse:
    """Every result of a run the user may see (a school: its own applicants)."""
    run = selectors.run_get(request.user, pk)
    results = selectors.run_results(request.user, run)
    rows = _zone_result_rows(run, results) if run.is_zone else _exam_result_rows(results)
    audit_export(
        actor=request.user,
        what="admissions.run_results",
        org_path=run.round.organiser.path,
        rows=len(rows) - 1,
        params={"run": run.pk},
    )
    return _xlsx_response(rows, f"ket-qua-xet-tuyen-{run.pk}.xlsx", _("Results"))


def _zone_result_rows(run: Any, results: Any) -> list[list[Any]]:
    header = [
        _("Application"),
        _("Name"),
        _("Zone"),
        _("School code"),
        _("Admitted to"),
        "NV",
        _("Placed by"),
        _("Lottery key"),
        _("Result"),
    ]
    return [header] + [
        [
            z.result.application.code,
            z.result.application.full_name,
            z.result.application.zone,
            z.result.school.code if z.result.school else "",
            z.result.school.name if z.result.school else "",
            z.result.preference,
            z.placed_by,
            z.lottery_key,
            z.result.get_reason_display(),
        ]
        for z in zone_summary.zone_results(run, results.iterator(chunk_size=2000))
    ]


def _exam_result_rows(results: Any) -> list[list[Any]]:
    header = [
        _("Application"),
        _("Name"),
        _("Admission score"),
        _("School code"),
        _("Admitted to"),
        "NV",
        _("Result"),
    ]
    return [header] + [
        [
            res.application.code,
            res.application.full_name,
            float(res.application.admission_score)
            if res.application.admission_score is not None
            else None,
            res.school.code if res.school else "",
            res.school.name if res.school else "",
            res.preference,
            res.get_reason_display(),
        ]
        for res in results.iterator(chunk_size=2000)
    ]
