"""Enrolment codes: CSV/.xlsx upload all or nothing with row/field messages, unique codes,
the audited .xlsx export for parents, and refusals that change nothing."""

from __future__ import annotations

import datetime as dt
import io

import openpyxl
import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from truongso.admissions.models import EnrolmentCode
from truongso.admissions.services import codes
from truongso.admissions.tests.rounds_world import english, make_round  # noqa: F401
from truongso.admissions.tests.test_zones_run import grade1
from truongso.core.models import AuditEntry

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

CSV = (
    "Họ và tên,Ngày sinh,Mã định danh,Tuyến\n"
    "Nguyễn  Văn An,01/03/2020,,Z1\n"
    "Trần Thị Bình,2020-07-15,0123456789,Z2\n"
).encode()


def test_csv_creates_unique_codes(world):
    r = grade1(world, zone_rules=True)
    report = codes.codes_import(actor=world.department, round=r, data=CSV, file_name="ds.csv")
    assert report.created == 2
    rows = list(
        EnrolmentCode.objects.filter(round=r)
        .order_by("child_name")
        .values_list("child_name", "birth_date", "learner_id", "zone", "school_id")
    )
    assert rows == [
        ("Nguyễn Văn An", dt.date(2020, 3, 1), "", "Z1", world.school_a.pk),
        ("Trần Thị Bình", dt.date(2020, 7, 15), "0123456789", "Z2", world.school_b.pk),
    ]
    found = list(EnrolmentCode.objects.filter(round=r).values_list("code", flat=True))
    assert len(set(found)) == 2 and all(len(c) == 8 for c in found)
    assert AuditEntry.objects.filter(action="admissions.codes_import").count() == 1


def test_xlsx_upload_and_export(world):
    r = grade1(world, zone_rules=True)
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Name", "Birth date", "Zone"])
    sheet.append(["Lê Chi", dt.date(2020, 1, 2), "Z3"])
    buffer = io.BytesIO()
    book.save(buffer)
    codes.codes_import(actor=world.department, round=r, data=buffer.getvalue(), file_name="ds.xlsx")
    export = codes.codes_export(actor=world.department, round=r)
    assert export.rows == 1
    sheet = openpyxl.load_workbook(io.BytesIO(export.content)).active
    values = [list(row) for row in sheet.iter_rows(values_only=True)]
    code = EnrolmentCode.objects.get(round=r).code
    assert [code, "Lê Chi", "02/01/2020", None, "Z3"] in [v[1:6] for v in values]
    entry = AuditEntry.objects.get(action="export", object_type="admissions.enrolment_codes")
    assert entry.after == {"rows": 1, "round": r.pk}


def test_bad_rows_save_nothing_and_name_row_and_field(world):
    r = grade1(world, zone_rules=True)
    data = (
        "Họ và tên,Ngày sinh,Mã định danh,Tuyến\n"
        "Nguyễn Văn An,01/03/2020,,Z1\n"
        ",31/02/2020,12345,Z7\n"
    ).encode()
    with pytest.raises(ValidationError) as info:
        codes.codes_import(actor=world.department, round=r, data=data, file_name="ds.csv")
    assert info.value.messages == [
        "Row 3, name: required.",
        "Row 3, birth date: not a date (dd/mm/yyyy).",
        "Row 3, learner ID: must be 10 digits.",
        "Row 3, zone: “Z7” is not a zone of the round's schools.",
    ]
    assert EnrolmentCode.objects.count() == 0


def test_rows_named_as_the_file_numbers_them_across_blank_rows(world):
    """A blank row is skipped, never counted out: "Row 5" is the spreadsheet's row 5."""
    r = grade1(world, zone_rules=True)
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Họ và tên", "Ngày sinh", "Mã định danh", "Tuyến"])
    sheet.append(["Nguyễn Văn An", "01/03/2020", None, "Z1"])
    sheet.append([None, None, None, None])
    sheet.append([])
    sheet.append(["Lê Chi", "31/02/2020", None, "Z1"])
    buffer = io.BytesIO()
    book.save(buffer)
    with pytest.raises(ValidationError) as info:
        codes.codes_import(
            actor=world.department, round=r, data=buffer.getvalue(), file_name="ds.xlsx"
        )
    assert info.value.messages == ["Row 5, birth date: not a date (dd/mm/yyyy)."]
    data = "Họ và tên,Ngày sinh,Mã định danh,Tuyến\n\n\nAn,01/03/2020,,Z9\n".encode()
    with pytest.raises(ValidationError) as info:
        codes.codes_import(actor=world.department, round=r, data=data, file_name="ds.csv")
    assert info.value.messages == ["Row 4, zone: “Z9” is not a zone of the round's schools."]
    assert EnrolmentCode.objects.count() == 0


def test_missing_column_and_wrong_file(world):
    r = grade1(world, zone_rules=True)
    with pytest.raises(ValidationError) as info:
        codes.codes_import(actor=world.department, round=r, data=b"Name\nAn\n", file_name="a.csv")
    assert info.value.messages == ["Row 1: missing column(s): Birth date, Zone."]
    with pytest.raises(ValidationError) as info:
        codes.codes_import(
            actor=world.department, round=r, data=b"\n,,\nName\nAn\n", file_name="a.csv"
        )
    assert info.value.messages == ["Row 3: missing column(s): Birth date, Zone."]
    with pytest.raises(ValidationError) as info:
        codes.codes_import(actor=world.department, round=r, data=b"%PDF", file_name="a.xlsx")
    assert info.value.messages == ["The file is not a readable .xlsx workbook."]
    assert EnrolmentCode.objects.count() == 0


def test_denied_and_grade10_change_nothing(world):
    r = grade1(world, zone_rules=True)
    with pytest.raises(PermissionDenied):
        codes.codes_import(actor=world.principal, round=r, data=CSV, file_name="ds.csv")
    with pytest.raises(PermissionDenied):
        codes.codes_export(actor=world.principal, round=r)
    with pytest.raises(ValidationError):
        codes.codes_import(
            actor=world.department, round=make_round(world), data=CSV, file_name="ds.csv"
        )
    assert EnrolmentCode.objects.count() == 0
    assert not AuditEntry.objects.filter(object_type="admissions.enrolment_codes").exists()


def test_row_messages_in_vietnamese(world):
    from django.utils import translation

    r = grade1(world, zone_rules=True)
    data = "Họ và tên,Ngày sinh,Tuyến\nAn,01/03/2020,Z7\n".encode()
    with translation.override("vi"), pytest.raises(ValidationError) as info:
        codes.codes_import(actor=world.department, round=r, data=data, file_name="ds.csv")
    assert info.value.messages == [
        "Dòng 2, khu vực: “Z7” không phải khu vực của trường nào trong đợt."
    ]
