"""Reading a placement by zone (grades 1 and 6) in its own terms for the department's pages:
per school quota, admitted, in zone, by lottery, over quota, in-zone children refused by a
school of quota 0, fill rate; no cut-offs. The run is an ordinary ``AssignmentRun`` whose
``params["method"]`` is ``"zone"`` (services/zones.py writes it)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

from truongso.admissions.models import AssignmentRun, RunResult
from truongso.admissions.services.zones import in_zone, lottery_key


@dataclass(frozen=True)
class ZoneSchool:
    school_id: int
    code: str
    name: str
    zone: str
    quota: int
    admitted: int
    in_zone: int
    by_lottery: int
    over_quota: int
    in_zone_refused: int
    fill_rate: float
    by_preference: list[int] = field(default_factory=list)

    @classmethod
    def from_row(cls, row: Mapping[str, Any]) -> ZoneSchool:
        return cls(
            school_id=int(row["school_id"]),
            code=str(row.get("code", "")),
            name=str(row.get("name", "")),
            zone=str(row.get("zone", "")),
            quota=int(row.get("quota", 0)),
            admitted=int(row.get("admitted", 0)),
            in_zone=int(row.get("in_zone", 0)),
            by_lottery=int(row.get("by_lottery", 0)),
            over_quota=int(row.get("over_quota", 0)),
            in_zone_refused=int(row.get("in_zone_refused", 0)),
            fill_rate=float(row.get("fill_rate", 0.0)),
            by_preference=list(row.get("by_preference", [])),
        )


def zone_schools(summary: Mapping[str, Any]) -> list[ZoneSchool]:
    return [ZoneSchool.from_row(row) for row in summary.get("schools", [])]


def refusing_schools(summary: Mapping[str, Any]) -> list[ZoneSchool]:
    """Schools of quota 0 that turned away children of their own zone: the department
    raises the quota before publishing, or knows why it does not."""
    return [s for s in zone_schools(summary) if s.in_zone_refused]


def lottery_sentence(run: AssignmentRun) -> str:
    """The rule of the run in one sentence, with how anyone recomputes the lottery key."""
    if run.params.get("zone_rules"):
        return _(
            "Children of a school's zone are all admitted there (a school of quota 0 admits "
            "nobody); the round's zone rules admit nobody from outside the zone, so no "
            "lottery is drawn."
        )
    return _(
        "Children of a school's zone are all admitted there (a school of quota 0 admits "
        "nobody), then the places left go to the others in lottery order: the key is the "
        "SHA-256 of “%(round)s:<application code>” in hexadecimal, smallest first, published "
        "with every result so that anyone can recompute it."
    ) % {"round": run.round_id}


@dataclass(frozen=True)
class ZoneCompared:
    school_id: int
    name: str
    a: ZoneSchool | None
    b: ZoneSchool | None


def zone_compare(a: Mapping[str, Any], b: Mapping[str, Any]) -> list[ZoneCompared]:
    """Two runs' summaries side by side per school (a school missing from one is None)."""
    rows_a = {s.school_id: s for s in zone_schools(a)}
    rows_b = {s.school_id: s for s in zone_schools(b)}
    rows = []
    for school_id in sorted(
        set(rows_a) | set(rows_b), key=lambda s: (rows_a.get(s) or rows_b[s]).code
    ):
        one, two = rows_a.get(school_id), rows_b.get(school_id)
        name = (rows_a.get(school_id) or rows_b[school_id]).name
        rows.append(ZoneCompared(school_id=school_id, name=name, a=one, b=two))
    return rows


@dataclass(frozen=True)
class ZoneResult:
    """One result row of a zone run: how the child was placed and her lottery key."""

    result: RunResult
    in_zone: bool
    lottery_key: str

    @property
    def placed_by(self) -> str:
        if self.result.school_id is None:
            return ""
        return _("in zone") if self.in_zone else _("lottery")


def school_zones(run: AssignmentRun) -> dict[int, str]:
    """Each school's zone as the run saw it (its summary), by school id."""
    return {row["school_id"]: row.get("zone", "") for row in run.summary.get("schools", [])}


def zone_results(run: AssignmentRun, results: Iterable[RunResult]) -> list[ZoneResult]:
    """``results`` (with their application) with in-zone and lottery key; no query."""
    zones = school_zones(run)
    return [
        ZoneResult(
            result=res,
            in_zone=res.school_id is not None
            and in_zone(res.application.zone, zones.get(res.school_id, "")),
            lottery_key=lottery_key(run.round_id, res.application.code),
        )
        for res in results
    ]
