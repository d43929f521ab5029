"""Benchmark: a bulk invoice run (lập hóa đơn hàng loạt) for a big school.

A school of ``--students`` pupils (default 2,000, in classes of 40, bulk-inserted) with two
fee items and a reduction for one pupil in ten. Measured: ``invoice_run_execute`` billing
every pupil (batches of 200, one INSERT per table per batch: invoices, lines, postings,
ledger entries, audit entries). The **baseline**, in the same run, is ``invoice_create``
called once per pupil for another period (the same rows through the one-invoice path).
Afterwards ``ledger_check`` must find nothing; its time is reported against reading every
invoice's amounts once (the least any check of the books must do).

``BENCH_DATABASE_URL`` (an empty PostgreSQL database) measures on PostgreSQL.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import Result, setup_django


def _school(students: int) -> tuple[object, object, list[object]]:
    from truongso.core.authz import SYSTEM
    from truongso.core.text import fold
    from truongso.payments.services import fee_item_create, fee_reduction_create
    from truongso.registry.models import SchoolClass, Student
    from truongso.registry.services.calendar import school_year_create
    from truongso.registry.services.org import org_unit_create

    ministry = org_unit_create(actor=SYSTEM, kind="ministry", code="BGD", name="Bộ", parent=None)
    department = org_unit_create(
        actor=SYSTEM, kind="department", code="79", name="Sở GD&ĐT TP.HCM", parent=ministry
    )
    school = org_unit_create(
        actor=SYSTEM, kind="school", code="79000001", name="Trường THCS Bến Thành",
        parent=department, level="thcs",
    )  # fmt: skip
    year = school_year_create(
        actor=SYSTEM, code="2025-2026", make_current=True,
        semesters=((dt.date(2025, 9, 5), dt.date(2026, 1, 17)),
                   (dt.date(2026, 1, 19), dt.date(2026, 5, 31))),
    )  # fmt: skip
    classes = SchoolClass.objects.bulk_create(
        SchoolClass(school=school, school_year=year, grade=6 + n % 4, name=f"{6 + n % 4}A{n}")
        for n in range(students // 40 + 1)
    )
    Student.objects.bulk_create(
        Student(
            learner_id=f"79{n:08d}",
            full_name=f"Học Sinh {n}",
            search_name=fold(f"Học Sinh {n}"),
            birth_date=dt.date(2013, 1, 1),
            gender="F",
            school=school,
            current_class=classes[n // 40],
        )
        for n in range(students)
    )
    items = [
        fee_item_create(
            actor=SYSTEM,
            school=school,
            school_year=year,
            code=code,
            name=name,
            kind=kind,
            period="month",
            amount=amount,
        )
        for code, name, kind, amount in (
            ("HP", "Học phí", "tuition", 300_000),
            ("BT", "Bán trú", "service", 450_000),
        )
    ]
    for student in Student.objects.order_by("pk")[::10]:
        fee_reduction_create(
            actor=SYSTEM, student=student, school_year=year, kind="percent", percent=50,
            reason="Hộ cận nghèo", valid_from=dt.date(2025, 9, 1),
        )  # fmt: skip
    return school, year, items


def main(args: list[str]) -> list[Result]:
    parser = argparse.ArgumentParser(prog="bench_invoicing")
    parser.add_argument("--students", type=int, default=2_000)
    options = parser.parse_args(args)
    setup_django()
    from truongso.core.authz import SYSTEM
    from truongso.payments.models import Invoice
    from truongso.payments.services import (
        invoice_create,
        invoice_run_execute,
        invoice_run_start,
        ledger_check,
    )
    from truongso.payments.services.runs import _lines_for
    from truongso.registry.models import Student

    school, year, items = _school(options.students)
    started = time.perf_counter()
    # Outside a transaction the eager task runs at once (on commit); a repeat delivery of
    # the task finds the run finished.
    run = invoice_run_start(
        actor=SYSTEM, school=school, school_year=year, period_key="2025-09",
        period_label="Tháng 9/2025", due_date=dt.date(2025, 9, 15), fee_items=items,
    )  # fmt: skip
    invoice_run_execute(run_id=run.pk)
    bulk = time.perf_counter() - started
    assert Invoice.objects.filter(period_key="2025-09").count() == options.students

    pupils = list(Student.objects.select_related("current_class").order_by("pk"))
    started = time.perf_counter()
    for pupil in pupils:
        invoice_create(
            actor=SYSTEM, student=pupil, school_year=year, lines=_lines_for(pupil, items),
            period_label="Tháng 10/2025", due_date=dt.date(2025, 10, 15),
            reason=f"Tháng 10/2025 - {pupil.full_name}", period_key="2025-10",
        )  # fmt: skip
    one_by_one = time.perf_counter() - started

    started = time.perf_counter()
    problems = ledger_check()
    check = time.perf_counter() - started
    assert problems == [], problems[:5]
    started = time.perf_counter()
    list(Invoice.objects.values_list("student_id", "total", "credited", "paid"))
    read = time.perf_counter() - started
    per_bulk, per_single = options.students / bulk, options.students / one_by_one
    print(f"bulk run: {per_bulk:,.0f} invoices/s; one by one: {per_single:,.0f} invoices/s")
    print(f"ledger_check over {2 * options.students:,} invoices: {check:.2f} s")
    return [
        Result.of("invoice run, invoices/s", per_bulk, "invoices/s", per_single),
        # The whole check against reading every invoice's amounts once.
        Result.of("ledger_check, s", check, "s", read),
    ]
