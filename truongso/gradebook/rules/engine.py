"""The rule engine interface: what the gradebook asks of a circular.

An engine turns the scheme's parameters into columns per subject, cleans typed values and
computes subject, semester and year results. The rest of the gradebook never tests which
circular applies; it asks the engine.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, ClassVar

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from truongso.gradebook.rules import levels, tt22, tt27
from truongso.gradebook.rules.numbers import from_tenths, parse_decimal, to_tenths


@dataclass(frozen=True)
class Column:
    code: str
    label: str
    group: str  # deadline group: "tx" regular, "gk" mid-term, "ck" end-term
    kind: str  # "score" (0–10, one decimal), "test" (whole points), "mark" (a choice)
    choices: tuple[str, ...] = ()


@dataclass(frozen=True)
class SubjectSpec:
    """A subject as assessed in a grade (from ``registry.GradeSubject``)."""

    code: str
    name: str
    grade: int
    periods_per_year: int
    assessment_type: str  # registry.reference.AssessmentType

    @property
    def scored(self) -> bool:
        return self.assessment_type == "scored"

    @property
    def tested(self) -> bool:
        return self.assessment_type == "primary_tested"


@dataclass
class Outcome:
    """A subject's result for a semester or the year; ``None`` parts are not computable yet."""

    tenths: int | None = None  # average, for scored subjects
    mark: str | None = None  # Đ/CĐ, or HTT/HT/CHT
    test: int | None = None  # end-of-period test (primary)

    @property
    def complete(self) -> bool:
        return self.tenths is not None or self.mark is not None

    @property
    def average(self) -> Decimal | None:
        return None if self.tenths is None else from_tenths(self.tenths)

    def as_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {}
        if self.tenths is not None:
            data["average"] = str(from_tenths(self.tenths))
        if self.mark is not None:
            data["mark"] = self.mark
        if self.test is not None:
            data["test"] = self.test
        return data


@dataclass
class Summary:
    """A student's overall result for a semester or the year."""

    learning: str | None  # None: not computable yet (a subject is incomplete)
    conduct: str | None = None
    award: str = ""
    decision: str = ""
    subjects: dict[str, Outcome] = field(default_factory=dict)


class BaseEngine:
    code: ClassVar[str]

    def __init__(self, params: Mapping[str, Any]) -> None:
        self.params = dict(params)

    def columns(self, spec: SubjectSpec, semester: int) -> list[Column]:
        raise NotImplementedError

    def clean(self, column: Column, raw: str) -> str:
        """The value as stored ("" clears the cell), or ValidationError in the user's words."""
        text = str(raw).strip()
        if not text:
            return ""
        if column.kind == "mark":
            return self._clean_mark(column, text)
        value = parse_decimal(text)
        low, high = self._range(column)
        if value is None:
            raise ValidationError(
                _("%(col)s takes a number from %(low)s to %(high)s, not “%(v)s”.")
                % {"col": column.label, "low": low, "high": high, "v": text[:12]},
                code="not_a_number",
            )
        if column.kind == "test" and value != value.to_integral_value():
            raise ValidationError(
                _("%(col)s takes whole points only (%(v)s).") % {"col": column.label, "v": text},
                code="whole_points",
            )
        if value * 10 != (value * 10).to_integral_value():
            raise ValidationError(
                _("A score has at most one decimal place (%(v)s).") % {"v": text},
                code="one_decimal",
            )
        if not low <= value <= high:
            raise ValidationError(
                _("%(col)s must be between %(low)s and %(high)s (%(v)s).")
                % {"col": column.label, "low": low, "high": high, "v": text},
                code="range",
            )
        if value == value.to_integral_value():
            return str(int(value))
        return str(value.quantize(Decimal("0.1")))

    def _range(self, column: Column) -> tuple[int, int]:
        return 0, 10

    def _clean_mark(self, column: Column, text: str) -> str:
        aliases = self.mark_aliases()
        found = aliases.get(text.lower())
        if found is None or found not in column.choices:
            raise ValidationError(
                _("%(col)s takes %(choices)s, not “%(v)s”.")
                % {"col": column.label, "choices": " / ".join(column.choices), "v": text[:12]},
                code="mark",
            )
        return found

    def mark_aliases(self) -> dict[str, str]:
        return {}

    # Results ------------------------------------------------------------------------------
    def semester_outcome(self, spec: SubjectSpec, cells: Mapping[str, str]) -> Outcome:
        raise NotImplementedError

    def year_outcome(self, spec: SubjectSpec, first: Outcome, second: Outcome) -> Outcome:
        raise NotImplementedError

    def summarise(
        self,
        outcomes: Mapping[str, tuple[SubjectSpec, Outcome]],
        term: Mapping[str, Any],
        *,
        year: bool,
        first_term: Mapping[str, Any] | None = None,
    ) -> Summary:
        raise NotImplementedError


