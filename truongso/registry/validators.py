"""Validators of the identifiers in the education database, with Vietnamese-first messages."""

from __future__ import annotations

import datetime as dt
import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from truongso.registry.reference import CITIZEN_ID_PROVINCES, Gender

LEARNER_ID_RE = re.compile(r"^\d{10}$")
CITIZEN_ID_RE = re.compile(r"^\d{12}$")
PHONE_RE = re.compile(r"^0\d{9}$")
ORG_CODE_RE = re.compile(r"^[0-9A-Z][0-9A-Z._-]{1,19}$")
# Century digit of the citizen ID (Thông tư 07/2016/TT-BCA, Art. 7.2): male/female.
_CENTURY_DIGITS = {1900: ("0", "1"), 2000: ("2", "3"), 2100: ("4", "5")}


def validate_learner_id(value: str) -> None:
    """Ministry learner ID: 10 digits (Thông tư 42/2021/TT-BGDĐT, Art. 10)."""
    if not LEARNER_ID_RE.match(value or ""):
        raise ValidationError(
            _("Learner ID must be exactly 10 digits (got %(value)s)."),
            code="learner_id",
            params={"value": value},
        )


def validate_citizen_id_format(value: str) -> None:
    if not CITIZEN_ID_RE.match(value or ""):
        raise ValidationError(
            _("Citizen ID must be exactly 12 digits (got %(value)s)."),
            code="citizen_id",
            params={"value": value},
        )
    if value[:3] not in CITIZEN_ID_PROVINCES:
        raise ValidationError(
            _("Citizen ID %(value)s starts with %(code)s, which is not a province code."),
            code="citizen_id_province",
            params={"value": value, "code": value[:3]},
        )
    if value[3] not in "012345":
        raise ValidationError(
            _("Citizen ID %(value)s has an impossible century/gender digit %(digit)s."),
            code="citizen_id_century",
            params={"value": value, "digit": value[3]},
        )


def validate_citizen_id(value: str, *, birth_date: dt.date | None, gender: str | None) -> None:
    """12-digit personal ID: province, century/gender digit and birth year agree.

    Thông tư 07/2016/TT-BCA, Art. 7: digits 1–3 province of birth registration, digit 4
    century and gender (0/1 = 1900s male/female, 2/3 = 2000s, 4/5 = 2100s), digits 5–6
    the last two digits of the birth year, digits 7–12 a sequence number.
    """
    validate_citizen_id_format(value)
    if birth_date is None:
        return
    century = birth_date.year // 100 * 100
    digits = _CENTURY_DIGITS.get(century)
    year_ok = value[4:6] == f"{birth_date.year % 100:02d}"
    century_ok = digits is not None and value[3] in digits
    if not (year_ok and century_ok):
        raise ValidationError(
            _("Citizen ID %(value)s does not match the birth year %(year)s."),
            code="citizen_id_birth_year",
            params={"value": value, "year": birth_date.year},
        )
    if gender in (Gender.MALE, Gender.FEMALE) and digits is not None:
        expected = digits[0] if gender == Gender.MALE else digits[1]
        if value[3] != expected:
            raise ValidationError(
                _("Citizen ID %(value)s does not match the gender entered."),
                code="citizen_id_gender",
                params={"value": value},
            )


def validate_phone(value: str) -> None:
    """Vietnamese mobile/landline in national form: 0 followed by 9 digits."""
    if not PHONE_RE.match(value or ""):
        raise ValidationError(
            _("Phone number must be 10 digits starting with 0 (got %(value)s)."),
            code="phone",
            params={"value": value},
        )


def normalize_phone(value: str) -> str:
    """ "+84 912 345 678", "84912345678", "0912.345.678" -> "0912345678"."""
    digits = re.sub(r"\D", "", value or "")
    if digits.startswith("84") and len(digits) == 11:
        digits = "0" + digits[2:]
    return digits


def validate_org_code(value: str) -> None:
    if not ORG_CODE_RE.match(value or ""):
        raise ValidationError(
            _("Code must be 2–20 upper-case letters or digits (got %(value)s)."),
            code="org_code",
            params={"value": value},
        )


def validate_birth_date(value: dt.date, *, today: dt.date | None = None) -> None:
    today = today or dt.date.today()
    if value > today:
        raise ValidationError(_("Birth date cannot be in the future."), code="birth_future")
    if value.year < 1900:
        raise ValidationError(_("Birth date is before 1900."), code="birth_too_old")
