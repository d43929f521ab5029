"""Placement by residence zone (tuyển sinh theo tuyến) for grade-1 and grade-6 rounds.

Grades 1 and 6 have no exam: a public school takes the children of its zone. The run goes
through the preferences in order (NV1, then NV2, ...); at each rank and for each school:

0. a school with a quota of 0 admits nobody in that run, in-zone or not: its applicants go
   on to their next preference (and, with none left, end ``no_place``). The summary counts
   per school the children of its own zone refused that way (``in_zone_refused``), and the
   run page lists those schools, so the department raises the quota before publishing
   rather than publish a school that turns away its own zone;
1. otherwise in-zone applicants (her zone equals the school's zone, both set) are all
   admitted, even beyond the quota: the school must take them, and the excess is reported
   as ``over_quota`` in the summary rather than refused;
2. out-of-zone applicants are eligible only when the round's zone rules are off, and fill
   the places still free in a published, seeded lottery order: ``lottery_key`` is the
   SHA-256 of ``"<round id>:<application code>"``, smallest first. Registration time never
   counts (it would reward the day-one rush).

A school that no longer accepts applications (``RoundSchool.is_open`` false) is placed like
any other, as the exam run does (``services/runs.round_input`` reads every school of the
round with its quota): closing a school stops new applications, it does not refuse the
children who already named it. To admit nobody there, set its quota to 0.

Applicants not placed at NVk go on to NVk+1. The result is stored as an ordinary
:class:`AssignmentRun` with one :class:`RunResult` per application (``params["method"]`` is
``"zone"``), so comparison, publication and confirmation work unchanged.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from truongso.admissions.models import (
    AdmissionRound,
    Application,
    ApplicationStatus,
    AssignmentRun,
    Preference,
    RoundKind,
    RoundSchool,
    RoundStatus,
    RunResult,
)
from truongso.admissions.services.rounds import require_manage
from truongso.admissions.services.runs import _params, input_digest
from truongso.core.audit import audit_record

ZONE_KINDS = (RoundKind.GRADE1, RoundKind.GRADE6)


def lottery_key(round_id: int, code: str) -> str:
    """The published lottery order of an application: anyone can recompute it."""
    return hashlib.sha256(f"{round_id}:{code}".encode()).hexdigest()


def in_zone(applicant_zone: str, school_zone: str) -> bool:
    return bool(applicant_zone) and applicant_zone == school_zone


def zone_place(
    *,
    round_id: int,
    zone_rules: bool,
    quotas: Mapping[int, int],
    school_zones: Mapping[int, str],
    applicants: list[tuple[int, str, str]],
    preferences: Mapping[int, list[int]],
) -> dict[int, tuple[int | None, int | None, str, bool]]:
    """Place ``applicants`` (id, code, zone) whose ranked schools are ``preferences[id]``.

    Returns per application id ``(school id, rank, reason, in_zone)``; reason is
    ``admitted``, ``no_preferences`` or ``no_place``. A school of quota 0 admits nobody.
    """
    free = dict(quotas)
    placed: dict[int, tuple[int | None, int | None, str, bool]] = {}
    zone_of = {pk: zone for pk, _code, zone in applicants}
    order = sorted(applicants, key=lambda a: lottery_key(round_id, a[1]))
    depth = max((len(p) for p in preferences.values()), default=0)
    for rank in range(1, depth + 1):
        by_school: dict[int, list[int]] = {}
        for pk, _code, _zone in order:
            prefs = preferences.get(pk, [])
            if pk in placed or len(prefs) < rank:
                continue
            by_school.setdefault(prefs[rank - 1], []).append(pk)
        for school_id, candidates in by_school.items():
            if quotas.get(school_id, 0) <= 0:  # admits nobody: all go on to their next
                continue
            zone = school_zones.get(school_id, "")
            for pk in candidates:  # the children of the zone: all of them
                if in_zone(zone_of[pk], zone):
                    placed[pk] = (school_id, rank, "admitted", True)
                    free[school_id] = free.get(school_id, 0) - 1
            if zone_rules:
                continue
            for pk in candidates:  # then the others, in lottery order, while places remain
                if pk not in placed and free.get(school_id, 0) > 0:
                    placed[pk] = (school_id, rank, "admitted", False)
                    free[school_id] -= 1
    for pk, _code, _zone in applicants:
        if pk not in placed:
            reason = "no_place" if preferences.get(pk) else "no_preferences"
            placed[pk] = (None, None, reason, False)
    return placed


def in_zone_refused(
    *,
    quotas: Mapping[int, int],
    school_zones: Mapping[int, str],
    applicants: list[tuple[int, str, str]],
    preferences: Mapping[int, list[int]],
    placed: Mapping[int, tuple[int | None, int | None, str, bool]],
) -> dict[int, int]:
    """Per school of quota 0: the children of its zone who reached it and were refused
    (every preference above the one they got, or all of them when they got none)."""
    refused: dict[int, int] = {}
    for pk, _code, zone in applicants:
        got = placed[pk][1] or len(preferences.get(pk, [])) + 1
        for school_id in preferences.get(pk, [])[: got - 1]:
            if quotas.get(school_id, 0) <= 0 and in_zone(zone, school_zones.get(school_id, "")):
                refused[school_id] = refused.get(school_id, 0) + 1
    return refused


def zone_run_create(
    *,
    actor: Any,
    round: AdmissionRound,
    label: str = "",
    quotas: Mapping[int, int] | None = None,
) -> AssignmentRun:
    """Place the applicants of a grade-1 or grade-6 round by zone and store the run."""
    require_manage(actor, round.organiser)
    if round.kind not in ZONE_KINDS:
        raise ValidationError(_("Placement by zone is for grade 1 and grade 6 rounds."))
    if round.status not in (RoundStatus.CLOSED, RoundStatus.PUBLISHED):
        raise ValidationError(_("Runs are made after registration closes."))
    schools = list(
        RoundSchool.objects.filter(round=round).select_related("school").order_by("school__code")
    )
    if not schools:
        raise ValidationError(_("The round has no schools."))
    params = _params(round, schools, quotas, None, None)
    started = time.perf_counter()
    params["method"] = "zone"
    # An exam run's fingerprint and the zones, so publication refuses a stale run.
    params["input_digest"] = input_digest(round, params)
    params["zone_rules"] = round.zone_rules
    apps = list(
        Application.objects.filter(round=round)
        .exclude(status=ApplicationStatus.WITHDRAWN)
        .order_by("pk")
        .values_list("pk", "code", "zone")
    )
    prefs: dict[int, list[int]] = {}
    for app_id, school_id in (
        Preference.objects.filter(application__round=round)
        .exclude(application__status=ApplicationStatus.WITHDRAWN)
        .order_by("application_id", "rank")
        .values_list("application_id", "school_id")
    ):
        prefs.setdefault(app_id, []).append(school_id)
    quota_of = {rs.school_id: int(params["quotas"][str(rs.school_id)]) for rs in schools}
    zone_of = {rs.school_id: rs.zone for rs in schools}
    placed = zone_place(
        round_id=round.pk,
        zone_rules=round.zone_rules,
        quotas=quota_of,
        school_zones=zone_of,
        applicants=apps,
        preferences=prefs,
    )
    refused = in_zone_refused(
        quotas=quota_of, school_zones=zone_of, applicants=apps, preferences=prefs, placed=placed
    )
    summary = _summary(round, schools, quota_of, placed, refused)
    duration = int((time.perf_counter() - started) * 1000)
    with transaction.atomic():
        run = AssignmentRun.objects.create(
            round=round,
            label=(
                label
                or _("Placement by zone of %(t)s")
                % {"t": timezone.localtime().strftime("%d/%m/%Y %H:%M")}
            )[:100],
            params=params,
            summary=summary,
            applicants=len(apps),
            admitted=sum(1 for p in placed.values() if p[0] is not None),
            duration_ms=duration,
            created_by=actor if getattr(actor, "pk", None) else None,
        )
        RunResult.objects.bulk_create(
            [
                RunResult(run=run, application_id=pk, school_id=school, preference=rank, reason=why)
                for pk, (school, rank, why, _z) in placed.items()
            ],
            batch_size=5000,
        )
        audit_record(
            actor=actor,
            action="admissions.run",
            obj=run,
            org_path=round.organiser.path,
            after={
                "params": {k: v for k, v in params.items() if k != "input_digest"},
                "applicants": run.applicants,
                "admitted": run.admitted,
            },
        )
    return run


def _summary(
    r: AdmissionRound,
    schools: list[RoundSchool],
    quotas: Mapping[int, int],
    placed: Mapping[int, tuple[int | None, int | None, str, bool]],
    refused: Mapping[int, int],
) -> dict[str, Any]:
    """The per-school summary in the shape of an exam run's (no cut-offs), with the zone's
    own counts: in zone, by lottery, over quota, in-zone children refused (quota 0)."""
    by_school: dict[int, list[tuple[int | None, int | None, str, bool]]] = {}
    for p in placed.values():  # one pass: a province has 100,000 children, hundreds of schools
        if p[0] is not None:
            by_school.setdefault(p[0], []).append(p)
    rows = []
    for rs in schools:
        mine = by_school.get(rs.school_id, [])
        admitted = len(mine)
        quota = quotas[rs.school_id]
        by_pref = [sum(1 for p in mine if p[1] == k) for k in range(1, r.preferences_max + 1)]
        rows.append(
            {
                "school_id": rs.school_id,
                "code": rs.school.code,
                "name": rs.school.name,
                "zone": rs.zone,
                "quota": quota,
                "admitted": admitted,
                "in_zone": sum(1 for p in mine if p[3]),
                "by_lottery": sum(1 for p in mine if not p[3]),
                "by_preference": by_pref,
                "cutoff": None,
                "marks": [],
                "lowest": None,
                "tied_admitted": 0,
                "tied_refused": 0,
                "over_quota": max(admitted - quota, 0),
                "in_zone_refused": refused.get(rs.school_id, 0),
                "fill_rate": round(admitted / quota, 4) if quota else 0.0,
            }
        )
    reasons = {"admitted": 0, "excluded": 0, "no_preferences": 0, "no_place": 0}
    for p in placed.values():
        reasons[p[2]] += 1
    return {
        "schools": rows,
        "reasons": reasons,
        "quota": sum(row["quota"] for row in rows),
        "tie_rule": r.tie_rule,
        "rounds": r.preferences_max,
        "method": "zone",
        "zone_rules": r.zone_rules,
        "in_zone_refused": sum(row["in_zone_refused"] for row in rows),
    }
