"""The one set of cleaning rules shared by forms, the API and spreadsheets."""

from __future__ import annotations

import datetime as dt
import unicodedata

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st

from truongso.core.text import fold
from truongso.registry.cleaning import (
    clean_birth_date,
    clean_citizen_id,
    clean_date,
    clean_ethnicity,
    clean_full_name,
    clean_gender,
    clean_guardian_data,
    clean_learner_id,
    clean_phone,
    clean_student_data,
)

TODAY = dt.date(2026, 11, 24)
VIETNAMESE_LETTERS = (
    "aàáảãạăằắẳẵặâầấẩẫậbcdđeèéẻẽẹêềếểễệghiìíỉĩịklmnoòóỏõọôồốổỗộơờớởỡợpqrstuùúủũụưừứửữựvxyỳýỷỹỵ"
)


@pytest.fixture(autouse=True)
def _vietnamese():
    with translation.override("vi"):
        yield


def message(exc: pytest.ExceptionInfo[ValidationError]) -> str:
    return " ".join(exc.value.messages)


# --- Names --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name",
    [
        "H'Hen Niê",
        "Nguyễn Thị Ánh-Tuyết",
        "Y-Moan Êban",
        "Đặng Thị Ngọc Ánh",
        "Lò Văn Pó",
        "Kpă H’Bia",
        "Nguyễn Văn A.",
    ],
)
def test_names_with_diacritics_are_accepted(name):
    assert clean_full_name(name) == name


def test_names_are_normalised_to_nfc_with_single_spaces():
    decomposed = unicodedata.normalize("NFD", "  Nguyễn   Thị  Ánh ")
    assert clean_full_name(decomposed) == "Nguyễn Thị Ánh"


@pytest.mark.parametrize(
    "name",
    [
        "Nguyễn Văn 2",
        "<script>alert(1)</script>",
        "Robert'); DROP TABLE registry_student;--",
        "An; DELETE FROM x",
        "A",
        "",
        "   ",
        "Trần_Thị",
        "x" * 101,
    ],
)
def test_bad_names_are_rejected_with_the_field_named(name):
    with pytest.raises(ValidationError) as refused:
        clean_student_data({"full_name": name, "birth_date": "01/01/2014", "gender": "F"})
    assert list(refused.value.message_dict) == ["full_name"]


def test_name_error_is_vietnamese_and_quotes_the_input():
    with pytest.raises(ValidationError) as refused:
        clean_full_name("Nguyễn Văn 2")
    assert message(refused) == (
        "Họ tên chỉ được chứa chữ cái, dấu cách, dấu nháy đơn và dấu gạch nối "
        "(nhận được “Nguyễn Văn 2”)."
    )


words = st.text(alphabet=VIETNAMESE_LETTERS, min_size=1, max_size=8)
names = st.lists(words, min_size=2, max_size=5).map(" ".join)


@given(names)
def test_any_vietnamese_name_is_accepted_and_cleaning_is_idempotent(name):
    cleaned = clean_full_name(name)
    assert clean_full_name(cleaned) == cleaned


@given(names, st.integers(min_value=0, max_value=9))
def test_a_digit_anywhere_rejects_the_name(name, digit):
    position = len(name) // 2
    with pytest.raises(ValidationError):
        clean_full_name(f"{name[:position]}{digit}{name[position:]}")


@given(st.text(alphabet=VIETNAMESE_LETTERS + VIETNAMESE_LETTERS.upper() + " -'", max_size=40))
def test_fold_is_ascii_lowercase_and_idempotent(text):
    folded = fold(text)
    assert folded.isascii()
    assert folded == folded.lower()
    assert fold(folded) == folded


def test_fold_examples():
    assert fold("Nguyễn Văn Đạt") == "nguyen van dat"
    assert fold("  ĐỖ   THỊ  BÌNH ") == "do thi binh"


# --- Dates --------------------------------------------------------------------------------


@pytest.mark.parametrize("raw", ["05/09/2014", "05-09-2014", "2014-09-05", "05.09.2014"])
def test_date_formats(raw):
    assert clean_date(raw) == dt.date(2014, 9, 5)


