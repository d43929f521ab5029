"""Big files: a 50,000-row learner sheet through the background path with its progress, and
all-or-nothing with an error at row 40,000 (found by the dry run, or by the database in the
middle of writing)."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from truongso.core.authz import SYSTEM
from truongso.core.models import AuditEntry
from truongso.registry.imports import jobs
from truongso.registry.imports.samples import student_rows, write_sheet
from truongso.registry.models import ImportJob, RegisterEntry, Student
from truongso.registry.services import classes
from truongso.registry.tests.io_support import counts, upload

pytestmark = pytest.mark.usefixtures("registry_consistent")

pytestmark = pytest.mark.slow

SLIM_HEADERS = ["STT", "Mã định danh học sinh", "Họ và tên", "Ngày sinh", "Giới tính", "Lớp"]


@pytest.fixture(autouse=True)
def media(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


def _classes(world: Any) -> list[tuple[int, str]]:
    """Forty classes of school A (grades 6 to 9) for the big files."""
    made = []
    for grade in (6, 7, 8, 9):
        for index in range(1, 11):
            name = f"{grade}A{index}"
            if name not in ("6A1", "6A2"):
                classes.class_create(
                    actor=SYSTEM,
                    school=world.school_a,
                    school_year=world.year,
                    grade=grade,
                    name=name,
                )
            made.append((grade, name))
    return made


def _slim(rows: Any, bad_at: int | None = None) -> Any:
    """Template rows cut to the columns the test needs (reading 19 columns x 50,000 rows is
    the benchmark's job); ``bad_at`` spoils the birth date of that Excel row."""
    for index, row in enumerate(rows):
        if bad_at is not None and index + 2 == bad_at:
            row[3] = "31/02/2014"
        yield [row[0], row[1], row[2], row[3], row[4], row[11]]


def test_50000_rows_are_checked_and_imported_in_the_background_with_progress(
    world, tmp_path, django_capture_on_commit_callbacks
):
    made = _classes(world)
    path = write_sheet(
        tmp_path / "hoc-sinh.xlsx", SLIM_HEADERS, _slim(student_rows(50_000, made, first_id=10_000))
    )
    with (
        CaptureQueriesContext(connection) as queries,
        django_capture_on_commit_callbacks(execute=True) as callbacks,
    ):
        job = upload(world.principal, path, unit=world.school_a, year=world.year)
    assert len(callbacks) == 1  # handed to the worker after commit, not run in the request
    job.refresh_from_db()
    assert job.status == "validated", job.errors[:3]
    assert (job.total_rows, job.processed_rows, job.percent) == (50_000, 50_000, 100)
    assert (job.created_count, job.updated_count, job.error_count) == (50_000, 0, 0)
    progress = [q for q in queries if 'SET "processed_rows"' in q["sql"]]
    assert len(progress) == 100  # every 500 rows, each in its own short transaction
    assert Student.objects.count() == 4

    with django_capture_on_commit_callbacks(execute=True):
        job = jobs.import_job_confirm(actor=world.principal, job=job)
    job.refresh_from_db()

    assert job.status == "done", job.message
    assert (job.processed_rows, job.percent, job.created_count) == (50_000, 100, 50_000)
    assert Student.objects.filter(school=world.school_a).count() == 50_003
    numbers = RegisterEntry.objects.filter(school=world.school_a).values_list("number", flat=True)
    assert sorted(numbers) == list(range(1, 50_004))
    last = Student.objects.get(learner_id="3400059999")
    assert (last.current_class.name, last.register_entries.get().number) == ("9A10", 50_003)
    assert AuditEntry.objects.filter(action="student.create", actor=world.principal).count() == (
        50_000
    )
    assert not job.file


def _reject_insert_of(learner_id: str) -> None:
    """A database trigger refusing one student: a real failure in the middle of writing."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "CREATE FUNCTION reject_one() RETURNS trigger AS $$ BEGIN "
                f"IF NEW.learner_id = '{learner_id}' THEN RAISE EXCEPTION 'refused'; END IF; "
                "RETURN NEW; END $$ LANGUAGE plpgsql"
            )
            cursor.execute(
                "CREATE TRIGGER reject_one BEFORE INSERT ON registry_student "
                "FOR EACH ROW EXECUTE FUNCTION reject_one()"
            )
        else:
            cursor.execute(
                "CREATE TRIGGER reject_one BEFORE INSERT ON registry_student "
                f"WHEN NEW.learner_id = '{learner_id}' BEGIN SELECT RAISE(ABORT, 'refused'); END"
            )


def test_an_error_in_row_40000_leaves_the_database_untouched(
    world, tmp_path, django_capture_on_commit_callbacks
):
    made = _classes(world)
    before = counts()
    bad = write_sheet(
        tmp_path / "loi.xlsx", SLIM_HEADERS, _slim(student_rows(39_999, made), bad_at=40_000)
    )
    with django_capture_on_commit_callbacks(execute=True):
        job = upload(world.principal, bad, unit=world.school_a, year=world.year)
    job.refresh_from_db()
    assert (job.status, job.error_count, job.created_count) == ("invalid", 1, 39_998)
    assert [(e["row"], e["column"]) for e in job.errors] == [(40_000, "Ngày sinh")]
    assert counts() == before

    good = write_sheet(tmp_path / "dung.xlsx", SLIM_HEADERS, _slim(student_rows(39_999, made)))
    with django_capture_on_commit_callbacks(execute=True):
        job = upload(world.principal, good, unit=world.school_a, year=world.year)
    job.refresh_from_db()
    assert job.status == "validated"
    _reject_insert_of("3400039999")  # the pupil of Excel row 40,000, the last one written
    before = counts()

    with django_capture_on_commit_callbacks(execute=True):
        jobs.import_job_confirm(actor=world.principal, job=job)

    job = ImportJob.objects.get(pk=job.pk)
    assert job.status == "failed"
    assert job.message.startswith("Không có dữ liệu nào được nhập:")
    assert counts() == before  # 39,998 pupils written before the refusal were rolled back
