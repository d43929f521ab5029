"""Enrolment codes (mã tuyển sinh) for grade-1 and grade-6 rounds.

The organiser uploads a CSV or .xlsx list of the children of the zones (name, birth date,
learner ID if any, zone); every row becomes an :class:`EnrolmentCode` with a unique random
code, all or nothing: one bad row and nothing is saved, every problem named by row and
field. The codes are exported as an .xlsx to hand to the parents (the export is audited).
"""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from truongso.admissions import selectors
from truongso.admissions.models import (
    AdmissionRound,
    EnrolmentCode,
    RoundKind,
    RoundSchool,
    RoundStatus,
)
from truongso.admissions.services.rounds import require_manage
from truongso.core import tables
from truongso.core.audit import audit_export, audit_record
from truongso.core.tables import TableError, table_rows
from truongso.core.text import fold, normalize_name
from truongso.registry.exports.book import ExportFile, SheetWriter, day

# Letters and digits that cannot be misread on paper (no 0/O, 1/I/L).
ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_LENGTH = 8
MAX_ROWS = 20000

HEADERS = {
    "name": ("name", "child's name", "full name", "ho va ten", "ho ten", "ten"),
    "birth_date": ("birth date", "date of birth", "ngay sinh"),
    "learner_id": ("learner id", "ma dinh danh", "ma hoc sinh", "ma dinh danh hoc sinh"),
    "zone": ("zone", "tuyen", "khu vuc", "tuyen/khu vuc"),
}


@dataclass(frozen=True)
class CodesReport:
    created: int
    codes: list[EnrolmentCode]


def _rows(data: bytes, file_name: str) -> list[tables.Row]:
    name = file_name.lower()
    if name.endswith(".xlsx"):
        kind, refusal = tables.XLSX, _("The file is not a readable .xlsx workbook.")
    elif name.endswith(".csv"):
        kind, refusal = tables.CSV, _("The CSV file must be saved as UTF-8.")
    else:
        raise ValidationError(_("Upload a .csv or .xlsx file."))
    try:
        return list(table_rows(data, kind=kind))
    except TableError as error:  # a malformed CSV's line, a zip bomb: worth more than ours
        raise ValidationError(
            error.message if error.reason in tables.OWN_WORDS else refusal
        ) from None


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _date(value: Any) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = _text(value)
    for pattern in ("%d/%m/%Y", "%Y-%m-%d", "%d-%m-%Y"):
        try:
            return dt.datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    return None


def _new_code(taken: set[str]) -> str:
    while True:
        code = "".join(secrets.choice(ALPHABET) for _i in range(CODE_LENGTH))
        if code not in taken:
            taken.add(code)
            return code


