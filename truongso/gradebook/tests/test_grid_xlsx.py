"""The grid as .xlsx: export read back with openpyxl, round trip changes nothing, a dry run
lists every bad cell, apply saves all or nothing, a file of another class is refused."""

from __future__ import annotations

import io

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from truongso.core.authz import SYSTEM
from truongso.core.models import AuditEntry
from truongso.gradebook.models import SubjectTerm
from truongso.gradebook.services.cells import CellChange, scores_save
from truongso.gradebook.xlsx import CODES_ROW, FIRST_ROW, HEADER_ROW, META_SHEET
from truongso.registry.models import Subject
from truongso.registry.services import classes
from truongso.registry.tests.test_org_views import login

pytestmark = pytest.mark.usefixtures("registry_consistent")


def url(world, name, school_class=None, subject="TOAN", semester=1):
    school_class = school_class or world.class_6a1
    return reverse(f"gradebook:{name}", args=[school_class.pk, subject, semester])


def enter(world, key, values, school_class=None):
    scores_save(
        actor=SYSTEM,
        school_class=school_class or world.class_6a1,
        subject=Subject.objects.get(code="TOAN"),
        semester=1,
        changes=[CellChange(world.students[key].pk, c, "", v) for c, v in values.items()],
    )


def export(client, world, **kwargs):
    response = client.get(url(world, "grid_export", **kwargs))
    assert response.status_code == 200
    return openpyxl.load_workbook(io.BytesIO(response.content))


def upload(client, world, book, **kwargs):
    out = io.BytesIO()
    book.save(out)
    data = SimpleUploadedFile("so-diem.xlsx", out.getvalue())
    return client.post(url(world, "grid_import", **kwargs), {"file": data})


def find_row(sheet, name):
    for r in range(FIRST_ROW, sheet.max_row + 1):
        if sheet.cell(row=r, column=4).value == name:
            return r
    raise AssertionError(name)


def column(sheet, code):
    codes = [c.value for c in sheet[CODES_ROW]]
    return codes.index(code) + 1


def test_export_identifies_class_subject_and_students(client, world):
    enter(world, "an", {"tx1": "6", "tx3": "7.5", "ck": "10"})
    login(client, world.teacher)
    book = export(client, world)
    sheet = book.worksheets[0]
    assert sheet.title == "Sổ điểm"
    assert sheet["A1"].value == "Trường THCS An Bài"
    assert sheet["A2"].value == "Lớp 6A1 – Toán – học kì I – năm học 2025–2026"
    labels = [c.value for c in sheet[HEADER_ROW]]
    assert labels == [
        "ID",
        "STT",
        "Mã định danh",
        "Họ và tên",
        "TX1",
        "TX2",
        "TX3",
        "TX4",
        "GK",
        "CK",
        "Nhận xét",
    ]
    assert sheet.column_dimensions["A"].hidden and sheet.row_dimensions[CODES_ROW].hidden
    r = find_row(sheet, "Nguyễn Văn An")
    assert sheet.cell(row=r, column=1).value == world.students["an"].pk
    learner = sheet.cell(row=r, column=3)
    assert (learner.value, learner.number_format) == ("3407000001", "@")
    assert [sheet.cell(row=r, column=c).value for c in range(5, 12)] == [
        6,
        None,
        7.5,
        None,
        None,
        10,
        None,
    ]
    meta = dict(book[META_SHEET].iter_rows(values_only=True))
    assert book[META_SHEET].sheet_state == "hidden"
    assert (meta["class"], meta["subject"], meta["semester"], meta["class_name"]) == (
        str(world.class_6a1.pk),
        "TOAN",
        "1",
        "6A1",
    )
    entry = AuditEntry.objects.get(action="export")
    assert (entry.actor, entry.object_type, entry.after["rows"]) == (
        world.teacher,
        "gradebook.grid",
        2,
    )
    assert entry.org_path == world.school_a.path


def test_round_trip_changes_nothing(client, world):
    enter(world, "an", {"tx1": "6", "tx3": "7.5", "ck": "10", "comment": "Chăm chỉ"})
    login(client, world.teacher)
    before = list(SubjectTerm.objects.values_list("cells", "comment"))
    response = upload(client, world, export(client, world))
    assert response.status_code == 200
    assert response.context["count"] == 0
    assert "Tệp không có thay đổi nào so với sổ điểm." in response.content.decode()
    assert list(SubjectTerm.objects.values_list("cells", "comment")) == before
    assert not AuditEntry.objects.filter(action="score.update", actor=world.teacher).exists()


