"""Columns and value cleaning as the engines define them from the scheme's parameters."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from truongso.gradebook.rules.engine import SubjectSpec, TT22Engine, TT27Engine

TOAN = SubjectSpec("TOAN", "Toán", 6, 140, "scored")
GDCD = SubjectSpec("GDCD", "GDCD", 6, 35, "scored")
GDTC = SubjectSpec("GDTC", "GDTC", 6, 70, "comment")
TV4 = SubjectSpec("TV", "Tiếng Việt", 4, 245, "primary_tested")
DD4 = SubjectSpec("DD", "Đạo đức", 4, 35, "primary_comment")


def codes(engine, spec):
    return [c.code for c in engine.columns(spec, 1)]


def test_tt22_columns_follow_the_periods():
    engine = TT22Engine({})
    assert codes(engine, TOAN) == ["tx1", "tx2", "tx3", "tx4", "gk", "ck"]
    assert codes(engine, GDCD) == ["tx1", "tx2", "gk", "ck"]
    assert codes(engine, GDTC) == ["tx1", "tx2", "tx3", "gk", "ck"]
    assert {c.kind for c in engine.columns(GDTC, 1)} == {"mark"}


def test_tt22_counts_are_data():
    engine = TT22Engine({"regular_counts": [[200, 5], [None, 6]]})
    assert codes(engine, TOAN) == ["tx1", "tx2", "tx3", "tx4", "tx5", "gk", "ck"]


def test_tt27_columns():
    engine = TT27Engine({})
    assert codes(engine, TV4) == ["gk", "kt_gk", "ck", "kt_ck"]
    assert codes(engine, DD4) == ["gk", "ck"]


@pytest.mark.parametrize(
    ("raw", "stored"),
    [
        ("8", "8"),
        ("8.5", "8.5"),
        ("8,5", "8.5"),
        (" 10 ", "10"),
        ("0", "0"),
        ("7.0", "7"),
        ("", ""),
    ],
)
def test_scores_are_normalised(raw, stored):
    engine = TT22Engine({})
    assert engine.clean(engine.columns(TOAN, 1)[0], raw) == stored


@pytest.mark.parametrize(
    ("raw", "fragment"),
    [
        ("8.25", "một chữ số thập phân"),
        ("10.5", "từ 0 đến 10"),
        ("-1", "từ 0 đến 10"),
        ("a", "nhận số"),
        ("8..5", "nhận số"),
        ("1e1", "nhận số"),
    ],
)
def test_bad_scores_are_refused_in_vietnamese(raw, fragment):
    engine = TT22Engine({})
    with pytest.raises(ValidationError) as caught:
        engine.clean(engine.columns(TOAN, 1)[0], raw)
    assert fragment in " ".join(caught.value.messages)


def test_marks():
    engine = TT22Engine({})
    column = engine.columns(GDTC, 1)[0]
    assert [engine.clean(column, v) for v in ("Đ", "đ", "d", "CĐ", "cd", "Chưa đạt")] == [
        "Đ",
        "Đ",
        "Đ",
        "CĐ",
        "CĐ",
        "CĐ",
    ]
    with pytest.raises(ValidationError):
        engine.clean(column, "8")


def test_tt27_tests_are_whole_points_without_zero():
    engine = TT27Engine({})
    test_column = next(c for c in engine.columns(TV4, 1) if c.code == "kt_ck")
    assert engine.clean(test_column, "9") == "9"
    for bad in ("8.5", "0", "11"):
        with pytest.raises(ValidationError):
            engine.clean(test_column, bad)


def test_semester_outcome_is_not_computable_when_a_cell_is_missing():
    engine = TT22Engine({})
    cells = {"tx1": "6", "tx2": "8", "tx3": "7.5", "gk": "5", "ck": "10"}
    spec = SubjectSpec("LSDL", "LS&ĐL", 6, 70, "scored")
    assert engine.semester_outcome(spec, cells).average == Decimal("7.7")
    assert engine.semester_outcome(spec, {**cells, "ck": ""}).average is None
