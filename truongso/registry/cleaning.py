"""Cleaning of person data typed into forms, sent to the API or read from spreadsheets.

One set of rules for all three entry paths: each function returns the canonical value or
raises ``ValidationError`` with a message naming the reason in the user's language.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Mapping
from functools import partial
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _

from truongso.core.text import fold, normalize_name
from truongso.registry.reference import ETHNICITY_NAMES, Gender
from truongso.registry.validators import (
    normalize_phone,
    validate_birth_date,
    validate_citizen_id,
    validate_learner_id,
    validate_phone,
)

# Letters of any script, spaces, apostrophes, hyphens and dots (e.g. "H'Hen Niê", "Y-Moan").
_NAME_RE = re.compile(r"^[^\W\d_]+(?:[ '’.\-][^\W\d_]+)*\.?$")
_CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def clean_text(value: Any, *, max_length: int, required: bool = False) -> str:
    text = "" if value is None else str(value)
    text = normalize_name(_CONTROL_RE.sub("", text))
    if required and not text:
        raise ValidationError(_("This field is required."), code="required")
    if len(text) > max_length:
        raise ValidationError(
            _("At most %(max)s characters (this has %(len)s).")
            % {"max": max_length, "len": len(text)},
            code="max_length",
        )
    return text


def clean_full_name(value: Any) -> str:
    name = clean_text(value, max_length=100, required=True)
    if len(name) < 2 or not _NAME_RE.match(name):
        raise ValidationError(
            _("A name may contain only letters, spaces, apostrophes and hyphens (got “%(v)s”).")
            % {"v": name[:40]},
            code="name",
        )
    return name


def clean_gender(value: Any) -> str:
    raw = str(value or "").strip().lower()
    mapping = {
        "m": Gender.MALE,
        "nam": Gender.MALE,
        "male": Gender.MALE,
        "f": Gender.FEMALE,
        "nữ": Gender.FEMALE,
        "nu": Gender.FEMALE,
        "female": Gender.FEMALE,
    }
    if raw not in mapping:
        raise ValidationError(
            _("Gender must be Nam or Nữ (got “%(v)s”).") % {"v": raw[:20]}, code="gender"
        )
    return str(mapping[raw])


def clean_date(value: Any) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    raw = str(value or "").strip()
    for fmt in ("%d/%m/%Y", "%d-%m-%Y", "%Y-%m-%d", "%d.%m.%Y"):
        try:
            return dt.datetime.strptime(raw, fmt).date()
        except ValueError:
            continue
    raise ValidationError(
        _("“%(v)s” is not a date (write dd/mm/yyyy, e.g. 05/09/2015).") % {"v": raw[:20]},
        code="date",
    )


def clean_birth_date(
    value: Any, *, min_age: int = 0, max_age: int = 120, today: dt.date | None = None
) -> dt.date:
    date = clean_date(value)
    validate_birth_date(date, today=today)
    today = today or dt.date.today()
    age = today.year - date.year - ((today.month, today.day) < (date.month, date.day))
    if not min_age <= age <= max_age:
        raise ValidationError(
            _("Age %(age)s is outside %(low)s–%(high)s years for this record.")
            % {"age": age, "low": min_age, "high": max_age},
            code="birth_age",
        )
    return date


def clean_phone(value: Any, *, required: bool = False) -> str:
    phone = normalize_phone(str(value or ""))
    if not phone:
        if required:
            raise ValidationError(_("This field is required."), code="required")
        return ""
    validate_phone(phone)
    return phone


def clean_email(value: Any) -> str:
    email = str(value or "").strip().lower()
    if email:
        validate_email(email)
    return email


def clean_learner_id(value: Any) -> str | None:
    raw = re.sub(r"\s", "", str(value or ""))
    if raw.endswith(".0"):  # spreadsheets store digit strings as numbers
        raw = raw[:-2]
    if not raw:
        return None
    validate_learner_id(raw)
    return raw


def clean_citizen_id(value: Any, *, birth_date: dt.date | None, gender: str | None) -> str | None:
    raw = re.sub(r"\s", "", str(value or ""))
    if raw.endswith(".0"):
        raw = raw[:-2]
    if not raw:
        return None
    if raw.isdigit() and len(raw) == 11:  # a leading zero lost by a spreadsheet
        raw = "0" + raw
    validate_citizen_id(raw, birth_date=birth_date, gender=gender)
    return raw


def clean_ethnicity(value: Any) -> str:
    raw = str(value or "").strip()
    if not raw:
        return "01"
    if raw.isdigit() and raw.zfill(2) in ETHNICITY_NAMES:
        return raw.zfill(2)
    wanted = fold(raw).replace("-", " ").replace("'", "")
    for code, name in ETHNICITY_NAMES.items():
        if fold(name).replace("-", " ").replace("'", "") == wanted:
            return code
    raise ValidationError(_("Unknown ethnic group “%(v)s”.") % {"v": raw[:30]}, code="ethnicity")


def collect(
    cleaners: Mapping[str, Callable[[], Any]], into: dict[str, Any] | None = None
) -> dict[str, Any]:
    """Run field cleaners in order, gathering every error at once (not just the first).

    Values land in ``into`` as they are cleaned, so a later cleaner may read an earlier one.
    """
    cleaned: dict[str, Any] = {} if into is None else into
    errors: dict[str, list[ValidationError]] = {}
    for field, cleaner in cleaners.items():
        try:
            cleaned[field] = cleaner()
        except ValidationError as exc:
            errors[field] = exc.error_list
    if errors:
        raise ValidationError(errors)
    return cleaned


STUDENT_TEXT_FIELDS = {
    "nationality": 50,
    "birthplace": 255,
    "hometown": 255,
    "permanent_address": 255,
    "current_address": 255,
}


def clean_student_data(data: Mapping[str, Any], *, today: dt.date | None = None) -> dict[str, Any]:
    """Every student field at once; all errors keyed by field name, not just the first."""
    cleaned: dict[str, Any] = {}
    cleaners: dict[str, Callable[[], Any]] = {
        "full_name": lambda: clean_full_name(data.get("full_name")),
        "birth_date": lambda: clean_birth_date(
            data.get("birth_date"), min_age=3, max_age=30, today=today
        ),
        "gender": lambda: clean_gender(data.get("gender")),
        "ethnicity": lambda: clean_ethnicity(data.get("ethnicity")),
        "learner_id": lambda: clean_learner_id(data.get("learner_id")),
        # Checked last: it is compared with the birth date and gender cleaned above.
        "citizen_id": lambda: clean_citizen_id(
            data.get("citizen_id"),
            birth_date=cleaned.get("birth_date"),
            gender=cleaned.get("gender"),
        ),
    }
    for field, max_length in STUDENT_TEXT_FIELDS.items():
        cleaners[field] = partial(clean_text, data.get(field), max_length=max_length)
    collect(cleaners, into=cleaned)
    cleaned["nationality"] = cleaned["nationality"] or "Việt Nam"
    return cleaned


def clean_guardian_data(data: Mapping[str, Any]) -> dict[str, Any]:
    return collect(
        {
            "full_name": lambda: clean_full_name(data.get("full_name")),
            "phone": lambda: clean_phone(data.get("phone")),
            "email": lambda: clean_email(data.get("email")),
            "citizen_id": lambda: clean_citizen_id(
                data.get("citizen_id"), birth_date=None, gender=None
            ),
            "occupation": lambda: clean_text(data.get("occupation"), max_length=100),
        }
    )
