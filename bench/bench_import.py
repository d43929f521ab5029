"""Benchmark (a): importing 47,000 students from an .xlsx file.

A district like Quỳnh Phụ (30 lower-secondary schools, grades 6–9, 1,200 classes) gets a
47,000-row learner sheet with realistic Vietnamese names, valid IDs and both parents. The
subject is the real import path as a user runs it: upload, dry run (read + check every row
against the database), confirm, apply (checks again, then writes students, placements,
admission events, register lines, guardians and audit entries in one transaction). The
baseline, in the same run on the same database, is a raw ``bulk_create`` of the same rows
into the same tables (no reading, no checks, no audit). Options: ``--students N``.
"""

from __future__ import annotations

import datetime as dt
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import common

SCHOOLS = 30
CLASSES_PER_GRADE = 10
GRADES = (6, 7, 8, 9)


def _option(args: list[str], name: str, default: int) -> int:
    for arg in args:
        if arg.startswith(f"--{name}="):
            return int(arg.split("=", 1)[1])
    return default


def _district() -> tuple[Any, Any, list[tuple[int, str]], list[str]]:
    from truongso.core.authz import SYSTEM
    from truongso.registry.models import SchoolClass
    from truongso.registry.reference import OrgKind, SchoolLevel
    from truongso.registry.services import org
    from truongso.registry.services.calendar import school_year_create

    ministry = org.org_unit_create(
        actor=SYSTEM, kind=OrgKind.MINISTRY, code="BGDDT", name="Bộ GD&ĐT", parent=None
    )
    department = org.org_unit_create(
        actor=SYSTEM, kind=OrgKind.DEPARTMENT, code="34", name="Sở GD&ĐT Thái Bình", parent=ministry
    )
    bureau = org.org_unit_create(
        actor=SYSTEM,
        kind=OrgKind.BUREAU,
        code="3407",
        name="Phòng GD&ĐT Quỳnh Phụ",
        parent=department,
    )
    year = school_year_create(
        actor=SYSTEM,
        code="2025-2026",
        make_current=True,
        semesters=(
            (dt.date(2025, 9, 5), dt.date(2026, 1, 17)),
            (dt.date(2026, 1, 19), dt.date(2026, 5, 31)),
        ),
    )
    classes: list[tuple[int, str]] = []
    codes: list[str] = []
    for number in range(1, SCHOOLS + 1):
        school = org.org_unit_create(
            actor=SYSTEM,
            kind=OrgKind.SCHOOL,
            code=f"3407{number:04d}",
            name=f"Trường THCS số {number} Quỳnh Phụ",
            parent=bureau,
            level=SchoolLevel.LOWER_SECONDARY,
        )
        rows = [
            SchoolClass(school=school, school_year=year, grade=grade, name=f"{grade}A{index}")
            for grade in GRADES
            for index in range(1, CLASSES_PER_GRADE + 1)
        ]
        SchoolClass.objects.bulk_create(rows)
        classes += [(c.grade, c.name) for c in rows]
        codes += [school.code] * len(rows)
    return bureau, year, classes, codes


