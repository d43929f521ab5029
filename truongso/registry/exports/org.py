"""Exports of schools, classes and staff in the columns of their import templates, so that
an export can be edited and imported back. Scoped by DATA_EXPORT and logged."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, QuerySet
from django.utils import timezone

from truongso.core import authz
from truongso.core.audit import audit_export
from truongso.core.authz import Perm
from truongso.registry.exports.book import ExportFile, SheetWriter, day, require_export, text
from truongso.registry.imports.headers import (
    CLASSES,
    EMPLOYMENT_NAMES,
    GENDER_NAMES,
    LEVEL_NAMES,
    OWNERSHIP_NAMES,
    POSITION_NAMES,
    SCHOOLS,
    STAFF,
    KindSpec,
)
from truongso.registry.models import OrgUnit, SchoolClass, SchoolYear, Staff

CHUNK = 1000


def _sheet(spec: KindSpec, extra: list[str] | None = None) -> SheetWriter:
    columns = spec.template_columns
    sheet = SheetWriter(spec.sheet, [c.header for c in columns] + (extra or []))
    sheet.widths = [c.width for c in columns]
    sheet.header()
    return sheet


def _log(actor: Any, what: str, org_path: str, sheet: SheetWriter, **params: Any) -> None:
    logged = {k: v for k, v in params.items() if v not in (None, "")}
    audit_export(actor=actor, what=what, org_path=org_path, rows=sheet.rows, params=logged)


def _stamp() -> str:
    return f"{timezone.localdate():%Y%m%d}"


def staff_export(*, actor: Any, school: OrgUnit | None = None, active: bool = True) -> ExportFile:
    org_path = require_export(actor, school)
    staff: QuerySet[Staff] = authz.scope(actor, Perm.DATA_EXPORT, Staff.objects.all())
    if school is not None:
        staff = staff.filter(org_unit=school)
    staff = staff.filter(is_active=active).select_related("org_unit", "main_subject")
    sheet = _sheet(STAFF, ["Đơn vị"])
    ordered = staff.order_by("org_unit__code", "search_name", "pk")
    for number, member in enumerate(ordered.iterator(chunk_size=CHUNK), start=1):
        sheet.append(
            [
                number,
                member.org_unit.code,
                text(member.staff_code),
                member.full_name,
                day(member.birth_date),
                GENDER_NAMES.get(member.gender, ""),
                text(member.citizen_id),
                member.phone,
                member.email,
                POSITION_NAMES.get(member.position, ""),
                EMPLOYMENT_NAMES.get(member.employment, ""),
                member.main_subject.code if member.main_subject else "",
                member.org_unit.name,
            ]
        )
    _log(actor, "staff", org_path, sheet, school=school.code if school else None)
    return sheet.save(f"can-bo-{_stamp()}.xlsx")


def class_export(
    *, actor: Any, school: OrgUnit | None = None, year: SchoolYear | None = None
) -> ExportFile:
    org_path = require_export(actor, school)
    classes = authz.scope(actor, Perm.DATA_EXPORT, SchoolClass.objects.all())
    if school is not None:
        classes = classes.filter(school=school)
    if year is not None:
        classes = classes.filter(school_year=year)
    classes = classes.select_related("school", "school_year", "homeroom_teacher").annotate(
        size=Count("current_students")
    )
    sheet = _sheet(CLASSES, ["Sĩ số"])
    ordered = classes.order_by("school__code", "-school_year__start_date", "grade", "name")
    for number, school_class in enumerate(ordered, start=1):
        teacher = school_class.homeroom_teacher
        sheet.append(
            [
                number,
                school_class.school.code,
                school_class.school_year.code,
                school_class.grade,
                school_class.name,
                (teacher.staff_code or teacher.full_name) if teacher else "",
                school_class.size,
            ]
        )
    params = {"school": school.code if school else None, "year": year.code if year else None}
    _log(actor, "classes", org_path, sheet, **params)
    return sheet.save(f"lop-{_stamp()}.xlsx")


def school_export(*, actor: Any, parent: OrgUnit | None = None) -> ExportFile:
    org_path = require_export(actor, parent)
    schools = authz.scope(actor, Perm.DATA_EXPORT, OrgUnit.objects.filter(kind="school"))
    if parent is not None:
        schools = schools.filter(path__startswith=parent.path)
    sheet = _sheet(SCHOOLS)
    ordered = schools.select_related("parent").order_by("path")
    for number, unit in enumerate(ordered, start=1):
        span = f"{unit.grade_from}-{unit.grade_to}" if unit.grade_from and unit.grade_to else ""
        sheet.append(
            [
                number,
                unit.code,
                unit.name,
                LEVEL_NAMES.get(unit.level, ""),
                span,
                OWNERSHIP_NAMES.get(unit.ownership, ""),
                unit.parent.code if unit.parent else "",
                unit.address,
                unit.phone,
                unit.email,
            ]
        )
    _log(actor, "schools", org_path, sheet, parent=parent.code if parent else None)
    return sheet.save(f"truong-{_stamp()}.xlsx")
