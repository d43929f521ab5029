"""Reading bank statements (sao kê) exported as CSV or .xlsx into clean lines.

A bank's export has a preamble (account, period), a header row, the movements and a footer
(totals). The column mapping names, for each field, the header text of its column; two
banks are preset and any other is mapped by hand. Header texts are compared without case,
accents or extra spaces. CSV files come in UTF-8 (with or without BOM), UTF-16 or Windows
Vietnamese (cp1258, what Excel writes on a Vietnamese Windows), with ``,`` ``;`` or tab.
Every problem is reported with its row and column; a file with any error applies nothing.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from truongso.core import tables
from truongso.core.tables import (
    OWN_WORDS,
    TableError,
    csv_rows,
    decode_text,
    is_xlsx,
    sniff_delimiter,
    table_rows,
)
from truongso.core.text import fold

VN = ZoneInfo("Asia/Ho_Chi_Minh")
HEADER_SEARCH_ROWS = 30
MAX_ERRORS = 50

FIELDS = ("booked_at", "credit", "debit", "amount", "memo", "reference", "payer_name")
FIELD_LABELS = {
    "booked_at": gettext_lazy("Date"),
    "credit": gettext_lazy("Credit (money in)"),
    "debit": gettext_lazy("Debit (money out)"),
    "amount": gettext_lazy("Signed amount"),
    "memo": gettext_lazy("Description"),
    "reference": gettext_lazy("Reference"),
    "payer_name": gettext_lazy("Counterparty name"),
}


@dataclass(frozen=True)
class Preset:
    key: str
    label: Any
    columns: Mapping[str, str]
    date_formats: tuple[str, ...] = ("%d/%m/%Y %H:%M:%S", "%d/%m/%Y %H:%M", "%d/%m/%Y")


# Header texts as the banks' internet-banking exports wrote them in 2025–2026; a bank that
# renames a column is handled by editing the mapping on the upload form (preset "custom").
PRESETS: dict[str, Preset] = {
    "vcb": Preset(
        "vcb",
        gettext_lazy("Vietcombank (VCB Digibank export)"),
        {
            "booked_at": "Ngày giao dịch",
            "reference": "Số tham chiếu",
            "debit": "Số tiền ghi nợ",
            "credit": "Số tiền ghi có",
            "memo": "Mô tả",
        },
    ),
    "bidv": Preset(
        "bidv",
        gettext_lazy("BIDV (iBank / SmartBanking export)"),
        {
            "booked_at": "Ngày hiệu lực",
            "reference": "Số giao dịch",
            "debit": "Ghi nợ",
            "credit": "Ghi có",
            "memo": "Nội dung giao dịch",
            "payer_name": "Tên tài khoản đối ứng",
        },
        ("%d/%m/%Y %H:%M:%S", "%d/%m/%Y", "%d-%m-%Y %H:%M:%S", "%d-%m-%Y"),
    ),
}
CUSTOM = "custom"
OTHER_DATE_FORMATS = ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d", "%d/%m/%y", "%d.%m.%Y")


@dataclass
class ParsedLine:
    row_number: int
    booked_at: dt.datetime
    amount: int
    memo: str
    reference: str
    payer_name: str


@dataclass
class ParsedStatement:
    lines: list[ParsedLine] = field(default_factory=list)
    errors: list[dict[str, Any]] = field(default_factory=list)

    def error(self, row: int | None, column: str, message: str) -> None:
        if len(self.errors) < MAX_ERRORS:
            self.errors.append({"row": row, "column": column, "message": message})


class StatementFileError(Exception):
    """The file as a whole cannot be read (format, encoding, header)."""


def mapping_for(preset: str, overrides: Mapping[str, str] | None = None) -> dict[str, str]:
    base = dict(PRESETS[preset].columns) if preset in PRESETS else {}
    for key, value in (overrides or {}).items():
        if key in FIELDS:
            if value and value.strip():
                base[key] = value.strip()
            else:
                base.pop(key, None)
    return base


def mapping_problems(mapping: Mapping[str, str]) -> list[str]:
    problems = []
    if not mapping.get("booked_at"):
        problems.append(_("The column mapping needs the date column."))
    if not (mapping.get("credit") or mapping.get("amount")):
        problems.append(_("The column mapping needs a credit column or a signed amount column."))
    if not mapping.get("memo"):
        problems.append(_("The column mapping needs the description (memo) column."))
    return problems


# Reading rows -------------------------------------------------------------------------------


def rows_of(file_name: str, content: bytes, encoding: str = "auto") -> list[Sequence[Any]]:
    if file_name.lower().endswith(".xlsx") or is_xlsx(content):
        try:
            return [row.cells for row in table_rows(content, kind=tables.XLSX)]
        except TableError as exc:
            if exc.reason in OWN_WORDS:
                raise StatementFileError(exc.message) from exc
            raise StatementFileError(_("The file is not a readable .xlsx workbook.")) from exc
    if file_name.lower().endswith(".xls"):
        raise StatementFileError(_("Old .xls files are not read: save the file as .xlsx or CSV."))
    try:
        text = decode(content, encoding)
        return [row.cells for row in csv_rows(text, sniff_delimiter(text, ",;\t"))]
    except TableError as exc:  # core's words: not text, encoding not recognised
        raise StatementFileError(exc.message) from exc


def decode(content: bytes, encoding: str = "auto") -> str:
    """The text of a CSV file: the encoding given (normalised to NFC), or detected by
    :func:`truongso.core.tables.decode_text` among UTF-8, UTF-16 with BOM and Windows
    Vietnamese (cp1258, what Excel writes on a Vietnamese Windows)."""
    if encoding == "auto":
        return decode_text(content, encodings=("utf-8", "utf-16", "cp1258"))
    try:
        text = unicodedata.normalize("NFC", content.decode(encoding))
    except (UnicodeDecodeError, LookupError) as exc:
        raise StatementFileError(
            _("The file is not in the encoding %(encoding)s.") % {"encoding": encoding}
        ) from exc
    if "\x00" in text:
        raise StatementFileError(_("The file is not a text (CSV) file."))
    return text


# Header and values ---------------------------------------------------------------------------


def _key(value: Any) -> str:
    return " ".join(fold(str(value or "")).split())


def find_header(
    rows: Sequence[Sequence[Any]], mapping: Mapping[str, str]
) -> tuple[int, dict[str, int]]:
    """(index of the header row, column index of each mapped field)."""
    wanted = {name: _key(text) for name, text in mapping.items() if text}
    best: tuple[int, int, list[str]] = (-1, -1, [])
    for index, row in enumerate(rows[:HEADER_SEARCH_ROWS]):
        cells = [_key(cell) for cell in row]
        found = {name: cells.index(key) for name, key in wanted.items() if key in cells}
        if len(found) == len(wanted):
            return index, found
        if len(found) > best[1]:
            best = (index, len(found), [str(c) for c in row if c not in (None, "")])
    missing = [
        mapping[name] for name in wanted if best[0] < 0 or not _has(rows[best[0]], wanted[name])
    ]
    seen = ", ".join(f"“{c}”" for c in best[2][:12]) or _("none")
    raise StatementFileError(
        _("Columns not found: %(missing)s. Columns in the file: %(seen)s. "
          "Choose the bank's format or correct the column mapping.")
        % {"missing": ", ".join(f"“{m}”" for m in missing), "seen": seen}
    )  # fmt: skip


def _has(row: Sequence[Any], key: str) -> bool:
    return key in [_key(cell) for cell in row]


_GROUPED = re.compile(r"^\d{1,3}([.,\s]\d{3})+$")
_DECIMAL = re.compile(r"^(\d+)(?:[.,](\d{1,2}))?$")


def money(value: Any) -> int | None:
    """Whole đồng from a cell: 1500000, "1.500.000", "1,500,000.00", "-250.000", "(250.000)".
    ``None`` for an empty cell; ValueError for anything else."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        raise ValueError(value)
    if isinstance(value, int | float):
        if isinstance(value, float) and not value.is_integer():
            raise ValueError(value)
        return int(value)
    text = str(value).strip().upper().replace("VND", "").replace("Đ", "").strip()
    negative = text.startswith("-") or (text.startswith("(") and text.endswith(")"))
    text = text.strip("-+() ")
    text = re.sub(r"[.,]00?$", "", text) if re.search(r"[.,]\d{3}[.,]\d{1,2}$", text) else text
    if _GROUPED.match(text):
        number = int(re.sub(r"[.,\s]", "", text))
    else:
        match = _DECIMAL.match(text)
        if not match or (match.group(2) and int(match.group(2)) != 0):
            raise ValueError(value)
        number = int(match.group(1))
    return -number if negative else number


