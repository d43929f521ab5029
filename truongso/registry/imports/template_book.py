"""The downloadable .xlsx template of each kind: Vietnamese headers, text-formatted ID and
date columns (so Excel keeps leading zeros and does not turn 05/09 into May), drop-down
lists for coded columns, and an instructions sheet."""

from __future__ import annotations

import io

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from truongso.registry.imports.headers import Column, KindSpec

INSTRUCTIONS_SHEET = "Hướng dẫn"
LISTS_SHEET = "DanhMuc"
TEMPLATE_ROWS = 2000
HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
REQUIRED_FILL = PatternFill("solid", fgColor="FCE4D6")


def _lists_sheet(book: Workbook, columns: list[Column]) -> dict[str, str]:
    """Choice lists on a hidden sheet; returns the range formula of each column's list."""
    sheet = book.create_sheet(LISTS_SHEET)
    ranges: dict[str, str] = {}
    position = 0
    for column in columns:
        if not column.choices:
            continue
        position += 1
        letter = get_column_letter(position)
        for row, value in enumerate(column.choices, start=1):
            sheet.cell(row=row, column=position, value=value)
        ranges[column.key] = f"{LISTS_SHEET}!${letter}$1:${letter}${len(column.choices)}"
    sheet.sheet_state = "hidden"
    return ranges


def _data_sheet(sheet: Worksheet, columns: list[Column], ranges: dict[str, str]) -> None:
    for position, column in enumerate(columns, start=1):
        cell = sheet.cell(row=1, column=position, value=column.header)
        cell.font = Font(bold=True)
        cell.fill = REQUIRED_FILL if column.required else HEADER_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="center")
        letter = get_column_letter(position)
        dimension = sheet.column_dimensions[letter]
        dimension.width = column.width
        if column.is_text_format:
            dimension.number_format = "@"
        if column.key in ranges:
            check = DataValidation(
                type="list",
                formula1=ranges[column.key],
                allow_blank=True,
                showErrorMessage=True,
                errorTitle=column.header,
                error=_("Choose a value from the list."),
            )
            check.add(f"{letter}2:{letter}{TEMPLATE_ROWS + 1}")
            sheet.add_data_validation(check)
    sheet.freeze_panes = "A2"
    sheet.row_dimensions[1].height = 32


def _instructions(sheet: Worksheet, spec: KindSpec, columns: list[Column]) -> None:
    sheet.column_dimensions["A"].width = 30
    sheet.column_dimensions["B"].width = 12
    sheet.column_dimensions["C"].width = 90
    sheet.append([_("How to fill in this template")])
    sheet["A1"].font = Font(bold=True, size=14)
    sheet.append(
        [
            _(
                "Fill in one row per record on the sheet “%(sheet)s” from row 2; keep the "
                "header row. Rows are checked in full before anything is written."
            )
            % {"sheet": spec.sheet}
        ]
    )
    sheet.append([])
    sheet.append([_("Column"), _("Required"), _("How to fill it in")])
    for cell in sheet[4]:
        cell.font = Font(bold=True)
    for column in columns:
        sheet.append([column.header, _("Yes") if column.required else "", str(column.help)])
    sheet.append([])
    for note in spec.notes:
        sheet.append([str(note)])
    for row in sheet.iter_rows(min_row=5):
        row[2].alignment = Alignment(wrap_text=True, vertical="top")


def template_workbook(spec: KindSpec) -> bytes:
    columns = spec.template_columns
    book = Workbook()
    data = book.active
    assert data is not None
    data.title = spec.sheet
    _instructions(book.create_sheet(INSTRUCTIONS_SHEET), spec, columns)
    _data_sheet(data, columns, _lists_sheet(book, columns))
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