def _tenths(value: str) -> int:
    return to_tenths(Decimal(value))


class TT22Engine(BaseEngine):
    """Thông tư 22/2021/TT-BGDĐT (THCS, THPT)."""

    code = "tt22"

    @property
    def thresholds(self) -> tt22.Thresholds:
        return tt22.Thresholds.from_params(self.params)

    def regular_count(self, spec: SubjectSpec) -> int:
        counts = self.params.get("regular_counts", [[35, 2], [70, 3], [None, 4]])
        return tt22.regular_assessments(spec.periods_per_year, counts)

    def columns(self, spec: SubjectSpec, semester: int) -> list[Column]:
        kind = "score" if spec.scored else "mark"
        choices = () if spec.scored else (levels.PASS_MARK, levels.FAIL_MARK)
        regular = [
            Column(f"tx{i}", _("TX%(i)s") % {"i": i}, "tx", kind, choices)
            for i in range(1, self.regular_count(spec) + 1)
        ]
        return [
            *regular,
            Column("gk", _("Mid"), "gk", kind, choices),
            Column("ck", _("End"), "ck", kind, choices),
        ]

    def mark_aliases(self) -> dict[str, str]:
        return {
            "đ": "Đ",
            "d": "Đ",
            "đạt": "Đ",
            "dat": "Đ",
            "cđ": "CĐ",
            "cd": "CĐ",
            "chưa đạt": "CĐ",
            "chua dat": "CĐ",
        }

    def _weights(self) -> tuple[int, int, int]:
        w = self.params.get("weights", {})
        return int(w.get("tx", 1)), int(w.get("gk", 2)), int(w.get("ck", 3))

    def semester_outcome(self, spec: SubjectSpec, cells: Mapping[str, str]) -> Outcome:
        codes = [f"tx{i}" for i in range(1, self.regular_count(spec) + 1)] + ["gk", "ck"]
        values = [cells.get(code, "") for code in codes]
        if any(value == "" for value in values):
            return Outcome()
        if not spec.scored:
            return Outcome(mark=tt22.comment_semester(values))
        tenths = [_tenths(v) for v in values]
        return Outcome(
            tenths=tt22.semester_average(tenths[:-2], tenths[-2], tenths[-1], self._weights())
        )

    def year_outcome(self, spec: SubjectSpec, first: Outcome, second: Outcome) -> Outcome:
        if not spec.scored:
            return Outcome(mark=tt22.comment_year(second.mark) if second.mark else None)
        if first.tenths is None or second.tenths is None:
            return Outcome()
        w = self.params.get("year_weights", {"1": 1, "2": 2})
        return Outcome(
            tenths=tt22.year_average(first.tenths, second.tenths, (int(w["1"]), int(w["2"])))
        )

    def summarise(
        self,
        outcomes: Mapping[str, tuple[SubjectSpec, Outcome]],
        term: Mapping[str, Any],
        *,
        year: bool,
        first_term: Mapping[str, Any] | None = None,
    ) -> Summary:
        t = self.thresholds
        subjects = {code: outcome for code, (_spec, outcome) in outcomes.items()}
        conduct = term.get("conduct") or None
        if year and first_term is not None:
            first = first_term.get("conduct") or None
            conduct = tt22.conduct_year(first, conduct) if first and conduct else None
        if not all(o.complete for o in subjects.values()) or not subjects:
            return Summary(learning=None, conduct=conduct, subjects=subjects)
        scored = [o.tenths for spec, o in outcomes.values() if spec.scored and o.tenths is not None]
        marks = [o.mark for spec, o in outcomes.values() if not spec.scored and o.mark]
        learning = tt22.learning_level_adjusted(scored, marks, t)
        summary = Summary(learning=learning, conduct=conduct, subjects=subjects)
        if year and conduct:
            summary.award = tt22.award(conduct, learning, scored, t)
            absences = int(term.get("absences", 0))
            summary.decision = tt22.year_decision(conduct, learning, absences, t)
        return summary


