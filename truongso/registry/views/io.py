"""Import and export pages ("Nhập/xuất Excel"): templates, upload and dry run, the job page
with its progress bar, confirmation, and the .xlsx exports.

Thin views: visibility comes from ``selectors_io`` (404 outside the user's scope); services
(``imports.jobs``, ``exports.*``) check permissions themselves (403) and write the audit.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from truongso.core import authz
from truongso.core.authz import Perm
from truongso.core.pagination import paginate
from truongso.core.typing import AuthedRequest
from truongso.registry import selectors, selectors_io
from truongso.registry.exports import org as org_exports
from truongso.registry.exports import students as student_exports
from truongso.registry.exports.book import ExportFile
from truongso.registry.forms_io import ImportForm
from truongso.registry.forms_students import StudentFilterForm
from truongso.registry.imports import jobs
from truongso.registry.imports.headers import SPECS
from truongso.registry.imports.template_book import template_workbook
from truongso.registry.models import ImportKind, SchoolClass, SchoolYear

ERRORS_PER_PAGE = 100
TEMPLATE_NAMES = {
    ImportKind.SCHOOLS: "mau-nhap-truong.xlsx",
    ImportKind.STAFF: "mau-nhap-can-bo.xlsx",
    ImportKind.CLASSES: "mau-nhap-lop.xlsx",
    ImportKind.STUDENTS: "mau-nhap-hoc-sinh.xlsx",
}


def _xlsx(export: ExportFile) -> HttpResponse:
    response = HttpResponse(export.content, content_type=export.content_type)
    response["Content-Disposition"] = f'attachment; filename="{export.filename}"'
    response["Cache-Control"] = "no-store"
    return response


def _require_importer(user: Any) -> None:
    if not authz.has_any(user, Perm.DATA_IMPORT):
        raise PermissionDenied


# --- Import -----------------------------------------------------------------------------


@login_required
@require_GET
def import_list(request: AuthedRequest) -> HttpResponse:
    user = request.user
    may_export = authz.has_any(user, Perm.DATA_EXPORT)
    if not (authz.has_any(user, Perm.DATA_IMPORT) or may_export):
        raise PermissionDenied
    context = {
        "page_obj": paginate(request, selectors_io.import_job_list(user)),
        "may_import": authz.has_any(user, Perm.DATA_IMPORT),
        "kinds": ImportKind.choices,
        "export_units": selectors_io.units_for(user, Perm.DATA_EXPORT)[:301] if may_export else [],
        "years": SchoolYear.objects.order_by("-start_date"),
        "current_year": selectors.current_year(),
    }
    return render(request, "registry/io/list.html", context)


@login_required
@require_GET
def import_template(request: AuthedRequest, kind: str) -> HttpResponse:
    _require_importer(request.user)
    if kind not in SPECS:
        raise Http404
    content = template_workbook(SPECS[kind])
    export = ExportFile(TEMPLATE_NAMES[ImportKind(kind)], content, 0)
    response = _xlsx(export)
    response["Cache-Control"] = "private, max-age=3600"
    return response


def _import_form(request: AuthedRequest, data: Any = None, files: Any = None) -> ImportForm:
    return ImportForm(
        data,
        files,
        units=selectors_io.units_for(request.user, Perm.DATA_IMPORT),
        years=SchoolYear.objects.order_by("-start_date"),
        current_year=selectors.current_year(),
        initial={"kind": request.GET.get("kind", ImportKind.STUDENTS)},
    )


def _show_errors(form: ImportForm, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc)


@login_required
def import_new(request: AuthedRequest) -> HttpResponse:
    _require_importer(request.user)
    form = _import_form(request)
    if request.method == "POST":
        form = _import_form(request, request.POST, request.FILES)
        if form.is_valid():
            data = form.cleaned_data
            try:
                job = jobs.import_job_create(
                    actor=request.user,
                    kind=data["kind"],
                    org_unit=data["org_unit"],
                    school_year=data["school_year"],
                    upload=data["file"],
                    language=get_language() or "vi",
                )
            except ValidationError as exc:
                _show_errors(form, exc)
            except PermissionDenied as exc:
                form.add_error(None, str(exc))
            else:
                return redirect("registry:import_detail", pk=job.pk)
    return render(request, "registry/io/new.html", {"form": form})


def _job_context(request: AuthedRequest, pk: int) -> dict[str, Any]:
    job = selectors_io.import_job_detail(request.user, pk)
    errors = Paginator(job.errors or [], ERRORS_PER_PAGE).get_page(request.GET.get("page"))
    return {
        "job": job,
        "page_obj": errors,
        "may_confirm": job.status == "validated"
        and jobs.may_import(request.user, job.kind, job.org_unit),
    }


@login_required
@require_GET
def import_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    return render(request, "registry/io/detail.html", _job_context(request, pk))


@login_required
@require_GET
def import_progress(request: AuthedRequest, pk: int) -> HttpResponse:
    """The progress bar alone, polled by HTMX every second while the job runs; when it has
    finished the whole page is reloaded to show the report."""
    context = _job_context(request, pk)
    response = render(request, "registry/io/detail.html#progress", context)
    if not context["job"].is_running:
        response["HX-Refresh"] = "true"
    return response


@login_required
@require_POST
def import_apply(request: AuthedRequest, pk: int) -> HttpResponse:
    job = selectors_io.import_job_detail(request.user, pk)
    try:
        job = jobs.import_job_confirm(actor=request.user, job=job)
    except ValidationError as exc:
        messages.error(request, "; ".join(exc.messages))
    else:
        if job.status == "done":
            messages.success(request, _("The data has been imported."))
    return redirect("registry:import_detail", pk=job.pk)


# --- Export -----------------------------------------------------------------------------


def _student_filters(request: AuthedRequest) -> dict[str, Any]:
    """The student list's filters (same parameters and form as the list page)."""
    user = request.user
    school = selectors_io.export_school(user, request.GET.get("school", ""))
    schools = selectors.schools_for(user, Perm.DATA_EXPORT)
    classes = SchoolClass.objects.filter(school__in=schools, school_year=selectors.current_year())
    form = StudentFilterForm(request.GET, schools=schools, classes=classes, school_count=2)
    filters = form.filters()
    filters["school"] = school
    return filters


