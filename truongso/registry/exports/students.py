"""Exports of learners: the student list (same columns as the import template, so an
export edited and imported again round-trips), the Ministry portal's learner-sheet layout,
and a school's enrolment register (sổ đăng bộ). Each is permission-checked and logged."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from django.db.models import OuterRef, Prefetch, QuerySet, Subquery
from django.utils import timezone

from truongso.core.audit import audit_export
from truongso.core.authz import Perm
from truongso.registry import selectors
from truongso.registry.exports.book import ExportFile, SheetWriter, day, require_export, text
from truongso.registry.imports.headers import GENDER_NAMES, STUDENTS
from truongso.registry.models import (
    OrgUnit,
    RegisterEntry,
    SchoolYear,
    Student,
    StudentGuardian,
)
from truongso.registry.reference import ETHNICITY_NAMES, Relation

CHUNK = 1000
EXTRA_HEADERS = ["Mã trường", "Trường", "Trạng thái"]
MINISTRY_SHEET = "C1-HocSinh"
MINISTRY_HEADERS = [
    "STT",
    "Mã học sinh",
    "Họ tên",
    "Ngày sinh",
    "Giới tính",
    "Dân tộc",
    "Quốc tịch",
    "Mã định danh",
    "Nơi sinh",
    "Quê quán",
    "Địa chỉ thường trú",
    "Nơi ở hiện nay",
    "Khối",
    "Lớp",
    "Trạng thái",
    "Họ tên cha",
    "Số điện thoại cha",
    "Họ tên mẹ",
    "Số điện thoại mẹ",
    "Họ tên người giám hộ",
    "Số điện thoại người giám hộ",
]
REGISTER_HEADERS = [
    "Số đăng bộ",
    "Mã định danh học sinh",
    "Họ và tên",
    "Ngày sinh",
    "Giới tính",
    "Dân tộc",
    "Nơi sinh",
    "Địa chỉ thường trú",
    "Họ tên cha",
    "Họ tên mẹ",
    "Ngày vào trường",
    "Vào lớp",
    "Hình thức vào trường",
    "Chuyển đến từ trường",
    "Ngày rời trường",
    "Hình thức rời trường",
    "Ghi chú",
]
ADMISSION_NAMES = {"admitted": "Nhập học", "transfer_in": "Chuyển đến", "returned": "Trở lại"}
LEAVE_NAMES = {
    "transfer_out": "Chuyển đi",
    "left": "Thôi học",
    "graduated": "Hoàn thành chương trình",
}


def _guardians(student: Student) -> dict[str, tuple[str, str]]:
    """Name and phone of the father, mother and legal guardian (the first of each)."""
    found: dict[str, tuple[str, str]] = {}
    for link in student.guardian_links.all():
        found.setdefault(link.relation, (link.guardian.full_name, link.guardian.phone))
    return found


def _with_details(students: QuerySet[Student]) -> QuerySet[Student]:
    admitted = RegisterEntry.objects.filter(student=OuterRef("pk"), school=OuterRef("school"))
    return students.annotate(
        admitted_on=Subquery(admitted.order_by("-number").values("admitted_on")[:1])
    ).prefetch_related(
        Prefetch(
            "guardian_links",
            StudentGuardian.objects.select_related("guardian").order_by("pk"),
        )
    )


def _iterate(students: QuerySet[Student]) -> Iterator[Student]:
    return _with_details(students).iterator(chunk_size=CHUNK)


def _parents(student: Student) -> list[str]:
    guardians = _guardians(student)
    cells: list[str] = []
    for relation in (Relation.FATHER, Relation.MOTHER, Relation.GUARDIAN):
        cells += list(guardians.get(relation, ("", "")))
    return cells


def _template_row(number: int, student: Student) -> list[Any]:
    school = student.school
    return [
        number,
        student.identifier,
        student.full_name,
        day(student.birth_date),
        GENDER_NAMES.get(student.gender, ""),
        ETHNICITY_NAMES.get(student.ethnicity, ""),
        text(student.citizen_id),
        student.birthplace,
        student.hometown,
        student.permanent_address,
        student.current_address,
        student.current_class.name if student.current_class else "",
        day(getattr(student, "admitted_on", None)),
        *_parents(student),
        school.code if school else "",
        school.name if school else "",
        student.get_status_display(),
    ]


def _params(filters: Mapping[str, Any]) -> dict[str, Any]:
    """Filters as logged: objects by code or ID, empty ones left out."""
    logged: dict[str, Any] = {}
    for key, value in filters.items():
        if value in (None, ""):
            continue
        if isinstance(value, OrgUnit):
            value = value.code
        elif hasattr(value, "pk"):
            value = value.pk
        logged[key] = value
    return logged


def students_export(*, actor: Any, filters: Mapping[str, Any]) -> ExportFile:
    """The students the user may export, with the student list's filters (school, class,
    grade, status, search), in the import template's columns plus school and status."""
    school = filters.get("school")
    org_path = require_export(actor, school)
    students = selectors.student_list(actor, perm=Perm.DATA_EXPORT, **filters)
    headers = [c.header for c in STUDENTS.template_columns] + EXTRA_HEADERS
    sheet = SheetWriter(STUDENTS.sheet, headers, [c.width for c in STUDENTS.template_columns])
    sheet.header()
    for number, student in enumerate(_iterate(students), start=1):
        sheet.append(_template_row(number, student))
    audit_export(
        actor=actor, what="students", org_path=org_path, rows=sheet.rows, params=_params(filters)
    )
    return sheet.save(f"hoc-sinh-{timezone.localdate():%Y%m%d}.xlsx")


