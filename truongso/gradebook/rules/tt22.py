"""Thông tư 22/2021/TT-BGDĐT: assessment of lower and upper secondary students.

Scores are whole tenths (see ``numbers``); a missing entry makes a result "not computable
yet" (``None``), never a smaller formula. Thresholds come from the scheme's parameters
(``Thresholds``) with the circular's values as defaults.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from truongso.gradebook.rules.levels import (
    CHUA_DAT,
    DAT,
    EXCELLENT,
    FAIL_MARK,
    GOOD_STUDENT,
    KHA,
    PASS_MARK,
    PROMOTED,
    RANKED,
    REPEAT,
    RETEST,
    SUMMER,
    TOT,
    rank,
)
from truongso.gradebook.rules.numbers import weighted_average_tenths

RETEST_SUMMER = "retest_summer"
BEST_SCORE = 100  # 10.0 in tenths


@dataclass(frozen=True)
class Thresholds:
    """The circular's numbers, in tenths of a point; overridable per scheme."""

    tot_all: int = 65  # Tốt: every scored subject ≥ 6.5 ...
    tot_high: int = 80  # ... and at least ``high_count`` subjects ≥ 8.0
    kha_all: int = 50  # Khá: every scored subject ≥ 5.0 ...
    kha_high: int = 65  # ... and at least ``high_count`` subjects ≥ 6.5
    dat_pass: int = 50  # Đạt: at least ``high_count`` subjects ≥ 5.0 ...
    dat_floor: int = 35  # ... none below 3.5 ...
    dat_comment_fails: int = 1  # ... and at most one comment-only subject Chưa đạt
    high_count: int = 6
    excellent_score: int = 90  # Học sinh Xuất sắc: at least ``excellent_count`` ≥ 9.0
    excellent_count: int = 6
    max_absences: int = 45
    one_subject_adjustment: bool = True

    @classmethod
    def from_params(cls, params: dict[str, Any]) -> Thresholds:
        known = {
            k: v for k, v in params.get("thresholds", {}).items() if k in cls.__dataclass_fields__
        }
        return cls(**known)


def regular_assessments(periods_per_year: int, counts: Sequence[Sequence[int | None]]) -> int:
    """Number of regular assessments (ĐĐGtx) per semester, Art. 6.2.b: up to 35 periods a
    year 2, up to 70 periods 3, more 4. ``counts`` is [[35, 2], [70, 3], [None, 4]]."""
    for limit, count in counts:
        if limit is None or periods_per_year <= limit:
            return int(count)  # type: ignore[arg-type]
    raise ValueError("regular_counts needs a last row without a limit")


def semester_average(
    regular: Sequence[int], mid: int, end: int, weights: tuple[int, int, int] = (1, 2, 3)
) -> int:
    """ĐTBmhk = (ΣĐĐGtx + 2·ĐĐGgk + 3·ĐĐGck) / (number of ĐĐGtx + 5), Art. 9.1.b.

    Worked example (DOMAIN.md): regular 6, 8, 7.5; mid 5; end 10 -> 61.5 / 8 = 7.6875 -> 7.7.
    """
    w_regular, w_mid, w_end = weights
    pairs = [(score, w_regular) for score in regular] + [(mid, w_mid), (end, w_end)]
    return weighted_average_tenths(pairs)


def year_average(first: int, second: int, weights: tuple[int, int] = (1, 2)) -> int:
    """ĐTBmcn = (ĐTBmhkI + 2·ĐTBmhkII) / 3, Art. 9.1.b, on the rounded semester averages."""
    return weighted_average_tenths([(first, weights[0]), (second, weights[1])])


def comment_semester(marks: Sequence[str]) -> str:
    """A comment-only subject's semester result, Art. 9.1.a: Đạt when every required
    assessment was made and rated Đạt; Chưa đạt otherwise. Callers pass complete rows."""
    return PASS_MARK if all(mark == PASS_MARK for mark in marks) else FAIL_MARK


def comment_year(second_semester: str) -> str:
    """A comment-only subject's year result is its semester II result, Art. 9.1.a."""
    return second_semester


def learning_level(scored: Sequence[int], marks: Sequence[str], t: Thresholds) -> str:
    """Learning result of a semester or the year from the subject results, Art. 9.2.

    Tốt: every comment subject Đạt, every scored subject ≥ 6.5, at least 6 ≥ 8.0;
    Khá: every comment subject Đạt, every scored subject ≥ 5.0, at least 6 ≥ 6.5;
    Đạt: at most one comment subject Chưa đạt, at least 6 scored ≥ 5.0, none < 3.5;
    Chưa đạt: otherwise.
    """
    fails = sum(1 for mark in marks if mark != PASS_MARK)
    lowest = min(scored) if scored else BEST_SCORE

    def at_least(floor: int) -> int:
        return sum(1 for score in scored if score >= floor)

    if fails == 0 and lowest >= t.tot_all and at_least(t.tot_high) >= t.high_count:
        return TOT
    if fails == 0 and lowest >= t.kha_all and at_least(t.kha_high) >= t.high_count:
        return KHA
    if (
        fails <= t.dat_comment_fails
        and at_least(t.dat_pass) >= t.high_count
        and lowest >= t.dat_floor
    ):
        return DAT
    return CHUA_DAT