@login_required
@require_GET
def student_export(request: AuthedRequest) -> HttpResponse:
    filters = _student_filters(request)
    return _xlsx(student_exports.students_export(actor=request.user, filters=filters))


@login_required
@require_GET
def student_export_ministry(request: AuthedRequest) -> HttpResponse:
    filters = _student_filters(request)
    export = student_exports.students_export_ministry(
        actor=request.user, filters=filters, year=selectors.current_year()
    )
    return _xlsx(export)


@login_required
@require_GET
def staff_export(request: AuthedRequest) -> HttpResponse:
    school = selectors_io.export_school(request.user, request.GET.get("school", ""))
    return _xlsx(org_exports.staff_export(actor=request.user, school=school))


@login_required
@require_GET
def class_export(request: AuthedRequest) -> HttpResponse:
    school = selectors_io.export_school(request.user, request.GET.get("school", ""))
    year = SchoolYear.objects.filter(code=request.GET.get("year", "")).first()
    return _xlsx(org_exports.class_export(actor=request.user, school=school, year=year))


@login_required
@require_GET
def school_export(request: AuthedRequest) -> HttpResponse:
    parent = selectors_io.export_school(request.user, request.GET.get("parent", ""))
    return _xlsx(org_exports.school_export(actor=request.user, parent=parent))


@login_required
@require_GET
def register_xlsx(request: AuthedRequest, pk: int) -> HttpResponse:
    school = selectors.org_unit_detail(request.user, pk)
    year = SchoolYear.objects.filter(code=request.GET.get("year", "")).first()
    export = student_exports.register_export(
        actor=request.user, school=school, query=request.GET.get("q", "")[:100], year=year
    )
    return _xlsx(export)
