"""Small hand-made admission rounds for the rule tests."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

import numpy as np

from truongso.admissions import engine


@dataclass
class Round:
    result: engine.AssignmentResult

    def place(self, applicant_id: str) -> tuple[str, int] | None:
        index = self.index(applicant_id)
        school = int(self.result.school[index])
        if school < 0:
            return None
        return self.result.data.school_codes[school], int(self.result.preference[index])

    def reason(self, applicant_id: str) -> engine.Reason:
        return engine.Reason(int(self.result.reason[self.index(applicant_id)]))

    def index(self, applicant_id: str) -> int:
        return int(np.flatnonzero(self.result.data.applicant_ids == applicant_id)[0])


def run_round(
    schools: dict[str, int],
    applicants: Sequence[tuple[str, str, Sequence[str]]],
    *,
    penalties: tuple[str, ...] = ("1", "2"),
    tie: engine.TieRule = engine.TieRule.ADMIT_ALL,
    excluded: Sequence[str] = (),
    secondary: dict[str, tuple[float, ...]] | None = None,
) -> Round:
    """``applicants``: (id, score, [school codes in order])."""
    config = engine.EngineConfig(penalties=tuple(Decimal(p) for p in penalties), tie_rule=tie)
    codes = list(schools)
    width = max([len(p) for _, _, p in applicants] + [1])
    prefs = np.full((len(applicants), width), -1, dtype=np.int32)
    for row, (_, _, chosen) in enumerate(applicants):
        prefs[row, : len(chosen)] = [codes.index(c) for c in chosen]
    keys = secondary or {}
    key_width = max((len(v) for v in keys.values()), default=0)
    data = engine.admission_input_build(
        config=config,
        school_codes=codes,
        quotas=np.asarray(list(schools.values()), dtype=np.int64),
        applicant_ids=np.asarray([a for a, _, _ in applicants]),
        scores=[Decimal(s) for _, s, _ in applicants],
        preferences=prefs,
        excluded=np.asarray([a in excluded for a, _, _ in applicants], dtype=bool),
        secondary=np.asarray(
            [keys.get(a, (0.0,) * key_width) for a, _, _ in applicants], dtype=np.float64
        ).reshape(len(applicants), key_width),
    )
    return Round(engine.assignment_run(data))