def when(value: Any, formats: Sequence[str]) -> dt.datetime | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, dt.datetime):
        return value if value.tzinfo else value.replace(tzinfo=VN)
    if isinstance(value, dt.date):
        return dt.datetime.combine(value, dt.time(), tzinfo=VN)
    text = " ".join(str(value).split())
    for fmt in (*formats, *OTHER_DATE_FORMATS):
        try:
            return dt.datetime.strptime(text, fmt).replace(tzinfo=VN)
        except ValueError:
            continue
    raise ValueError(value)


# The whole file --------------------------------------------------------------------------------


def parse_statement(
    *,
    file_name: str,
    content: bytes,
    preset: str,
    mapping: Mapping[str, str],
    encoding: str = "auto",
) -> ParsedStatement:
    parsed = ParsedStatement()
    for problem in mapping_problems(mapping):
        parsed.error(None, "", problem)
    if parsed.errors:
        return parsed
    try:
        rows = rows_of(file_name, content, encoding)
        header_at, columns = find_header(rows, mapping)
    except StatementFileError as error:
        parsed.error(None, "", str(error))
        return parsed
    formats = PRESETS[preset].date_formats if preset in PRESETS else Preset("", "", {}).date_formats
    for number, row in _data_rows(rows, header_at):
        _parse_row(parsed, number, row, columns, mapping, formats)
    if not parsed.lines and not parsed.errors:
        parsed.error(None, "", _("The file has a header row but no movements under it."))
    return parsed


