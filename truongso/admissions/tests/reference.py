"""A plain, obviously correct reference: textbook Gale–Shapley deferred acceptance, one
proposal at a time, in pure Python on small inputs. Nothing from the engine is reused."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Case:
    quotas: Sequence[int]
    scores: Sequence[int]  # hundredths
    preferences: Sequence[Sequence[int]]  # school indexes, in order, no -1
    penalties: Sequence[int]  # hundredths, for NV1, NV2, ... (NV1: 0)
    excluded: Sequence[bool]
    secondary: Sequence[Sequence[float]]  # tie-break keys, higher first
    ids: Sequence[int]
    admit_all: bool


def deferred_acceptance(case: Case) -> list[tuple[int, int] | None]:
    """For every applicant (school, 1-based preference) or None."""
    n = len(case.scores)
    next_choice = [0] * n
    held: list[set[int]] = [set() for _ in case.quotas]
    free = [i for i in range(n) if not case.excluded[i] and case.preferences[i]]
    while free:
        i = free.pop()
        if next_choice[i] >= len(case.preferences[i]):
            continue
        school = case.preferences[i][next_choice[i]]
        next_choice[i] += 1
        candidates = held[school] | {i}
        kept = _choose(case, school, candidates)
        held[school] = kept
        free.extend(candidates - kept)
    result: list[tuple[int, int] | None] = [None] * n
    for school, members in enumerate(held):
        for i in members:
            result[i] = (school, case.preferences[i].index(school) + 1)
    return result


def effective(case: Case, i: int, school: int) -> int:
    return case.scores[i] - case.penalties[list(case.preferences[i]).index(school)]


def _choose(case: Case, school: int, candidates: set[int]) -> set[int]:
    quota = case.quotas[school]
    if quota == 0:
        return set()
    if case.admit_all:
        ranked = sorted(candidates, key=lambda i: -effective(case, i, school))
        if len(ranked) <= quota:
            return set(ranked)
        bar = effective(case, ranked[quota - 1], school)
        return {i for i in ranked if effective(case, i, school) >= bar}
    ranked = sorted(
        candidates,
        key=lambda i: (
            -effective(case, i, school),
            tuple(-v for v in case.secondary[i]),
            case.ids[i],
        ),
    )
    return set(ranked[:quota])
