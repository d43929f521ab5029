"""Checks of the engine's input: the engine refuses inconsistent input rather than guessing.

Every problem names its row (0-based position of the applicant or school in the input),
its field (the CSV column names: ``applicant_id``, ``score``, ``pref1`` ..., ``school_code``,
``quota``) and the reason, in Vietnamese first. All problems are collected, vectorised, before
anything is computed.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

if TYPE_CHECKING:
    from truongso.admissions.engine import AdmissionInput, EngineConfig

MAX_LISTED = 50


@dataclass(frozen=True)
class InputProblem:
    row: int | None  # 0-based position in the applicants (or schools) given; None: the whole input
    field: str
    message: str
    table: str = "applicants"  # or "schools", "config"
    other_row: int | None = None  # the row a repeated value was first seen in

    def text(self, label: Callable[[int], int] = lambda row: row + 1) -> str:
        """The message, naming ``other_row`` as ``label`` numbers it (a file's line ...)."""
        if self.other_row is None:
            return self.message
        return self.message % {"row": label(self.other_row)}


class AdmissionInputError(ValueError):
    """Nothing was computed: the input has the listed problems."""

    def __init__(self, problems: list[InputProblem]) -> None:
        self.problems = problems
        lines = [_describe(p) for p in problems[:MAX_LISTED]]
        if len(problems) > MAX_LISTED:
            lines.append(_("… and %(n)s more problems.") % {"n": len(problems) - MAX_LISTED})
        super().__init__("\n".join(lines))


def _describe(problem: InputProblem) -> str:
    if problem.row is None:
        return _("%(field)s: %(message)s") % {"field": problem.field, "message": problem.text()}
    return _("%(table)s row %(row)s, %(field)s: %(message)s") % {
        "table": pgettext("admissions", "Applicants")
        if problem.table == "applicants"
        else pgettext("admissions", "Schools"),
        "row": problem.row + 1,
        "field": problem.field,
        "message": problem.text(),
    }


def build_input(
    factory: type[AdmissionInput],
    *,
    config: EngineConfig,
    unit: int,
    school_codes: Sequence[str],
    quotas: Any,
    applicant_ids: Any,
    scores: Any,
    preferences: Any,
    excluded: Any,
    secondary: Any,
) -> AdmissionInput:
    problems: list[InputProblem] = []
    penalties = _penalties(config, unit, problems)
    codes = tuple(str(c) for c in school_codes)
    quota_array = _quotas(codes, quotas, problems)
    ids = _array(applicant_ids)
    n = len(ids)
    score_array = _scores(scores, n, unit, config, problems)
    prefs = _preferences(preferences, n, len(codes), problems)
    if prefs.shape[1] > len(penalties):
        problems.append(
            InputProblem(None, "penalties", _too_few_penalties(prefs.shape[1]), "config")
        )
        penalties = np.zeros(prefs.shape[1], dtype=np.int64)
    id_order = _check_ids(ids, problems)
    excluded_array = _flags(excluded, n, problems)
    secondary_array = _secondary(secondary, n, problems)
    if problems:
        raise AdmissionInputError(problems)
    return factory(
        config,
        codes, quota_array, ids, score_array, prefs, excluded_array, secondary_array, penalties,
        id_order,
    )  # fmt: skip


def _too_few_penalties(k: int) -> str:
    return _("%(k)s preferences need %(p)s penalties (for NV2 onwards).") % {"k": k, "p": k - 1}


def _penalties(
    config: EngineConfig, unit: int, problems: list[InputProblem]
) -> npt.NDArray[np.int64]:
    values = [Decimal(0), *config.penalties]
    hundredths = []
    for value in values:
        scaled = Decimal(value) * unit
        if scaled != scaled.to_integral_value() or scaled < 0:
            problems.append(
                InputProblem(
                    None,
                    "penalties",
                    _("A penalty must be ≥ 0 with at most two decimals."),
                    "config",
                )
            )
            return np.zeros(len(values), dtype=np.int64)
        hundredths.append(int(scaled))
    if any(b < a for a, b in itertools.pairwise(hundredths)):
        problems.append(
            InputProblem(
                None,
                "penalties",
                _("Penalties must not decrease from one preference to the next (NV2 ≤ NV3 …)."),
                "config",
            )
        )
    return np.asarray(hundredths, dtype=np.int64)


def _quotas(
    codes: tuple[str, ...], quotas: Any, problems: list[InputProblem]
) -> npt.NDArray[np.int64]:
    raw = _array(quotas)
    if raw.shape != (len(codes),):
        problems.append(
            InputProblem(None, "quota", _("There must be one quota per school."), "schools")
        )
        return np.zeros(len(codes), dtype=np.int64)
    seen: dict[str, int] = {}
    for row, code in enumerate(codes):
        if not code.strip():
            problems.append(
                InputProblem(row, "school_code", _("The school code is empty."), "schools")
            )
        elif code in seen:
            message = _("School %(code)s is repeated: it is already in row %(row)s.")
            message = message.replace("%(code)s", code.replace("%", "%%"))
            problems.append(InputProblem(row, "school_code", message, "schools", seen[code]))
        seen.setdefault(code, row)
    if raw.dtype.kind not in "iu":
        problems.append(InputProblem(None, "quota", _("Quotas must be whole numbers."), "schools"))
        return np.zeros(len(codes), dtype=np.int64)
    values = raw.astype(np.int64)
    for negative in np.flatnonzero(values < 0).tolist():
        message = _("The quota cannot be negative (%(v)s).") % {"v": values[negative]}
        problems.append(InputProblem(negative, "quota", message, "schools"))
    return values


def _scores(
    scores: Any, n: int, unit: int, config: EngineConfig, problems: list[InputProblem]
) -> npt.NDArray[np.int64]:
    raw = _array(scores)
    if raw.shape != (n,):
        problems.append(InputProblem(None, "score", _("There must be one score per applicant.")))
        return np.zeros(n, dtype=np.int64)
    if raw.dtype.kind in "iu":
        hundredths = raw.astype(np.int64) * unit
    elif raw.dtype.kind == "f":
        hundredths = _float_hundredths(raw.astype(np.float64), unit, problems)
    else:
        hundredths = _exact_hundredths(raw, unit, problems)
    low, high = int(config.score_min * unit), int(config.score_max * unit)
    for row in np.flatnonzero((hundredths < low) | (hundredths > high))[:MAX_LISTED]:
        message = _("The score %(v)s is outside %(lo)s–%(hi)s.") % {
            "v": number_format(Decimal(int(hundredths[row])) / unit),
            "lo": number_format(config.score_min),
            "hi": number_format(config.score_max),
        }
        problems.append(InputProblem(int(row), "score", message))
    return hundredths


def _not_on_grid() -> str:
    return _("The score must be a number with at most two decimals.")


def _float_hundredths(
    raw: npt.NDArray[np.float64], unit: int, problems: list[InputProblem]
) -> npt.NDArray[np.int64]:
    scaled = raw * unit
    finite = np.isfinite(scaled)
    rounded = np.where(finite, np.round(scaled), 0)
    for row in np.flatnonzero(~finite | (np.abs(scaled - rounded) > 1e-6))[:MAX_LISTED]:
        problems.append(InputProblem(int(row), "score", _not_on_grid()))
    return rounded.astype(np.int64)


def _exact_hundredths(
    raw: npt.NDArray[Any], unit: int, problems: list[InputProblem]
) -> npt.NDArray[np.int64]:
    values = np.zeros(len(raw), dtype=np.int64)
    bad = 0
    for row, value in enumerate(raw.tolist()):
        try:
            scaled = Decimal(str(value)) * unit
            ok = scaled.is_finite() and scaled == scaled.to_integral_value()
        except (InvalidOperation, ValueError):
            ok = False
        if not ok:
            bad += 1
            if bad <= MAX_LISTED:
                problems.append(InputProblem(row, "score", _not_on_grid()))
            continue
        values[row] = int(scaled)
    return values


def _preferences(
    prefs: Any, n: int, schools: int, problems: list[InputProblem]
) -> npt.NDArray[np.int32]:
    raw = _array(prefs)
    if raw.ndim != 2 or raw.shape[0] != n or raw.dtype.kind not in "iu" or (n and raw.shape[1] < 1):
        problems.append(
            InputProblem(
                None,
                "pref1",
                _("Preferences must be a table of school indexes, one row per applicant."),
            )
        )
        return np.full((n, 1), -1, dtype=np.int32)
    values = raw.astype(np.int32)
    for row, rank in _cells((values < -1) | (values >= schools)):
        problems.append(InputProblem(int(row), f"pref{rank + 1}", _("Unknown school.")))
    for rank in range(1, values.shape[1]):
        gap = (values[:, rank] >= 0) & (values[:, rank - 1] < 0)
        for row in np.flatnonzero(gap)[:MAX_LISTED]:
            message = _("NV%(k)s is given but NV%(p)s is empty: preferences must be in order.") % {
                "k": rank + 1,
                "p": rank,
            }
            problems.append(InputProblem(int(row), f"pref{rank + 1}", message))
        for earlier in range(rank):
            same = (values[:, rank] >= 0) & (values[:, rank] == values[:, earlier])
            for row in np.flatnonzero(same)[:MAX_LISTED]:
                message = _("The same school as NV%(p)s: a school may be chosen only once.") % {
                    "p": earlier + 1
                }
                problems.append(InputProblem(int(row), f"pref{rank + 1}", message))
    return values


def _check_ids(ids: npt.NDArray[Any], problems: list[InputProblem]) -> npt.NDArray[np.int64]:
    """Refuse empty and repeated ids; return the rows in ascending id order."""
    if ids.ndim != 1:
        problems.append(InputProblem(None, "applicant_id", _("Applicant ids must be a list.")))
        return np.zeros(0, dtype=np.int64)
    if ids.dtype.kind in "USO":
        empty: list[int] = np.flatnonzero(np.char.str_len(ids.astype(str)) == 0).tolist()
        for row in empty[:MAX_LISTED]:
            problems.append(InputProblem(row, "applicant_id", _("The applicant id is empty.")))
    order = np.argsort(ids, kind="stable")
    ordered = ids[order]
    repeated: list[int] = np.flatnonzero(ordered[1:] == ordered[:-1]).tolist()
    for at in repeated[:MAX_LISTED]:
        first, again = sorted((int(order[at]), int(order[at + 1])))
        message = _("Applicant %(id)s is repeated: already in row %(row)s.")
        message = message.replace("%(id)s", str(ids[again]).replace("%", "%%"))
        problems.append(InputProblem(again, "applicant_id", message, other_row=first))
    return order.astype(np.int64)


def _flags(excluded: Any, n: int, problems: list[InputProblem]) -> npt.NDArray[np.bool_]:
    if excluded is None:
        return np.zeros(n, dtype=bool)
    raw = _array(excluded)
    if raw.shape != (n,) or raw.dtype.kind not in "bui":
        problems.append(
            InputProblem(None, "excluded", _("One yes/no flag per applicant is needed."))
        )
        return np.zeros(n, dtype=bool)
    return raw.astype(bool)


def _secondary(secondary: Any, n: int, problems: list[InputProblem]) -> npt.NDArray[np.float64]:
    if secondary is None:
        return np.zeros((n, 0), dtype=np.float64)
    try:
        raw = np.asarray(secondary, dtype=np.float64)
    except (TypeError, ValueError):
        raw = np.zeros(0)
    if raw.ndim != 2 or raw.shape[0] != n:
        problems.append(InputProblem(None, "tie1", _("Tie-break keys: one row per applicant.")))
        return np.zeros((n, 0), dtype=np.float64)
    for row, key in _cells(~np.isfinite(raw)):
        problems.append(InputProblem(int(row), f"tie{key + 1}", _("Not a number.")))
    return raw


def _cells(mask: npt.NDArray[np.bool_]) -> list[tuple[int, int]]:
    rows, columns = np.nonzero(mask)
    return [(int(r), int(c)) for r, c in zip(rows[:MAX_LISTED], columns[:MAX_LISTED], strict=True)]


def _array(value: Any) -> npt.NDArray[Any]:
    """``np.asarray``, or an empty object array for ragged input (then refused as malformed)."""
    try:
        return np.asarray(value)
    except (TypeError, ValueError):
        return np.empty(0, dtype=object)
