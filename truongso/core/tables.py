"""Reading an uploaded table (bảng tính .xlsx or tệp CSV): bytes → rows of raw cells.

One reader for every upload that is a table (registry imports, bank statements, exam
scores, enrolment codes, the admission simulator's files), so that they all survive the same
bad files: an .xlsx is streamed with openpyxl's read-only mode and any of openpyxl's many
exceptions becomes a :class:`TableError`; a CSV is decoded by its BOM (UTF-8 or UTF-16), as
UTF-8, or in a legacy code page only where the caller lists one, and its separator is
detected among the candidates the caller lists. Each row keeps its number as the user sees
it (the Excel row, the CSV line) so that problems can say "dòng N".

Cells stay raw (openpyxl's values, or the CSV's text unstripped): what a cell means (a score,
a date, an amount in đồng) is the business of the domain that reads it, with its own messages.
"""

from __future__ import annotations

import csv
import io
import unicodedata
import zipfile
from collections.abc import Iterator, Sequence
from pathlib import Path
from types import TracebackType
from typing import IO, Any, Literal, NamedTuple

from django.conf import settings
from django.utils.translation import gettext as _

ZIP_MAGIC = b"PK\x03\x04"  # an .xlsx is a zip package
UTF8 = ("utf-8",)
UTF8_OR_UTF16 = ("utf-8", "utf-16")
SNIFF_LINES = 50  # a bank's preamble (account, period) comes before its header row
SNIFF_CHARS = 64 * 1024

Kind = Literal["xlsx", "csv"]
XLSX: Kind = "xlsx"
CSV: Kind = "csv"
Reason = Literal["empty", "damaged", "not_text", "encoding", "malformed", "too_large"]
EMPTY: Reason = "empty"
DAMAGED: Reason = "damaged"
NOT_TEXT: Reason = "not_text"
ENCODING: Reason = "encoding"
MALFORMED: Reason = "malformed"
TOO_LARGE: Reason = "too_large"
# Uncompressed size allowed per byte of the largest upload: a "zip bomb" (a few MB that
# unpack to gigabytes of XML) is refused from the zip's directory, before parsing.
MAX_EXPANSION = 40
# Reasons whose message says more than a caller's own "cannot read this file".
OWN_WORDS: tuple[Reason, ...] = (MALFORMED, TOO_LARGE)


class TableError(Exception):
    """The file cannot be read as a table. ``reason`` lets a caller keep its own wording;
    ``line`` is where the reading stopped (the first undecodable line, the last good row)."""

    def __init__(self, reason: Reason, message: str, *, line: int | None = None) -> None:
        super().__init__(message)
        self.reason = reason
        self.message = message
        self.line = line


class Row(NamedTuple):
    line: int  # the Excel row, or the CSV line the row ends on (csv.reader's ``line_num``)
    cells: Sequence[Any]


def is_xlsx(content: bytes) -> bool:
    return content[:4] == ZIP_MAGIC


# CSV ----------------------------------------------------------------------------------------


def decode_text(content: bytes, *, encodings: Sequence[str] = UTF8) -> str:
    """The text of a CSV file in the first of ``encodings`` that fits: UTF-16 only with its
    BOM (Excel's "Unicode text"), UTF-8 with or without BOM, then any legacy code page listed
    (cp1258 writes Vietnamese tone marks as combining characters: normalised to NFC, which
    the UTF encodings are not, so that the text keeps what the user wrote)."""
    text = _decoded(content, encodings)
    nul = text.find("\x00")
    if nul >= 0:  # a binary file, or UTF-16 without its BOM
        raise TableError(
            NOT_TEXT, _("The file is not a text (CSV) file."), line=_line_of(text, nul)
        )
    return text


def _decoded(content: bytes, encodings: Sequence[str]) -> str:
    if "utf-16" in encodings and content[:2] in (b"\xff\xfe", b"\xfe\xff"):
        try:
            return content.decode("utf-16")
        except UnicodeDecodeError:
            pass  # a BOM by chance: let the other encodings try
    line = None
    for encoding in (name for name in encodings if name != "utf-16"):
        try:
            if encoding == "utf-8":
                return content.decode("utf-8-sig")
            return unicodedata.normalize("NFC", content.decode(encoding))
        except UnicodeDecodeError as error:
            if encoding == "utf-8":  # where UTF-8 failed is where the user should look
                line = content.count(b"\n", 0, error.start) + 1
    message = _("The text encoding of the file was not recognised: save it as CSV UTF-8.")
    raise TableError(ENCODING, message, line=line)


def _line_of(text: str, position: int) -> int:
    return text.count("\n", 0, position) + 1


def sniff_delimiter(text: str, candidates: str = ",;\t") -> str:
    """The candidate that splits the first lines into the most cells, counting only lines
    of two cells or more (a preamble line of one cell says nothing; ``csv.Sniffer`` is
    defeated by it). A tie goes to the earlier candidate, so a file of one column is comma
    separated. Only the first lines are read, however long the file."""
    end = -1
    for _line in range(SNIFF_LINES):
        end = text.find("\n", end + 1, SNIFF_CHARS)
        if end < 0:
            break
    head = text[: end + 1] if end >= 0 else text[:SNIFF_CHARS]

    def cells(delimiter: str) -> int:
        rows = csv.reader(io.StringIO(head, newline=""), delimiter=delimiter)
        return sum(len(row) for row in rows if len(row) >= 2)

    return max(candidates, key=cells)