def _ministry_row(number: int, student: Student) -> list[Any]:
    school_class = student.current_class
    return [
        number,
        student.identifier,
        student.full_name,
        day(student.birth_date),
        GENDER_NAMES.get(student.gender, ""),
        ETHNICITY_NAMES.get(student.ethnicity, ""),
        student.nationality,
        text(student.citizen_id),
        student.birthplace,
        student.hometown,
        student.permanent_address,
        student.current_address,
        school_class.grade if school_class else "",
        school_class.name if school_class else "",
        student.get_status_display(),
        *_parents(student),
    ]


def students_export_ministry(
    *, actor: Any, filters: Mapping[str, Any], year: SchoolYear | None = None
) -> ExportFile:
    """The learner sheet in the layout of the Ministry portal's "C1-HocSinh" template, as
    far as it can be inferred (docs/imports.md): title lines, then one header row."""
    school = filters.get("school")
    org_path = require_export(actor, school)
    students = selectors.student_list(actor, perm=Perm.DATA_EXPORT, **filters)
    sheet = SheetWriter(MINISTRY_SHEET, MINISTRY_HEADERS)
    title = f"Trường: {school.name} ({school.code})" if school else "Toàn đơn vị"
    sheet.titles(["DANH SÁCH HỌC SINH", f"{title} – Năm học {year or ''}".strip(" –")])
    sheet.header()
    for number, student in enumerate(_iterate(students), start=1):
        sheet.append(_ministry_row(number, student))
    audit_export(
        actor=actor,
        what="students.ministry",
        org_path=org_path,
        rows=sheet.rows,
        params=_params(filters),
    )
    return sheet.save(f"C1-HocSinh-{timezone.localdate():%Y%m%d}.xlsx")


def _register_row(entry: RegisterEntry) -> list[Any]:
    student = entry.student
    guardians = _guardians(student)
    return [
        entry.number,
        student.identifier,
        student.full_name,
        day(student.birth_date),
        GENDER_NAMES.get(student.gender, ""),
        ETHNICITY_NAMES.get(student.ethnicity, ""),
        student.birthplace,
        student.permanent_address,
        guardians.get(Relation.FATHER, ("", ""))[0],
        guardians.get(Relation.MOTHER, ("", ""))[0],
        day(entry.admitted_on),
        entry.admitted_class_name or str(entry.admitted_grade),
        ADMISSION_NAMES.get(entry.admission_kind, entry.admission_kind),
        entry.from_school_name,
        day(entry.left_on),
        LEAVE_NAMES.get(entry.leave_kind, entry.leave_kind),
        entry.leave_note,
    ]


def register_export(
    *, actor: Any, school: OrgUnit, query: str = "", year: SchoolYear | None = None
) -> ExportFile:
    """The school's enrolment register (sổ đăng bộ), Thông tư 32/2020/TT-BGDĐT, Art. 21,
    with the register page's filters. 404 without REGISTER_VIEW (``register_for``)."""
    entries = selectors.register_search(
        selectors.register_for(actor, school), query=query, year=year
    )
    org_path = require_export(actor, school)
    sheet = SheetWriter("SoDangBo", REGISTER_HEADERS)
    sheet.titles([f"SỔ ĐĂNG BỘ – {school.name.upper()}", f"Mã trường: {school.code}"])
    sheet.header()
    for entry in entries.iterator(chunk_size=CHUNK):
        sheet.append(_register_row(entry))
    params = _params({"school": school, "q": query, "year": year.code if year else ""})
    audit_export(actor=actor, what="register", org_path=org_path, rows=sheet.rows, params=params)
    return sheet.save(f"so-dang-bo-{school.code}-{timezone.localdate():%Y%m%d}.xlsx")
