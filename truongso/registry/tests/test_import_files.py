"""Reading uploaded files: header aliases, the Ministry learner sheet, the templates, and
every kind of bad file (each refused with a Vietnamese message, never a crash)."""

from __future__ import annotations

import io
import zipfile
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from openpyxl import Workbook, load_workbook

from truongso.registry.imports import jobs
from truongso.registry.imports.headers import SPECS, STUDENTS, header_key
from truongso.registry.imports.reader import match_header, read_all
from truongso.registry.imports.template_book import template_workbook
from truongso.registry.models import ImportJob, Student
from truongso.registry.tests.io_support import (
    STUDENT_HEADERS,
    counts,
    student_row,
    upload,
    write_xlsx,
)


@pytest.fixture(autouse=True)
def media(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


def _refusal(world: Any, path: Any, kind: str = "students") -> str:
    unit = world.school_a if kind != "schools" else world.bureau_unit
    before = counts()
    with pytest.raises(ValidationError) as caught:
        upload(world.principal, path, unit=unit, kind=kind, year=world.year)
    assert counts() == before
    assert not ImportJob.objects.exists()
    return " ".join(caught.value.message_dict["file"])


@pytest.mark.parametrize(
    "written", ["Ho va ten", "Họ tên", "HỌ VÀ TÊN", " họ  và   tên (*) ", "Họ và tên học sinh"]
)
def test_headers_match_by_folded_name_and_aliases(written):
    layout = match_header([["STT", written, "Ngày sinh (dd/mm/yyyy)", "Lớp"]], 0, STUDENTS)
    assert {i: c.key for i, c in layout.columns.items()} == {
        0: "row_no",
        1: "full_name",
        2: "birth_date",
        3: "class_name",
    }
    assert layout.labels["full_name"] == written.strip()


def test_no_alias_belongs_to_two_columns_of_a_template():
    for spec in SPECS.values():
        keys = [key for column in spec.columns for key in column.keys]
        assert len(keys) == len(set(keys)), spec.kind


def test_the_header_row_may_be_below_title_rows(world, tmp_path):
    path = write_xlsx(
        tmp_path / "a.xlsx",
        STUDENT_HEADERS,
        [student_row()],
        above=[["DANH SÁCH HỌC SINH NĂM HỌC 2025-2026"], ["Trường THCS An Bài"], []],
    )
    layout, rows = read_all(path, STUDENTS)
    assert (layout.sheet_name, layout.header_row) == ("HocSinh", 4)
    assert rows[0][0] == 5
    assert rows[0][1]["full_name"] == "Phạm Minh Khoa"


def test_the_ministry_learner_sheet_is_read(world, tmp_path):
    """The portal's "C1-HocSinh" layout as far as it is known: title lines, "Mã học sinh",
    "Họ tên", a "Mã định danh" holding the 12-digit personal ID, parents under a group
    header spanning two rows."""
    book = Workbook()
    sheet = book.active
    sheet.title = "C1-HocSinh"
    sheet.append(["SỞ GD&ĐT THÁI BÌNH"])
    sheet.append(["DANH SÁCH HỌC SINH"])
    sheet.append(
        [
            "STT",
            "Mã học sinh",
            "Họ tên",
            "Ngày sinh",
            "Giới tính",
            "Dân tộc",
            "Mã định danh",
            "Lớp",
            "Thông tin cha",
            None,
            "Mẹ",
            None,
        ]
    )
    sheet.append(
        [
            None,
            None,
            None,
            None,
            None,
            None,
            None,
            None,
            "Họ tên",
            "Số điện thoại",
            "Họ tên",
            "Số điện thoại",
        ]
    )
    sheet.append(
        [
            1,
            "3407000101",
            "Phạm Minh Khoa",
            "05/09/2014",
            "Nam",
            "Kinh",
            "034214000555",
            "6A1",
            "Phạm Văn Long",
            "0912000001",
            "Lê Thị Hằng",
            "",
        ]
    )
    sheet.append(
        [2, "3407000001", "Nguyễn Văn An", "12/03/2014", "Nam", "Kinh", "", "6A1", "", "", "", ""]
    )
    path = tmp_path / "C1-HocSinh.xlsx"
    book.save(path)

    layout, rows = read_all(path, STUDENTS)
    assert (layout.sheet_name, layout.header_row) == ("C1-HocSinh", 4)
    assert rows[0][1]["father_name"] == "Phạm Văn Long"
    assert rows[0][1]["mother_name"] == "Lê Thị Hằng"
    job = upload(world.principal, path, unit=world.school_a, year=world.year)
    assert (job.status, job.created_count, job.unchanged_count) == ("validated", 1, 1)
    jobs.import_job_confirm(actor=world.principal, job=job)
    khoa = Student.objects.get(learner_id="3407000101")
    assert (khoa.citizen_id, khoa.current_class) == ("034214000555", world.class_6a1)
    assert sorted(khoa.guardian_links.values_list("relation", "guardian__phone")) == [
        ("father", "0912000001"),
        ("mother", ""),
    ]


@pytest.mark.parametrize("kind", list(SPECS))
def test_each_template_has_vietnamese_headers_lists_text_columns_and_instructions(kind, tmp_path):
    path = tmp_path / f"{kind}.xlsx"
    path.write_bytes(template_workbook(SPECS[kind]))
    book = load_workbook(path)
    assert book.sheetnames[:2] == [SPECS[kind].sheet, "Hướng dẫn"]
    data = book[SPECS[kind].sheet]
    headers = [c.value for c in data[1]]
    assert headers == [c.header for c in SPECS[kind].template_columns]
    assert book["Hướng dẫn"]["A1"].value == "Hướng dẫn điền tệp mẫu"
    assert book["DanhMuc"].sheet_state == "hidden"
    if kind == "students":
        assert headers == [
            "STT", "Mã định danh học sinh", "Họ và tên", "Ngày sinh", "Giới tính", "Dân tộc",
            "Số định danh cá nhân (CCCD)", "Nơi sinh", "Quê quán", "Địa chỉ thường trú",
            "Nơi ở hiện nay", "Lớp", "Ngày vào trường", "Họ tên cha", "SĐT cha", "Họ tên mẹ",
            "SĐT mẹ", "Họ tên người giám hộ", "SĐT người giám hộ",
        ]  # fmt: skip
        assert data.column_dimensions["B"].number_format == "@"  # learner ID as text
        assert data.column_dimensions["D"].number_format == "@"  # dates as text
        lists = {str(v.sqref): v.formula1 for v in data.data_validations.dataValidation}
        assert lists == {"E2:E2001": "DanhMuc!$A$1:$A$2", "F2:F2001": "DanhMuc!$B$1:$B$55"}
        assert [book["DanhMuc"].cell(row=r, column=1).value for r in (1, 2)] == ["Nam", "Nữ"]


def test_an_empty_template_upload_says_there_are_no_rows(world, tmp_path):
    path = tmp_path / "mau.xlsx"
    path.write_bytes(template_workbook(STUDENTS))
    assert _refusal(world, path) == (
        "Trang tính “HocSinh” chỉ có dòng tiêu đề, không có dòng dữ liệu nào."
    )


def test_the_wrong_template_names_the_missing_columns_and_the_expected_template(world, tmp_path):
    staff = [c.header for c in SPECS["staff"].template_columns]
    path = write_xlsx(tmp_path / "gv.xlsx", staff, [[1, "34070001", "CB01", "Trần Văn Tâm"]])
    assert _refusal(world, path) == (
        "Đây không phải mẫu nhập học sinh: không tìm thấy các cột “Lớp” trong 10 dòng đầu. "
        "Tệp này có vẻ là mẫu nhập cán bộ, giáo viên. Hãy tải tệp mẫu ở trang nhập dữ liệu."
    )
    path = write_xlsx(tmp_path / "x.xlsx", ["Tên", "Tuổi"], [["An", 12]])
    assert _refusal(world, path).startswith(
        "Đây không phải mẫu nhập học sinh: không tìm thấy các cột “Họ và tên”, “Ngày sinh”, "
        "“Giới tính”, “Lớp”"
    )


def test_bad_files_are_refused_with_a_clear_message(world, tmp_path):
    cases = {
        "text.xlsx": (b"STT;Ho ten\n1;An\n", "Đây là tệp văn bản hoặc CSV"),
        "scan.xlsx": (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj", "Đây là tệp PDF"),
        "binary.xlsx": (bytes(range(256)) * 4, "Đây không phải tệp Excel (.xlsx)"),
        "empty.xlsx": (b"", "Tệp rỗng (0 byte)."),
        "old.xls": (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600, "Đây là tệp Excel 97–2003"),
        "locked.xlsx": (
            b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + "EncryptedPackage".encode("utf-16-le"),
            "Tệp được đặt mật khẩu.",
        ),
    }
    for name, (content, message) in cases.items():
        path = tmp_path / name
        path.write_bytes(content)
        assert _refusal(world, path).startswith(message), name


def test_broken_zips_and_other_documents_are_refused(world, tmp_path):
    good = tmp_path / "good.xlsx"
    write_xlsx(good, STUDENT_HEADERS, [student_row()])
    truncated = tmp_path / "cut.xlsx"
    truncated.write_bytes(good.read_bytes()[:3000])
    assert _refusal(world, truncated) == "Tệp bị hỏng (không phải một tệp .xlsx hoàn chỉnh)."
    docx = io.BytesIO()
    with zipfile.ZipFile(docx, "w") as archive:
        archive.writestr("word/document.xml", "<w:document/>")
    (tmp_path / "doc.xlsx").write_bytes(docx.getvalue())
    assert _refusal(world, tmp_path / "doc.xlsx") == "Tệp này không phải tệp Excel (.xlsx)."
    broken = io.BytesIO()
    with zipfile.ZipFile(broken, "w") as archive:
        archive.writestr("[Content_Types].xml", "not xml")
        archive.writestr("xl/workbook.xml", "<<<")
    (tmp_path / "broken.xlsx").write_bytes(broken.getvalue())
    assert _refusal(world, tmp_path / "broken.xlsx") == (
        "Tệp bị hỏng hoặc không phải tệp .xlsx hợp lệ, không đọc được."
    )


def test_an_empty_workbook_and_a_header_only_sheet(world, tmp_path):
    empty = tmp_path / "empty.xlsx"
    Workbook().save(empty)
    assert _refusal(world, empty) == "Tệp không có dữ liệu: mọi trang tính đều trống."
    headers = write_xlsx(tmp_path / "headers.xlsx", STUDENT_HEADERS, [])
    assert _refusal(world, headers) == (
        "Trang tính “HocSinh” chỉ có dòng tiêu đề, không có dòng dữ liệu nào."
    )


def test_size_and_row_limits(world, tmp_path, settings):
    path = write_xlsx(tmp_path / "a.xlsx", STUDENT_HEADERS, [student_row(), student_row()])
    settings.IMPORT_MAX_BYTES = 1000
    size = path.stat().st_size
    assert _refusal(world, path) == (
        f"Tệp có dung lượng {(size + 1023) // 1024} KB; dung lượng tối đa được chấp nhận là 1 KB."
    )
    settings.IMPORT_MAX_BYTES = 40 * 1024 * 1024
    settings.IMPORT_MAX_ROWS = 1
    job = upload(world.principal, path, unit=world.school_a, year=world.year)
    assert (job.status, job.message) == (
        "invalid",
        "Trang tính có hơn 1 dòng; hãy tách thành nhiều tệp.",
    )


def test_header_keys_fold_vietnamese():
    assert header_key("Số ĐT (cha)*") == "so dt cha"
    assert header_key("SĐT người giám hộ") == "sdt nguoi giam ho"
