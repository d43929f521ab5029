"""Exam-score import: CSV and .xlsx, all-or-nothing with row/column messages, the admission
score (formula + highest priority bonus + capped encouragement, exclusion on a zero)."""

from __future__ import annotations

import io
from decimal import Decimal

import openpyxl
import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from truongso.admissions.models import Application, ExamScore, RoundStatus
from truongso.admissions.services import rounds, scores
from truongso.admissions.tests.rounds_world import apply, english, make_round  # noqa: F401
from truongso.core.models import AuditEntry
from truongso.core.tests.test_tables import zip_bomb

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


@pytest.fixture
def round10(world):
    r = make_round(world)
    apply(r, "HS0001", [world.school_a], priority_group="2", encouragement="0.5")
    apply(r, "HS0002", [world.school_b], priority_group="1,3", encouragement="5")
    apply(r, "HS0003", [world.school_c])
    return r


CSV = "ma_ho_so,toan,van,anh\nHS0001,8.5,7.25,9\nHS0002,9,8,0\nHS0003,6,7,8\n"


def test_csv_import_computes_admission_scores(world, round10):
    result = scores.scores_import(
        actor=world.department, round=round10, content=CSV.encode(), filename="diem.csv"
    )
    assert result == scores.ScoreImport(rows=3, changed=3, scored=2, excluded=1)
    got = dict(Application.objects.values_list("code", "admission_score"))
    # 8.5 + 7.25 + 9 + 1.5 (group 2) + 0.5
    assert got == {"HS0001": Decimal("26.75"), "HS0002": None, "HS0003": Decimal("21.00")}
    assert Application.objects.get(code="HS0002").excluded_reason == (
        "A zero in Tiếng Anh excludes the candidate"
    )
    assert ExamScore.objects.count() == 9
    assert AuditEntry.objects.filter(action="admissions.scores").count() == 3
    summary = AuditEntry.objects.get(action="admissions.scores_import")
    assert summary.after["rows"] == 3
    # the same file again changes nothing
    again = scores.scores_import(
        actor=world.department, round=round10, content=CSV.encode(), filename="diem.csv"
    )
    assert again.changed == 0
    assert AuditEntry.objects.filter(action="admissions.scores").count() == 3


def test_highest_bonus_and_encouragement_cap(world, round10):
    round10.exclude_on_zero = False
    round10.save()
    scores.scores_import(
        actor=world.department, round=round10, content=CSV.encode(), filename="diem.csv"
    )
    # 9 + 8 + 0 + 2.0 (best of groups 1 and 3) + 2 (5 capped at 2)
    assert Application.objects.get(code="HS0002").admission_score == Decimal("21.00")


def test_xlsx_with_subject_names_and_learner_ids(world, round10):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Mã học sinh", "Toán", "Ngữ văn", "Tiếng Anh"])
    for app in Application.objects.order_by("code"):
        sheet.append([app.learner_id, 5.25, 6, 7.5])
    buffer = io.BytesIO()
    book.save(buffer)
    scores.scores_import(
        actor=world.department, round=round10, content=buffer.getvalue(), filename="d.xlsx"
    )
    assert set(Application.objects.values_list("admission_score", flat=True)) == {
        Decimal("18.75") + Decimal("1.5") + Decimal("0.5"),
        Decimal("18.75") + Decimal("2") + Decimal("2"),
        Decimal("18.75"),
    }


def test_semicolon_csv_with_decimal_commas(world, round10):
    content = "ma_ho_so;toan;van;anh\nHS0003;6,5;7;8\n".encode("utf-8-sig")
    scores.scores_import(actor=world.department, round=round10, content=content, filename="x.csv")
    assert Application.objects.get(code="HS0003").admission_score == Decimal("21.50")
    assert Application.objects.get(code="HS0001").excluded_reason == (
        "No exam score in Toán, Ngữ văn, Tiếng Anh"
    )


def test_bad_file_refused_whole_with_row_and_column(world, round10):
    bad = (
        "ma_ho_so,toan,van,anh\n"
        "HS0001,8.5,7.25,9\n"
        "HS0009,1,1,1\n"
        "HS0003,11,abc,7.125\n"
        "HS0001,1,1,1\n"
        "HS0002,,1,1\n"
    )
    with pytest.raises(ValidationError) as exc:
        scores.scores_import(
            actor=world.department, round=round10, content=bad.encode(), filename="d.csv"
        )
    assert exc.value.messages == [
        "Row 3, column “ma_ho_so”: no application HS0009 in this round.",
        "Row 4, column “toan”: 11 is outside 0–10.",
        "Row 4, column “van”: “abc” is not a number.",
        "Row 4, column “anh”: 7.125 has more than two decimals.",
        "Row 5, column “ma_ho_so”: HS0001 already appears on row 2.",
        "Row 6, column “toan”: the score is missing.",
    ]
    assert ExamScore.objects.count() == 0
    assert not AuditEntry.objects.filter(action__startswith="admissions.scores").exists()


