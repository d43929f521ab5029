"""Property tests: on random small inputs the engine gives exactly what a textbook
Gale–Shapley (``reference.py``) gives, and its outcome is stable and within quotas."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from truongso.admissions import engine
from truongso.admissions.outcomes import Verdict, applicant_explain, school_outcomes
from truongso.admissions.tests.reference import Case, deferred_acceptance, effective

PENALTIES = [(0, 0), (100, 200), (25, 50), (100, 100), (0, 100), (50, 300)]


@st.composite
def cases(draw: Any) -> Case:
    schools = draw(st.integers(1, 5))
    n = draw(st.integers(0, 30))
    width = draw(st.integers(1, 3))
    prefs = []
    for _ in range(n):
        chosen = draw(st.permutations(range(schools)))
        prefs.append(list(chosen[: draw(st.integers(0, min(width, schools)))]))
    return Case(
        quotas=draw(st.lists(st.integers(0, 5), min_size=schools, max_size=schools)),
        scores=draw(st.lists(st.integers(0, 12).map(lambda v: v * 25), min_size=n, max_size=n)),
        preferences=prefs,
        penalties=(0, *draw(st.sampled_from(PENALTIES))),
        excluded=draw(st.lists(st.booleans(), min_size=n, max_size=n)),
        secondary=draw(
            st.lists(st.tuples(st.integers(0, 2), st.integers(0, 1)), min_size=n, max_size=n)
        ),
        ids=draw(st.permutations(range(1000, 1000 + n))),
        admit_all=draw(st.booleans()),
    )


def run(case: Case) -> engine.AssignmentResult:
    config = engine.EngineConfig(
        penalties=tuple(Decimal(p) / 100 for p in case.penalties[1:]),
        tie_rule=engine.TieRule.ADMIT_ALL if case.admit_all else engine.TieRule.TIEBREAK,
    )
    width = max((len(p) for p in case.preferences), default=1) or 1
    prefs = np.full((len(case.scores), width), -1, dtype=np.int32)
    for i, row in enumerate(case.preferences):
        prefs[i, : len(row)] = row
    data = engine.admission_input_build(
        config=config,
        school_codes=[f"S{s}" for s in range(len(case.quotas))],
        quotas=np.asarray(case.quotas, dtype=np.int64),
        applicant_ids=np.asarray(case.ids, dtype=np.int64),
        scores=[Decimal(v) / 100 for v in case.scores],
        preferences=prefs,
        excluded=np.asarray(case.excluded, dtype=bool),
        secondary=np.asarray(case.secondary, dtype=np.float64).reshape(len(case.scores), 2),
    )
    return engine.assignment_run(data)


def outcome(result: engine.AssignmentResult) -> list[tuple[int, int] | None]:
    return [
        (int(s), int(p)) if s >= 0 else None
        for s, p in zip(result.school, result.preference, strict=True)
    ]


@settings(max_examples=400, deadline=None)
@given(cases())
def test_engine_equals_deferred_acceptance(case: Case) -> None:
    assert outcome(run(case)) == deferred_acceptance(case)


@settings(max_examples=300, deadline=None)
@given(cases())
def test_outcome_is_stable_and_within_quotas(case: Case) -> None:
    result = run(case)
    got = outcome(result)
    members: dict[int, list[int]] = {s: [] for s in range(len(case.quotas))}
    for i, place in enumerate(got):
        if place:
            members[place[0]].append(i)
    for school, admitted in members.items():
        quota = case.quotas[school]
        strictly_above = [i for i in admitted if effective(case, i, school) > result.cutoff[school]]
        if case.admit_all:
            assert len(strictly_above) < quota or not admitted  # only ties go over
        else:
            assert len(admitted) <= quota
    for i, place in enumerate(got):
        if case.excluded[i]:
            assert place is None
            continue
        better = case.preferences[i][: place[1] - 1] if place else case.preferences[i]
        for school in better:  # no blocking pair: every better school is full of better ones
            admitted = members[school]
            assert case.quotas[school] == 0 or len(admitted) >= case.quotas[school]
            mine = effective(case, i, school)
            assert all(effective(case, j, school) >= mine for j in admitted)
            if case.admit_all and admitted:
                assert mine < min(effective(case, j, school) for j in admitted)


@settings(max_examples=150, deadline=None)
@given(cases())
def test_school_outcomes_add_up(case: Case) -> None:
    result = run(case)
    rows = school_outcomes(result)
    assert sum(r.admitted for r in rows) == int((result.school >= 0).sum())
    for row, quota in zip(rows, case.quotas, strict=True):
        assert sum(row.by_preference) == row.admitted
        assert row.over_quota == max(row.admitted - quota, 0)
        if not case.admit_all:
            assert row.over_quota == 0


@settings(max_examples=150, deadline=None)
@given(cases())
def test_every_explanation_agrees_with_the_cutoffs(case: Case) -> None:
    result = run(case)
    for i in range(len(case.scores)):
        why = applicant_explain(result, i)
        got = int(result.preference[i])
        if case.excluded[i] or not case.preferences[i]:
            assert why.preferences == ()
            continue
        assert len(why.preferences) == (got or len(case.preferences[i]))
        for item in why.preferences[: got - 1 if got else None]:
            quota = case.quotas[int(case.preferences[i][item.preference - 1])]
            if quota == 0:
                assert item.verdict is Verdict.NO_PLACES
            elif item.verdict is Verdict.LOST_TIE:
                assert not case.admit_all and item.effective == item.cutoff
            else:
                assert item.verdict is Verdict.BELOW_CUTOFF
                assert item.cutoff is not None and item.effective < item.cutoff
                assert item.needed == item.cutoff + item.penalty
        if got:
            assert why.preferences[-1].verdict is Verdict.ADMITTED


def test_a_district_sized_round_equals_the_reference() -> None:
    rng = np.random.default_rng(11)
    n, schools = 3000, 25
    popularity = rng.gamma(2.0, 1.0, schools)
    popularity /= popularity.sum()
    for admit_all in (True, False):
        case = Case(
            quotas=[int(q) for q in rng.integers(0, 150, schools)],
            scores=[int(v) * 25 for v in rng.integers(40, 120, n)],
            preferences=[
                [int(s) for s in rng.choice(schools, int(rng.integers(0, 4)), False, popularity)]
                for _ in range(n)
            ],
            penalties=(0, 100, 200),
            excluded=[bool(v) for v in rng.random(n) < 0.01],
            secondary=[(int(a), int(b)) for a, b in rng.integers(0, 4, (n, 2))],
            ids=[int(v) for v in rng.permutation(n)],
            admit_all=admit_all,
        )
        assert outcome(run(case)) == deferred_acceptance(case)