def codes_import(*, actor: Any, round: AdmissionRound, data: bytes, file_name: str) -> CodesReport:
    """Create one enrolment code per row of the uploaded list, all or nothing."""
    require_manage(actor, round.organiser)
    if round.kind not in (RoundKind.GRADE1, RoundKind.GRADE6):
        raise ValidationError(_("Enrolment codes are for grade 1 and grade 6 rounds."))
    if round.status in (RoundStatus.PUBLISHED, RoundStatus.FINISHED):
        raise ValidationError(_("The results are published: no more enrolment codes."))
    # Blank rows are skipped, but every message names the row as the file numbers it.
    rows = [r for r in _rows(data, file_name) if any(_text(v) for v in r.cells)]
    if not rows:
        raise ValidationError(_("The file has no rows."))
    if len(rows) > MAX_ROWS + 1:
        raise ValidationError(_("At most %(n)s children per file.") % {"n": MAX_ROWS})
    header = [fold(_text(v)).strip() for v in rows[0].cells]
    position: dict[str, int] = {}
    for key, names in HEADERS.items():
        for i, text in enumerate(header):
            if text in names:
                position[key] = i
                break
    missing = [k for k in ("name", "birth_date", "zone") if k not in position]
    if missing:
        labels = {"name": _("Name"), "birth_date": _("Birth date"), "zone": _("Zone")}
        raise ValidationError(
            _("Row %(r)s: missing column(s): %(c)s.")
            % {"r": rows[0].line, "c": ", ".join(str(labels[k]) for k in missing)}
        )
    schools = list(RoundSchool.objects.filter(round=round).values_list("zone", "school_id"))
    zones = {z for z, _s in schools if z}
    only_school: dict[str, int | None] = {}
    for zone, school_id in schools:
        only_school[zone] = None if zone in only_school else school_id
    seen_ids = set(
        EnrolmentCode.objects.filter(round=round)
        .exclude(learner_id="")
        .values_list("learner_id", flat=True)
    )
    problems: list[str] = []
    cleaned: list[tuple[str, dt.date, str, str]] = []

    def cell(row: tables.Row, key: str) -> Any:
        i = position.get(key)
        return row.cells[i] if i is not None and i < len(row.cells) else None

    for row in rows[1:]:
        number = row.line
        name = normalize_name(_text(cell(row, "name")))
        born = _date(cell(row, "birth_date"))
        learner_id = _text(cell(row, "learner_id"))
        zone = _text(cell(row, "zone"))
        where = {"r": number}
        if not name:
            problems.append(_("Row %(r)s, name: required.") % where)
        elif len(name) > 100:
            problems.append(_("Row %(r)s, name: longer than 100 characters.") % where)
        if born is None:
            problems.append(_("Row %(r)s, birth date: not a date (dd/mm/yyyy).") % where)
        elif round.birth_year and born.year != round.birth_year:
            problems.append(
                _("Row %(r)s, birth date: the round admits children born in %(y)s.")
                % {"r": number, "y": round.birth_year}
            )
        if learner_id:
            if not (learner_id.isdigit() and len(learner_id) == 10):
                problems.append(_("Row %(r)s, learner ID: must be 10 digits.") % where)
            elif learner_id in seen_ids:
                problems.append(_("Row %(r)s, learner ID: already has a code.") % where)
            seen_ids.add(learner_id)
        if not zone:
            problems.append(_("Row %(r)s, zone: required.") % where)
        elif zones and zone not in zones:
            problems.append(
                _("Row %(r)s, zone: “%(z)s” is not a zone of the round's schools.")
                % {"r": number, "z": zone}
            )
        elif len(zone) > 20:
            problems.append(_("Row %(r)s, zone: longer than 20 characters.") % where)
        if born is not None:
            cleaned.append((name, born, learner_id, zone))
    if problems:
        raise ValidationError(problems[:50])
    with transaction.atomic():
        AdmissionRound.objects.select_for_update().filter(pk=round.pk).first()
        taken = set(EnrolmentCode.objects.filter(round=round).values_list("code", flat=True))
        made = EnrolmentCode.objects.bulk_create(
            [
                EnrolmentCode(
                    round=round,
                    code=_new_code(taken),
                    child_name=name,
                    birth_date=born,
                    learner_id=learner_id,
                    zone=zone,
                    school_id=only_school.get(zone),
                )
                for name, born, learner_id, zone in cleaned
            ],
            batch_size=2000,
        )
        audit_record(
            actor=actor,
            action="admissions.codes_import",
            obj=round,
            org_path=round.organiser.path,
            after={"file": file_name[:100], "created": len(made)},
        )
    return CodesReport(created=len(made), codes=made)


def codes_export(*, actor: Any, round: AdmissionRound) -> ExportFile:
    """The enrolment codes of ``round`` as an .xlsx to hand to the parents (audited)."""
    require_manage(actor, round.organiser)
    headers = [
        _("Row no."),
        _("Enrolment code"),
        _("Full name"),
        _("Birth date"),
        _("Learner ID"),
        _("Zone"),
    ]
    sheet = SheetWriter(_("Enrolment codes"), headers, [6, 14, 28, 12, 14, 10])
    sheet.titles([round.name])
    sheet.header()
    for number, ec in enumerate(selectors.round_codes(round), start=1):
        sheet.append([number, ec.code, ec.child_name, day(ec.birth_date), ec.learner_id, ec.zone])
    audit_export(
        actor=actor,
        what="admissions.enrolment_codes",
        org_path=round.organiser.path,
        rows=sheet.rows,
        params={"round": round.pk},
    )
    return sheet.save(f"ma-tuyen-sinh-{round.pk}.xlsx")