@pytest.mark.parametrize(
    "raw", ["31/02/2015", "29/02/2015", "32/01/2015", "00/01/2015", "hôm qua", ""]
)
def test_impossible_dates_are_rejected(raw):
    with pytest.raises(ValidationError) as refused:
        clean_date(raw)
    assert "không phải là ngày hợp lệ" in message(refused)


def test_leap_day_exists_in_leap_years():
    assert clean_date("29/02/2016") == dt.date(2016, 2, 29)


def test_birth_dates_in_the_future_or_of_the_wrong_age_are_rejected():
    with pytest.raises(ValidationError) as future:
        clean_birth_date("01/01/2027", today=TODAY)
    assert message(future) == "Ngày sinh không thể ở tương lai."
    with pytest.raises(ValidationError) as too_young:
        clean_birth_date("01/01/2025", min_age=3, max_age=30, today=TODAY)
    assert message(too_young) == "Tuổi 1 nằm ngoài khoảng 3–30 tuổi cho loại hồ sơ này."
    assert clean_birth_date("12/03/2014", min_age=3, max_age=30, today=TODAY) == dt.date(
        2014, 3, 12
    )


def test_student_birth_date_31_february_is_named():
    with pytest.raises(ValidationError) as refused:
        clean_student_data({"full_name": "Đỗ Thị Bình", "birth_date": "31/02/2015", "gender": "F"})
    assert refused.value.message_dict == {
        "birth_date": [
            "“31/02/2015” không phải là ngày hợp lệ (ghi theo dạng dd/mm/yyyy, ví dụ 05/09/2015)."
        ]
    }


# --- Identifiers --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("3407000001", "3407000001"),
        (" 3407 000 001 ", "3407000001"),
        ("3407000001.0", "3407000001"),
        ("", None),
    ],
)
def test_learner_id(raw, expected):
    assert clean_learner_id(raw) == expected


@pytest.mark.parametrize("raw", ["340700000", "34070000011", "34070000x1", "-340700000"])
def test_learner_id_must_be_ten_digits(raw):
    with pytest.raises(ValidationError) as refused:
        clean_learner_id(raw)
    assert "10 chữ số" in message(refused)


BOY_2014 = {"birth_date": dt.date(2014, 3, 12), "gender": "M"}
GIRL_2014 = {"birth_date": dt.date(2014, 3, 12), "gender": "F"}
MAN_1980 = {"birth_date": dt.date(1980, 5, 1), "gender": "M"}


@pytest.mark.parametrize(
    ("raw", "person", "expected"),
    [
        ("034214000123", BOY_2014, "034214000123"),
        ("034314000123", GIRL_2014, "034314000123"),
        ("001080000123", MAN_1980, "001080000123"),
        ("34214000123", BOY_2014, "034214000123"),  # leading zero lost by a spreadsheet
        ("34214000123.0", BOY_2014, "034214000123"),
        ("0342 1400 0123", BOY_2014, "034214000123"),
        ("", BOY_2014, None),
    ],
)
def test_citizen_id_accepted(raw, person, expected):
    assert clean_citizen_id(raw, **person) == expected


@pytest.mark.parametrize(
    ("raw", "person", "reason"),
    [
        ("999214000123", BOY_2014, "không phải mã tỉnh/thành phố"),  # no province 999
        ("003214000123", BOY_2014, "không phải mã tỉnh/thành phố"),  # 003 is not used
        ("034914000123", BOY_2014, "thế kỷ/giới tính"),  # century digit 9 impossible
        ("034215000123", BOY_2014, "không khớp với năm sinh 2014"),  # born 2015 in the ID
        ("034014000123", BOY_2014, "không khớp với năm sinh 2014"),  # 1900s digit for 2014
        ("034314000123", BOY_2014, "không khớp với giới tính"),  # female digit for a boy
        ("034214000123", GIRL_2014, "không khớp với giới tính"),
        ("0342140001", BOY_2014, "12 chữ số"),
        ("0342140001234", BOY_2014, "12 chữ số"),
    ],
)
def test_citizen_id_rejected(raw, person, reason):
    with pytest.raises(ValidationError) as refused:
        clean_citizen_id(raw, **person)
    assert reason in message(refused)


# --- Phones, gender, ethnicity ------------------------------------------------------------


