"""CSV files of ``manage.py admission_simulate``: reading applicants and schools, writing the
assignment. Every problem names the file's line and column; nothing is guessed.

Applicants: ``applicant_id,score,pref1[,pref2,pref3 ...][,excluded][,tie1,tie2 ...]``
(preferences are school codes and may be empty; ``excluded`` is 1 for an applicant excluded
beforehand, e.g. a zero in an exam; ``tie1`` ... are tie-break keys, higher first). Schools:
``school_code,quota``. Text is UTF-8 (with or without BOM) or UTF-16 with a BOM; the
separator is a comma, or a semicolon when the header has one and no comma (as a Vietnamese
Excel writes), in which case a decimal comma ("23,75") is read too.
"""

from __future__ import annotations

import csv
import io
import os
import re
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path

import numpy as np
import numpy.typing as npt
from django.utils.translation import gettext as _

from truongso.admissions.checks import MAX_LISTED, AdmissionInputError
from truongso.admissions.engine import AssignmentResult

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
        first = text.split("\n", 1)[0]
        self.delimiter = ";" if ";" in first and "," not in first else ","
        self.rows = csv.reader(io.StringIO(text, newline=""), delimiter=self.delimiter)
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
        if raw[:2] in (b"\xff\xfe", b"\xfe\xff"):
            try:
                return raw.decode("utf-16")
            except UnicodeDecodeError:
                pass
        try:
            return raw.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            line = raw.count(b"\n", 0, exc.start) + 1
            self.problem(
                line,
                "",
                _("this is not UTF-8 text; save the file as “CSV UTF-8” and try again."),
            )
            return ""

    def read_header(self, required: list[str], optional: re.Pattern[str]) -> dict[str, int]:
        for row in self.rows:
            self.header = [h.strip().lower() for h in row]
            break
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

    def data_rows(self) -> Iterator[tuple[int, list[str]]]:
        for row in self.rows:
            line = self.rows.line_num
            if not any(cell.strip() for cell in row):
                continue  # blank lines (a trailing one is common)
            if len(row) != len(self.header):
                self.problem(line, "", _("%(n)s values where the header has %(h)s.") % {
                    "n": len(row), "h": len(self.header)
                })  # fmt: skip
                continue
            yield line, [cell.strip() for cell in row]

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
            raise CsvInputError(self.problems)


def read_schools(path: Path) -> SchoolsTable:
    reader = _Reader(path, path.name)
    reader.read_header(["school_code", "quota"], re.compile("^$"))
    reader.fail_if_any()
    code_at, quota_at = reader.header.index("school_code"), reader.header.index("quota")
    codes, quotas, lines = [], [], []
    for line, row in reader.data_rows():
        quota = reader.number(row[quota_at])
        if quota is None or quota != quota.to_integral_value():
            reader.problem(
                line, "quota", _("“%(v)s” is not a whole number.") % {"v": row[quota_at]}
            )
            continue
        codes.append(row[code_at])
        quotas.append(int(quota))
        lines.append(line)
    reader.fail_if_any()
    return SchoolsTable(codes, np.asarray(quotas, dtype=np.int64), lines)


def read_applicants(path: Path, school_index: dict[str, int]) -> ApplicantsTable:
    reader = _Reader(path, path.name)
    columns = reader.read_header(["applicant_id", "score", "pref1"], re.compile(
        r"^(pref[1-9][0-9]?|tie[1-9][0-9]?|excluded)$"
    ))  # fmt: skip
    prefs = _numbered(reader, columns, PREF)
    ties = _numbered(reader, columns, TIE)
    reader.fail_if_any()
    id_at, score_at = columns["applicant_id"], columns["score"]
    excluded_at = columns.get("excluded")
    ids: list[str] = []
    scores: list[float] = []
    pref_rows: list[list[int]] = []
    flags: list[bool] = []
    keys: list[list[float]] = []
    lines: list[int] = []
    for line, row in reader.data_rows():
        score = reader.number(row[score_at])
        if score is None or score * 100 != (score * 100).to_integral_value():
            reader.problem(line, "score", _("“%(v)s” is not a number with at most two decimals.")
                           % {"v": row[score_at]})  # fmt: skip
        chosen = [_school(reader, line, f"pref{k + 1}", row[at], school_index)
                  for k, at in enumerate(prefs)]  # fmt: skip
        flag = row[excluded_at] if excluded_at is not None else ""
        if flag not in ("", "0", "1"):
            reader.problem(line, "excluded", _("write 1 (excluded) or 0 / nothing."))
        tie_values = [reader.number(row[at]) for at in ties]
        for k, value in enumerate(tie_values):
            if value is None:
                reader.problem(line, f"tie{k + 1}", _("“%(v)s” is not a number.") % {
                    "v": row[ties[k]]
                })  # fmt: skip
        if len(reader.problems) > MAX_LISTED:
            break
        ids.append(row[id_at])
        scores.append(float(score) if score is not None else 0.0)
        pref_rows.append(chosen)
        flags.append(flag == "1")
        keys.append([float(v) if v is not None else 0.0 for v in tie_values])
        lines.append(line)
    reader.fail_if_any()
    return ApplicantsTable(
        ids=np.asarray(ids, dtype=np.str_),
        scores=np.asarray(scores, dtype=np.float64),
        preferences=np.asarray(pref_rows, dtype=np.int32).reshape(len(ids), len(prefs)),
        excluded=np.asarray(flags, dtype=bool),
        secondary=np.asarray(keys, dtype=np.float64).reshape(len(ids), len(ties)),
        lines=lines,
    )


def _numbered(reader: _Reader, columns: dict[str, int], pattern: re.Pattern[str]) -> list[int]:
    """Positions of ``pref1, pref2 ...`` (or ``tie1 ...``) in order; a gap is a problem."""
    found = {int(m.group(1)): at for name, at in columns.items() if (m := pattern.match(name))}
    for number in range(1, len(found) + 1):
        if number not in found:
            stem = pattern.pattern.strip("^$").split("(")[0]
            reader.problem(1, f"{stem}{number}", _("the column is missing."))
    return [found[k] for k in sorted(found)]


def _school(reader: _Reader, line: int, column: str, code: str, index: dict[str, int]) -> int:
    if not code:
        return -1
    if code not in index:
        reader.problem(line, column, _("unknown school code “%(c)s”.") % {"c": code})
        return -1
    return index[code]


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
