"""Import pages: upload form and its Vietnamese errors, the job page and its progress bar,
confirmation, scoping (another school's job is a 404) and query counts."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from truongso.registry.imports import jobs
from truongso.registry.models import ImportJob, ImportStatus, Student
from truongso.registry.tests.io_support import (
    STUDENT_HEADERS,
    counts,
    student_row,
    upload,
    write_xlsx,
)
from truongso.testing.live import client_login

LIST = reverse("registry:import_list")
NEW = reverse("registry:import_new")


@pytest.fixture(autouse=True)
def media(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


def _file(tmp_path: Any, rows: list[list[Any]] | None = None) -> SimpleUploadedFile:
    path = write_xlsx(tmp_path / "hs.xlsx", STUDENT_HEADERS, rows or [student_row()])
    return SimpleUploadedFile("danh sách.xlsx", path.read_bytes())


def _post(client: Any, tmp_path: Any, **fields: Any) -> Any:
    data = {"kind": "students", "org_unit": "34070001", "school_year": "2025-2026"}
    data.update(fields)
    if "file" not in fields:
        data["file"] = _file(tmp_path)
    return client.post(NEW, data)


def test_upload_check_and_confirm_through_the_pages(client, world, tmp_path):
    client_login(client, world.principal)
    form = client.get(NEW)
    assert form.status_code == 200
    assert '<option value="34070001" selected>' in form.content.decode()
    assert '<option value="34020001"' not in form.content.decode()

    response = _post(client, tmp_path)

    job = ImportJob.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("registry:import_detail", args=[job.pk])
    assert (job.status, job.original_name, job.created_by) == (
        "validated",
        "danh sách.xlsx",
        world.principal,
    )
    page = client.get(response["Location"]).content.decode()
    assert "Kiểm tra không phát hiện lỗi. Chưa có dữ liệu nào được ghi." in page
    assert "sẽ thêm mới" in page and "hx-trigger" not in page
    assert Student.objects.filter(learner_id="3407000101").count() == 0

    applied = client.post(reverse("registry:import_apply", args=[job.pk]), follow=True)
    assert "Đã nhập dữ liệu." in applied.content.decode()
    job.refresh_from_db()
    assert (job.status, job.applied_by) == ("done", world.principal)
    assert Student.objects.filter(learner_id="3407000101").count() == 1


def test_upload_errors_are_shown_in_vietnamese_and_nothing_is_written(client, world, tmp_path):
    client_login(client, world.principal)
    before = counts()
    missing = client.post(NEW, {"kind": "students", "org_unit": "34070001"})
    assert "Trường này là bắt buộc." in missing.content.decode()
    pdf = _post(client, tmp_path, file=SimpleUploadedFile("x.xlsx", b"%PDF-1.4 ..."))
    assert pdf.status_code == 200
    assert "Đây là tệp PDF, không phải tệp Excel (.xlsx)." in pdf.content.decode()
    other = _post(client, tmp_path, org_unit="34020001")
    assert "is-invalid" in other.content.decode()
    staff = _post(client, tmp_path, kind="staff")
    assert "Đây không phải mẫu nhập cán bộ, giáo viên" in staff.content.decode()
    assert counts() == before
    assert not ImportJob.objects.exists()


def test_a_clerk_may_not_import_staff_and_is_told_so(client, world, tmp_path):
    client_login(client, world.clerk)
    response = _post(client, tmp_path, kind="staff")
    assert "Bạn không có quyền nhập loại dữ liệu này vào đơn vị này." in response.content.decode()
    assert not ImportJob.objects.exists()


def test_invalid_file_report_lists_rows_and_columns(client, world, tmp_path):
    client_login(client, world.principal)
    rows = [student_row(), student_row(row_no=2, learner_id="", gender="X", class_name="9Z")]
    response = _post(client, tmp_path, file=_file(tmp_path, rows))
    page = client.get(response["Location"]).content.decode()
    assert "Các dòng có lỗi" in page
    assert "Giới tính phải là Nam hoặc Nữ (nhận được “x”)." in page
    assert "Không có lớp 9Z tại Trường THCS An Bài trong năm học 2025–2026." in page
    assert 'action="/imports/' not in page  # no confirm button
    job = ImportJob.objects.get()
    assert client.post(reverse("registry:import_apply", args=[job.pk])).status_code == 302
    job.refresh_from_db()
    assert job.status == "invalid"


def test_big_files_go_to_the_worker_and_the_page_polls_its_progress(
    client, world, tmp_path, settings, django_capture_on_commit_callbacks
):
    settings.IMPORT_BACKGROUND_ROWS = 1
    client_login(client, world.principal)
    rows = [student_row(), student_row(row_no=2, learner_id="3407000102", full_name="Lê Thu")]
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = _post(client, tmp_path, file=_file(tmp_path, rows))
    job = ImportJob.objects.get()
    assert (job.status, job.total_rows, len(callbacks)) == ("uploaded", 2, 1)
    page = client.get(response["Location"]).content.decode()
    assert 'hx-trigger="every 1s"' in page
    assert 'aria-valuenow="0"' in page
    progress_url = reverse("registry:import_progress", args=[job.pk])
    running = client.get(progress_url, headers={"HX-Request": "true"})
    assert "HX-Refresh" not in running and 'hx-trigger="every 1s"' in running.content.decode()

    callbacks[0]()  # the worker runs the task (Celery is eager in tests)

    job.refresh_from_db()
    assert (job.status, job.processed_rows, job.percent) == ("validated", 2, 100)
    done = client.get(progress_url, headers={"HX-Request": "true"})
    assert done["HX-Refresh"] == "true"
    assert "hx-trigger" not in done.content.decode() and "100%" in done.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("registry:import_apply", args=[job.pk]))
    job.refresh_from_db()
    assert (job.status, job.created_count) == ("done", 2)


def test_a_task_delivered_twice_runs_once(world, tmp_path, settings):
    job = upload(
        world.principal,
        write_xlsx(tmp_path / "a.xlsx", STUDENT_HEADERS, [student_row()]),
        unit=world.school_a,
        year=world.year,
    )
    ImportJob.objects.filter(pk=job.pk).update(status=ImportStatus.APPLYING)
    assert jobs.import_job_apply(job_id=job.pk, actor=world.principal).status == "done"
    before = counts()
    assert jobs.import_job_apply(job_id=job.pk, actor=world.principal) is None
    assert jobs.import_job_check(job_id=job.pk) is None
    assert counts() == before


def test_the_job_page_is_scoped(client, world, tmp_path):
    job = upload(
        world.principal,
        write_xlsx(tmp_path / "a.xlsx", STUDENT_HEADERS, [student_row()]),
        unit=world.school_a,
        year=world.year,
    )
    for role in ("principal_c", "other_bureau"):
        client_login(client, world.users[role])
        for name in ("import_detail", "import_progress"):
            assert client.get(reverse(f"registry:{name}", args=[job.pk])).status_code == 404
        assert client.post(reverse("registry:import_apply", args=[job.pk])).status_code == 404
        assert "a.xlsx" not in client.get(LIST).content.decode()
    client_login(client, world.bureau)  # the Phòng above the school sees it
    assert client.get(reverse("registry:import_detail", args=[job.pk])).status_code == 200
    for role in ("teacher", "parent", "accountant"):
        client_login(client, world.users[role])
        assert client.get(LIST).status_code == 403
        assert client.get(NEW).status_code == 403
        assert client.get(reverse("registry:import_detail", args=[job.pk])).status_code == 404
    job.refresh_from_db()
    assert job.status == "validated"


def test_templates_download(client, world):
    client_login(client, world.clerk)
    response = client.get(reverse("registry:import_template", args=["students"]))
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="mau-nhap-hoc-sinh.xlsx"'
    assert response.content[:2] == b"PK"
    assert client.get("/imports/templates/grades.xlsx").status_code == 404
    client_login(client, world.teacher)
    assert client.get(reverse("registry:import_template", args=["staff"])).status_code == 403


def test_the_import_list_query_count_does_not_grow(
    client, world, tmp_path, django_assert_max_num_queries
):
    path = write_xlsx(tmp_path / "a.xlsx", STUDENT_HEADERS, [student_row()])
    for _ in range(3):
        upload(world.principal, path, unit=world.school_a, year=world.year)
    client_login(client, world.principal)
    client.get(LIST)
    with django_assert_max_num_queries(12) as few:
        assert client.get(LIST).status_code == 200
    for _ in range(20):
        upload(world.principal, path, unit=world.school_a, year=world.year)
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = client.get(LIST)
    assert page.content.decode().count("/imports/") >= 23
