"""The engine refuses inconsistent input, naming row, field and reason (Vietnamese first)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import numpy as np
import pytest

from truongso.admissions import engine
from truongso.admissions.checks import AdmissionInputError

CONFIG = engine.EngineConfig()


def build(**changes: Any) -> engine.AdmissionInput:
    arguments: dict[str, Any] = {
        "config": CONFIG,
        "school_codes": ["A", "B", "C"],
        "quotas": np.asarray([2, 1, 0]),
        "applicant_ids": np.asarray([101, 102, 103]),
        "scores": np.asarray([25.5, 24.25, 30.0]),
        "preferences": np.asarray([[0, 1, -1], [1, -1, -1], [2, 0, 1]]),
    }
    arguments.update(changes)
    return engine.admission_input_build(**arguments)


def problems(**changes: Any) -> list[tuple[str, int | None, str, str]]:
    with pytest.raises(AdmissionInputError) as caught:
        build(**changes)
    return [(p.table, p.row, p.field, p.text()) for p in caught.value.problems]


def test_consistent_input_is_accepted_and_converted_to_hundredths() -> None:
    data = build()
    assert data.scores.tolist() == [2550, 2425, 3000]
    assert data.penalties.tolist() == [0, 100, 200]
    assert data.excluded.tolist() == [False, False, False]


def test_decimal_and_text_scores_are_exact() -> None:
    data = build(scores=[Decimal("25.5"), "24.25", 30])
    assert data.scores.tolist() == [2550, 2425, 3000]


def test_unknown_school() -> None:
    assert problems(preferences=np.asarray([[0, 3, -1], [1, -1, -1], [2, 0, 1]])) == [
        ("applicants", 0, "pref2", "Không có trường này.")
    ]


def test_duplicate_preference() -> None:
    assert problems(preferences=np.asarray([[0, 1, 0], [1, -1, -1], [2, 0, 1]])) == [
        ("applicants", 0, "pref3", "Trùng trường với NV1: mỗi trường chỉ được chọn một lần.")
    ]


def test_gap_in_preferences() -> None:
    assert problems(preferences=np.asarray([[0, 1, -1], [-1, 1, -1], [2, 0, 1]])) == [
        ("applicants", 1, "pref2", "Có NV2 nhưng NV1 bỏ trống: nguyện vọng phải điền theo thứ tự.")
    ]


def test_negative_quota_and_repeated_school() -> None:
    assert problems(school_codes=["A", "B", "A"], quotas=np.asarray([2, -1, 0])) == [
        ("schools", 2, "school_code", "Trường A bị lặp: đã có ở dòng 1."),
        ("schools", 1, "quota", "Chỉ tiêu không được âm (-1)."),
    ]


def test_score_out_of_range_or_off_the_grid() -> None:
    assert problems(scores=np.asarray([25.5, -0.25, 60.25])) == [
        ("applicants", 1, "score", "Điểm -0,25 nằm ngoài khoảng 0–60."),
        ("applicants", 2, "score", "Điểm 60,25 nằm ngoài khoảng 0–60."),
    ]
    assert problems(scores=[Decimal("25.5"), "24.255", "x"]) == [
        ("applicants", 1, "score", "Điểm phải là một số có tối đa hai chữ số thập phân."),
        ("applicants", 2, "score", "Điểm phải là một số có tối đa hai chữ số thập phân."),
    ]
    assert problems(scores=np.asarray([25.5, np.nan, 24.001]))[0][1:3] == (1, "score")


def test_duplicate_applicant_ids() -> None:
    assert problems(applicant_ids=np.asarray(["HS1", "HS2", "HS1"])) == [
        ("applicants", 2, "applicant_id", "Thí sinh HS1 bị lặp: đã có ở dòng 1.")
    ]


def test_penalties_must_not_decrease_and_must_cover_every_preference() -> None:
    config = engine.EngineConfig(penalties=(Decimal(2), Decimal(1)))
    assert problems(config=config) == [
        (
            "config",
            None,
            "penalties",
            "Mức chênh điểm không được giảm dần theo thứ tự nguyện vọng (NV2 ≤ NV3 …).",
        )
    ]
    short = engine.EngineConfig(penalties=(Decimal(1),))
    assert problems(config=short) == [
        ("config", None, "penalties", "3 nguyện vọng cần 2 mức chênh điểm (từ NV2 trở đi).")
    ]


def test_every_problem_is_listed_at_once() -> None:
    found = problems(
        applicant_ids=np.asarray([1, 1, 2]),
        scores=np.asarray([99.0, 1.0, 2.0]),
        quotas=np.asarray([2, 1, -3]),
    )
    assert [(t, r, f) for t, r, f, _ in found] == [
        ("schools", 2, "quota"),
        ("applicants", 0, "score"),
        ("applicants", 1, "applicant_id"),
    ]
    with pytest.raises(AdmissionInputError) as caught:
        build(applicant_ids=np.asarray([1, 1, 2]))
    assert str(caught.value) == (
        "Danh sách thí sinh, dòng 2, applicant_id: Thí sinh 1 bị lặp: đã có ở dòng 1."
    )


def test_empty_round_runs() -> None:
    data = build(
        applicant_ids=np.asarray([], dtype=np.int64),
        scores=np.asarray([], dtype=np.float64),
        preferences=np.zeros((0, 3), dtype=np.int32),
    )
    result = engine.assignment_run(data)
    assert result.admitted_count().tolist() == [0, 0, 0]


def test_malformed_arrays_are_refused_not_crashed() -> None:
    assert problems(preferences=[[0, 1], [1], [2, 0, 1]]) == [
        (
            "applicants",
            None,
            "pref1",
            "Nguyện vọng phải là bảng mã trường, mỗi thí sinh một dòng.",
        )
    ]
    assert problems(quotas=["2", "1", "0"]) == [
        ("schools", None, "quota", "Chỉ tiêu phải là số nguyên.")
    ]
    assert problems(scores=np.asarray([25.5, 24.25])) == [
        ("applicants", None, "score", "Mỗi thí sinh phải có đúng một điểm xét tuyển.")
    ]