class TT27Engine(BaseEngine):
    """Thông tư 27/2020/TT-BGDĐT (tiểu học)."""

    code = "tt27"

    @property
    def thresholds(self) -> tt27.Thresholds:
        return tt27.Thresholds.from_params(self.params)

    def mid_tested(self, spec: SubjectSpec) -> bool:
        """Grades 4–5 also have mid-semester tests in Vietnamese and Mathematics."""
        rule = self.params.get("mid_tests", {"grades": [4, 5], "subjects": ["TV", "TOAN"]})
        return spec.grade in rule["grades"] and spec.code in rule["subjects"]

    def columns(self, spec: SubjectSpec, semester: int) -> list[Column]:
        choices = (levels.HTT, levels.HT, levels.CHT)
        columns = [Column("gk", _("Mid level"), "gk", "mark", choices)]
        if self.mid_tested(spec):
            columns.append(Column("kt_gk", _("Mid test"), "gk", "test"))
        columns.append(Column("ck", _("End level"), "ck", "mark", choices))
        if spec.tested:
            columns.append(Column("kt_ck", _("End test"), "ck", "test"))
        return columns

    def _range(self, column: Column) -> tuple[int, int]:
        return self.thresholds.test_min, 10

    def mark_aliases(self) -> dict[str, str]:
        return {"htt": "HTT", "t": "HTT", "ht": "HT", "h": "HT", "cht": "CHT", "c": "CHT"}

    def semester_outcome(self, spec: SubjectSpec, cells: Mapping[str, str]) -> Outcome:
        mark = cells.get("ck") or None
        test = int(cells["kt_ck"]) if cells.get("kt_ck") else None
        if spec.tested and test is None:
            return Outcome()
        return Outcome(mark=mark, test=test)

    def year_outcome(self, spec: SubjectSpec, first: Outcome, second: Outcome) -> Outcome:
        """The year's level and test are those of the end of the year (semester II)."""
        return second

    def summarise(
        self,
        outcomes: Mapping[str, tuple[SubjectSpec, Outcome]],
        term: Mapping[str, Any],
        *,
        year: bool,
        first_term: Mapping[str, Any] | None = None,
    ) -> Summary:
        subjects = {code: outcome for code, (_spec, outcome) in outcomes.items()}
        ratings = list((term.get("qualities") or {}).values())
        expected = len(self.params.get("qualities", [])) or len(ratings)
        complete = subjects and all(o.complete for o in subjects.values())
        if not year or not complete or len(ratings) < expected:
            return Summary(learning=None, subjects=subjects)
        tests = [o.test for o in subjects.values() if o.test is not None]
        result = tt27.year_result(
            [o.mark or "" for o in subjects.values()], tests, ratings, self.thresholds
        )
        return Summary(learning=result, subjects=subjects, decision=tt27.year_decision(result))


ENGINES: dict[str, type[BaseEngine]] = {TT22Engine.code: TT22Engine, TT27Engine.code: TT27Engine}


def engine_for(code: str, params: Mapping[str, Any]) -> BaseEngine:
    return ENGINES[code](params)


def specs_for(grade_subjects: Sequence[Any]) -> dict[str, SubjectSpec]:
    return {
        gs.subject.code: SubjectSpec(
            gs.subject.code, gs.subject.name, gs.grade, gs.periods_per_year, gs.assessment_type
        )
        for gs in grade_subjects
    }
