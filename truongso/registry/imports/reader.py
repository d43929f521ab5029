"""Reading an uploaded spreadsheet safely: what kind of file it is, where the header row
is, and its data rows as text, one at a time (streamed by :mod:`truongso.core.tables`).

Whatever arrives (a renamed PDF, a CSV, an .xls, a password-protected or broken workbook,
an empty sheet, the wrong template), the reader raises :class:`ImportFileError` with a
message for the user; it never lets a parsing exception escape.
"""

from __future__ import annotations

import datetime as dt
import zipfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _
from openpyxl.utils.datetime import from_excel

from truongso.core.tables import MAX_EXPANSION, TableError, Workbook
from truongso.registry.imports.headers import (
    ID_WIDTHS,
    SPECS,
    Cell,
    Column,
    KindSpec,
    header_key,
    header_keys,
)

HEADER_SEARCH_ROWS = 10
# Sheets of our own templates that hold no data (instructions, drop-down lists).
SKIPPED_SHEETS = {"huong dan", "instructions", "danhmuc", "danh muc"}
OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_GROUP_PREFIXES = ("thong tin ", "ho so ")

RawRow = tuple[int, dict[str, str]]


class ImportFileError(Exception):
    """The file as a whole cannot be read; the message is for the user."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def _megabytes(size: int) -> str:
    if size < 1024 * 1024:
        return f"{(size + 1023) // 1024} KB"
    return f"{size / 1024 / 1024:.1f} MB"


def too_big(size: int) -> str:
    return _("The file is %(size)s; the largest file accepted is %(limit)s.") % {
        "size": _megabytes(size),
        "limit": _megabytes(settings.IMPORT_MAX_BYTES),
    }


def _not_excel(head: bytes, data: bytes) -> ImportFileError:
    if head.startswith(b"%PDF"):
        return ImportFileError(_("This is a PDF file, not an Excel workbook (.xlsx)."))
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return ImportFileError(
            _("This is not an Excel workbook (.xlsx). Download the template and fill it in.")
        )
    return ImportFileError(
        _(
            "This is a text or CSV file, not an Excel workbook. Open it in Excel and save it "
            "as “Excel Workbook (.xlsx)”."
        )
    )


def _check_ole2(path: Path) -> ImportFileError:
    data = path.read_bytes()
    if "EncryptedPackage".encode("utf-16-le") in data:
        return ImportFileError(
            _("The workbook is protected by a password. Remove the password and upload it again.")
        )
    return ImportFileError(
        _(
            "This is an old Excel 97–2003 file (.xls). Open it in Excel and save it as "
            "“Excel Workbook (.xlsx)”."
        )
    )


def check_file(path: Path) -> None:
    """Refuse what is not a readable .xlsx within the size limits, before openpyxl sees it."""
    size = path.stat().st_size
    if size == 0:
        raise ImportFileError(_("The file is empty (0 bytes)."))
    if size > settings.IMPORT_MAX_BYTES:
        raise ImportFileError(too_big(size))
    with path.open("rb") as handle:
        head = handle.read(4096)
    if head.startswith(OLE2_MAGIC):
        raise _check_ole2(path)
    if not head.startswith(b"PK"):
        raise _not_excel(head, head[:2048])
    try:
        with zipfile.ZipFile(path) as archive:
            infos = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise ImportFileError(
            _("The file is damaged (it is not a complete .xlsx workbook).")
        ) from exc
    names = {info.filename for info in infos}
    if "xl/workbook.xml" not in names:
        if "content.xml" in names:
            raise ImportFileError(
                _("This is an OpenDocument file (.ods). Save it as “Excel Workbook (.xlsx)”.")
            )
        raise ImportFileError(_("This file is not an Excel workbook (.xlsx)."))
    if sum(info.file_size for info in infos) > MAX_EXPANSION * settings.IMPORT_MAX_BYTES:
        raise ImportFileError(_("The workbook is too large once unpacked."))


@dataclass
class Layout:
    """Where the data is: sheet, header row (as numbered in Excel) and matched columns."""

    sheet_name: str
    header_row: int
    columns: dict[int, Column]
    labels: dict[str, str] = field(default_factory=dict)
    estimated_rows: int | None = None

    @property
    def keys(self) -> set[str]:
        return {c.key for c in self.columns.values()}

    @property
    def score(self) -> int:
        return len(self.keys - {"row_no"})


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime | dt.date):
        return value.strftime("%d/%m/%Y")
    return str(value).strip()


def _group_key(label: str) -> str:
    key = header_key(label)
    for prefix in _GROUP_PREFIXES:
        key = key.removeprefix(prefix)
    return key


def _alias_map(spec: KindSpec) -> dict[str, Column]:
    return {key: column for column in spec.columns for key in column.keys}


def match_header(rows: Sequence[Sequence[Any]], index: int, spec: KindSpec) -> Layout:
    """Match row ``index`` of the first rows as a header row; the row above may hold group
    labels ("Cha" over "Họ tên", "SĐT") or headers merged down over two rows."""
    aliases = _alias_map(spec)
    row = rows[index]
    upper = rows[index - 1] if index > 0 else ()
    columns: dict[int, Column] = {}
    labels: dict[str, str] = {}
    group = ""
    for position, value in enumerate(row):
        above = _text(upper[position]) if position < len(upper) else ""
        group = above or group
        label = _text(value) or above
        candidates = []
        if _text(value) and group:
            candidates += header_keys(f"{label} {_group_key(group)}")
        candidates += header_keys(label)
        for key in candidates:
            column = aliases.get(key)
            if column is not None and column.key not in labels:
                columns[position] = column
                labels[column.key] = label
                break
    return Layout("", index + 1, columns, labels)


def _first_rows(book: Workbook, sheet: str) -> list[tuple[Any, ...]]:
    return [tuple(row.cells) for row in book.rows(sheet, stop=HEADER_SEARCH_ROWS)]


def best_layout(sheets: dict[str, list[tuple[Any, ...]]], spec: KindSpec) -> Layout | None:
    best: Layout | None = None
    for name, rows in sheets.items():
        for index in range(len(rows)):
            layout = match_header(rows, index, spec)
            layout.sheet_name = name
            if best is None or layout.score > best.score:
                best = layout
    return best


def _kind_names() -> dict[str, str]:
    return {
        "students": _("students"),
        "staff": _("staff"),
        "classes": _("classes"),
        "schools": _("schools"),
    }


def _better_fit(spec: KindSpec, score: int, sheets: Any) -> KindSpec | None:
    """Another template the file matches completely and better than ``spec``."""
    for other in SPECS.values():
        if other.kind == spec.kind:
            continue
        guess = best_layout(sheets, other)
        if guess and guess.score > score and all(c.key in guess.keys for c in other.required):
            return other
    return None


def _wrong_template(spec: KindSpec, layout: Layout | None, sheets: Any) -> ImportFileError:
    names = _kind_names()
    found = layout.keys if layout else set()
    missing = [c.header for c in spec.required if c.key not in found]
    if missing:
        message = _(
            "This is not the %(kind)s template: the columns %(missing)s were not found in the "
            "first %(rows)s rows."
        ) % {
            "kind": names[spec.kind],
            "missing": ", ".join(f"“{h}”" for h in missing),
            "rows": HEADER_SEARCH_ROWS,
        }
    else:
        message = _("This is not the %(kind)s template.") % {"kind": names[spec.kind]}
    other = _better_fit(spec, layout.score if layout else 0, sheets)
    if other is not None:
        message += " " + _("It looks like the %(other)s template.") % {"other": names[other.kind]}
    return ImportFileError(message + " " + _("Download the template from the import page."))


def normalize(column: Column, value: Any) -> str:
    """A cell as text, given what the column holds (dates as dd/mm/yyyy, IDs with zeros)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    numeric = isinstance(value, int | float) and float(value).is_integer()
    if column.cell in ID_WIDTHS and numeric:
        return str(int(value)).zfill(ID_WIDTHS[column.cell])
    if column.cell is Cell.ANY_ID and numeric:
        digits = str(int(value))
        return digits.zfill(10) if len(digits) <= 10 else digits.zfill(12)
    if column.cell is Cell.DATE and isinstance(value, int | float) and 1 < value < 2958466:
        try:
            return _text(from_excel(value))
        except (ValueError, OverflowError):
            return _text(value)
    return _text(value)


