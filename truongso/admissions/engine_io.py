"""CSV files of ``manage.py admission_simulate``: reading applicants and schools, writing the
assignment. Every problem names the file's line and column; nothing is guessed.

Applicants: ``applicant_id,score,pref1[,pref2,pref3 ...][,excluded][,tie1,tie2 ...]``
(preferences are school codes and may be empty; ``excluded`` is 1 for an applicant excluded
beforehand, e.g. a zero in an exam; ``tie1`` ... are tie-break keys, higher first). Schools:
``school_code,quota``. Text is UTF-8 (with or without BOM) or UTF-16 with a BOM; the
separator is a comma, or a semicolon when it splits the first lines into more cells (as a
Vietnamese Excel writes), in which case a decimal comma ("23,75") is read too. The reading
itself is :mod:`truongso.core.tables`.
"""

from __future__ import annotations

import csv
import itertools
import os
import re
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path

import numpy as np
import numpy.typing as npt
from django.utils.translation import gettext as _

from truongso.admissions.checks import MAX_LISTED, AdmissionInputError
from truongso.admissions.engine import AssignmentResult
from truongso.core.tables import (
    UTF8_OR_UTF16,
    TableError,
    csv_rows,
    decode_text,
    sniff_delimiter,
)

PREF = re.compile(r"^pref([1-9][0-9]?)$")
TIE = re.compile(r"^tie([1-9][0-9]?)$")


@dataclass(frozen=True)
class CsvProblem:
    file: str
    line: int | None
    column: str
    message: str

    def __str__(self) -> str:
        values = {"file": self.file, "line": self.line, "col": self.column, "msg": self.message}
        if self.line is None:
            if not self.column:
                return _("%(file)s: %(msg)s") % values
            return _("%(file)s, column %(col)s: %(msg)s") % values
        if not self.column:
            return _("%(file)s, line %(line)s: %(msg)s") % values
        return _("%(file)s, line %(line)s, column %(col)s: %(msg)s") % values


class CsvInputError(Exception):
    """Nothing was computed or written: the files have the listed problems."""

    def __init__(self, problems: list[CsvProblem]) -> None:
        self.problems = problems
        lines = [str(p) for p in problems[:MAX_LISTED]]
        if len(problems) > MAX_LISTED:
            lines.append(_("… and %(n)s more problems.") % {"n": len(problems) - MAX_LISTED})
        super().__init__("\n".join(lines))


@dataclass(frozen=True)
class SchoolsTable:
    codes: list[str]
    quotas: npt.NDArray[np.int64]
    lines: list[int]


@dataclass(frozen=True)
class ApplicantsTable:
    ids: npt.NDArray[np.str_]
    scores: npt.NDArray[np.float64]  # checked: at most two decimals
    preferences: npt.NDArray[np.int32]
    excluded: npt.NDArray[np.bool_]
    secondary: npt.NDArray[np.float64]
    lines: list[int]


