"""Writing export workbooks in openpyxl's streaming (write-only) mode: Vietnamese headers in
bold, IDs as text (leading zeros kept), dates as dd/mm/yyyy text, one pass, little memory."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from truongso.core import authz
from truongso.core.authz import Perm
from truongso.registry.models import OrgUnit

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass(frozen=True)
class ExportFile:
    filename: str
    content: bytes
    rows: int
    content_type: str = XLSX


def day(value: dt.date | None) -> str:
    return value.strftime("%d/%m/%Y") if value else ""


def text(value: Any) -> str:
    return "" if value is None else str(value)


class SheetWriter:
    """One sheet: optional title lines, a bold header row, then rows of plain values."""

    def __init__(self, sheet_name: str, headers: Sequence[str], widths: Sequence[int] = ()):
        self.book = Workbook(write_only=True)
        self.sheet = self.book.create_sheet(sheet_name)
        self.headers = headers
        self.widths = widths
        self.rows = 0

    def titles(self, lines: Iterable[str]) -> None:
        for line in lines:
            cell = WriteOnlyCell(self.sheet, value=line)
            cell.font = Font(bold=True, size=12)
            self.sheet.append([cell])
        self.sheet.append([])

    def header(self) -> None:
        from openpyxl.utils import get_column_letter

        for position, width in enumerate(self.widths, start=1):
            self.sheet.column_dimensions[get_column_letter(position)].width = width
        row = []
        for value in self.headers:
            cell = WriteOnlyCell(self.sheet, value=value)
            cell.font = Font(bold=True)
            row.append(cell)
        self.sheet.append(row)

    def append(self, values: Sequence[Any]) -> None:
        self.sheet.append(list(values))
        self.rows += 1

    def save(self, filename: str) -> ExportFile:
        buffer = io.BytesIO()
        self.book.save(buffer)
        return ExportFile(filename, buffer.getvalue(), self.rows)


def require_export(user: Any, school: OrgUnit | None = None) -> str:
    """The org path an export is logged under; refuses a user without DATA_EXPORT there.

    A school outside the user's export scope is reported as not found by the callers
    (they resolve it through the scoped selectors), so here it can only be a refusal.
    """
    if school is not None:
        if not authz.can(user, Perm.DATA_EXPORT, school.path):
            raise PermissionDenied(_("You cannot export data of this school."))
        return school.path
    if not authz.has_any(user, Perm.DATA_EXPORT):
        raise PermissionDenied(_("You cannot export data."))
    roots = authz.grant_roots(user, Perm.DATA_EXPORT)
    return roots[0] if roots else ""