def csv_rows(text: str, delimiter: str = ",") -> Iterator[Row]:
    """Rows one at a time (a blank line is a row without cells), each with its line.

    Strict quoting: a quote opened and never closed would otherwise swallow the rest of the
    file into one cell without a word, and ``"x"y`` would silently become ``xy``; both are
    refused at their line instead."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    last = 0
    try:
        for cells in reader:
            last = reader.line_num
            yield Row(last, cells)
    except csv.Error as error:
        line = last + 1  # where the broken row starts (an unclosed quote runs to the end)
        message = _("The CSV file cannot be read at line %(line)s.") % {"line": line}
        raise TableError(MALFORMED, message, line=line) from error


# .xlsx --------------------------------------------------------------------------------------


def _damaged() -> TableError:
    return TableError(DAMAGED, _("The file is not a readable .xlsx workbook."))


def unpacked_size_check(source: Path | IO[bytes]) -> None:
    """Refuse a workbook whose parts unpack to more than ``MAX_EXPANSION`` times the largest
    upload allowed (``IMPORT_MAX_BYTES``), reading only the zip's directory."""
    try:
        with zipfile.ZipFile(source) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, OSError, ValueError) as error:
        raise _damaged() from error
    finally:
        if not isinstance(source, Path):
            source.seek(0)
    if unpacked > MAX_EXPANSION * settings.IMPORT_MAX_BYTES:
        raise TableError(TOO_LARGE, _("The workbook is too large once unpacked."))


class Workbook:
    """An .xlsx opened read-only, its rows streamed sheet by sheet; for several sheets or a
    header searched in the first rows (``with Workbook(path) as book: book.rows(...)``)."""

    def __init__(self, source: bytes | Path | IO[bytes]) -> None:
        import openpyxl  # a heavy import, only for those who read workbooks

        if isinstance(source, bytes) and not source:
            raise TableError(EMPTY, _("The file is empty (0 bytes)."))
        data = io.BytesIO(source) if isinstance(source, bytes) else source
        unpacked_size_check(data)
        try:
            self.book: Any = openpyxl.load_workbook(data, read_only=True, data_only=True)
            # worksheets only: a chart sheet has no rows
            self.sheet_names: list[str] = [sheet.title for sheet in self.book.worksheets]
            # The size each sheet declares (<dimension>), read before rows() forgets it.
            self._declared: dict[str, tuple[int | None, int | None]] = {
                sheet.title: (sheet.max_row, sheet.max_column) for sheet in self.book.worksheets
            }
        except Exception as error:  # openpyxl raises many kinds on a broken package
            raise _damaged() from error
        if not self.sheet_names:
            self.close()
            raise _damaged()

    def __enter__(self) -> Workbook:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        if self.book is not None:
            self.book.close()
            self.book = None

    def last_row(self, sheet: str) -> int | None:
        """The sheet's last row as the file declares it (an estimate: it may be missing)."""
        last = self._declared[sheet][0]
        return int(last) if last else None

    def rows(
        self, sheet: str | None = None, *, start: int = 1, stop: int | None = None
    ) -> Iterator[Row]:
        """Rows ``start`` to ``stop`` (Excel numbers) of ``sheet`` (the first by default).
        A broken part of a sheet shows only when reached: the error names the last good row.

        Rows are padded to the declared width, but not cut to the declared size: openpyxl's
        read-only mode would silently drop every row and column beyond it, and some
        generators declare a stale size or just "A1"."""
        name = sheet or self.sheet_names[0]
        width = self._declared[name][1] or 0
        worksheet = self.book[name]
        worksheet.reset_dimensions()
        values = worksheet.iter_rows(min_row=start, max_row=stop, values_only=True)
        line = start - 1
        while True:
            try:
                cells = next(values, None)
            except Exception as error:
                message = _("The workbook is damaged after row %(row)s; it cannot be read.")
                raise TableError(DAMAGED, message % {"row": line}, line=line) from error
            if cells is None:
                return
            line += 1
            missing = width - len(cells)
            yield Row(line, (*cells, *(None,) * missing) if missing > 0 else tuple(cells))


def _streamed(book: Workbook) -> Iterator[Row]:
    try:
        yield from book.rows()
    finally:
        book.close()


# Either -------------------------------------------------------------------------------------


def table_rows(
    content: bytes,
    *,
    kind: Kind,
    encodings: Sequence[str] = UTF8,
    delimiters: str = ",",
) -> Iterator[Row]:
    """The rows of an .xlsx's first sheet, or of a CSV (separator detected among
    ``delimiters``). The caller decides the kind: each has its own rule for names and
    content that disagree. An unreadable file raises :class:`TableError` here, or at the row
    where a workbook's sheet breaks."""
    if kind == XLSX:
        return _streamed(Workbook(content))
    text = decode_text(content, encodings=encodings)
    delimiter = delimiters if len(delimiters) == 1 else sniff_delimiter(text, delimiters)
    return csv_rows(text, delimiter)