class _Reader:
    """Rows of one CSV file with their line numbers, and the problems found so far."""

    def __init__(self, path: Path, label: str) -> None:
        self.label = label
        self.problems: list[CsvProblem] = []
        text = self._decode(path)
        self.delimiter = sniff_delimiter(text, ",;")
        self.rows = csv_rows(text, self.delimiter)
        self.header: list[str] = []

    def problem(self, line: int | None, column: str, message: str) -> None:
        problem = CsvProblem(self.label, line, column, message)
        if problem not in self.problems[-3:]:  # e.g. pref1 both required and numbered
            self.problems.append(problem)

    def _decode(self, path: Path) -> str:
        try:
            raw = path.read_bytes()
        except OSError as exc:
            self.problem(None, "", _("cannot read the file (%(e)s).") % {"e": exc.strerror})
            return ""
        try:
            return decode_text(raw, encodings=UTF8_OR_UTF16)
        except TableError as error:  # not UTF-8, or not text at all (binary, UTF-16 no BOM)
            self.problem(
                error.line,
                "",
                _("this is not UTF-8 text; save the file as “CSV UTF-8” and try again."),
            )
            return ""

    def read_header(self, required: list[str], optional: re.Pattern[str]) -> dict[str, int]:
        try:
            first = next(self.rows, None)
        except TableError as error:
            first = None
            self.problem(error.line, "", error.message)
        if first is not None:
            self.header = [h.strip().lower() for h in first.cells]
        if not self.header and not self.problems:
            self.problem(1, "", _("the file is empty (no header line)."))
        columns: dict[str, int] = {}
        for position, name in enumerate(self.header):
            if name in columns:
                self.problem(1, name, _("the column appears twice."))
            elif name not in required and not optional.match(name):
                self.problem(1, name or "?", _("unknown column; expected: %(c)s.") % {
                    "c": ", ".join(required)
                })  # fmt: skip
            columns.setdefault(name, position)
        for name in required:
            if self.header and name not in columns:
                self.problem(1, name, _("the column is missing."))
        return columns

    def table(self) -> tuple[list[int], list[tuple[str, ...]]]:
        """The data rows' line numbers and their columns (cells stripped). Blank lines are
        skipped (a trailing one is common); a row with another number of values than the
        header is a problem."""
        width = len(self.header)
        lines: list[int] = []
        rows: list[Sequence[str]] = []
        try:
            for line, row in self.rows:
                if len(row) != width or not all(row):
                    if not any(cell.strip() for cell in row):
                        continue
                    if len(row) != width:
                        message = _("%(n)s values where the header has %(h)s.")
                        self.problem(line, "", message % {"n": len(row), "h": width})
                        continue
                lines.append(line)
                rows.append(row)
        except TableError as error:  # a malformed line ends the file
            self.problem(error.line, "", error.message)
        if not rows:
            return lines, [() for _ in range(width)]
        return lines, [tuple(map(str.strip, column)) for column in zip(*rows, strict=True)]

    def number(self, text: str) -> Decimal | None:
        if self.delimiter == ";":
            text = text.replace(",", ".")
        try:
            value = Decimal(text)
        except InvalidOperation:
            return None
        return value if value.is_finite() else None

    def fail_if_any(self) -> None:
        if self.problems:
            order = {name: at for at, name in enumerate(self.header)} | {"": -1}
            missing = len(self.header)  # a missing column comes after the header's own
            self.problems.sort(key=lambda p: (p.line or 0, order.get(p.column, missing)))
            raise CsvInputError(self.problems)


def read_schools(path: Path) -> SchoolsTable:
    reader = _Reader(path, path.name)
    reader.read_header(["school_code", "quota"], re.compile("^$"))
    reader.fail_if_any()
    lines, columns = reader.table()
    codes = list(columns[reader.header.index("school_code")])
    quotas = []
    for line, text in zip(lines, columns[reader.header.index("quota")], strict=True):
        quota = reader.number(text)
        if quota is None or quota != quota.to_integral_value():
            reader.problem(line, "quota", _("“%(v)s” is not a whole number.") % {"v": text})
        quotas.append(int(quota) if quota is not None and quota.is_finite() else 0)
    reader.fail_if_any()
    return SchoolsTable(codes, np.asarray(quotas, dtype=np.int64), lines)


def read_applicants(path: Path, school_index: dict[str, int]) -> ApplicantsTable:
    """Column by column (a million rows read in seconds); every problem keeps its line."""
    reader = _Reader(path, path.name)
    columns = reader.read_header(["applicant_id", "score", "pref1"], re.compile(
        r"^(pref[1-9][0-9]?|tie[1-9][0-9]?|excluded)$"
    ))  # fmt: skip
    prefs = _numbered(reader, columns, PREF)
    ties = _numbered(reader, columns, TIE)
    reader.fail_if_any()
    lines, cells = reader.table()
    n = len(lines)
    scores = _numbers(reader, lines, "score", cells[columns["score"]], hundredths=True)
    chosen = [
        _schools(reader, lines, f"pref{k + 1}", cells[at], school_index)
        for k, at in enumerate(prefs)
    ]
    keys = [_numbers(reader, lines, f"tie{k + 1}", cells[at]) for k, at in enumerate(ties)]
    excluded = np.zeros(n, dtype=bool)
    if "excluded" in columns:
        flags = cells[columns["excluded"]]
        for row in [i for i, flag in enumerate(flags) if flag not in ("", "0", "1")][:MAX_LISTED]:
            reader.problem(lines[row], "excluded", _("write 1 (excluded) or 0 / nothing."))
        excluded = np.asarray([flag == "1" for flag in flags], dtype=bool)
    reader.fail_if_any()
    return ApplicantsTable(
        ids=np.asarray(cells[columns["applicant_id"]], dtype=np.str_),
        scores=scores,
        preferences=np.stack(chosen, axis=1) if n else np.zeros((0, len(prefs)), np.int32),
        excluded=excluded,
        secondary=np.stack(keys, axis=1) if n and keys else np.zeros((n, len(keys))),
        lines=lines,
    )