def _baseline(path: Path, year: Any) -> float:
    """Raw bulk_create of the same rows (parsed beforehand, outside the timing)."""
    from django.db import transaction
    from openpyxl import load_workbook

    from truongso.core.text import fold
    from truongso.registry.models import (
        EnrolmentEvent,
        Guardian,
        OrgUnit,
        Placement,
        RegisterEntry,
        SchoolClass,
        Student,
        StudentGuardian,
    )
    from truongso.registry.reference import ETHNICITY_NAMES

    ethnic = {name: code for code, name in ETHNICITY_NAMES.items()}
    book = load_workbook(path, read_only=True)
    rows = list(book.worksheets[0].iter_rows(min_row=2, values_only=True))
    book.close()
    schools = {u.code: u for u in OrgUnit.objects.filter(kind="school")}
    classes = {(c.school_id, c.name): c for c in SchoolClass.objects.all()}
    started = time.perf_counter()
    with transaction.atomic():
        students, placements, events, lines, guardians, links = [], [], [], [], [], []
        numbers: dict[int, int] = {}
        for row in rows:
            school = schools[row[19]]
            school_class = classes[(school.pk, row[11])]
            student = Student(
                learner_id=row[1],
                full_name=row[2],
                search_name=fold(row[2]),
                birth_date=dt.datetime.strptime(row[3], "%d/%m/%Y").date(),
                gender="M" if row[4] == "Nam" else "F",
                ethnicity=ethnic[row[5]],
                citizen_id=row[6],
                birthplace=row[7],
                hometown=row[8],
                permanent_address=row[9],
                current_address=row[10],
                school=school,
                current_class=school_class,
            )
            students.append(student)
            numbers[school.pk] = numbers.get(school.pk, 0) + 1
            placements.append((student, school_class))
            lines.append((student, school, school_class, numbers[school.pk]))
            for name, phone, relation in (
                (row[13], row[14], "father"),
                (row[15], row[16], "mother"),
            ):
                guardian = Guardian(full_name=name, search_name=fold(name), phone=phone)
                guardians.append(guardian)
                links.append((student, guardian, relation))
        Student.objects.bulk_create(students, batch_size=2000)
        Placement.objects.bulk_create(
            [
                Placement(student=s, school_class=c, start_date=year.start_date)
                for s, c in placements
            ],
            batch_size=2000,
        )
        RegisterEntry.objects.bulk_create(
            [
                RegisterEntry(
                    school=sc,
                    student=s,
                    number=n,
                    admitted_on=year.start_date,
                    admitted_grade=c.grade,
                    admitted_class_name=c.name,
                    admission_kind="admitted",
                )
                for s, sc, c, n in lines
            ],
            batch_size=2000,
        )
        events += [
            EnrolmentEvent(
                student=s,
                kind="admitted",
                date=year.start_date,
                school=sc,
                school_class=c,
            )
            for s, sc, c, _n in lines
        ]
        EnrolmentEvent.objects.bulk_create(events, batch_size=2000)
        Guardian.objects.bulk_create(guardians, batch_size=2000)
        StudentGuardian.objects.bulk_create(
            [StudentGuardian(student=s, guardian=g, relation=r) for s, g, r in links],
            batch_size=2000,
        )
    elapsed = time.perf_counter() - started
    with transaction.atomic():
        StudentGuardian.objects.all().delete()
        Guardian.objects.all().delete()
        EnrolmentEvent.objects.all().delete()
        RegisterEntry.objects.all().delete()
        Placement.objects.all().delete()
        Student.objects.all().delete()
    return elapsed


def _import(path: Path, bureau: Any, year: Any) -> tuple[float, Any]:
    from django.core.files import File

    from truongso.accounts.models import User
    from truongso.registry.imports import jobs

    admin = User.objects.create_superuser("bench-admin", password="x" * 12)
    started = time.perf_counter()
    with path.open("rb") as handle:
        job = jobs.import_job_create(
            actor=admin,
            kind="students",
            org_unit=bureau,
            school_year=year,
            upload=File(handle, name=path.name),
        )
    job.refresh_from_db()
    checked = time.perf_counter() - started
    assert job.status == "validated", (job.status, job.message, job.errors[:5])
    job = jobs.import_job_confirm(actor=admin, job=job)
    job.refresh_from_db()
    elapsed = time.perf_counter() - started
    assert job.status == "done", (job.status, job.message)
    print(f"upload + dry run {checked:.1f} s, confirm + apply {elapsed - checked:.1f} s")
    return elapsed, job


def main(args: list[str]) -> list[common.Result]:
    count = _option(args, "students", 47_000)
    var_dir = common.setup_django()
    from truongso.registry.imports.samples import STUDENT_HEADERS, student_rows, write_sheet
    from truongso.registry.models import Student

    bureau, year, classes, codes = _district()
    path = write_sheet(
        Path(var_dir) / "hoc-sinh.xlsx",
        [*STUDENT_HEADERS, "Mã trường"],
        student_rows(count, classes, school_codes=codes),
    )
    baseline = _baseline(path, year)
    seconds, job = _import(path, bureau, year)
    assert Student.objects.count() == count == job.created_count
    print(
        f"{count} students, {path.stat().st_size / 1e6:.1f} MB: import {seconds:.1f} s "
        f"({count / seconds:,.0f} rows/s), raw bulk_create {baseline:.1f} s"
    )
    from django.db import connection

    label = f"{count // 1000}k" if count % 1000 == 0 else str(count)
    name = f"import_students_xlsx_{connection.vendor}_{label}"
    return [common.Result.of(name, seconds, "s", baseline)]


if __name__ == "__main__":
    common.record(main(sys.argv[1:]))
