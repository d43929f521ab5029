"""Thông tư 27/2020/TT-BGDĐT: assessment of primary pupils.

Subjects are rated Hoàn thành tốt / Hoàn thành / Chưa hoàn thành at mid- and end-semester;
some subjects also have periodic tests scored 1–10; qualities and competences are rated
Tốt / Đạt / Cần cố gắng. The year-end result is one of four levels (Art. 9.2).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from truongso.gradebook.rules.levels import (
    CHT_RESULT,
    HT,
    HT_RESULT,
    HTT,
    HTT_RESULT,
    HTXS_RESULT,
    PROMOTED,
    Q_GOOD,
    Q_PASS,
    SUMMER,
)


@dataclass(frozen=True)
class Thresholds:
    excellent_test: int = 9  # Hoàn thành xuất sắc: end-of-year tests ≥ 9
    good_test: int = 7  # Hoàn thành tốt: ≥ 7
    pass_test: int = 5  # Hoàn thành: ≥ 5
    test_min: int = 1  # periodic tests are scored 1–10, no zero (unverified: configurable)

    @classmethod
    def from_params(cls, params: dict[str, Any]) -> Thresholds:
        known = {
            k: v for k, v in params.get("thresholds", {}).items() if k in cls.__dataclass_fields__
        }
        return cls(**known)


def year_result(
    subject_levels: Sequence[str], tests: Sequence[int], qualities: Sequence[str], t: Thresholds
) -> str:
    """The year-end result, Thông tư 27/2020, Art. 9.2:

    Hoàn thành xuất sắc: every subject Hoàn thành tốt, every quality and competence Tốt,
    every end-of-year test ≥ 9; Hoàn thành tốt: the same with tests ≥ 7; Hoàn thành: every
    subject Hoàn thành tốt or Hoàn thành, qualities and competences Tốt or Đạt, tests ≥ 5;
    Chưa hoàn thành: otherwise.
    """
    lowest_test = min(tests) if tests else 10
    all_htt = all(level == HTT for level in subject_levels)
    all_good = all(rating == Q_GOOD for rating in qualities)
    if all_htt and all_good and lowest_test >= t.excellent_test:
        return HTXS_RESULT
    if all_htt and all_good and lowest_test >= t.good_test:
        return HTT_RESULT
    if (
        all(level in (HTT, HT) for level in subject_levels)
        and all(rating in (Q_GOOD, Q_PASS) for rating in qualities)
        and lowest_test >= t.pass_test
    ):
        return HT_RESULT
    return CHT_RESULT


def year_decision(result: str) -> str:
    """Pupils who complete (Hoàn thành or better) move up; the others get summer review and
    are assessed again (Thông tư 27/2020, Art. 11)."""
    return SUMMER if result == CHT_RESULT else PROMOTED
