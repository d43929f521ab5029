from __future__ import annotations

import pytest

from truongso.gradebook.rules import tt27
from truongso.gradebook.rules.levels import (
    CHT,
    CHT_RESULT,
    HT,
    HT_RESULT,
    HTT,
    HTT_RESULT,
    HTXS_RESULT,
    PROMOTED,
    Q_EFFORT,
    Q_GOOD,
    Q_PASS,
    SUMMER,
)

T = tt27.Thresholds()


@pytest.mark.parametrize(
    ("levels", "tests", "qualities", "expected"),
    [
        ([HTT] * 8, [9, 10, 9], [Q_GOOD] * 15, HTXS_RESULT),
        ([HTT] * 8, [9, 10, 8], [Q_GOOD] * 15, HTT_RESULT),  # one test below 9
        ([HTT] * 8, [9, 10, 9], [Q_GOOD] * 14 + [Q_PASS], HT_RESULT),  # one quality Đạt
        ([HTT] * 7 + [HT], [10, 10, 10], [Q_GOOD] * 15, HT_RESULT),  # one subject HT
        ([HTT] * 8, [7, 7, 7], [Q_GOOD] * 15, HTT_RESULT),  # the boundary of 7
        ([HT] * 8, [5, 5, 5], [Q_PASS] * 15, HT_RESULT),  # the boundary of 5
        ([HT] * 8, [5, 5, 4], [Q_PASS] * 15, CHT_RESULT),  # a test below 5
        ([HT] * 7 + [CHT], [9, 9, 9], [Q_GOOD] * 15, CHT_RESULT),  # a subject not completed
        ([HT] * 8, [9, 9, 9], [Q_GOOD] * 14 + [Q_EFFORT], CHT_RESULT),  # Cần cố gắng
    ],
)
def test_year_result(levels, tests, qualities, expected):
    assert tt27.year_result(levels, tests, qualities, T) == expected


def test_decision():
    assert tt27.year_decision(HT_RESULT) == PROMOTED
    assert tt27.year_decision(CHT_RESULT) == SUMMER