def _data_rows(
    rows: Sequence[Sequence[Any]], header_at: int
) -> Iterator[tuple[int, Sequence[Any]]]:
    for index in range(header_at + 1, len(rows)):
        row = rows[index]
        if any(cell not in (None, "") for cell in row):
            yield index + 1, row  # row numbers as the spreadsheet shows them


def _cell(row: Sequence[Any], columns: Mapping[str, int], name: str) -> Any:
    index = columns.get(name)
    return row[index] if index is not None and index < len(row) else None


_FOOTER_WORDS = ("tong", "total", "so du", "cong phat sinh")


def _is_footer(row: Sequence[Any]) -> bool:
    """Totals and closing balances under the movements (no date of their own)."""
    return any(_key(cell).startswith(_FOOTER_WORDS) for cell in row if isinstance(cell, str))


def _parse_row(
    parsed: ParsedStatement,
    number: int,
    row: Sequence[Any],
    columns: Mapping[str, int],
    mapping: Mapping[str, str],
    formats: Sequence[str],
) -> None:
    raw_date = _cell(row, columns, "booked_at")
    if raw_date is None or (isinstance(raw_date, str) and not raw_date.strip()):
        if not _is_footer(row) and any(
            _cell(row, columns, n) for n in ("credit", "debit", "amount")
        ):
            parsed.error(number, mapping["booked_at"], _("The date is missing."))
        return  # a footer or a blank separator row
    try:
        booked_at = when(raw_date, formats)
    except ValueError:
        parsed.error(number, mapping["booked_at"], _("“%(value)s” is not a date.")
                     % {"value": str(raw_date)[:40]})  # fmt: skip
        return
    amounts: dict[str, int | None] = {}
    for name in ("credit", "debit", "amount"):
        try:
            amounts[name] = money(_cell(row, columns, name))
        except ValueError:
            parsed.error(number, mapping[name], _("“%(value)s” is not an amount in đồng.")
                         % {"value": str(_cell(row, columns, name))[:40]})  # fmt: skip
            return
    amount = _amount(parsed, number, amounts, mapping)
    if amount is None or booked_at is None:
        return
    parsed.lines.append(
        ParsedLine(
            row_number=number,
            booked_at=booked_at,
            amount=amount,
            memo=" ".join(str(_cell(row, columns, "memo") or "").split())[:500],
            reference=str(_cell(row, columns, "reference") or "").strip()[:100],
            payer_name=str(_cell(row, columns, "payer_name") or "").strip()[:255],
        )
    )


def _amount(
    parsed: ParsedStatement,
    number: int,
    amounts: Mapping[str, int | None],
    mapping: Mapping[str, str],
) -> int | None:
    credit, debit, signed = amounts["credit"] or 0, amounts["debit"] or 0, amounts["amount"]
    if signed is not None and not (credit or debit):
        amount = signed
    elif credit and debit:
        parsed.error(
            number, mapping["credit"], _("A movement cannot be both a credit and a debit.")
        )
        return None
    else:
        amount = abs(credit) if credit else -abs(debit)
    if amount == 0:
        parsed.error(
            number,
            mapping.get("credit") or mapping.get("amount", ""),
            _("The amount is zero or missing."),
        )
        return None
    return amount