@pytest.mark.parametrize(
    "raw", ["+84 912 345 678", "84912345678", "0912.345.678", "0912-345-678", "(+84) 912345678"]
)
def test_phone_normalisation(raw):
    assert clean_phone(raw) == "0912345678"


@pytest.mark.parametrize("raw", ["12345", "091234567", "09123456789", "+1 202 555 0143"])
def test_bad_phones_are_rejected(raw):
    with pytest.raises(ValidationError) as refused:
        clean_phone(raw)
    assert "10 chữ số" in message(refused)


def test_phone_optional_or_required():
    assert clean_phone("") == ""
    with pytest.raises(ValidationError):
        clean_phone("", required=True)


@given(st.from_regex(r"0[35789]\d{8}", fullmatch=True))
def test_any_mobile_number_survives_international_form(national):
    assert clean_phone(f"+84 {national[1:4]} {national[4:7]} {national[7:]}") == national
    assert clean_phone(national) == national


@pytest.mark.parametrize(
    ("raw", "expected"), [("Nữ", "F"), ("nu", "F"), ("NAM", "M"), ("male", "M"), ("f", "F")]
)
def test_gender(raw, expected):
    assert clean_gender(raw) == expected


def test_unknown_gender():
    with pytest.raises(ValidationError) as refused:
        clean_gender("khác")
    assert message(refused) == "Giới tính phải là Nam hoặc Nữ (nhận được “khác”)."


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Ê-đê", "12"),
        ("e de", "12"),
        ("Ê Đê", "12"),
        ("Kinh", "01"),
        ("5", "05"),
        ("", "01"),
        ("Bru-Vân Kiều", "23"),
    ],
)
def test_ethnicity_by_name_or_code(raw, expected):
    assert clean_ethnicity(raw) == expected


def test_unknown_ethnicity():
    with pytest.raises(ValidationError):
        clean_ethnicity("Sao Hỏa")


# --- Whole records ------------------------------------------------------------------------


def test_every_field_error_is_reported_at_once():
    with pytest.raises(ValidationError) as refused:
        clean_student_data(
            {
                "full_name": "<b>x</b>",
                "birth_date": "31/02/2015",
                "gender": "?",
                "ethnicity": "Không rõ",
                "learner_id": "1",
                "birthplace": "x" * 256,
            }
        )
    assert set(refused.value.message_dict) == {
        "full_name",
        "birth_date",
        "gender",
        "ethnicity",
        "learner_id",
        "birthplace",
    }


def test_citizen_id_is_checked_against_the_cleaned_birth_date_and_gender():
    cleaned = clean_student_data(
        {
            "full_name": "Nguyễn Văn An",
            "birth_date": "12/03/2014",
            "gender": "Nam",
            "citizen_id": "34214000123",
            "nationality": "",
        }
    )
    assert cleaned["citizen_id"] == "034214000123"
    assert cleaned["nationality"] == "Việt Nam"
    with pytest.raises(ValidationError) as refused:
        clean_student_data(
            {
                "full_name": "Nguyễn Thị An",
                "birth_date": "12/03/2014",
                "gender": "Nữ",
                "citizen_id": "034214000123",
            }
        )
    assert list(refused.value.message_dict) == ["citizen_id"]


def test_control_characters_are_stripped_from_free_text():
    cleaned = clean_student_data(
        {
            "full_name": "Lê Thị Hà",
            "birth_date": "01/01/2014",
            "gender": "F",
            "permanent_address": "Thôn\x00 Đông\x07, xã An Bài",
        }
    )
    assert cleaned["permanent_address"] == "Thôn Đông, xã An Bài"


def test_guardian_data():
    cleaned = clean_guardian_data(
        {"full_name": "Trần Thị Lan", "phone": "+84 912 000 111", "email": " Lan@Example.VN "}
    )
    assert cleaned == {
        "full_name": "Trần Thị Lan",
        "phone": "0912000111",
        "email": "lan@example.vn",
        "citizen_id": None,
        "occupation": "",
    }
    with pytest.raises(ValidationError) as refused:
        clean_guardian_data({"full_name": "Lan 2", "phone": "123", "email": "khong-phai-email"})
    assert set(refused.value.message_dict) == {"full_name", "phone", "email"}
