"""The assignment engine of admission to grade 10 (tuyển sinh vào lớp 10), vectorised.

The rule (DOMAIN.md, "Admission to grade 10"; Hanoi's model, national frame in Thông tư
30/2024/TT-BGDĐT, Quy chế tuyển sinh THCS và THPT): applicants are taken from the highest
admission score (điểm xét tuyển) down; each school admits until its quota (chỉ tiêu) is full;
an applicant admitted at her first preference (NV1) is not considered for NV2/NV3; at NV2 she
needs the school's cut-off (điểm chuẩn) plus a penalty (1 point by default), at NV3 the cut-off
plus 2. The penalties are configuration; 0/0 gives plain preference order.

**Model.** This is student-proposing deferred acceptance (Gale & Shapley, "College Admissions
and the Stability of Marriage", American Mathematical Monthly 69, 1962; Roth & Sotomayor,
*Two-Sided Matching*, 1990, ch. 5) in which a school ranks an applicant by her *effective score*
at that school: score − penalty(rank of the school in her list). An applicant admitted at NV2
with score x beat the school's lowest effective score c admitted, so x − 1 ≥ c: exactly "the
cut-off plus 1"; nobody displaced her, so she was not considered for NV3; and a stable outcome
(no applicant who prefers a school whose cut-off she reaches there) is what "admits from the
top until the quota" means when preferences interact.

**Why one sorted pass is enough.** Penalties never decrease with the rank, so an applicant's
entry for a better preference never has a lower effective score than her entry for a worse one.
Take all entries (applicant, preference) in descending effective score (ties by the configured
rule): when an entry comes up, every better entry of the same applicant has already come up,
and a school's admitted entries are never displaced by later, lower ones. Hence the stable
outcome is *unique* and equals the greedy pass "admit the entry if the applicant is not admitted
yet and the school still has room". (Induction on the order: a stable matching differing at the
first entry either leaves a blocking pair or exceeds a quota.) Under ``admit_all`` the same
argument runs over groups of equal effective score (a school with room when a group starts
takes the whole group). Deferred acceptance finds this outcome too: the property tests check
the engine against a plain Gale–Shapley reference (``tests/reference.py``) under both rules.

**Vectorised.** The greedy pass is sequential, so the engine computes its fixed point in terms
of cut-offs (Azevedo & Leshno, "A Supply and Demand Framework for Two-Sided Matching Markets",
Journal of Political Economy 124(5), 2016): each school's cut-off is the position, in the global
order, of the last entry it admits; every applicant demands her best preference whose cut-off
she clears; an over-demanded school moves its cut-off up to its quota-th demander. Starting
from "everybody clears" the cut-offs only rise, so each round moves only the applicants just
refused (a few numpy passes), and the rounds stop at the fixed point, which is the outcome
above (4–5 rounds on a synthetic province of a million applicants).

**Ties at the cut-off** (the official rule is unverified, so it is configuration, and the result
says which was used): ``admit_all`` admits everybody whose effective score equals the cut-off,
over the quota (reported per school); ``tiebreak`` orders equal effective scores by the
applicant's secondary keys (higher first, in order) and finally by applicant id (ascending),
and reports how many tied applicants lost at each school.

Scores are exact integers of hundredths of a point inside the engine (never floats), so
"23.75 − 1" equals "22.75" exactly. Input is checked first (:mod:`.checks`): the engine refuses
inconsistent input rather than guessing.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from enum import IntEnum, StrEnum
from typing import Any

import numpy as np
import numpy.typing as npt

from truongso.admissions import checks

IntArray = npt.NDArray[np.int64]
UNIT = 100  # scores are counted in hundredths of a point
NONE = -1


class TieRule(StrEnum):
    ADMIT_ALL = "admit_all"
    TIEBREAK = "tiebreak"


class Reason(IntEnum):
    """Why an applicant ended where she did (lý do)."""

    ADMITTED = 0
    EXCLUDED = 1  # flagged in the input, e.g. a zero in an exam (bị loại, điểm liệt)
    NO_PREFERENCES = 2  # registered no preference (không đăng ký nguyện vọng)
    NO_PLACE = 3  # below the cut-off (or lost a tie) at every preference


@dataclass(frozen=True)
class EngineConfig:
    """``penalties[0]`` applies at NV2, ``penalties[1]`` at NV3 ... (NV1 has none)."""

    penalties: tuple[Decimal, ...] = (Decimal(1), Decimal(2))
    tie_rule: TieRule = TieRule.ADMIT_ALL
    score_min: Decimal = Decimal(0)
    score_max: Decimal = Decimal(60)


@dataclass(frozen=True)
class AdmissionInput:
    """Checked arrays, as built by :func:`admission_input_build` (row ``i`` = applicant ``i``),
    with the configuration they were checked against.

    ``preferences[i, k]`` is the index in ``school_codes`` of NV(k+1), or -1 for none;
    ``scores`` are hundredths; ``secondary`` holds the tie-break keys, higher first."""

    config: EngineConfig
    school_codes: tuple[str, ...]
    quotas: IntArray
    applicant_ids: npt.NDArray[Any]
    scores: IntArray
    preferences: npt.NDArray[np.int32]
    excluded: npt.NDArray[np.bool_]
    secondary: npt.NDArray[np.float64]
    penalties: IntArray  # hundredths per rank, penalties[0] == 0 (NV1)
    id_order: IntArray  # applicant rows by ascending id (the last tie-break)

    @property
    def size(self) -> int:
        return len(self.scores)


def admission_input_build(
    *,
    config: EngineConfig,
    school_codes: Sequence[str],
    quotas: Sequence[int] | npt.NDArray[Any],
    applicant_ids: Sequence[Any] | npt.NDArray[Any],
    scores: Sequence[Any] | npt.NDArray[Any],
    preferences: Sequence[Sequence[int]] | npt.NDArray[Any],
    excluded: Sequence[bool] | npt.NDArray[Any] | None = None,
    secondary: Sequence[Sequence[float]] | npt.NDArray[Any] | None = None,
) -> AdmissionInput:
    """Convert and check the input; raise :class:`checks.AdmissionInputError` listing every
    problem (row, field, reason) when anything is inconsistent."""
    return checks.build_input(
        AdmissionInput,
        config=config,
        unit=UNIT,
        school_codes=school_codes,
        quotas=quotas,
        applicant_ids=applicant_ids,
        scores=scores,
        preferences=preferences,
        excluded=excluded,
        secondary=secondary,
    )


@dataclass(frozen=True)
class Entries:
    """Every (applicant, preference) that takes part, flattened, with its global position."""

    applicant: IntArray
    rank: IntArray
    school: IntArray
    effective: IntArray
    position: IntArray  # place in the global order (0 = first served)
    by_school: IntArray  # entry indices grouped by school, each group in global order
    sorted_key: npt.NDArray[Any]  # per position: top effective score minus the entry's


@dataclass
class AssignmentResult:
    """The outcome for every applicant and every school. ``school[i]`` is a school index or
    -1; ``preference[i]`` is 1 for NV1 ... or 0; ``reason[i]`` a :class:`Reason`."""

    data: AdmissionInput
    school: npt.NDArray[np.int32]
    preference: npt.NDArray[np.int8]
    reason: npt.NDArray[np.int8]
    cutoff: IntArray  # lowest effective score admitted (hundredths), -1 if nobody admitted
    full: npt.NDArray[np.bool_]  # the school reached its quota (its cut-off binds)
    rounds: int
    entries: Entries = field(repr=False)

    @property
    def config(self) -> EngineConfig:
        return self.data.config

    def admitted_count(self) -> IntArray:
        mask = self.school >= 0
        return np.bincount(self.school[mask], minlength=len(self.data.quotas)).astype(np.int64)


def assignment_run(data: AdmissionInput) -> AssignmentResult:
    """Assign every applicant (see the module docstring for the rule and its proof). For a
    "what if" with other penalties or another tie rule, build the input again with that
    configuration: the checks depend on it."""
    tie_rule = data.config.tie_rule
    entries = _entries(data, tie_rule)
    threshold, accepted_rank, rounds = _cutoff_fixed_point(data, entries, tie_rule)
    return _result(data, entries, accepted_rank, threshold, rounds)


def _entries(data: AdmissionInput, tie_rule: TieRule) -> Entries:
    """The entries in service order: effective score (descending), then the applicant's tie
    order (:func:`_tie_order`), then the preference rank. They are listed applicant by
    applicant in tie order first, so that one stable sort on the effective score alone (a
    radix sort on small integers: several times faster than sorting packed keys) finishes."""
    tie_order = _tie_order(data, tie_rule)
    taking_part = ((data.preferences >= 0) & ~data.excluded[:, None])[tie_order]
    row, rank = np.nonzero(taking_part)
    applicant = tie_order[row]
    rank = rank.astype(np.int64)
    school = data.preferences[tie_order][taking_part].astype(np.int64)
    effective = data.scores[applicant] - data.penalties[rank]
    below_top = _narrow(effective.max(initial=0) - effective)
    order = np.argsort(below_top, kind="stable")
    position = np.empty(len(order), dtype=np.int64)
    position[order] = np.arange(len(order))
    by_school = order[np.argsort(_narrow(school[order]), kind="stable")]
    return Entries(applicant, rank, school, effective, position, by_school, below_top[order])


def _group_end(entries: Entries, positions: IntArray) -> IntArray:
    """For each of ``positions``, the last position holding the same effective score."""
    return np.searchsorted(entries.sorted_key, entries.sorted_key[positions], side="right") - 1


def _narrow(values: IntArray) -> npt.NDArray[Any]:
    """Non-negative integers as int16 when they fit: numpy sorts those stably by radix."""
    fits = not len(values) or int(values.max()) < 2**15
    return values.astype(np.int16) if fits else values


def _tie_order(data: AdmissionInput, tie_rule: TieRule) -> IntArray:
    """Applicants in their order among equal effective scores: by id (ascending) under
    ``admit_all`` (where it only makes the computation deterministic), by the secondary keys
    (higher first, in order) and then the id under ``tiebreak``: stable sorts by the last key
    first, as ``np.lexsort`` does, starting from the id order the checks computed."""
    order = data.id_order
    if tie_rule is TieRule.TIEBREAK:
        for column in reversed(range(data.secondary.shape[1])):
            key = data.secondary[order, column]
            order = order[np.argsort(_descending_key(key), kind="stable")]
    return order


def _descending_key(values: npt.NDArray[np.float64]) -> npt.NDArray[Any]:
    """Sort key putting higher values first; small integers when the values are hundredths
    in a small range (exam scores are), which numpy sorts stably by radix."""
    top = float(values.max(initial=0.0))
    scaled: npt.NDArray[np.float64] = (top - values) * 100
    below = np.round(scaled)
    if bool(np.all(np.abs(scaled - below) < 1e-6)) and float(below.max(initial=0)) < 2**15:
        return below.astype(np.int16)
    return np.negative(values)


def _position_matrix(
    data: AdmissionInput, entries: Entries
) -> tuple[npt.NDArray[np.signedinteger[Any]], npt.NDArray[np.int32]]:
    """Per applicant and rank: the entry's global position (huge if none) and its school
    (the extra index ``len(quotas)``, which never accepts, if none)."""
    n, k = data.preferences.shape
    never = len(entries.position) + 1
    small = np.int32 if never < 2**31 - 1 else np.int64  # half the memory traffic per round
    position = np.full((n, k), never, dtype=small)
    position[entries.applicant, entries.rank] = entries.position
    school = np.full((n, k), len(data.quotas), dtype=np.int32)
    school[entries.applicant, entries.rank] = entries.school
    return position, school


def _cutoff_fixed_point(
    data: AdmissionInput, entries: Entries, tie_rule: TieRule
) -> tuple[IntArray, IntArray, int]:
    """Per school, the last global position it admits (-1: nobody); per applicant, the 0-based
    rank she is admitted at (-1: none); and the number of rounds.

    Each round moves only the applicants whose demanded entry fell behind its school's new
    cut-off: cut-offs only rise, so nobody else's best acceptable preference changes."""
    total = len(entries.position)
    count = len(data.quotas)
    threshold = np.full(count + 1, total, dtype=np.int64)
    threshold[count] = NONE  # the "no school" column of the matrices below never accepts
    threshold[:count][data.quotas == 0] = NONE
    position, school = _position_matrix(data, entries)
    entry_at = np.full(position.shape, -1, dtype=np.int64)
    entry_at[entries.applicant, entries.rank] = np.arange(total)
    slot = np.empty(total, dtype=np.int64)  # an entry's place in the by-school listing
    slot[entries.by_school] = np.arange(total)
    sorted_school = entries.school[entries.by_school]
    sorted_position = entries.position[entries.by_school]
    demanded = np.zeros(total, dtype=bool)  # by-school listing: the applicant's current demand
    current = _demand(position, school, threshold, None, entry_at, slot, demanded)
    rounds = 1
    while True:
        listed = np.flatnonzero(demanded)
        new = _thresholds(listed, sorted_school, sorted_position, data.quotas, total)
        if tie_rule is TieRule.ADMIT_ALL:
            binding = new < total
            new[binding] = _group_end(entries, new[binding])
        new[data.quotas == 0] = NONE
        if np.array_equal(new, threshold[:count]):
            return threshold[:count].copy(), current, rounds
        threshold[:count] = new
        refused = listed[sorted_position[listed] > threshold[sorted_school[listed]]]
        demanded[refused] = False
        movers = entries.applicant[entries.by_school[refused]]
        current[movers] = _demand(position, school, threshold, movers, entry_at, slot, demanded)
        rounds += 1


