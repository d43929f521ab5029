"""A class's gradebook page for one subject and semester as an Excel workbook, and back.

The export identifies itself twice: header rows a person reads (school, class, subject,
semester, school year) and a hidden sheet the import reads (the class, subject and semester
IDs), so that a file of another class is refused instead of being typed into this one.
Each student row carries the student's ID in a hidden first column, so sorting the rows
in Excel changes nothing; learner IDs are written as text (no lost leading zeros).
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import openpyxl
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from openpyxl.styles import Alignment, Font, PatternFill, Protection
from openpyxl.utils import get_column_letter

from truongso.gradebook.selectors import Grid
from truongso.gradebook.services.cells import COMMENT
from truongso.registry.imports.reader import ImportFileError, check_file

MAGIC = "truongso-gradebook-grid/1"
META_SHEET = "_truongso"
CODES_ROW = 7  # hidden: the column codes
HEADER_ROW = 8  # the labels a person reads
FIRST_ROW = HEADER_ROW + 1
FIXED = ("student", "no", "learner_id", "name")
MAX_ROWS = 500
TEXT = "@"


@dataclass(frozen=True)
class FileCell:
    row: int  # as numbered in Excel
    column: str  # the column's label in the file
    message: str


@dataclass
class GridFile:
    meta: dict[str, str]
    values: dict[tuple[int, str], str] = field(default_factory=dict)  # (student, code)
    where: dict[tuple[int, str], tuple[int, str]] = field(default_factory=dict)  # row, label
    rows: dict[int, int] = field(default_factory=dict)  # student -> row
    problems: list[FileCell] = field(default_factory=list)


def _number(value: str, kind: str) -> Any:
    """Scores are written as numbers (Excel sums and sorts them); the rest as text."""
    if kind not in ("score", "test") or not value:
        return value
    try:
        number = Decimal(value)
    except InvalidOperation:
        return value
    return int(number) if number == number.to_integral_value() else float(number)


def _meta(g: Grid) -> list[tuple[str, str]]:
    school_class = g.school_class
    return [
        ("format", MAGIC),
        ("class", str(school_class.pk)),
        ("class_name", school_class.name),
        ("subject", g.subject.code),
        ("subject_name", g.subject.name),
        ("semester", str(g.semester)),
        ("year", school_class.school_year.code),
        ("school", school_class.school.name),
    ]


def grid_workbook(g: Grid, exported_by: str) -> bytes:
    """The grid as .xlsx bytes."""
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = _("Gradebook")[:31]
    school_class, semester = g.school_class, "I" if g.semester == 1 else "II"
    heading = [
        school_class.school.name,
        _("Class %(c)s – %(s)s – semester %(n)s – school year %(y)s")
        % {
            "c": school_class.name,
            "s": g.subject.name,
            "n": semester,
            "y": school_class.school_year,
        },
        _("Exported %(when)s by %(who)s")
        % {"when": timezone.localtime().strftime("%d/%m/%Y %H:%M"), "who": exported_by},
        _(
            "Type scores in the white cells only; keep the header rows and the hidden "
            "columns, then import the file on the gradebook page."
        ),
    ]
    for i, text in enumerate(heading, start=1):
        sheet.cell(row=i, column=1, value=text).font = Font(bold=i <= 2)
    columns = [(c.code, c.label, c.kind) for c in g.columns] + [(COMMENT, _("Comment"), "text")]
    codes = [*FIXED, *(code for code, _l, _k in columns)]
    labels = ["ID", pgettext("row number", "No."), _("Learner ID"), _("Full name")]
    labels += [str(label) for _c, label, _k in columns]
    for col, (code, label) in enumerate(zip(codes, labels, strict=True), start=1):
        sheet.cell(row=CODES_ROW, column=col, value=code)
        header = sheet.cell(row=HEADER_ROW, column=col, value=label)
        header.font = Font(bold=True)
        header.fill = PatternFill("solid", fgColor="DDEBF7")
        header.alignment = Alignment(horizontal="center", wrap_text=True)
    sheet.row_dimensions[CODES_ROW].hidden = True
    sheet.column_dimensions["A"].hidden = True
    for i, row in enumerate(g.rows):
        r = FIRST_ROW + i
        sheet.cell(row=r, column=1, value=row.student.pk)
        sheet.cell(row=r, column=2, value=i + 1)
        learner = sheet.cell(row=r, column=3, value=row.student.identifier)
        learner.number_format = TEXT
        sheet.cell(row=r, column=4, value=row.student.full_name)
        for j, (code, _label, kind) in enumerate(columns, start=5):
            stored = row.comment if code == COMMENT else str(row.cells.get(code, ""))
            cell = sheet.cell(row=r, column=j, value=_number(stored, kind))
            cell.protection = Protection(locked=False)
            if kind not in ("score", "test"):
                cell.number_format = TEXT
    for col, width in ((2, 5), (3, 13), (4, 26)):
        sheet.column_dimensions[get_column_letter(col)].width = width
    sheet.column_dimensions[get_column_letter(len(codes))].width = 30
    sheet.freeze_panes = sheet.cell(row=FIRST_ROW, column=5)
    meta = book.create_sheet(META_SHEET)
    for key, value in _meta(g):
        meta.append([key, value])
    meta.sheet_state = "hidden"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


# Reading ---------------------------------------------------------------------------------
def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value).upper()
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else format(value, ".15g")
    if isinstance(value, dt.datetime | dt.date):
        return value.strftime("%d/%m/%Y")
    return str(value).strip()


def _open(path: Path) -> Any:
    check_file(path)
    try:
        return openpyxl.load_workbook(path, data_only=True)
    except Exception as exc:  # any failure of the parser is a damaged file for the user
        raise ImportFileError(
            _("The file is damaged (it is not a complete .xlsx workbook).")
        ) from exc


def _not_ours() -> ImportFileError:
    return ImportFileError(
        _(
            "This is not a gradebook file exported from Trường Số. Export the gradebook "
            "from this page, enter the scores in it and import it again."
        )
    )


def read_grid_file(path: Path) -> GridFile:
    """The file's metadata and cell values; whole-file problems raise ImportFileError."""
    book = _open(path)
    if META_SHEET not in book.sheetnames:
        raise _not_ours()
    meta = {
        _text(row[0]): _text(row[1])
        for row in book[META_SHEET].iter_rows(max_col=2, max_row=50, values_only=True)
        if row and row[0] is not None and len(row) > 1
    }
    if meta.get("format") != MAGIC:
        raise _not_ours()
    sheet = book.worksheets[0]
    codes = [_text(v) for v in next(sheet.iter_rows(CODES_ROW, CODES_ROW, values_only=True), ())]
    labels = [_text(v) for v in next(sheet.iter_rows(HEADER_ROW, HEADER_ROW, values_only=True), ())]
    if codes[: len(FIXED)] != list(FIXED):
        raise _not_ours()
    if (sheet.max_row or 0) - HEADER_ROW > MAX_ROWS:
        raise ImportFileError(
            _("The file has more than %(n)s student rows; a class is smaller.") % {"n": MAX_ROWS}
        )
    found = GridFile(meta)
    for r, values in enumerate(sheet.iter_rows(min_row=FIRST_ROW, values_only=True), FIRST_ROW):
        _read_row(found, r, list(values), codes, labels)
    return found


