"""Reading published results: the parent's result with "why not my first choice?", and the
admitting school's list with its confirmation progress.

The explanation is rebuilt from the published run without running the engine again: a
school's cut-off (điểm chuẩn) is the lowest effective score it admitted (admission score −
penalty of the preference), when it filled its quota — the engine's own definition — and the
sentences are those of ``outcomes.PreferenceExplanation``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.cache import cache
from django.db.models import Count, Min, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from truongso.admissions.models import (
    AdmissionRound,
    Application,
    AssignmentRun,
    ConfirmationStatus,
    Preference,
    RoundSchool,
    RunResult,
    TieRule,
)
from truongso.admissions.outcomes import PreferenceExplanation, Verdict, no_places_message
from truongso.admissions.services.confirm import WAITING
from truongso.admissions.services.runs import results_visible
from truongso.admissions.services.zones import in_zone
from truongso.admissions.zone_summary import school_zones
from truongso.registry.models import OrgUnit

CACHE_SECONDS = 3600


@dataclass(frozen=True)
class SchoolCut:
    quota: int
    admitted: int
    cutoff: Decimal | None  # None: the school did not fill its quota


def published_run(round_: AdmissionRound) -> AssignmentRun | None:
    return AssignmentRun.objects.filter(round=round_, is_published=True).first()


def _penalties(round_: AdmissionRound, run: AssignmentRun) -> list[Decimal]:
    values = run.params.get("penalties") or round_.penalties or ["0"]
    return [Decimal(str(v)) for v in values]


def _penalty(penalties: list[Decimal], preference: int) -> Decimal:
    if not penalties:
        return Decimal(0)
    return penalties[min(preference, len(penalties)) - 1]


def run_cutoffs(round_: AdmissionRound, run: AssignmentRun) -> dict[int, SchoolCut]:
    """Per school id: quota, admitted and cut-off of the run (cached: a run never changes)."""
    # The creation time too: a run id may come back after a database is restored or reset.
    key = f"admissions:cutoffs:{run.pk}:{run.created_at.timestamp():.6f}"
    found = cache.get(key)
    if found is not None:
        return dict(found)
    penalties = _penalties(round_, run)
    quotas = {int(k): int(v) for k, v in (run.params.get("quotas") or {}).items()}
    for school_id, quota in RoundSchool.objects.filter(round=round_).values_list(
        "school_id", "quota"
    ):
        quotas.setdefault(school_id, quota)
    lowest: dict[int, Decimal] = {}
    admitted: dict[int, int] = {}
    rows = (
        RunResult.objects.filter(run=run, school__isnull=False)
        .values("school_id", "preference")
        .annotate(n=Count("pk"), low=Min("application__admission_score"))
        .order_by()
    )
    for row in rows:
        school = row["school_id"]
        admitted[school] = admitted.get(school, 0) + row["n"]
        if row["low"] is not None:
            effective = Decimal(row["low"]) - _penalty(penalties, row["preference"] or 1)
            lowest[school] = min(lowest.get(school, effective), effective)
    cuts = {
        school: SchoolCut(
            quota=quota,
            admitted=admitted.get(school, 0),
            cutoff=lowest.get(school) if quota and admitted.get(school, 0) >= quota else None,
        )
        for school, quota in quotas.items()
    }
    cache.set(key, cuts, CACHE_SECONDS)
    return cuts


@dataclass
class ResultView:
    """What the parent sees for one application."""

    application: Application
    visible: bool
    publish_at: dt.datetime | None
    admitted_school: OrgUnit | None = None
    admitted_preference: int | None = None
    reason: str = ""  # admitted, excluded, no_preferences, no_place
    headline: str = ""
    lines: list[str] = field(default_factory=list)
    can_answer: bool = False
    deadline: dt.datetime | None = None


def _headline(app: Application, reason: str) -> str:
    if reason == "admitted" and app.admitted_school is not None:
        return _("Admitted to %(school)s at preference %(k)s.") % {
            "school": app.admitted_school.name,
            "k": app.admitted_preference,
        }
    if reason == "excluded":
        detail = app.excluded_reason or _("no score or a zero in an exam")
        return _("Not admitted: excluded (%(why)s).") % {"why": detail}
    if reason == "no_preferences":
        return _("Not admitted: no preference registered.")
    return _("Not admitted: your score was below the cut-off at every preference.")


def application_result(application: Application, now: dt.datetime | None = None) -> ResultView:
    now = now or timezone.now()
    round_ = application.round
    view = ResultView(
        application=application,
        visible=results_visible(round_, now),
        publish_at=round_.results_publish_at,
        deadline=round_.confirmation_deadline,
    )
    run = published_run(round_) if view.visible else None
    if run is None:
        view.visible = False
        return view
    own = RunResult.objects.filter(run=run, application=application).first()
    if own is None:
        view.visible = False
        return view
    view.admitted_school = application.admitted_school
    view.admitted_preference = application.admitted_preference
    view.reason = own.reason
    view.headline = _headline(application, own.reason)
    if own.reason == "no_place" and run.is_zone:  # no score, no cut-off
        view.headline = _("Not admitted: no place at any of your preferences (placement by zone).")
    view.can_answer = (
        own.school_id is not None
        and application.confirmation in WAITING
        and (round_.confirmation_deadline is None or now <= round_.confirmation_deadline)
    )
    if own.reason in ("admitted", "no_place") and run.is_zone:
        view.lines = zone_explain(application, run, own.preference)
    elif own.reason in ("admitted", "no_place") and application.admission_score is not None:
        view.lines = [p.message() for p in explain(application, round_, run, own.preference)]
    return view


def zone_explain(application: Application, run: AssignmentRun, got: int | None) -> list[str]:
    """Each preference up to the one she got (all of them if none) in a zone run: admitted in
    zone or by lottery; a school of quota 0 admits nobody (the exam runs' ``no_places``);
    outside the zone, refused by the zone rules or left without a place in the lottery."""
    quotas = {int(k): int(v) for k, v in (run.params.get("quotas") or {}).items()}
    zones = school_zones(run)
    lines = []
    prefs = Preference.objects.filter(application=application).select_related("school")
    for pref in prefs.order_by("rank"):
        if got and pref.rank > got:
            break
        values = {"k": pref.rank, "school": pref.school.name}
        home = in_zone(application.zone, zones.get(pref.school_id, ""))
        if got == pref.rank and home:
            lines.append(_("NV%(k)s %(school)s: admitted, a child of the school's zone.") % values)
        elif got == pref.rank:
            lines.append(_("NV%(k)s %(school)s: admitted by the lottery.") % values)
        elif quotas.get(pref.school_id, 0) <= 0:
            lines.append(no_places_message(pref.rank, pref.school.name))
        elif run.params.get("zone_rules"):
            lines.append(
                _("NV%(k)s %(school)s: not admitted, only children of the school's zone are.")
                % values
            )
        else:
            lines.append(
                _(
                    "NV%(k)s %(school)s: outside the school's zone; no place was left for you "
                    "in the lottery."
                )
                % values
            )
    return lines


def explain(
    application: Application,
    round_: AdmissionRound,
    run: AssignmentRun,
    got: int | None,
) -> list[PreferenceExplanation]:
    """Each preference up to the one she got (all of them if none), as the engine explains."""
    cuts = run_cutoffs(round_, run)
    penalties = _penalties(round_, run)
    tiebreak = (run.params.get("tie_rule") or round_.tie_rule) == TieRule.TIEBREAK
    score = Decimal(application.admission_score or 0)
    prefs = Preference.objects.filter(application=application).select_related("school")
    items = []
    for pref in prefs.order_by("rank"):
        if got and pref.rank > got:
            break
        penalty = _penalty(penalties, pref.rank)
        effective = score - penalty
        cut = cuts.get(pref.school_id, SchoolCut(0, 0, None))
        if got == pref.rank:
            verdict = Verdict.ADMITTED
        elif cut.quota == 0:
            verdict = Verdict.NO_PLACES
        elif tiebreak and cut.cutoff is not None and effective == cut.cutoff:
            verdict = Verdict.LOST_TIE
        else:
            verdict = Verdict.BELOW_CUTOFF
        items.append(
            PreferenceExplanation(
                preference=pref.rank,
                school_code=pref.school.name,
                score=score,
                penalty=penalty,
                effective=effective,
                cutoff=cut.cutoff,
                verdict=verdict,
            )
        )
    return items


# -- the admitting school's list ------------------------------------------------------------


def school_admitted(round_: AdmissionRound, school: OrgUnit) -> QuerySet[Application]:
    """Applicants admitted to ``school`` in ``round_`` (the caller checked the school)."""
    return (
        Application.objects.filter(round=round_, admitted_school=school)
        .select_related("student", "student__current_class")
        .order_by("search_name", "code")
    )


@dataclass(frozen=True)
class Progress:
    admitted: int
    confirmed: int
    declined: int
    waiting: int
    released: int
    handed_over: int

    @property
    def percent(self) -> int:
        return round(100 * self.confirmed / self.admitted) if self.admitted else 0


def school_progress(round_: AdmissionRound, school: OrgUnit) -> Progress:
    counts = Application.objects.filter(round=round_, admitted_school=school).aggregate(
        admitted=Count("pk"),
        confirmed=Count("pk", filter=Q(confirmation=ConfirmationStatus.CONFIRMED)),
        declined=Count("pk", filter=Q(confirmation=ConfirmationStatus.DECLINED)),
        waiting=Count("pk", filter=Q(confirmation__in=WAITING)),
        released=Count("pk", filter=Q(confirmation=ConfirmationStatus.RELEASED)),
        handed_over=Count("pk", filter=Q(student__isnull=False)),
    )
    return Progress(**counts)


def rounds_of_school(school: OrgUnit) -> QuerySet[AdmissionRound]:
    """Rounds in which ``school`` takes part and whose results are published (or finished)."""
    return (
        AdmissionRound.objects.filter(schools__school=school, status__in=["published", "finished"])
        .order_by("-registration_opens")
        .distinct()
    )


def mask_phone(phone: str) -> str:
    return f"{phone[:3]}****{phone[-3:]}" if len(phone) >= 7 else phone