def _numbers(
    reader: _Reader, lines: list[int], name: str, column: tuple[str, ...], hundredths: bool = False
) -> npt.NDArray[np.float64]:
    """A column of numbers (of at most two decimals if ``hundredths``); bad cells are
    problems naming their lines, read one by one only when the fast path fails."""
    text = column if reader.delimiter == "," else tuple(c.replace(",", ".") for c in column)
    try:
        values = np.asarray(text, dtype=np.float64).reshape(len(text))
        bad = ~np.isfinite(values)
    except ValueError:
        parsed = [reader.number(cell) for cell in text]
        values = np.asarray([0.0 if v is None else float(v) for v in parsed], dtype=np.float64)
        bad = np.asarray([v is None for v in parsed], dtype=bool)
    if hundredths:
        scaled = np.where(bad, 0.0, values) * 100
        bad |= np.abs(scaled - np.round(scaled)) > 1e-6
        message = _("“%(v)s” is not a number with at most two decimals.")
    else:
        message = _("“%(v)s” is not a number.")
    for row in np.flatnonzero(bad)[:MAX_LISTED].tolist():
        reader.problem(lines[row], name, message % {"v": column[row]})
    return np.where(bad, 0.0, values)


def _schools(
    reader: _Reader, lines: list[int], name: str, column: tuple[str, ...], index: dict[str, int]
) -> npt.NDArray[np.int32]:
    """School codes as indexes (-1 for an empty cell); an unknown code is a problem."""
    lookup = {**index, "": -1}
    found = np.fromiter(map(lookup.get, column, itertools.repeat(-2)), np.int32, len(column))
    for row in np.flatnonzero(found == -2)[:MAX_LISTED].tolist():
        reader.problem(lines[row], name, _("unknown school code “%(c)s”.") % {"c": column[row]})
    found[found == -2] = -1
    return found


def _numbered(reader: _Reader, columns: dict[str, int], pattern: re.Pattern[str]) -> list[int]:
    """Positions of ``pref1, pref2 ...`` (or ``tie1 ...``) in order; a gap is a problem."""
    found = {int(m.group(1)): at for name, at in columns.items() if (m := pattern.match(name))}
    for number in range(1, len(found) + 1):
        if number not in found:
            stem = pattern.pattern.strip("^$").split("(")[0]
            reader.problem(1, f"{stem}{number}", _("the column is missing."))
    return [found[k] for k in sorted(found)]


def input_problems_as_csv(
    error: AdmissionInputError, applicants: Path, schools: Path, lines: dict[str, list[int]]
) -> CsvInputError:
    """The engine's problems (rows of the arrays) as problems of the files' lines."""
    problems = []
    for p in error.problems:
        if p.table == "config":
            problems.append(CsvProblem("--penalties", None, p.field, p.message))
            continue
        path = applicants if p.table == "applicants" else schools
        rows = lines[p.table]
        line = rows[p.row] if p.row is not None else None
        problems.append(CsvProblem(path.name, line, p.field, p.text(rows.__getitem__)))
    problems.sort(key=lambda p: (p.file, p.line or 0))
    return CsvInputError(problems)


def write_assignment(path: Path, result: AssignmentResult) -> None:
    """``applicant_id,school_code,preference`` in the input order, written to a temporary
    file beside ``path`` and renamed, so that a failure never leaves half a file."""
    codes = np.asarray([*result.data.school_codes, ""], dtype=object)
    schools = codes[result.school]  # -1 picks the trailing ""
    preferences = np.where(result.preference > 0, result.preference.astype(str), "")
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="") as out:
            writer = csv.writer(out, lineterminator="\n")
            writer.writerow(["applicant_id", "school_code", "preference"])
            writer.writerows(
                zip(result.data.applicant_ids.tolist(), schools, preferences, strict=True)
            )
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
