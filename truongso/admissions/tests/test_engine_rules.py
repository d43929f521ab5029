"""The assignment rules on hand-made rounds (DOMAIN.md, "Admission to grade 10")."""

from __future__ import annotations

import random
from decimal import Decimal

from truongso.admissions.engine import Reason, TieRule
from truongso.admissions.outcomes import Verdict, applicant_explain, school_outcomes
from truongso.admissions.tests.helpers import run_round


def outcome(r, code):  # type: ignore[no-untyped-def]
    return next(o for o in school_outcomes(r.result) if o.code == code)


def test_school_admits_from_the_top_until_its_quota() -> None:
    r = run_round({"A": 2}, [("an", "26", ["A"]), ("binh", "27", ["A"]), ("chi", "25.75", ["A"])])
    assert r.place("binh") == ("A", 1)
    assert r.place("an") == ("A", 1)
    assert r.place("chi") is None
    assert r.reason("chi") is Reason.NO_PLACE
    a = outcome(r, "A")
    assert (a.admitted, a.full, a.cutoff, a.marks) == (
        2, True, Decimal("26.00"), (Decimal("26.00"), Decimal("27.00"), Decimal("28.00"))
    )  # fmt: skip


def test_admitted_at_nv1_is_not_considered_for_nv2() -> None:
    r = run_round(
        {"A": 1, "B": 1},
        [("an", "28", ["B", "A"]), ("binh", "20", ["A"])],
    )
    assert r.place("an") == ("B", 1)
    assert r.place("binh") == ("A", 1)  # an's NV2 did not take A's only place


def test_nv2_needs_the_cutoff_plus_one() -> None:
    applicants = [("an", "25", ["A"]), ("binh", "25.75", ["C", "A"])]
    r = run_round({"A": 1, "C": 0}, applicants)
    assert r.place("an") == ("A", 1)  # binh's 25.75 - 1 = 24.75 < 25
    assert r.place("binh") is None
    exactly = run_round({"A": 1, "C": 0}, [("an", "25", ["A"]), ("binh", "26", ["C", "A"])])
    assert exactly.place("an") == ("A", 1)  # 26 - 1 ties 25: admit_all admits both
    assert exactly.place("binh") == ("A", 2)
    assert outcome(exactly, "A").over_quota == 1


def test_a_higher_nv2_applicant_bumps_an_nv1_applicant_out_of_both_preferences() -> None:
    r = run_round(
        {"A": 1, "B": 1, "C": 1},
        [
            ("an", "25", ["A", "B"]),
            ("binh", "26.5", ["C", "A"]),  # 26.5 - 1 = 25.5 > 25: takes A
            ("chi", "27", ["C"]),
            ("dung", "24.5", ["B"]),
        ],
    )
    assert r.place("chi") == ("C", 1)
    assert r.place("binh") == ("A", 2)
    assert r.place("dung") == ("B", 1)
    assert r.place("an") is None  # at B: 25 - 1 = 24 < dung's 24.5
    assert r.reason("an") is Reason.NO_PLACE


def test_bumped_applicant_falls_to_her_nv2_when_she_clears_it() -> None:
    r = run_round(
        {"A": 1, "B": 1, "C": 1},
        [
            ("an", "25", ["A", "B"]),
            ("binh", "26.5", ["C", "A"]),
            ("chi", "27", ["C"]),
            ("dung", "23.5", ["B"]),
        ],
    )
    assert r.place("an") == ("B", 2)  # 25 - 1 = 24 > 23.5
    assert r.place("dung") is None
    why = applicant_explain(r.result, r.index("an"))
    first = why.preferences[0]
    assert (first.school_code, first.cutoff, first.effective, first.penalty, first.verdict) == (
        "A", Decimal("25.50"), Decimal("25.00"), Decimal("0.00"), Verdict.BELOW_CUTOFF
    )  # fmt: skip
    assert why.preferences[1].verdict is Verdict.ADMITTED
    assert why.lines() == [
        "NV1 A: điểm 25,00 − 0,00 = 25,00, thấp hơn điểm chuẩn 25,50 "
        "(ở nguyện vọng này cần 25,50).",
        "NV2 B: trúng tuyển (điểm 25,00 − 1,00 = 24,00).",
    ]


def test_nv3_needs_the_cutoff_plus_two() -> None:
    schools = {"A": 1, "X": 0, "Y": 0}
    below = run_round(schools, [("an", "24", ["A"]), ("binh", "25.75", ["X", "Y", "A"])])
    assert below.place("an") == ("A", 1)
    above = run_round(schools, [("an", "24", ["A"]), ("binh", "26.25", ["X", "Y", "A"])])
    assert above.place("binh") == ("A", 3)
    assert above.place("an") is None


def test_penalties_zero_give_plain_preference_order() -> None:
    applicants = [("an", "25", ["A"]), ("binh", "25.25", ["C", "A"])]
    r = run_round({"A": 1, "C": 0}, applicants, penalties=("0", "0"))
    assert r.place("binh") == ("A", 2)
    assert r.place("an") is None