def test_rows_named_as_the_file_numbers_them_across_blank_rows(world, round10):
    """Blank rows are skipped, never counted out: the messages name the sheet's own rows."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["ma_ho_so", "toan", "van", "anh"])
    sheet.append(["HS0001", 8.5, 7.25, 9])
    sheet.append([])
    sheet.append([None, None, None, None])
    sheet.append(["HS0009", 1, 1, 1])
    sheet.append(["HS0001", 1, 1, 1])
    buffer = io.BytesIO()
    book.save(buffer)
    with pytest.raises(ValidationError) as exc:
        scores.scores_import(
            actor=world.department, round=round10, content=buffer.getvalue(), filename="d.xlsx"
        )
    assert exc.value.messages == [
        "Row 5, column “ma_ho_so”: no application HS0009 in this round.",
        "Row 6, column “ma_ho_so”: HS0001 already appears on row 2.",
    ]
    csv = "ma_ho_so,toan,van,anh\n\nHS0001,8.5,7.25,9\n,,,\nHS0002,x,1,1\n"
    with pytest.raises(ValidationError) as exc:
        scores.scores_import(
            actor=world.department, round=round10, content=csv.encode(), filename="d.csv"
        )
    assert exc.value.messages == ["Row 5, column “toan”: “x” is not a number."]
    assert ExamScore.objects.count() == 0


def test_bad_headers(world, round10):
    with pytest.raises(ValidationError) as exc:
        scores.scores_import(
            actor=world.department, round=round10, content=b"ho_ten,toan,li\n", filename="d.csv"
        )
    assert exc.value.messages == [
        "Column “ho_ten” is not a subject of this round (expected: toan, van, anh).",
        "Column “li” is not a subject of this round (expected: toan, van, anh).",
        "No column names the applicant (ma_ho_so or learner_id).",
        "Missing subject columns: van, anh.",
    ]
    with pytest.raises(ValidationError, match="not an Excel"):
        scores.scores_import(
            actor=world.department, round=round10, content=b"%PDF-1.4", filename="d.xlsx"
        )
    with pytest.raises(ValidationError, match="cannot be read"):
        scores.scores_import(
            actor=world.department, round=round10, content=b"PK\x03\x04junk", filename="d.xlsx"
        )
    with pytest.raises(ValidationError, match="not UTF-8"):
        scores.scores_import(
            actor=world.department, round=round10, content="toán".encode("cp1258"), filename="d.csv"
        )


def test_denied_and_wrong_status(world, round10):
    for user in (world.principal, world.bureau, world.parent):
        with pytest.raises(PermissionDenied):
            scores.scores_import(actor=user, round=round10, content=CSV.encode(), filename="d.csv")
    round10.status = RoundStatus.OPEN
    round10.save()
    with pytest.raises(ValidationError, match="after registration closes"):
        scores.scores_import(
            actor=world.department, round=round10, content=CSV.encode(), filename="d.csv"
        )
    assert ExamScore.objects.count() == 0


def test_admission_score_doubled_formula(world):
    r = make_round(world)
    r.formula = {
        "subjects": [
            {"code": "toan", "name": "Toán", "weight": 2},
            {"code": "van", "name": "Văn", "weight": 2},
            {"code": "anh", "name": "Anh", "weight": 1},
        ],
        "max_score": 10,
    }
    assert rounds.formula_problems(r.formula, r.kind) == []
    value = scores.admission_score(
        r, scores={"toan": Decimal("8"), "van": Decimal("7.5"), "anh": Decimal("9")}
    )
    assert value == (Decimal("40.00"), "")


def test_learner_id_read_as_a_number_by_excel_keeps_its_leading_zero(world, round10):
    Application.objects.filter(code="HS0003").update(learner_id="0100000003")
    book = openpyxl.Workbook()
    book.active.append(["learner_id", "toan", "van", "anh"])
    book.active.append([100000003, 5, 6, 7])
    buffer = io.BytesIO()
    book.save(buffer)
    scores.scores_import(
        actor=world.department, round=round10, content=buffer.getvalue(), filename="d.xlsx"
    )
    assert Application.objects.get(code="HS0003").admission_score == Decimal("18.00")


def test_a_zip_bomb_is_refused_in_its_own_words(world, round10, settings):
    settings.IMPORT_MAX_BYTES = 64 * 1024
    with pytest.raises(ValidationError) as exc:
        scores.scores_import(
            actor=world.department,
            round=round10,
            content=zip_bomb(4 * 1024 * 1024),
            filename="diem.xlsx",
        )
    assert exc.value.messages == ["The workbook is too large once unpacked."]
    assert ExamScore.objects.count() == 0
