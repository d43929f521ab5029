"""Helpers of the import/export tests: real .xlsx files written with openpyxl, uploads
through the real services, and table counts to prove that nothing was written."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from django.core.files import File
from openpyxl import Workbook, load_workbook

from truongso.accounts.models import RoleAssignment
from truongso.core.models import AuditEntry
from truongso.registry.imports import jobs
from truongso.registry.imports.headers import STUDENTS
from truongso.registry.models import (
    EnrolmentEvent,
    Guardian,
    ImportJob,
    OrgUnit,
    Placement,
    RegisterEntry,
    SchoolClass,
    Staff,
    Student,
    StudentGuardian,
)

STUDENT_HEADERS = [c.header for c in STUDENTS.template_columns]
TABLES = (
    Student,
    Guardian,
    StudentGuardian,
    Placement,
    EnrolmentEvent,
    RegisterEntry,
    AuditEntry,
    Staff,
    SchoolClass,
    OrgUnit,
    RoleAssignment,
)


def counts() -> dict[str, int]:
    """Rows in every table an import may write (equal before and after = nothing written)."""
    return {model.__name__: model.objects.count() for model in TABLES}


def write_xlsx(
    path: Path,
    headers: Sequence[Any],
    rows: Sequence[Sequence[Any]],
    *,
    sheet: str = "HocSinh",
    above: Sequence[Sequence[Any]] = (),
) -> Path:
    book = Workbook()
    data = book.active
    assert data is not None
    data.title = sheet
    for line in above:
        data.append(list(line))
    data.append(list(headers))
    for row in rows:
        data.append(list(row))
    book.save(path)
    return path


def student_row(**cells: Any) -> list[Any]:
    """A good students-template row (Phạm Minh Khoa, 6A1); keyword cells override it."""
    values: dict[str, Any] = {
        "row_no": 1,
        "learner_id": "3407000101",
        "full_name": "Phạm Minh Khoa",
        "birth_date": "05/09/2014",
        "gender": "Nam",
        "ethnicity": "Kinh",
        "citizen_id": "",
        "birthplace": "Thái Bình",
        "hometown": "Quỳnh Phụ, Thái Bình",
        "permanent_address": "Thôn 3, xã An Bài, Quỳnh Phụ",
        "current_address": "",
        "class_name": "6A1",
        "admitted_on": "",
        "father_name": "",
        "father_phone": "",
        "mother_name": "",
        "mother_phone": "",
        "guardian_name": "",
        "guardian_phone": "",
    }
    values.update(cells)
    return [values[c.key] for c in STUDENTS.template_columns]


def upload(
    actor: Any,
    path: Path,
    *,
    unit: OrgUnit,
    kind: str = "students",
    year: Any = None,
) -> ImportJob:
    with path.open("rb") as handle:
        return jobs.import_job_create(
            actor=actor,
            kind=kind,
            org_unit=unit,
            school_year=year,
            upload=File(handle, name=path.name),
        )


def read_back(content: bytes, tmp_path: Path, name: str = "export.xlsx") -> list[list[Any]]:
    """Every row of the first sheet of an exported workbook, as values."""
    path = tmp_path / name
    path.write_bytes(content)
    book = load_workbook(path, read_only=True)
    rows = [list(row) for row in book.worksheets[0].iter_rows(values_only=True)]
    book.close()
    return rows