def _demand(
    position: npt.NDArray[Any],
    school: npt.NDArray[np.int32],
    threshold: IntArray,
    applicants: IntArray | None,
    entry_at: IntArray,
    slot: IntArray,
    demanded: npt.NDArray[np.bool_],
) -> IntArray:
    """The best rank each of ``applicants`` (None: everybody) clears (-1: none), marked in
    ``demanded``."""
    limits = threshold.astype(position.dtype)  # compare in the matrix's (narrow) type
    if applicants is None:
        accepted = position <= limits[school]
        applicants = np.arange(len(position))
    else:
        accepted = position[applicants] <= limits[school[applicants]]
    has = accepted.any(axis=1)
    first = accepted.argmax(axis=1)
    demanded[slot[entry_at[applicants[has], first[has]]]] = True
    return np.where(has, first, NONE).astype(np.int64)


def _thresholds(
    listed: IntArray,
    sorted_school: IntArray,
    sorted_position: IntArray,
    quotas: IntArray,
    total: int,
) -> IntArray:
    """Position of each school's quota-th demander (``total`` when it has fewer); ``listed``
    are the demanded entries' places in the by-school listing, in order."""
    counts = np.bincount(sorted_school[listed], minlength=len(quotas))
    starts = np.cumsum(counts) - counts
    over = (counts >= quotas) & (quotas > 0)
    new = np.full(len(quotas), total, dtype=np.int64)
    new[over] = sorted_position[listed[starts[over] + quotas[over] - 1]]
    return new


def _result(
    data: AdmissionInput,
    entries: Entries,
    accepted_rank: IntArray,
    threshold: IntArray,
    rounds: int,
) -> AssignmentResult:
    admitted = accepted_rank >= 0
    rows = np.flatnonzero(admitted)
    school = np.full(data.size, NONE, dtype=np.int32)
    school[rows] = data.preferences[rows, accepted_rank[rows]]
    preference = np.zeros(data.size, dtype=np.int8)
    preference[rows] = accepted_rank[rows] + 1
    reason = np.full(data.size, Reason.NO_PLACE, dtype=np.int8)
    reason[(data.preferences < 0).all(axis=1)] = Reason.NO_PREFERENCES
    reason[data.excluded] = Reason.EXCLUDED
    reason[admitted] = Reason.ADMITTED
    effective = data.scores[rows] - data.penalties[accepted_rank[rows]]
    cutoff = np.full(len(data.quotas), np.iinfo(np.int64).max, dtype=np.int64)
    np.minimum.at(cutoff, school[rows], effective)
    cutoff[cutoff == np.iinfo(np.int64).max] = NONE
    full = threshold < len(entries.position)
    return AssignmentResult(data, school, preference, reason, cutoff, full, rounds, entries)
