"""Assignment runs (xét tuyển): read a round from the database into the engine, store the
result, simulate "what if" (other quotas, penalties or tie rule), compare runs, publish one.

A run reads the admission scores already computed (services/scores.py): an application
without a score (a missing subject, a zero under the exclusion rule) enters the engine as
excluded, so the engine explains it. The run stores its parameters, a fingerprint of its
input, the per-school summary (cut-off, fill, ties) and one :class:`RunResult` per
application. Publishing copies the chosen run onto the applications; the parent sees them
from ``results_publish_at`` on (``results_visible``), so "publish at 17:00" needs no
scheduler: the copy is made now, the page opens at the time.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import numpy as np
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from truongso.admissions import engine
from truongso.admissions.checks import AdmissionInputError
from truongso.admissions.models import (
    AdmissionRound,
    Application,
    ApplicationStatus,
    AssignmentRun,
    ConfirmationStatus,
    ExamScore,
    Preference,
    RoundSchool,
    RoundStatus,
    RunResult,
)
from truongso.admissions.outcomes import school_outcomes
from truongso.admissions.services.rounds import (
    max_score,
    penalty_problems,
    require_manage,
    subject_weights,
)
from truongso.admissions.tasks import notify_schedule, release_schedule
from truongso.core.audit import audit_build, audit_record
from truongso.core.models import AuditEntry

REASONS = {
    engine.Reason.ADMITTED: "admitted",
    engine.Reason.EXCLUDED: "excluded",
    engine.Reason.NO_PREFERENCES: "no_preferences",
    engine.Reason.NO_PLACE: "no_place",
}


@dataclass
class RoundInput:
    """What a run feeds the engine, with the database ids beside the arrays."""

    data: engine.AdmissionInput
    school_ids: list[int]
    application_ids: list[int]
    digest: str


def _params(
    r: AdmissionRound,
    schools: list[RoundSchool],
    quotas: Mapping[int, int] | None,
    penalties: Sequence[Any] | None,
    tie_rule: str | None,
) -> dict[str, Any]:
    problems: list[str] = []
    known = {rs.school_id for rs in schools}
    quotas = {int(k): v for k, v in (quotas or {}).items()}
    for school_id, quota in quotas.items():
        if school_id not in known:
            problems.append(_("School %(s)s does not take part in the round.") % {"s": school_id})
        elif not isinstance(quota, int) or isinstance(quota, bool) or quota < 0:
            problems.append(_("A quota must be a whole number, 0 or more."))
    pens = [str(p) for p in (penalties if penalties is not None else r.penalties)]
    problems += penalty_problems(pens, r.preferences_max)
    tie = tie_rule or r.tie_rule
    if tie not in engine.TieRule.__members__.values():
        problems.append(_("Unknown tie rule."))
    if problems:
        raise ValidationError(problems)
    return {
        "quotas": {str(rs.school_id): quotas.get(rs.school_id, rs.quota) for rs in schools},
        "penalties": [str(Decimal(p)) for p in pens],
        "tie_rule": str(tie),
    }


def round_input(r: AdmissionRound, params: Mapping[str, Any]) -> RoundInput:
    """Read ``r`` into checked engine arrays (raises ValidationError on inconsistent data)."""
    schools = list(
        RoundSchool.objects.filter(round=r).select_related("school").order_by("school__code")
    )
    index = {rs.school_id: i for i, rs in enumerate(schools)}
    apps = list(
        Application.objects.filter(round=r)
        .exclude(status=ApplicationStatus.WITHDRAWN)
        .order_by("pk")
        .values_list("pk", "code", "admission_score")
    )
    row = {pk: i for i, (pk, _c, _s) in enumerate(apps)}
    k = r.preferences_max
    prefs = np.full((len(apps), k), -1, dtype=np.int64)
    problems: list[str] = []
    for app_id, rank, school_id in Preference.objects.filter(application__round=r).values_list(
        "application_id", "rank", "school_id"
    ):
        i = row.get(app_id)
        if i is None:
            continue
        if not 1 <= rank <= k or school_id not in index:
            problems.append(
                _("Application %(c)s: preference %(k)s is not a school of the round.")
                % {"c": apps[i][1], "k": rank}
            )
            continue
        prefs[i, rank - 1] = index[school_id]
    if problems:
        raise ValidationError(problems[:30])
    excluded = np.array([s is None for _p, _c, s in apps], dtype=bool)
    scores = [str(s) if s is not None else "0" for _p, _c, s in apps]
    secondary = None
    if params["tie_rule"] == engine.TieRule.TIEBREAK:
        codes = [code for code, _n, _w in subject_weights(r)]
        secondary = np.zeros((len(apps), max(len(codes), 1)), dtype=np.float64)
        position = {c: j for j, c in enumerate(codes)}
        for app_id, subject, score in ExamScore.objects.filter(application__round=r).values_list(
            "application_id", "subject", "score"
        ):
            if app_id in row and subject in position:
                secondary[row[app_id], position[subject]] = float(score)
    weights = sum((w for _c, _n, w in subject_weights(r)), Decimal(0)) or Decimal(1)
    top = max_score(r) * weights + Decimal(20)
    config = engine.EngineConfig(
        penalties=tuple(Decimal(p) for p in params["penalties"][1:]),
        tie_rule=engine.TieRule(params["tie_rule"]),
        score_max=max(top, Decimal(60)),
    )
    quotas = [int(params["quotas"][str(rs.school_id)]) for rs in schools]
    try:
        data = engine.admission_input_build(
            config=config,
            school_codes=[rs.school.code for rs in schools],
            quotas=quotas,
            applicant_ids=[pk for pk, _c, _s in apps],
            scores=scores,
            preferences=prefs,
            excluded=excluded,
            secondary=secondary,
        )
    except AdmissionInputError as exc:
        raise ValidationError(str(exc).splitlines()[:30]) from None
    digest = hashlib.sha256()
    digest.update(
        repr(
            (apps, prefs.tobytes(), secondary.tobytes() if secondary is not None else b"")
        ).encode()
    )
    return RoundInput(
        data=data,
        school_ids=[rs.school_id for rs in schools],
        application_ids=[pk for pk, _c, _s in apps],
        digest=digest.hexdigest(),
    )


def input_digest(r: AdmissionRound, params: Mapping[str, Any]) -> str:
    """The fingerprint of what a run read, compared at publication: the engine's input and,
    for a placement by zone (``params["method"] == "zone"``), the schools' and the
    applicants' zones too, which decide the places there and may still be corrected once
    registration is closed (``round_schools_set``, ``application_correct``)."""
    digest = round_input(r, params).digest
    if params.get("method") != "zone":
        return digest
    schools = RoundSchool.objects.filter(round=r).order_by("school_id")
    apps = Application.objects.filter(round=r).exclude(status=ApplicationStatus.WITHDRAWN)
    zones = (
        list(schools.values_list("school_id", "zone")),
        list(apps.order_by("pk").values_list("pk", "zone")),
    )
    return hashlib.sha256(repr((digest, zones)).encode()).hexdigest()


def _summary(
    result: engine.AssignmentResult, schools: Mapping[int, Any], school_ids: list[int]
) -> dict[str, Any]:
    rows = []
    for school_id, o in zip(school_ids, school_outcomes(result), strict=True):
        rows.append(
            {
                "school_id": school_id,
                "code": o.code,
                "name": schools[school_id],
                "quota": o.quota,
                "admitted": o.admitted,
                "by_preference": list(o.by_preference),
                "cutoff": str(o.cutoff) if o.cutoff is not None else None,
                "marks": [str(m) for m in o.marks],
                "lowest": str(o.lowest_score) if o.lowest_score is not None else None,
                "tied_admitted": o.tied_admitted,
                "tied_refused": o.tied_refused,
                "over_quota": o.over_quota,
                "fill_rate": round(o.fill_rate, 4),
            }
        )
    reasons = np.bincount(result.reason.astype(np.int64), minlength=4)
    return {
        "schools": rows,
        "reasons": {REASONS[engine.Reason(i)]: int(reasons[i]) for i in range(4)},
        "quota": int(sum(r["quota"] for r in rows)),
        "tie_rule": str(result.config.tie_rule),
        "rounds": int(result.rounds),
    }


def run_create(
    *,
    actor: Any,
    round: AdmissionRound,
    label: str = "",
    quotas: Mapping[int, int] | None = None,
    penalties: Sequence[Any] | None = None,
    tie_rule: str | None = None,
) -> AssignmentRun:
    """Run the engine on ``round`` (with optional what-if quotas by school id, penalties
    NV1..NVk and tie rule) and store the run with every application's result."""
    require_manage(actor, round.organiser)
    if round.status not in (RoundStatus.CLOSED, RoundStatus.PUBLISHED):
        raise ValidationError(_("Runs are made after registration closes."))
    schools = list(
        RoundSchool.objects.filter(round=round).select_related("school").order_by("school__code")
    )
    if not schools:
        raise ValidationError(_("The round has no schools."))
    params = _params(round, schools, quotas, penalties, tie_rule)
    started = time.perf_counter()
    ri = round_input(round, params)
    result = engine.assignment_run(ri.data)
    duration = int((time.perf_counter() - started) * 1000)
    params["input_digest"] = ri.digest
    summary = _summary(result, {rs.school_id: rs.school.name for rs in schools}, ri.school_ids)
    with transaction.atomic():
        run = AssignmentRun.objects.create(
            round=round,
            label=(
                label or _("Run of %(t)s") % {"t": timezone.localtime().strftime("%d/%m/%Y %H:%M")}
            )[:100],
            params=params,
            summary=summary,
            applicants=ri.data.size,
            admitted=int((result.school >= 0).sum()),
            duration_ms=duration,
            created_by=actor if getattr(actor, "pk", None) else None,
        )
        school_of = [ri.school_ids[s] if s >= 0 else None for s in result.school.tolist()]
        RunResult.objects.bulk_create(
            [
                RunResult(
                    run=run,
                    application_id=app_id,
                    school_id=school_of[i],
                    preference=int(result.preference[i]) or None,
                    reason=REASONS[engine.Reason(int(result.reason[i]))],
                )
                for i, app_id in enumerate(ri.application_ids)
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


@dataclass(frozen=True)
class ComparedSchool:
    school_id: int
    name: str
    quota_a: int | None
    quota_b: int | None
    admitted_a: int | None
    admitted_b: int | None
    cutoff_a: Decimal | None
    cutoff_b: Decimal | None

    @property
    def cutoff_delta(self) -> Decimal | None:
        if self.cutoff_a is None or self.cutoff_b is None:
            return None
        return self.cutoff_b - self.cutoff_a


@dataclass(frozen=True)
class Comparison:
    a: AssignmentRun
    b: AssignmentRun
    schools: list[ComparedSchool]
    moved: int  # applications placed differently (other school or in/out)


def runs_compare(a: AssignmentRun, b: AssignmentRun) -> Comparison:
    """Two runs of the same round side by side: per school quota, admitted and cut-off, and
    how many applicants end somewhere else (authorisation is the caller's selector's)."""
    if a.round_id != b.round_id:
        raise ValidationError(_("Only runs of the same round can be compared."))
    rows_a = {row["school_id"]: row for row in a.summary.get("schools", [])}
    rows_b = {row["school_id"]: row for row in b.summary.get("schools", [])}

    def dec(row: Mapping[str, Any] | None) -> Decimal | None:
        return Decimal(row["cutoff"]) if row and row.get("cutoff") is not None else None

    schools = []
    for school_id in sorted(
        set(rows_a) | set(rows_b), key=lambda s: (rows_a.get(s) or rows_b[s])["code"]
    ):
        ra, rb = rows_a.get(school_id), rows_b.get(school_id)
        schools.append(
            ComparedSchool(
                school_id=school_id,
                name=(ra or rb or {}).get("name", ""),
                quota_a=ra["quota"] if ra else None,
                quota_b=rb["quota"] if rb else None,
                admitted_a=ra["admitted"] if ra else None,
                admitted_b=rb["admitted"] if rb else None,
                cutoff_a=dec(ra),
                cutoff_b=dec(rb),
            )
        )
    placed_a = dict(RunResult.objects.filter(run=a).values_list("application_id", "school_id"))
    moved = sum(
        1
        for app_id, school_id in RunResult.objects.filter(run=b).values_list(
            "application_id", "school_id"
        )
        if placed_a.get(app_id, -1) != school_id
    )
    return Comparison(a=a, b=b, schools=schools, moved=moved)


def run_publish(*, actor: Any, run: AssignmentRun, at: dt.datetime | None = None) -> AssignmentRun:
    """Publish ``run``: its quotas, penalties and tie rule become the round's, its results
    are copied onto the applications (admitted ones wait for confirmation), and parents see
    them from ``at`` (by default the round's planned time if still ahead, else now).
    Refused when the scores or preferences changed since the run (run again), or another
    run is published."""
    r = run.round
    require_manage(actor, r.organiser)
    now = timezone.now()
    # Without a time: the round's planned publication time if still ahead, else now.
    planned = r.results_publish_at
    at = at or (planned if planned and planned > now else now)
    if r.confirmation_deadline and at >= r.confirmation_deadline:
        raise ValidationError(_("Results must be published before the confirmation deadline."))
    if at < r.registration_closes:
        raise ValidationError(_("Results cannot be published before registration closes."))
    with transaction.atomic():
        r = AdmissionRound.objects.select_for_update().get(pk=r.pk)
        run = AssignmentRun.objects.get(pk=run.pk)
        if r.status != RoundStatus.CLOSED:
            raise ValidationError(
                _("The round is “%(s)s”: only a closed round's results are published.")
                % {"s": r.get_status_display()}
            )
        if AssignmentRun.objects.filter(round=r, is_published=True).exists():
            raise ValidationError(_("Another run of this round is already published."))
        if input_digest(r, run.params) != run.params.get("input_digest"):
            raise ValidationError(
                _(
                    "Scores, applications or preferences changed since this run: "
                    "run the assignment again."
                )
            )
        # The run's parameters become the round's.
        for rs in RoundSchool.objects.filter(round=r):
            quota = int(run.params["quotas"][str(rs.school_id)])
            if rs.quota != quota:
                rs.quota = quota
                rs.save(update_fields=["quota"])
        r.penalties = run.params["penalties"]
        r.tie_rule = run.params["tie_rule"]
        r.results_publish_at = at
        r.status = RoundStatus.PUBLISHED
        r.save(
            update_fields=["penalties", "tie_rule", "results_publish_at", "status", "updated_at"]
        )
        run.is_published = True
        run.published_at = at
        run.save(update_fields=["is_published", "published_at"])
        _copy_results(actor, r, run)
        audit_record(
            actor=actor,
            action="admissions.publish",
            obj=run,
            org_path=r.organiser.path,
            after={"run": run.pk, "at": at.isoformat(), "admitted": run.admitted},
        )
        # Places not confirmed by the deadline are released then (services/confirm.py);
        # parents get a text at the publication time, not now (services/notify.py).
        release_schedule(r)
        notify_schedule(r)
    return run


def _reason_text(reason: str, preference: int | None) -> str:
    """The short result kept on the application; the per-preference explanation ("why not
    my first choice?") is rebuilt from the published run when the parent opens it."""
    if reason == "admitted":
        return _("Admitted at NV%(k)s.") % {"k": preference}
    if reason == "excluded":
        return _("Not admitted: excluded (no score or a zero in an exam).")
    if reason == "no_preferences":
        return _("Not admitted: no preference registered.")
    return _("Not admitted: below the cut-off at every preference.")


def _copy_results(actor: Any, r: AdmissionRound, run: AssignmentRun) -> None:
    """Copy the run onto the applications: one UPDATE per (school, preference, reason) group
    in chunks (a per-row bulk_update took 87 s for 50,000 applications), and one audit
    entry per application changed."""
    before = {
        pk: (school, pref, confirmation)
        for pk, school, pref, confirmation in Application.objects.filter(round=r)
        .exclude(status=ApplicationStatus.WITHDRAWN)
        .values_list("pk", "admitted_school_id", "admitted_preference", "confirmation")
    }
    groups: dict[tuple[int | None, int | None, str], list[int]] = {}
    for app_id, placed, rank, why in RunResult.objects.filter(run=run).values_list(
        "application_id", "school_id", "preference", "reason"
    ):
        groups.setdefault((placed, rank, why), []).append(app_id)
    entries: list[AuditEntry] = []
    for (school_id, preference, reason), ids in groups.items():
        confirmation = ConfirmationStatus.PENDING if school_id else ConfirmationStatus.NONE
        text = _reason_text(reason, preference)[:255]
        if reason == "no_place" and run.is_zone:
            text = _("Not admitted: no place at any of your preferences (placement by zone).")
        for start in range(0, len(ids), 5000):
            chunk = ids[start : start + 5000]
            Application.objects.filter(pk__in=chunk).update(
                admitted_school_id=school_id,
                admitted_preference=preference,
                result_reason=text,
                confirmation=confirmation,
            )
        for app_id in ids:
            old = before.get(app_id, (None, None, ""))
            entries.append(
                audit_build(
                    actor=actor,
                    action="admissions.result",
                    object_type="admissions.application",
                    object_id=str(app_id),
                    object_repr=str(app_id),
                    org_path=r.organiser.path,
                    before={
                        "admitted_school": old[0],
                        "admitted_preference": old[1],
                        "confirmation": old[2],
                    },
                    after={
                        "admitted_school": school_id,
                        "admitted_preference": preference,
                        "confirmation": str(confirmation),
                        "run": run.pk,
                    },
                )
            )
    AuditEntry.objects.bulk_create(entries, batch_size=2000)


def results_visible(r: AdmissionRound, now: dt.datetime | None = None) -> bool:
    """Whether parents may see the published results of ``r`` now."""
    now = now or timezone.now()
    return r.status in (RoundStatus.PUBLISHED, RoundStatus.FINISHED) and (
        r.results_publish_at is None or r.results_publish_at <= now
    )
