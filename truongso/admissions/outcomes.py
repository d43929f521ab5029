"""Reading an :class:`~truongso.admissions.engine.AssignmentResult`: per school (cut-off,
marks needed at each preference, fill, ties) and per applicant ("why not my first choice?")."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

import numpy as np
import numpy.typing as npt
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from truongso.admissions.engine import NONE, AssignmentResult, Reason, TieRule


def points(hundredths: int) -> Decimal:
    """Hundredths of a point as a Decimal with two places (2375 → Decimal("23.75"))."""
    return Decimal(int(hundredths)).scaleb(-2)


@dataclass(frozen=True)
class SchoolOutcome:
    """One school after the run. ``cutoff`` (điểm chuẩn) is the lowest effective score it
    admitted, i.e. the mark needed at NV1; ``marks[k]`` the raw score needed at NV(k+1)
    (cut-off + penalty); both ``None`` when the school did not fill (anyone was admitted)."""

    code: str
    quota: int
    admitted: int
    by_preference: tuple[int, ...]
    full: bool
    cutoff: Decimal | None
    marks: tuple[Decimal, ...]
    lowest_score: Decimal | None  # lowest raw admission score among those admitted
    tied_admitted: int  # admitted with an effective score equal to the cut-off
    tied_refused: int  # tiebreak: equal to the cut-off but refused on the tie-break
    over_quota: int  # admit_all: admitted beyond the quota because of ties

    @property
    def fill_rate(self) -> float:
        return self.admitted / self.quota if self.quota else 0.0


def school_outcomes(result: AssignmentResult) -> list[SchoolOutcome]:
    data = result.data
    count = len(data.quotas)
    k = data.preferences.shape[1]
    admitted = result.school >= 0
    by_pref = np.zeros((count, k), dtype=np.int64)
    np.add.at(by_pref, (result.school[admitted], result.preference[admitted] - 1), 1)
    lowest = np.full(count, np.iinfo(np.int64).max, dtype=np.int64)
    np.minimum.at(lowest, result.school[admitted], data.scores[admitted])
    tied_admitted, tied_refused = _ties(result)
    outcomes = []
    for s in range(count):
        cutoff = int(result.cutoff[s])
        full = bool(result.full[s]) and cutoff != NONE
        outcomes.append(
            SchoolOutcome(
                code=data.school_codes[s],
                quota=int(data.quotas[s]),
                admitted=int(by_pref[s].sum()),
                by_preference=tuple(int(v) for v in by_pref[s]),
                full=full,
                cutoff=points(cutoff) if full else None,
                marks=tuple(points(cutoff + int(p)) for p in data.penalties) if full else (),
                lowest_score=points(lowest[s]) if by_pref[s].sum() else None,
                tied_admitted=int(tied_admitted[s]) if full else 0,
                tied_refused=int(tied_refused[s]) if full else 0,
                over_quota=max(int(by_pref[s].sum()) - int(data.quotas[s]), 0),
            )
        )
    return outcomes


def _ties(result: AssignmentResult) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """Per school: admitted entries equal to the cut-off, and entries that reached the school
    (not admitted at a better preference), equal its cut-off, and were refused."""
    e = result.entries
    count = len(result.data.quotas)
    at_cutoff = e.effective == result.cutoff[e.school]
    admitted_rank = result.preference[e.applicant].astype(np.int64) - 1
    admitted_here = admitted_rank == e.rank
    refused_here = (admitted_rank == NONE) | (admitted_rank > e.rank)
    tied_admitted = np.bincount(e.school[at_cutoff & admitted_here], minlength=count)
    tied_refused = np.bincount(e.school[at_cutoff & refused_here], minlength=count)
    return tied_admitted.astype(np.int64), tied_refused.astype(np.int64)


class Verdict(StrEnum):
    ADMITTED = "admitted"
    BELOW_CUTOFF = "below_cutoff"  # effective score below the school's cut-off
    LOST_TIE = "lost_tie"  # equal to the cut-off, behind on the tie-break
    NO_PLACES = "no_places"  # the school has a quota of 0


@dataclass(frozen=True)
class PreferenceExplanation:
    preference: int  # 1 = NV1
    school_code: str
    score: Decimal  # the applicant's admission score
    penalty: Decimal
    effective: Decimal  # score - penalty: what the school ranks her by
    cutoff: Decimal | None  # the school's cut-off (None: it did not fill)
    verdict: Verdict

    @property
    def needed(self) -> Decimal | None:
        """The raw score she needed at this preference: cut-off + penalty."""
        return None if self.cutoff is None else self.cutoff + self.penalty

    def message(self) -> str:
        values = {
            "k": self.preference,
            "school": self.school_code,
            "eff": _shown(self.effective),
            "score": _shown(self.score),
            "pen": _shown(self.penalty),
            "cut": _shown(self.cutoff),
            "need": _shown(self.needed),
        }
        if self.verdict is Verdict.ADMITTED:
            return (
                _("NV%(k)s %(school)s: admitted (score %(score)s − penalty %(pen)s = %(eff)s).")
                % values
            )
        if self.verdict is Verdict.NO_PLACES:
            return no_places_message(self.preference, self.school_code)
        if self.verdict is Verdict.LOST_TIE:
            return (
                _(
                    "NV%(k)s %(school)s: score %(score)s − penalty %(pen)s = %(eff)s, equal to the "
                    "cut-off %(cut)s; others tied came first on the tie-break."
                )
                % values
            )
        return (
            _(
                "NV%(k)s %(school)s: score %(score)s − penalty %(pen)s = %(eff)s, below the "
                "cut-off %(cut)s (needed %(need)s at this preference)."
            )
            % values
        )


def no_places_message(preference: int, school: str) -> str:
    """The verdict ``no_places`` (a quota of 0), the same words for exam and zone runs."""
    return _("NV%(k)s %(school)s: the school admits nobody this round (quota 0).") % {
        "k": preference,
        "school": school,
    }


def _shown(value: Decimal | None) -> str:
    return "–" if value is None else number_format(value, 2)


@dataclass(frozen=True)
class Explanation:
    applicant_id: str
    reason: Reason
    admitted_school: str | None
    admitted_preference: int | None
    preferences: tuple[PreferenceExplanation, ...]  # each preference up to the admitted one

    def lines(self) -> list[str]:
        return [p.message() for p in self.preferences]


def applicant_explain(result: AssignmentResult, index: int) -> Explanation:
    """Why applicant ``index`` (position in the input) ended where she did: for every
    preference above the one she got (all of them if none), the school's cut-off, her
    effective score there and the penalty."""
    data = result.data
    reason = Reason(int(result.reason[index]))
    got = int(result.preference[index])
    items: list[PreferenceExplanation] = []
    if reason in (Reason.ADMITTED, Reason.NO_PLACE):
        last = got if got else int((data.preferences[index] >= 0).sum())
        items = [_preference(result, index, rank) for rank in range(last)]
    school = int(result.school[index])
    return Explanation(
        applicant_id=str(data.applicant_ids[index]),
        reason=reason,
        admitted_school=data.school_codes[school] if school >= 0 else None,
        admitted_preference=got or None,
        preferences=tuple(items),
    )


def _preference(result: AssignmentResult, index: int, rank: int) -> PreferenceExplanation:
    data = result.data
    school = int(data.preferences[index, rank])
    effective = int(data.scores[index] - data.penalties[rank])
    cutoff = int(result.cutoff[school])
    full = bool(result.full[school]) and cutoff != NONE
    if int(result.preference[index]) == rank + 1:
        verdict = Verdict.ADMITTED
    elif data.quotas[school] == 0:
        verdict = Verdict.NO_PLACES
    elif effective == cutoff and result.config.tie_rule is TieRule.TIEBREAK:
        verdict = Verdict.LOST_TIE
    else:
        verdict = Verdict.BELOW_CUTOFF
    return PreferenceExplanation(
        preference=rank + 1,
        school_code=data.school_codes[school],
        score=points(int(data.scores[index])),
        penalty=points(int(data.penalties[rank])),
        effective=points(effective),
        cutoff=points(cutoff) if full else None,
        verdict=verdict,
    )
