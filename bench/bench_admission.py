"""Benchmark: the grade-10 assignment engine on a synthetic province.

100,000 and 1,000,000 applicants × 3 preferences × 115 schools (Hanoi 2025 had 103,456
first-preference registrations for 75,670 places in 115 schools), generated from a fixed seed:
three exam scores on a 0.25 grid around 6.5 ± 1.8, a priority bonus for 15 % of applicants,
places for 73 % of applicants spread over schools of uneven popularity, preferences drawn by
popularity (5 % give one, 10 % two), 0.5 % excluded (a zero), secondary tie-break keys.

Measured: ``admission_input_build`` (checks and conversion) plus ``assignment_run``, under both
tie rules, best of ``--repeat``. The **baseline**, in the same run, is a numpy argsort of the
same scores (the least any "admit from the highest score down" needs). Also printed: the
rounds to the fixed point, places filled, and the share of applicants exactly on a cut-off.

Options: ``--sizes 100000,1000000`` (default), ``--repeat N`` (default 3), ``--seed N``.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import numpy as np

from bench import common

SCHOOLS = 115
PLACES_SHARE = 0.73


def _options(args: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="bench_admission")
    parser.add_argument("--sizes", default="100000,1000000")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--seed", type=int, default=2026)
    return parser.parse_args(args)


def province(n: int, seed: int) -> dict[str, Any]:
    rng = np.random.default_rng(seed)
    popularity = rng.gamma(2.0, 1.0, SCHOOLS)
    popularity /= popularity.sum()
    quotas = np.round(popularity * PLACES_SHARE * n * rng.uniform(0.6, 1.4, SCHOOLS))
    exams = np.clip(np.round(rng.normal(6.5, 1.8, (n, 3)) * 4) / 4, 0, 10)
    bonus = rng.choice([0.0, 1.0, 1.5, 2.0], n, p=[0.85, 0.07, 0.05, 0.03])
    preferences = _distinct_draws(rng, popularity, n)
    given = rng.choice([1, 2, 3], n, p=[0.05, 0.10, 0.85])
    preferences[given < 3, 2] = -1
    preferences[given < 2, 1] = -1
    return {
        "school_codes": [f"THPT{s:03d}" for s in range(SCHOOLS)],
        "quotas": np.maximum(quotas, 1).astype(np.int64),
        "applicant_ids": rng.permutation(n).astype(np.int64) + 10_000_000,
        "scores": exams.sum(axis=1) + bonus,
        "preferences": preferences.astype(np.int32),
        "excluded": (exams == 0).any(axis=1) | (rng.random(n) < 0.005),
        "secondary": exams[:, :2].copy(),  # e.g. Math, then Literature
    }


def _distinct_draws(rng: np.random.Generator, popularity: Any, n: int) -> Any:
    """Three different schools per applicant, drawn by popularity: eight draws per row, the
    first three distinct ones kept (a row with fewer keeps -1 for the rest)."""
    draws = rng.choice(SCHOOLS, size=(n, 8), p=popularity)
    repeated = np.zeros(draws.shape, dtype=bool)
    for j in range(1, draws.shape[1]):
        repeated[:, j] = (draws[:, :j] == draws[:, j : j + 1]).any(axis=1)
    order = np.argsort(repeated, axis=1, kind="stable")[:, :3]
    chosen = np.take_along_axis(draws, order, axis=1)
    chosen[np.take_along_axis(repeated, order, axis=1)] = -1
    return chosen


def _measure(n: int, options: argparse.Namespace) -> list[common.Result]:
    from truongso.admissions import engine
    from truongso.admissions.outcomes import school_outcomes

    data = province(n, options.seed + n)
    scores = data["scores"]
    baseline = common.best_of(options.repeat, lambda: np.argsort(-scores, kind="stable"))
    results = []
    for rule in engine.TieRule:
        config = engine.EngineConfig(tie_rule=rule)
        last: list[Any] = []

        def run(config: engine.EngineConfig = config, last: list[Any] = last) -> None:
            prepared = engine.admission_input_build(config=config, **data)
            last[:] = [engine.assignment_run(prepared)]

        seconds = common.best_of(options.repeat, run)
        result = last[0]
        outcomes = school_outcomes(result)
        on_cutoff = sum(o.tied_admitted + o.tied_refused for o in outcomes)
        print(
            f"  {n:>9,} applicants, {rule.value:<9}: {seconds:6.3f} s, {result.rounds} rounds, "
            f"{int((result.school >= 0).sum()):,} admitted for {int(data['quotas'].sum()):,} "
            f"places, {sum(o.over_quota for o in outcomes):,} over quota, "
            f"{on_cutoff / n:.2%} on a cut-off",
            flush=True,
        )
        name = f"admission_assign_{n // 1000}k_{rule.value}"
        results.append(common.Result.of(name, seconds, "s", baseline))
    return results


def main(args: list[str]) -> list[common.Result]:
    options = _options(args)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "truongso.settings")
    import django

    django.setup()  # messages and number formats only: the engine touches no database
    results: list[common.Result] = []
    for size in (int(s) for s in options.sizes.split(",")):
        results.extend(_measure(size, options))
    return results


if __name__ == "__main__":
    common.record(main(sys.argv[1:]))