def learning_level_adjusted(scored: Sequence[int], marks: Sequence[str], t: Thresholds) -> str:
    """Art. 9.2 with the one-subject adjustment of Art. 9.3: when the result is two or more
    levels lower than it would be but for exactly one subject, it is raised to the adjacent
    (next higher) level. "But for the subject" is read as: with that subject at its best
    (10.0, or Đạt)."""
    level = learning_level(scored, marks, t)
    if not t.one_subject_adjustment or level == TOT:
        return level
    candidates = [
        learning_level([*scored[:i], BEST_SCORE, *scored[i + 1 :]], marks, t)
        for i in range(len(scored))
    ] + [
        learning_level(scored, [*marks[:i], PASS_MARK, *marks[i + 1 :]], t)
        for i, mark in enumerate(marks)
        if mark != PASS_MARK
    ]
    if any(rank(other) - rank(level) >= 2 for other in candidates):
        return RANKED[rank(level) + 1]
    return level


# Art. 8.3: year conduct from semester I (rows) and semester II (columns).
_CONDUCT_YEAR: dict[str, dict[str, str]] = {
    TOT: {TOT: TOT, KHA: KHA, DAT: KHA, CHUA_DAT: CHUA_DAT},
    KHA: {TOT: TOT, KHA: KHA, DAT: DAT, CHUA_DAT: CHUA_DAT},
    DAT: {TOT: KHA, KHA: KHA, DAT: DAT, CHUA_DAT: CHUA_DAT},
    CHUA_DAT: {TOT: KHA, KHA: DAT, DAT: DAT, CHUA_DAT: CHUA_DAT},
}


def conduct_year(first: str, second: str) -> str:
    """Year conduct from the two semesters, Art. 8.3: Tốt = II Tốt and I ≥ Khá; Khá = II Khá
    and I ≥ Đạt, or II Đạt and I Tốt, or II Tốt and I Đạt/Chưa đạt; Đạt = II Đạt and I
    Khá/Đạt/Chưa đạt, or II Khá and I Chưa đạt; Chưa đạt otherwise."""
    return _CONDUCT_YEAR[first][second]


def award(conduct: str, learning: str, year_scores: Sequence[int], t: Thresholds) -> str:
    """Art. 15: Học sinh Xuất sắc = conduct Tốt, learning Tốt and at least 6 subjects with
    ĐTBmcn ≥ 9.0; Học sinh Giỏi = conduct Tốt and learning Tốt; otherwise none."""
    if conduct != TOT or learning != TOT:
        return ""
    if sum(1 for score in year_scores if score >= t.excellent_score) >= t.excellent_count:
        return EXCELLENT
    return GOOD_STUDENT


def year_decision(conduct: str, learning: str, absences: int, t: Thresholds) -> str:
    """Art. 12: promoted when year conduct and learning are at least Đạt and the student
    missed at most 45 sessions; more absences: repeats the grade; learning Chưa đạt: re-test
    (Art. 13); conduct Chưa đạt: summer training (Art. 14)."""
    if absences > t.max_absences:
        return REPEAT
    learning_ok = rank(learning) >= rank(DAT)
    conduct_ok = rank(conduct) >= rank(DAT)
    if learning_ok and conduct_ok:
        return PROMOTED
    if not learning_ok and not conduct_ok:
        return RETEST_SUMMER
    return SUMMER if learning_ok else RETEST


def retest_eligible(scored: dict[str, int], marks: dict[str, str]) -> list[str]:
    """Subjects a student may re-test, Art. 13: ĐTBmcn below 5.0, or comment-only Chưa đạt."""
    return sorted(
        [code for code, score in scored.items() if score < 50]
        + [code for code, mark in marks.items() if mark != PASS_MARK]
    )


def after_retests(
    conduct: str,
    scored: dict[str, int],
    marks: dict[str, str],
    retests: dict[str, Any],
    summer_conduct: str,
    t: Thresholds,
) -> tuple[str, str]:
    """Learning re-evaluated with the re-test results in place of the year results (Art. 13),
    conduct after summer training (Art. 14): returns (learning, final decision)."""
    scored = {**scored, **{k: v for k, v in retests.items() if isinstance(v, int)}}
    marks = {**marks, **{k: v for k, v in retests.items() if isinstance(v, str)}}
    learning = learning_level_adjusted(list(scored.values()), list(marks.values()), t)
    final_conduct = summer_conduct or conduct
    ok = rank(learning) >= rank(DAT) and rank(final_conduct) >= rank(DAT)
    return learning, PROMOTED if ok else REPEAT
