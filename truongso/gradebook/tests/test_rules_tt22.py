"""Thông tư 22/2021 rules: the worked example, every boundary, and property tests against a
straightforward Decimal reference of the formulas."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from truongso.gradebook.rules import tt22
from truongso.gradebook.rules.levels import (
    CHUA_DAT,
    DAT,
    EXCELLENT,
    FAIL_MARK,
    GOOD_STUDENT,
    KHA,
    PASS_MARK,
    PROMOTED,
    REPEAT,
    RETEST,
    SUMMER,
    TOT,
)
from truongso.gradebook.rules.numbers import from_tenths, to_tenths

T = tt22.Thresholds()


def t(*scores: str) -> list[int]:
    return [to_tenths(Decimal(s)) for s in scores]


def test_domain_worked_example():
    """Regular 6, 8, 7.5; mid 5; end 10 -> 61.5 / 8 = 7.6875 -> 7.7."""
    assert from_tenths(tt22.semester_average(t("6", "8", "7.5"), 50, 100)) == Decimal("7.7")


def test_half_up_not_bankers_or_float():
    # 8, 8, 8.5; mid 8; end 8.5 -> 66 / 8 = 8.25 exactly: half up gives 8.3 (banker's 8.2).
    assert from_tenths(tt22.semester_average(t("8", "8", "8.5"), 80, 85)) == Decimal("8.3")
    # (8.0 + 2·8.5) / 3 = 8.333 -> 8.3; (6.5 + 2·6.6) / 3 = 6.5667 -> 6.6
    assert from_tenths(tt22.year_average(80, 85)) == Decimal("8.3")
    assert from_tenths(tt22.year_average(65, 66)) == Decimal("6.6")


@pytest.mark.parametrize(("periods", "count"), [(35, 2), (36, 3), (70, 3), (71, 4), (140, 4)])
def test_number_of_regular_assessments(periods, count):
    assert tt22.regular_assessments(periods, [[35, 2], [70, 3], [None, 4]]) == count


def reference_average(regular, mid, end):
    total = sum(Decimal(x) for x in regular) + 2 * Decimal(mid) + 3 * Decimal(end)
    return (total / (len(regular) + 5)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


score = st.integers(min_value=0, max_value=100).map(lambda n: str(Decimal(n) / 10))


@given(st.lists(score, min_size=2, max_size=4), score, score)
def test_semester_average_matches_the_reference(regular, mid, end):
    got = from_tenths(tt22.semester_average(t(*regular), t(mid)[0], t(end)[0]))
    assert got == reference_average(regular, mid, end)


@given(score, score)
def test_year_average_matches_the_reference(first, second):
    expected = ((Decimal(first) + 2 * Decimal(second)) / 3).quantize(
        Decimal("0.1"), rounding=ROUND_HALF_UP
    )
    assert from_tenths(tt22.year_average(t(first)[0], t(second)[0])) == expected


def test_comment_subjects():
    assert tt22.comment_semester([PASS_MARK] * 4) == PASS_MARK
    assert tt22.comment_semester([PASS_MARK, FAIL_MARK, PASS_MARK, PASS_MARK]) == FAIL_MARK
    assert tt22.comment_year(FAIL_MARK) == FAIL_MARK


# Eight scored subjects and four comment-only ones, as in THCS.
def level(scores, marks=(PASS_MARK,) * 4, adjusted=False):
    fn = tt22.learning_level_adjusted if adjusted else tt22.learning_level
    return fn(t(*scores), list(marks), T)


@pytest.mark.parametrize(
    ("scores", "expected"),
    [
        (["8.0"] * 6 + ["6.5"] * 2, TOT),  # exactly at the Tốt boundaries
        (["8.0"] * 6 + ["6.4", "6.5"], KHA),  # one below 6.5
        (["8.0"] * 5 + ["7.9"] + ["6.5"] * 2, KHA),  # only five ≥ 8.0
        (["6.5"] * 6 + ["5.0"] * 2, KHA),  # exactly at the Khá boundaries
        (["6.5"] * 6 + ["4.9", "5.0"], DAT),  # one below 5.0
        (["6.5"] * 5 + ["6.4"] + ["5.0"] * 2, DAT),  # only five ≥ 6.5
        (["5.0"] * 6 + ["3.5"] * 2, DAT),  # exactly at the Đạt boundaries
        (["5.0"] * 6 + ["3.4", "3.5"], CHUA_DAT),  # one below 3.5
        (["5.0"] * 5 + ["4.9"] + ["9.0"] * 2, DAT),  # the count is of six subjects ≥ 5.0...
        (["5.0"] * 4 + ["4.9"] * 3 + ["9.0"], CHUA_DAT),  # ...five are not enough
    ],
)
def test_learning_level_boundaries(scores, expected):
    assert level(scores) == expected


def test_one_comment_subject_chua_dat():
    fails_one = (PASS_MARK, PASS_MARK, PASS_MARK, FAIL_MARK)
    assert level(["9.0"] * 8, fails_one) == DAT  # no longer Tốt or Khá, still Đạt
    fails_two = (PASS_MARK, PASS_MARK, FAIL_MARK, FAIL_MARK)
    assert level(["9.0"] * 8, fails_two) == CHUA_DAT


def test_art_9_3_one_subject_drops_two_levels():
    # Everything Tốt but one subject at 3.2: Chưa đạt by itself, Tốt without it -> Đạt.
    scores = ["8.5"] * 7 + ["3.2"]
    assert level(scores) == CHUA_DAT
    assert level(scores, adjusted=True) == DAT
    # Tốt but for one subject at 4.0: Đạt by itself -> raised to Khá.
    assert level(["8.5"] * 7 + ["4.0"], adjusted=True) == KHA
    # One comment subject Chưa đạt among otherwise Tốt results: Đạt; Tốt without it -> Khá.
    assert level(["9.0"] * 8, (PASS_MARK, PASS_MARK, PASS_MARK, FAIL_MARK), adjusted=True) == KHA


def test_art_9_3_does_not_apply_for_one_level_or_two_subjects():
    assert level(["8.5"] * 7 + ["6.0"], adjusted=True) == KHA  # Khá, Tốt without it: one level
    two_low = ["8.5"] * 6 + ["3.2", "3.3"]
    assert level(two_low, adjusted=True) == CHUA_DAT  # two subjects: no adjustment


@pytest.mark.parametrize(
    ("first", "second", "year"),
    [
        (TOT, TOT, TOT),
        (KHA, TOT, TOT),
        (DAT, TOT, KHA),
        (CHUA_DAT, TOT, KHA),
        (TOT, KHA, KHA),
        (KHA, KHA, KHA),
        (DAT, KHA, KHA),
        (CHUA_DAT, KHA, DAT),
        (TOT, DAT, KHA),
        (KHA, DAT, DAT),
        (DAT, DAT, DAT),
        (CHUA_DAT, DAT, DAT),
        (TOT, CHUA_DAT, CHUA_DAT),
        (KHA, CHUA_DAT, CHUA_DAT),
        (DAT, CHUA_DAT, CHUA_DAT),
        (CHUA_DAT, CHUA_DAT, CHUA_DAT),
    ],
)
def test_year_conduct_table(first, second, year):
    assert tt22.conduct_year(first, second) == year


def test_awards():
    assert tt22.award(TOT, TOT, t(*(["9.0"] * 6 + ["8.0"] * 2)), T) == EXCELLENT
    assert tt22.award(TOT, TOT, t(*(["9.0"] * 5 + ["8.9"] * 3)), T) == GOOD_STUDENT
    assert tt22.award(KHA, TOT, t(*(["9.5"] * 8)), T) == ""


@pytest.mark.parametrize(
    ("conduct", "learning", "absences", "decision"),
    [
        (DAT, DAT, 45, PROMOTED),
        (DAT, DAT, 46, REPEAT),
        (DAT, CHUA_DAT, 0, RETEST),
        (CHUA_DAT, DAT, 0, SUMMER),
        (CHUA_DAT, CHUA_DAT, 0, tt22.RETEST_SUMMER),
    ],
)
def test_year_decision(conduct, learning, absences, decision):
    assert tt22.year_decision(conduct, learning, absences, T) == decision


def test_retests_replace_year_results():
    scored = {
        "TOAN": 42,
        "NV": 60,
        "NN1": 55,
        "KHTN": 70,
        "LSDL": 65,
        "GDCD": 80,
        "TIN": 75,
        "CN": 30,
    }
    marks = {"GDTC": PASS_MARK, "AN": PASS_MARK, "MT": PASS_MARK, "HDTNHN": PASS_MARK}
    assert tt22.retest_eligible(scored, marks) == ["CN", "TOAN"]
    learning, decision = tt22.after_retests(DAT, scored, marks, {"CN": 55, "TOAN": 60}, "", T)
    assert (learning, decision) == (DAT, PROMOTED)
    learning, decision = tt22.after_retests(DAT, scored, marks, {"CN": 20}, "", T)
    assert decision == REPEAT


tenths = st.integers(min_value=0, max_value=100)
marks_st = st.lists(st.sampled_from([PASS_MARK, FAIL_MARK]), min_size=0, max_size=5)


def ref_level(scores: list[Decimal], marks: list[str]) -> str:
    """Art. 9.2 restated directly on Decimal scores, as a reader of the circular would."""
    fails = marks.count(FAIL_MARK)
    n = lambda floor: len([s for s in scores if s >= Decimal(floor)])  # noqa: E731
    if fails == 0 and all(s >= Decimal("6.5") for s in scores) and n("8.0") >= 6:
        return TOT
    if fails == 0 and all(s >= Decimal("5.0") for s in scores) and n("6.5") >= 6:
        return KHA
    if fails <= 1 and n("5.0") >= 6 and all(s >= Decimal("3.5") for s in scores):
        return DAT
    return CHUA_DAT


@given(st.lists(tenths, min_size=6, max_size=12), marks_st)
def test_level_matches_the_reference(scores, marks):
    assert tt22.learning_level(scores, marks, T) == ref_level(
        [from_tenths(s) for s in scores], marks
    )


@given(st.lists(tenths, min_size=6, max_size=12), marks_st, st.data())
def test_raising_a_score_never_lowers_the_level(scores, marks, data):
    i = data.draw(st.integers(min_value=0, max_value=len(scores) - 1))
    higher = [*scores[:i], min(100, scores[i] + data.draw(tenths)), *scores[i + 1 :]]
    order = [CHUA_DAT, DAT, KHA, TOT]
    for fn in (tt22.learning_level, tt22.learning_level_adjusted):
        assert order.index(fn(higher, marks, T)) >= order.index(fn(scores, marks, T))


@given(st.lists(tenths, min_size=6, max_size=12), marks_st)
def test_adjustment_raises_by_at_most_one_level(scores, marks):
    order = [CHUA_DAT, DAT, KHA, TOT]
    plain = order.index(tt22.learning_level(scores, marks, T))
    adjusted = order.index(tt22.learning_level_adjusted(scores, marks, T))
    assert plain <= adjusted <= plain + 1
