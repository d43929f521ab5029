"""Student exports: the list (template columns), the Ministry learner sheet and the
enrolment register, read back with openpyxl; audit entries; refusals that log nothing."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from truongso.core.models import AuditEntry
from truongso.registry.imports import jobs
from truongso.registry.tests.io_support import (
    STUDENT_HEADERS,
    counts,
    read_back,
    upload,
)
from truongso.testing.live import client_login

STUDENTS = reverse("registry:student_export")
MINISTRY = reverse("registry:student_export_ministry")


@pytest.fixture(autouse=True)
def media(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


def _get(client: Any, user: Any, url: str, params: dict[str, Any] | None = None) -> Any:
    client_login(client, user)
    return client.get(url, params or {})


def _exports() -> list[AuditEntry]:
    return list(AuditEntry.objects.filter(action="export").order_by("pk"))


AN = [
    1, "3407000001", "Nguyễn Văn An", "12/03/2014", "Nam", "Kinh", None, "Thái Bình", None, None,
    None, "6A1", "05/09/2025", "Nguyễn Văn Cha", "0912345678", None, None, None, None, "34070001",
    "Trường THCS An Bài", "Đang học",
]  # fmt: skip


def test_principal_exports_the_students_of_her_school(client, world, tmp_path):
    response = _get(client, world.principal, STUDENTS, {"school": "34070001"})

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert response["Content-Disposition"].startswith('attachment; filename="hoc-sinh-')
    rows = read_back(response.content, tmp_path)
    assert rows[0] == [*STUDENT_HEADERS, "Mã trường", "Trường", "Trạng thái"]
    assert [r[2] for r in rows[1:]] == ["Đỗ Thị Bình", "Hoàng Thị Chi", "Nguyễn Văn An"]
    assert rows[3] == [3, *AN[1:]]
    assert all(isinstance(r[1], str) for r in rows[1:])  # IDs as text
    [entry] = _exports()
    assert (entry.actor, entry.object_type, entry.org_path) == (
        world.principal,
        "students",
        world.school_a.path,
    )
    assert entry.after == {"rows": 3, "school": "34070001", "status": "studying"}


def test_the_student_list_filters_apply(client, world, tmp_path):
    client_login(client, world.principal)
    by_class = client.get(STUDENTS, {"class": world.class_6a2.pk})
    assert [r[2] for r in read_back(by_class.content, tmp_path)[1:]] == ["Hoàng Thị Chi"]
    by_name = client.get(STUDENTS, {"q": "nguyen van an"})
    assert [r[2] for r in read_back(by_name.content, tmp_path)[1:]] == ["Nguyễn Văn An"]
    by_grade = client.get(STUDENTS, {"grade": 7})
    assert read_back(by_grade.content, tmp_path)[1:] == []
    assert [e.after for e in _exports()] == [
        {"rows": 1, "school_class": world.class_6a2.pk, "status": "studying"},
        {"rows": 1, "query": "nguyen van an", "status": "studying"},
        {"rows": 0, "grade": 7, "status": "studying"},
    ]


@pytest.mark.parametrize(
    ("role", "params", "status"),
    [
        ("teacher", {}, 403),
        ("homeroom", {"school": "34070001"}, 404),
        ("parent", {}, 403),
        ("student", {}, 403),
        ("accountant", {}, 403),
        ("principal_c", {"school": "34070001"}, 404),
        ("other_bureau", {"school": "34070002"}, 404),
    ],
)
def test_export_is_refused_and_nothing_is_logged(client, world, role, params, status):
    before = counts()
    for url in (STUDENTS, MINISTRY):
        assert _get(client, world.users[role], url, params).status_code == status
    assert counts() == before
    assert _exports() == []


def test_another_schools_principal_exports_only_her_own_students(client, world, tmp_path):
    response = _get(client, world.principal_c, STUDENTS)
    assert [r[2] for r in read_back(response.content, tmp_path)[1:]] == ["Vũ Tiến Dũng"]
    assert _exports()[0].org_path == world.school_c.path


def test_the_ministry_sheet_layout_round_trips_through_the_import(client, world, tmp_path):
    response = _get(client, world.principal, MINISTRY, {"school": "34070001"})
    rows = read_back(response.content, tmp_path, "c1.xlsx")
    assert rows[0][0] == "DANH SÁCH HỌC SINH"
    assert rows[1][0] == "Trường: Trường THCS An Bài (34070001) – Năm học 2025–2026"
    assert rows[3][:8] == [
        "STT", "Mã học sinh", "Họ tên", "Ngày sinh", "Giới tính", "Dân tộc", "Quốc tịch",
        "Mã định danh",
    ]  # fmt: skip
    assert rows[4][:6] == [1, "3407000002", "Đỗ Thị Bình", "12/03/2014", "Nữ", "Kinh"]
    assert _exports()[0].object_type == "students.ministry"

    before = counts()
    job = upload(world.principal, tmp_path / "c1.xlsx", unit=world.school_a, year=world.year)
    assert (job.sheet_name, job.header_row) == ("C1-HocSinh", 4)
    assert (job.created_count, job.updated_count, job.unchanged_count) == (0, 0, 3)
    jobs.import_job_confirm(actor=world.principal, job=job)
    assert counts() == before


def test_an_export_edited_and_imported_again_changes_only_what_was_edited(client, world, tmp_path):
    response = _get(client, world.principal, STUDENTS, {"school": "34070001"})
    path = tmp_path / "export.xlsx"
    path.write_bytes(response.content)
    job = jobs.import_job_confirm(
        actor=world.principal,
        job=upload(world.principal, path, unit=world.school_a, year=world.year),
    )
    assert (job.status, job.created_count, job.updated_count, job.unchanged_count) == (
        "done",
        0,
        0,
        3,
    )


def test_the_enrolment_register_export(client, world, tmp_path):
    url = reverse("registry:register_xlsx", args=[world.school_a.pk])
    response = _get(client, world.clerk, url)
    assert response.status_code == 200
    rows = read_back(response.content, tmp_path)
    assert rows[0] == ["SỔ ĐĂNG BỘ – TRƯỜNG THCS AN BÀI"]
    assert rows[3][:4] == ["Số đăng bộ", "Mã định danh học sinh", "Họ và tên", "Ngày sinh"]
    assert [r[:3] for r in rows[4:]] == [
        [1, "3407000001", "Nguyễn Văn An"],
        [2, "3407000002", "Đỗ Thị Bình"],
        [3, "3407000003", "Hoàng Thị Chi"],
    ]
    assert rows[4][8:13] == ["Nguyễn Văn Cha", None, "05/09/2025", "6A1", "Nhập học"]
    filtered = client.get(url, {"q": "chi"})
    assert [r[2] for r in read_back(filtered.content, tmp_path)[4:]] == ["Hoàng Thị Chi"]
    assert [(e.object_type, e.org_path, e.after) for e in _exports()] == [
        ("register", world.school_a.path, {"rows": 3, "school": "34070001"}),
        ("register", world.school_a.path, {"rows": 1, "school": "34070001", "q": "chi"}),
    ]


@pytest.mark.parametrize("role", ["teacher", "parent", "accountant", "principal_c", "nobody"])
def test_the_register_export_is_hidden_from_others(client, world, role):
    before = counts()
    url = reverse("registry:register_xlsx", args=[world.school_a.pk])
    assert _get(client, world.users[role], url).status_code == 404
    assert counts() == before
