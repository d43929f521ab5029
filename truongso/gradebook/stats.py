"""Aggregates of results for a class, a school or a district (thống kê kết quả).

Counts and percentages per learning level and conduct level, awards, year-end decisions, and
the distribution of subject averages in the bins schools report (0–<2, 2–<3.5, 3.5–<5,
5–<6.5, 6.5–<8, 8–10). Closed periods are read from the stored official results in one
query over ``values_list`` and tallied in one pass; an open period is computed live, for a
single class only. Nothing here carries a name or an individual score: these are the numbers
officers may see.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from truongso.gradebook.charts import Bar, Chart
from truongso.gradebook.models import GradingPeriod, TermResult
from truongso.gradebook.results import class_results
from truongso.gradebook.rules import levels, tt22
from truongso.gradebook.rules.numbers import parse_decimal, to_tenths
from truongso.registry.authz_rules import units_under
from truongso.registry.models import OrgUnit, SchoolClass, SchoolYear, Subject
from truongso.registry.reference import SchoolLevel, level_of_grade

# Score bins in tenths of a point: [low, high).
BINS: tuple[tuple[int, int], ...] = ((0, 20), (20, 35), (35, 50), (50, 65), (65, 80), (80, 101))
NOT_YET = ""  # a result not computable yet
LEARNING_ORDER = (
    levels.TOT,
    levels.KHA,
    levels.DAT,
    levels.CHUA_DAT,
    levels.HTXS_RESULT,
    levels.HTT_RESULT,
    levels.HT_RESULT,
    levels.CHT_RESULT,
    NOT_YET,
)
CONDUCT_ORDER = (levels.TOT, levels.KHA, levels.DAT, levels.CHUA_DAT, NOT_YET)
AWARD_ORDER = (levels.EXCELLENT, levels.GOOD_STUDENT)
DECISION_ORDER = (
    levels.PROMOTED,
    levels.RETEST,
    levels.SUMMER,
    tt22.RETEST_SUMMER,
    levels.REPEAT,
    NOT_YET,
)
NOT_YET_NAME = gettext_lazy("Not computable yet")
DECISION_EXTRA = {tt22.RETEST_SUMMER: gettext_lazy("Re-test and summer training")}


def bin_of(tenths: int) -> int:
    for index, (low, high) in enumerate(BINS):
        if low <= tenths < high:
            return index
    raise ValueError(f"score out of range: {tenths}")


def bin_label(index: int) -> str:
    low, high = BINS[index]
    top = "10" if high > 100 else f"<{vn_decimal(Decimal(high) / 10)}"
    return f"{vn_decimal(Decimal(low) / 10)}–{top}"


def vn_int(value: int) -> str:
    """1234 -> "1.234" in Vietnamese (the active language's grouping)."""
    return number_format(value, force_grouping=True)


def vn_decimal(value: Decimal) -> str:
    """Decimal("7.5") -> "7,5"; whole numbers without decimals."""
    if value == value.to_integral_value():
        return vn_int(int(value))
    return number_format(value, decimal_pos=1, force_grouping=True)


def percent(part: int, whole: int) -> Decimal | None:
    """Share in percent with one decimal, half up; None for an empty whole."""
    if not whole:
        return None
    return (Decimal(100 * part) / whole).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def vn_percent(part: int, whole: int) -> str:
    """ "45,6%" (Vietnamese decimal comma), "—" for an empty whole."""
    share = percent(part, whole)
    return "—" if share is None else f"{number_format(share, decimal_pos=1)}%"


@dataclass
class Tally:
    """Counts for one group of students: a class, a school, a district."""

    total: int = 0
    learning: Counter[str] = field(default_factory=Counter)
    conduct: Counter[str] = field(default_factory=Counter)
    awards: Counter[str] = field(default_factory=Counter)
    decisions: Counter[str] = field(default_factory=Counter)
    scores: dict[str, list[int]] = field(default_factory=dict)  # subject -> count per bin

    def add(
        self,
        learning: str,
        conduct: str,
        award: str,
        decision: str,
        averages: Iterable[tuple[str, int]],
        *,
        primary: bool = False,
        semester: bool = False,
    ) -> None:
        """``primary``: a pupil under Thông tư 27/2020, who has no conduct level and no
        result for a semester alone (so is not counted "not computable" for them)."""
        self.total += 1
        if not (primary and semester):
            self.learning[learning] += 1
        if not primary:
            self.conduct[conduct] += 1
        if award:
            self.awards[award] += 1
        self.decisions[decision] += 1
        for code, tenths in averages:
            self.scores.setdefault(code, [0] * len(BINS))[bin_of(tenths)] += 1

    def merge(self, other: Tally) -> None:
        self.total += other.total
        self.learning.update(other.learning)
        self.conduct.update(other.conduct)
        self.awards.update(other.awards)
        self.decisions.update(other.decisions)
        for code, counts in other.scores.items():
            mine = self.scores.setdefault(code, [0] * len(BINS))
            for index, count in enumerate(counts):
                mine[index] += count

    @property
    def award_count(self) -> int:
        return sum(self.awards.values())

    @property
    def promoted(self) -> int:
        return self.decisions[levels.PROMOTED]

    @property
    def has_conduct(self) -> bool:
        """Primary pupils have no conduct levels (Thông tư 27/2020)."""
        return any(code for code, n in self.conduct.items() if n)


def stored_averages(subjects: Mapping[str, Mapping[str, Any]]) -> list[tuple[str, int]]:
    """(subject, tenths) of the stored subject results that have an average."""
    found = []
    for code, outcome in subjects.items():
        value = parse_decimal(str(outcome.get("average", "")))
        if value is not None:
            found.append((code, to_tenths(value)))
    return found


# Reading -------------------------------------------------------------------------------------
def stored_tallies(
    unit: OrgUnit,
    year: SchoolYear,
    period: int,
    groups: Sequence[tuple[Any, str]],
    school_class: SchoolClass | None = None,
) -> tuple[Tally, dict[Any, Tally]]:
    """The whole subtree's (or one class's) tally and one per group, from the stored official
    results in one query. ``groups`` are (key, org path) pairs (child units), or (class id,
    "") pairs for a school, whose rows are grouped by class."""
    found = TermResult.objects.filter(school_year=year, period=period)
    if school_class is not None:
        found = found.filter(school_class=school_class)
    else:
        found = found.filter(school_class__school__in=units_under([unit.path]))
    rows = found.values_list(
        "school_class_id",
        "school_class__school__path",
        "school_class__grade",
        "learning",
        "conduct",
        "award",
        "decision",
        "subjects",
    )
    total = Tally()
    by_group: dict[Any, Tally] = {key: Tally() for key, _path in groups}
    by_path = [(path, key) for key, path in groups if path]
    semester = period != 0
    for class_id, path, grade, learning, conduct, award, decision, subjects in rows.iterator(2000):
        facts = (learning, conduct, award, decision, stored_averages(subjects))
        primary = level_of_grade(grade) == SchoolLevel.PRIMARY
        total.add(*facts, primary=primary, semester=semester)
        key = class_id if not by_path else next((k for p, k in by_path if path.startswith(p)), None)
        if key in by_group:
            by_group[key].add(*facts, primary=primary, semester=semester)
    return total, by_group


def live_tally(school_class: SchoolClass, period: int) -> Tally:
    """A class's tally computed from the cells (an open period)."""
    tally = Tally()
    primary = level_of_grade(school_class.grade) == SchoolLevel.PRIMARY
    for result in class_results(school_class, period):
        summary = result.summary
        averages = [(c, o.tenths) for c, o in summary.subjects.items() if o.tenths is not None]
        tally.add(
            summary.learning or NOT_YET,
            summary.conduct or NOT_YET,
            summary.award,
            summary.decision,
            averages,
            primary=primary,
            semester=period != 0,
        )
    return tally


def closed_schools(unit: OrgUnit, year: SchoolYear, period: int) -> tuple[int, int]:
    """(schools whose period is closed, schools) in the subtree; the year counts as closed
    with semester II."""
    schools = OrgUnit.objects.filter(pk__in=units_under([unit.path]), kind="school")
    closed = GradingPeriod.objects.filter(
        school__in=schools, school_year=year, semester=period or 2, closed_at__isnull=False
    )
    return closed.count(), schools.filter(is_active=True).count()


# Presenting ----------------------------------------------------------------------------------
@dataclass(frozen=True)
class LevelRow:
    code: str
    name: str
    count: int
    share: str  # "45,6%"


def level_name(kind: str, code: str) -> str:
    if code == NOT_YET:
        return str(NOT_YET_NAME)
    names: Mapping[str, Any] = {
        "learning": {**levels.LEVEL_NAMES, **levels.PRIMARY_NAMES},
        "conduct": levels.LEVEL_NAMES,
        "award": levels.AWARD_NAMES,
        "decision": {**levels.DECISION_NAMES, **DECISION_EXTRA},
    }[kind]
    return str(names.get(code, code))


def level_rows(kind: str, counts: Counter[str], whole: int, order: Sequence[str]) -> list[LevelRow]:
    """The levels present (and the usual ones of the first scheme), in display order."""
    present = [code for code in order if counts.get(code)]
    return [
        LevelRow(code, level_name(kind, code), counts[code], vn_percent(counts[code], whole))
        for code in present
    ]


def level_chart(chart_id: str, title: str, rows: Sequence[LevelRow], whole: int) -> Chart:
    desc = _("%(n)s students: ") % {"n": vn_int(whole)} + "; ".join(
        f"{r.name} {vn_int(r.count)} ({r.share})" for r in rows
    )
    return Chart(chart_id, title, desc, [Bar(r.name, r.count, r.share) for r in rows])


@dataclass(frozen=True)
class Histogram:
    code: str
    name: str
    counts: list[int]
    chart: Chart


def histograms(tally: Tally, period: int) -> list[Histogram]:
    """One chart per subject with averages, in the order of the subject names."""
    names = dict(Subject.objects.filter(code__in=tally.scores).values_list("code", "name"))
    which = _("year averages") if period == 0 else _("semester averages")
    found = []
    for code in sorted(tally.scores, key=lambda c: names.get(c, c)):
        counts = tally.scores[code]
        whole = sum(counts)
        bars = [Bar(bin_label(i), n, vn_percent(n, whole)) for i, n in enumerate(counts)]
        title = _("%(subject)s: distribution of %(which)s") % {
            "subject": names.get(code, code),
            "which": which,
        }
        desc = _("%(n)s averages by score band: ") % {"n": vn_int(whole)} + "; ".join(
            f"{b.label}: {vn_int(b.value)} ({b.note})" for b in bars
        )
        found.append(
            Histogram(code, names.get(code, code), counts, Chart(f"hist-{code}", title, desc, bars))
        )
    return found
