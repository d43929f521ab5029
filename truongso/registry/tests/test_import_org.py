"""Importing staff, classes and schools: good rows, bad rows, matching, re-import."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from truongso.core.authz import SYSTEM
from truongso.core.models import AuditEntry
from truongso.registry.imports import jobs
from truongso.registry.imports.headers import CLASSES, SCHOOLS, STAFF
from truongso.registry.models import OrgUnit, SchoolClass, Staff
from truongso.registry.services import staff as staff_services
from truongso.registry.tests.io_support import counts, upload, write_xlsx

STAFF_HEADERS = [c.header for c in STAFF.template_columns]
CLASS_HEADERS = [c.header for c in CLASSES.template_columns]
SCHOOL_HEADERS = [c.header for c in SCHOOLS.template_columns]


@pytest.fixture(autouse=True)
def media(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


def _apply(actor: Any, job: Any) -> Any:
    assert job.status == "validated", job.errors
    return jobs.import_job_confirm(actor=actor, job=job)


def test_staff_are_created_matched_by_staff_id_or_citizen_id_and_updated(world, tmp_path):
    rows = [
        [1, "34070001", "CB0001", "Nguyễn Thị Lan", "14/02/1985", "Nữ", "034185000111",
         "0912111222", "lan@anbai.edu.vn", "Giáo viên", "Biên chế", "TOAN"],
        [2, "", "CB0002", "Trần Văn Tâm", "01/01/1978", "Nam", "", "", "", "Phó hiệu trưởng",
         "", "Ngữ văn"],
    ]  # fmt: skip
    path = write_xlsx(tmp_path / "cb.xlsx", STAFF_HEADERS, rows, sheet="CanBo")
    job = _apply(world.principal, upload(world.principal, path, unit=world.school_a, kind="staff"))
    assert (job.status, job.created_count) == ("done", 2)
    lan = Staff.objects.get(staff_code="CB0001")
    assert (lan.org_unit, lan.citizen_id, lan.position, lan.employment, lan.main_subject.code) == (
        world.school_a,
        "034185000111",
        "giao_vien",
        "bien_che",
        "TOAN",
    )
    assert Staff.objects.get(staff_code="CB0002").position == "pho_hieu_truong"

    before = counts()
    again = _apply(
        world.principal, upload(world.principal, path, unit=world.school_a, kind="staff")
    )
    assert (again.created_count, again.updated_count, again.unchanged_count) == (0, 0, 2)
    assert counts() == before

    # Matched by citizen ID (no staff ID in the file): a new phone is an update.
    rows = [[1, "", "", "Nguyễn Thị Lan", "14/02/1985", "Nữ", "034185000111", "0988000111",
             "", "", "", ""]]  # fmt: skip
    path = write_xlsx(tmp_path / "cb2.xlsx", STAFF_HEADERS, rows, sheet="CanBo")
    job = _apply(world.principal, upload(world.principal, path, unit=world.school_a, kind="staff"))
    lan.refresh_from_db()
    assert (job.updated_count, lan.phone, lan.email) == (1, "0988000111", "lan@anbai.edu.vn")
    entry = AuditEntry.objects.get(action="staff.update", object_id=str(lan.pk))
    assert (entry.before, entry.after) == ({"phone": "0912111222"}, {"phone": "0988000111"})


def test_bad_staff_rows_are_reported_and_nothing_is_written(world, tmp_path):
    staff_services.staff_create(
        actor=SYSTEM,
        org_unit=world.school_c,
        data={"full_name": "Hà Văn Khải", "staff_code": "CBC01"},
    )
    rows = [
        [1, "", "CB0001", "Nguyễn Thị Lan", "", "", "", "", "", "Bảo vệ", "", "HOAHOC"],
        [2, "", "CBC01", "Hà Văn Khải", "", "", "", "", "", "", "", ""],
        [3, "99999999", "CB0003", "Lê Văn Sơn", "", "", "", "", "", "", "", ""],
        [4, "", "CB0004", "Phan Thị Yến", "", "", "", "12345", "khong-phai-email", "", "", ""],
        [5, "", "CB0004", "Phan Thị Yến", "", "", "", "", "", "", "", ""],
    ]  # fmt: skip
    path = write_xlsx(tmp_path / "cb.xlsx", STAFF_HEADERS, rows, sheet="CanBo")
    before = counts()
    job = upload(world.principal, path, unit=world.school_a, kind="staff")
    assert job.status == "invalid"
    assert [(e["row"], e["column"]) for e in job.errors] == [
        (2, "Chức vụ"),
        (2, "Môn dạy chính"),
        (3, "Mã định danh cán bộ"),
        (4, "Mã trường"),
        (5, "Số điện thoại"),
        (5, "Email"),
        (6, "Mã định danh cán bộ"),
    ]
    messages = [e["message"] for e in job.errors]
    assert messages[0].startswith("“Bảo vệ” không có trong danh sách (Hiệu trưởng, ")
    assert messages[1] == "Không có môn học “HOAHOC”."
    assert messages[2] == (
        "Thông tin này thuộc về cán bộ của một đơn vị ngoài phạm vi quản lý của bạn."
    )
    assert messages[3] == (
        "Không có đơn vị đang hoạt động có mã 99999999 thuộc Trường THCS An Bài."
    )
    assert messages[6] == "CB0004 bị trùng trong tệp: đã có ở dòng 5."
    assert counts() == before


def test_a_clerk_cannot_import_staff(world, tmp_path):
    path = write_xlsx(tmp_path / "cb.xlsx", STAFF_HEADERS, [[1, "", "CB1", "Lê Văn Sơn"]])
    with pytest.raises(PermissionDenied):
        upload(world.clerk, path, unit=world.school_a, kind="staff")


def test_classes_are_created_with_their_homeroom_teacher_and_reimport_changes_nothing(
    world, tmp_path
):
    staff_services.staff_update(
        actor=SYSTEM, staff=world.staff["homeroom"], data={"staff_code": "CB0009"}
    )
    rows = [
        [1, "34070001", "2025-2026", 6, "6A3", "Trần Thị Hoa"],
        [2, "", "2025–2026", 7, "7a1", "CB0009"],
        [3, "", "", 6, "6A1", "tran thi hoa"],
    ]
    path = write_xlsx(tmp_path / "lop.xlsx", CLASS_HEADERS, rows, sheet="Lop")
    job = upload(world.principal, path, unit=world.school_a, kind="classes", year=world.year)
    assert (job.created_count, job.updated_count, job.unchanged_count) == (2, 1, 0)
    _apply(world.principal, job)
    made = SchoolClass.objects.filter(school=world.school_a).order_by("name")
    assert [(c.name, c.grade, str(c.homeroom_teacher or "")) for c in made] == [
        ("6A1", 6, "Trần Thị Hoa"),
        ("6A2", 6, "Lê Văn Bình"),
        ("6A3", 6, "Trần Thị Hoa"),
        ("7A1", 7, "Lê Văn Bình"),
    ]
    before = counts()
    again = _apply(
        world.principal,
        upload(world.principal, path, unit=world.school_a, kind="classes", year=world.year),
    )
    assert (again.created_count, again.updated_count, again.unchanged_count) == (0, 0, 3)
    assert counts() == before


def test_bad_class_rows(world, tmp_path):
    rows = [
        [1, "", "2025-2026", 7, "6A2", ""],
        [2, "", "2030-2031", 6, "6A9", ""],
        [3, "", "", 12, "12A1", ""],
        [4, "", "", 6, "6A8", "Phạm Văn Cường"],  # works at school C
        [5, "34020001", "", 6, "6C2", ""],
        [6, "", "", "sáu", "", ""],
    ]
    path = write_xlsx(tmp_path / "lop.xlsx", CLASS_HEADERS, rows, sheet="Lop")
    before = counts()
    job = upload(world.principal, path, unit=world.school_a, kind="classes", year=world.year)
    assert [(e["row"], e["column"], e["message"]) for e in job.errors] == [
        (2, "Khối", "Lớp 6A2 đã có ở khối 6; không thể đổi khối của lớp."),
        (3, "Năm học", "Không có năm học “2030-2031” (ghi theo dạng 2025-2026)."),
        (4, "Khối", "Trường THCS An Bài không có khối 12."),
        (
            5,
            "Giáo viên chủ nhiệm",
            "Trường không có cán bộ nào có mã định danh hoặc họ tên “Phạm Văn Cường”.",
        ),
        (
            6,
            "Mã trường",
            "Không có trường đang hoạt động có mã 34020001 thuộc Trường THCS An Bài.",
        ),
        (7, "Khối", "Khối phải là một số từ 1 đến 12."),
        (7, "Tên lớp", "Trường này là bắt buộc."),
    ]
    assert counts() == before


def test_schools_are_imported_under_a_bureau(world, tmp_path):
    rows = [
        [1, "34070003", "Trường THCS Quỳnh Giao", "THCS", "", "Công lập", "", "Xã Quỳnh Giao",
         "02273862123", "c2quynhgiao@thaibinh.edu.vn"],
        [2, "34070001", "Trường THCS An Bài", "THCS", "6-9", "", "3407", "Xã An Bài", "", ""],
        [3, "34070004", "Trường Tiểu học Quỳnh Hải", "Tiểu học", "1-5", "cong lap", "", "",
         "", ""],
    ]  # fmt: skip
    path = write_xlsx(tmp_path / "truong.xlsx", SCHOOL_HEADERS, rows, sheet="Truong")
    job = upload(world.bureau, path, unit=world.bureau_unit, kind="schools")
    assert (job.created_count, job.updated_count, job.unchanged_count) == (2, 1, 0)
    _apply(world.bureau, job)
    giao = OrgUnit.objects.get(code="34070003")
    assert (giao.parent, giao.level, giao.grades, giao.ownership, giao.phone) == (
        world.bureau_unit,
        "thcs",
        [6, 7, 8, 9],
        "cong_lap",
        "02273862123",
    )
    assert giao.path == f"{world.bureau_unit.path}{giao.pk}/"
    world.school_a.refresh_from_db()
    assert world.school_a.address == "Xã An Bài"
    assert OrgUnit.objects.get(code="34070004").level == "tieu_hoc"
    before = counts()
    again = _apply(world.bureau, upload(world.bureau, path, unit=world.bureau_unit, kind="schools"))
    assert (again.created_count, again.updated_count, again.unchanged_count) == (0, 0, 3)
    assert counts() == before


def test_bad_school_rows_and_refused_targets(world, tmp_path):
    rows = [
        [1, "34020001", "Trường THCS Đông Hợp", "THCS", "", "", "", "", "", ""],
        [2, "34070005", "Trường mới", "Đại học", "", "", "", "", "", ""],
        [3, "34070006", "Trường mới 2", "THCS", "9-6", "", "", "", "", ""],
        [4, "34070007", "Trường mới 3", "THCS", "", "", "3402", "", "", ""],
        [5, "a b", "", "THCS", "", "", "", "", "", "mail"],
    ]
    path = write_xlsx(tmp_path / "truong.xlsx", SCHOOL_HEADERS, rows, sheet="Truong")
    before = counts()
    job = upload(world.bureau, path, unit=world.bureau_unit, kind="schools")
    assert [(e["row"], e["column"]) for e in job.errors] == [
        (2, "Mã trường"),
        (3, "Cấp học"),
        (4, "Khối lớp"),
        (5, "Mã đơn vị quản lý"),
        (6, "Mã trường"),
        (6, "Tên trường"),
        (6, "Email"),
    ]
    assert job.errors[0]["message"] == (
        "Mã 34020001 đã được dùng cho một đơn vị ngoài phạm vi quản lý của bạn."
    )
    assert job.errors[3]["message"] == (
        "Không có Sở hoặc Phòng đang hoạt động có mã 3402 thuộc Phòng GD&ĐT Quỳnh Phụ."
    )
    assert counts() == before
    with pytest.raises(ValidationError):
        upload(world.principal, path, unit=world.school_a, kind="schools")
    with pytest.raises(PermissionDenied):
        upload(world.other_bureau, path, unit=world.bureau_unit, kind="schools")