def _read_row(
    found: GridFile, r: int, values: list[Any], codes: Sequence[str], labels: Sequence[str]
) -> None:
    texts = [_text(v) for v in values]
    if not any(texts):
        return
    raw_id = texts[0] if texts else ""
    if not raw_id.isdigit():
        found.problems.append(
            FileCell(
                r,
                "ID",
                _(
                    "This row has no student ID (hidden column A); add students on "
                    "the class page, not in the file."
                ),
            )
        )
        return
    student = int(raw_id)
    if student in found.rows:
        found.problems.append(
            FileCell(
                r, "ID", _("The same student is also on row %(r)s.") % {"r": found.rows[student]}
            )
        )
        return
    found.rows[student] = r
    for i in range(len(FIXED), len(codes)):
        code = codes[i]
        if not code:
            continue
        label = labels[i] if i < len(labels) and labels[i] else code
        found.values[(student, code)] = texts[i] if i < len(texts) else ""
        found.where[(student, code)] = (r, label)


def check_matches(found: GridFile, g: Grid) -> None:
    """Refuse a file of another class, subject or semester, naming both."""
    meta, school_class = found.meta, g.school_class
    if meta.get("class") != str(school_class.pk):
        raise ImportFileError(
            _("This file is the gradebook of class %(file)s, not of %(page)s.")
            % {"file": meta.get("class_name") or "?", "page": school_class.name}
        )
    if meta.get("subject") != g.subject.code:
        raise ImportFileError(
            _("This file is the gradebook of %(file)s, not of %(page)s.")
            % {"file": meta.get("subject_name") or "?", "page": g.subject.name}
        )
    if meta.get("semester") != str(g.semester):
        raise ImportFileError(
            _("This file is for semester %(file)s, not semester %(page)s.")
            % {
                "file": "I" if meta.get("semester") == "1" else "II",
                "page": "I" if g.semester == 1 else "II",
            }
        )