class SheetReader:
    """``with SheetReader(path, spec) as reader: for row_number, row in reader.rows(): ...``"""

    def __init__(self, path: Path | str, spec: KindSpec) -> None:
        self.path = Path(path)
        self.spec = spec
        self.workbook: Workbook | None = None
        self.layout: Layout | None = None

    def __enter__(self) -> SheetReader:
        check_file(self.path)
        try:
            self.workbook = Workbook(self.path)
            self._find_layout()
        except ImportFileError:
            self.close()
            raise
        except Exception as exc:  # a TableError, or a surprise of openpyxl's in the layout
            self.close()
            raise ImportFileError(
                _("The workbook is damaged or is not a valid .xlsx file; it cannot be read.")
            ) from exc
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        if self.workbook is not None:
            self.workbook.close()
            self.workbook = None

    def _find_layout(self) -> None:
        book = self.workbook
        assert book is not None
        sheets = {
            name: _first_rows(book, name)
            for name in book.sheet_names
            if header_key(name) not in SKIPPED_SHEETS
        }
        if not any(any(_text(v) for v in row) for rows in sheets.values() for row in rows):
            raise ImportFileError(_("The workbook has no data: every sheet is empty."))
        layout = best_layout(sheets, self.spec)
        if layout is None or any(c.key not in layout.keys for c in self.spec.required):
            raise _wrong_template(self.spec, layout, sheets)
        if _better_fit(self.spec, layout.score, sheets) is not None:
            raise _wrong_template(self.spec, layout, sheets)
        max_row = book.last_row(layout.sheet_name)
        layout.estimated_rows = max_row - layout.header_row if max_row else None
        self.layout = layout

    def rows(self) -> Iterator[RawRow]:
        """Non-blank data rows as (Excel row number, {column key: text})."""
        assert self.layout is not None and self.workbook is not None
        layout = self.layout
        limit = settings.IMPORT_MAX_ROWS
        count = 0
        rows = self.workbook.rows(layout.sheet_name, start=layout.header_row + 1)
        while True:
            try:  # a broken sheet part shows only when reached
                raw = next(rows, None)
            except TableError as exc:  # "damaged after row N", in the same words as before
                raise ImportFileError(exc.message) from exc
            if raw is None:
                break
            number, values = raw
            row = {
                column.key: normalize(column, values[i])
                for i, column in layout.columns.items()
                if i < len(values)
            }
            if not any(v for k, v in row.items() if k != "row_no"):
                continue
            count += 1
            if count > limit:
                raise ImportFileError(
                    _("The sheet has more than %(limit)s rows; split it into several files.")
                    % {"limit": f"{limit:,}".replace(",", ".")}
                )
            yield number, row


def read_all(path: Path | str, spec: KindSpec) -> tuple[Layout, list[RawRow]]:
    """Every data row at once (small files and tests)."""
    with SheetReader(path, spec) as reader:
        rows = list(reader.rows())
        assert reader.layout is not None
        return reader.layout, rows