def test_import_dry_run_then_apply(client, world):
    enter(world, "an", {"tx1": "6"})
    login(client, world.teacher)
    book = export(client, world)
    sheet = book.worksheets[0]
    r_an, r_binh = find_row(sheet, "Nguyễn Văn An"), find_row(sheet, "Đỗ Thị Bình")
    sheet.cell(row=r_an, column=column(sheet, "tx1"), value=6.5)
    sheet.cell(row=r_binh, column=column(sheet, "gk"), value="8,5")
    sheet.cell(row=r_binh, column=column(sheet, "comment"), value="Tiến bộ")
    response = upload(client, world, book)
    assert response.status_code == 200 and response.context["count"] == 3
    assert not SubjectTerm.objects.filter(student=world.students["binh"]).exists()  # dry run
    assert SubjectTerm.objects.get(student=world.students["an"]).cells == {"tx1": "6"}
    changes = {
        (c["student"], c["column"]): (c["old"], c["new"]) for c in response.context["changes"]
    }
    assert changes[("Nguyễn Văn An", "TX1")] == ("6", "6.5")
    token = response.context["token"]
    applied = client.post(url(world, "grid_import"), {"token": token}, follow=True)
    assert "Đã nhập: 3 ô thay đổi." in applied.content.decode()
    assert SubjectTerm.objects.get(student=world.students["an"]).cells == {"tx1": "6.5"}
    binh = SubjectTerm.objects.get(student=world.students["binh"])
    assert (binh.cells, binh.comment) == ({"gk": "8.5"}, "Tiến bộ")
    again = client.post(url(world, "grid_import"), {"token": token}, follow=True)
    assert "đã hết hạn" in again.content.decode()


def test_import_lists_every_bad_cell_and_saves_nothing(client, world):
    login(client, world.teacher)
    book = export(client, world)
    sheet = book.worksheets[0]
    r_an, r_binh = find_row(sheet, "Nguyễn Văn An"), find_row(sheet, "Đỗ Thị Bình")
    sheet.cell(row=r_an, column=column(sheet, "tx1"), value=8)
    sheet.cell(row=r_an, column=column(sheet, "tx2"), value=8.25)
    sheet.cell(row=r_binh, column=column(sheet, "ck"), value="mười")
    sheet.cell(row=20, column=4, value="Học sinh lạ")
    sheet.cell(row=20, column=5, value=9)
    response = upload(client, world, book)
    assert response.status_code == 400
    problems = [(p.row, p.column, p.message) for p in response.context["problems"]]
    assert (r_binh, r_an) == (FIRST_ROW, FIRST_ROW + 1)  # name order
    assert problems == [
        (r_binh, "CK", "Cột CK chỉ nhận số từ 0 đến 10, không nhận “mười”."),
        (r_an, "TX2", "Điểm chỉ có tối đa một chữ số thập phân (8.25)."),
        (
            20,
            "ID",
            "Dòng này không có mã học sinh (cột ẩn A); hãy thêm học sinh ở trang lớp, không thêm "
            "vào tệp.",
        ),
    ]
    assert "token" not in response.context
    assert not SubjectTerm.objects.exists()


def test_file_of_another_class_is_refused(client, world):
    classes.teaching_assign(
        actor=SYSTEM,
        school_class=world.class_6a2,
        subject=Subject.objects.get(code="TOAN"),
        staff=world.staff["teacher"],
    )
    login(client, world.teacher)
    other = export(client, world, school_class=world.class_6a2)
    response = upload(client, world, other)
    assert response.status_code == 400
    assert response.context["form"].errors["file"] == [
        "Tệp này là sổ điểm của lớp 6A2, không phải lớp 6A1."
    ]
    semester_two = export(client, world, semester=2)
    response = upload(client, world, semester_two)
    assert response.context["form"].errors["file"] == [
        "Tệp này là của học kì II, không phải học kì I."
    ]
    assert not SubjectTerm.objects.exists()


def test_not_a_gradebook_file(client, world):
    login(client, world.teacher)
    plain = openpyxl.Workbook()
    plain.active["A1"] = "Điểm"
    response = upload(client, world, plain)
    assert "không phải tệp sổ điểm xuất từ Trường Số" in response.context["form"].errors["file"][0]
    pdf = SimpleUploadedFile("diem.xlsx", b"%PDF-1.4 rubbish")
    response = client.post(url(world, "grid_import"), {"file": pdf})
    assert response.status_code == 400 and "PDF" in response.context["form"].errors["file"][0]
    empty = client.post(url(world, "grid_import"), {})
    assert empty.status_code == 400 and empty.context["form"].errors["file"]
    assert not SubjectTerm.objects.exists()


def test_locked_columns_are_refused_on_import(client, world):
    import datetime as dt

    from django.utils import timezone

    from truongso.gradebook.services.periods import deadlines_set

    login(client, world.teacher)
    book = export(client, world)
    deadlines_set(
        actor=world.principal,
        school=world.school_a,
        year=world.year,
        semester=1,
        deadlines={"tx": timezone.now() - dt.timedelta(hours=1)},
    )
    sheet = book.worksheets[0]
    sheet.cell(row=find_row(sheet, "Nguyễn Văn An"), column=column(sheet, "tx1"), value=9)
    sheet.cell(row=find_row(sheet, "Nguyễn Văn An"), column=column(sheet, "gk"), value=9)
    response = upload(client, world, book)
    [problem] = response.context["problems"]
    assert problem.column == "TX1" and "đã khoá" in problem.message
    assert not SubjectTerm.objects.exists()


def test_export_and_import_permissions(client, world):
    login(client, world.principal)
    assert client.get(url(world, "grid_export")).status_code == 200  # leaders may read
    assert client.get(url(world, "grid_import")).status_code == 403
    for who in ("parent", "student", "bureau", "principal_c", "homeroom"):
        login(client, world.users[who])
        assert client.get(url(world, "grid_export")).status_code == 404
        assert client.get(url(world, "grid_import")).status_code == 404
    assert AuditEntry.objects.filter(action="export").count() == 1