def test_ties_at_the_cutoff_admit_all_goes_over_quota_and_says_so() -> None:
    r = run_round({"A": 2}, [("an", "26", ["A"]), ("binh", "25", ["A"]), ("chi", "25", ["A"])])
    assert [r.place(a) for a in ("an", "binh", "chi")] == [("A", 1)] * 3
    a = outcome(r, "A")
    assert (a.admitted, a.over_quota, a.tied_admitted, a.tied_refused) == (3, 1, 2, 0)
    assert r.result.config.tie_rule is TieRule.ADMIT_ALL


def test_ties_at_the_cutoff_tiebreak_by_secondary_keys_then_id() -> None:
    applicants = [("an", "26", ["A"]), ("binh", "25", ["A"]), ("chi", "25", ["A"])]
    by_key = run_round(
        {"A": 2}, applicants, tie=TieRule.TIEBREAK, secondary={"binh": (8.0,), "chi": (9.0,)}
    )
    assert by_key.place("chi") == ("A", 1)
    assert by_key.place("binh") is None
    a = outcome(by_key, "A")
    assert (a.admitted, a.over_quota, a.tied_admitted, a.tied_refused) == (2, 0, 1, 1)
    why = applicant_explain(by_key.result, by_key.index("binh"))
    assert why.preferences[0].verdict is Verdict.LOST_TIE
    by_id = run_round({"A": 2}, applicants, tie=TieRule.TIEBREAK)
    assert by_id.place("binh") == ("A", 1)  # "binh" < "chi"
    assert by_id.place("chi") is None


def test_second_key_decides_when_the_first_ties() -> None:
    r = run_round(
        {"A": 1},
        [("an", "25", ["A"]), ("binh", "25", ["A"])],
        tie=TieRule.TIEBREAK,
        secondary={"an": (8.0, 5.0), "binh": (8.0, 6.0)},
    )
    assert r.place("binh") == ("A", 1)


def test_nv1_and_nv2_applicants_tied_on_effective_score() -> None:
    applicants = [("an", "25", ["A"]), ("binh", "26", ["C", "A"]), ("chi", "30", ["A"])]
    r = run_round({"A": 2, "C": 0}, applicants)
    assert [r.place(a) for a in ("an", "binh", "chi")] == [("A", 1), ("A", 2), ("A", 1)]


def test_empty_preferences_and_exclusion() -> None:
    r = run_round(
        {"A": 5},
        [("an", "29", ["A"]), ("binh", "20", []), ("chi", "18", ["A"])],
        excluded=["an"],
    )
    assert r.place("an") is None and r.reason("an") is Reason.EXCLUDED
    assert r.place("binh") is None and r.reason("binh") is Reason.NO_PREFERENCES
    assert r.place("chi") == ("A", 1)  # the excluded top score took no place
    assert applicant_explain(r.result, r.index("an")).preferences == ()


def test_quota_zero_admits_nobody() -> None:
    r = run_round({"A": 0, "B": 3}, [("an", "29", ["A", "B"]), ("binh", "20", ["A"])])
    assert r.place("an") == ("B", 2)
    assert r.place("binh") is None
    a = outcome(r, "A")
    assert (a.admitted, a.full, a.cutoff) == (0, False, None)
    why = applicant_explain(r.result, r.index("an"))
    assert why.preferences[0].verdict is Verdict.NO_PLACES
    assert why.lines() == [
        "NV1 A: trường không tuyển ở đợt này (chỉ tiêu 0).",
        "NV2 B: trúng tuyển (điểm 29,00 − 1,00 = 28,00).",
    ]


def test_school_that_does_not_fill_has_no_cutoff() -> None:
    r = run_round({"A": 5}, [("an", "12", ["A"]), ("binh", "20.5", ["A"])])
    a = outcome(r, "A")
    assert (a.admitted, a.full, a.cutoff, a.lowest_score) == (2, False, None, Decimal("12.00"))


def test_not_admitted_applicant_gets_every_preference_explained() -> None:
    r = run_round(
        {"A": 1, "B": 1, "C": 1},
        [("top", "28", ["A", "B", "C"]), ("b1", "27", ["B"]), ("c1", "26", ["C"]),
         ("an", "26.5", ["A", "B", "C"])],
    )  # fmt: skip
    assert r.place("an") is None
    why = applicant_explain(r.result, r.index("an"))
    assert [(p.preference, p.effective, p.cutoff, p.needed) for p in why.preferences] == [
        (1, Decimal("26.50"), Decimal("28.00"), Decimal("28.00")),
        (2, Decimal("25.50"), Decimal("27.00"), Decimal("28.00")),
        (3, Decimal("24.50"), Decimal("26.00"), Decimal("28.00")),
    ]


def test_same_input_in_another_order_gives_the_same_result() -> None:
    rng = random.Random(7)
    applicants = [
        (f"hs{i:03d}", str(rng.randrange(40, 120) / 4), rng.sample(["A", "B", "C", "D"], 3))
        for i in range(120)
    ]
    schools = {"A": 20, "B": 25, "C": 15, "D": 0}
    for tie in TieRule:
        first = run_round(schools, applicants, tie=tie)
        shuffled = applicants[:]
        rng.shuffle(shuffled)
        second = run_round(schools, shuffled, tie=tie)
        assert {a: first.place(a) for a, _, _ in applicants} == {
            a: second.place(a) for a, _, _ in applicants
        }
