"""Reads of admission rounds, runs and results for the department's pages and the API,
always scoped through ``authz.scope`` (never filtered by hand)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Count, F, Q, QuerySet
from django.http import Http404

from truongso.admissions.models import (
    AdmissionRound,
    Application,
    ApplicationStatus,
    AssignmentRun,
    ConfirmationStatus,
    EnrolmentCode,
    Preference,
    RoundSchool,
    RunResult,
)
from truongso.core import authz
from truongso.core.authz import Perm


def rounds_visible(user: Any) -> QuerySet[AdmissionRound]:
    return (
        authz.scope(user, Perm.ADMISSION_VIEW, AdmissionRound.objects.select_related("organiser"))
        .annotate(
            application_count=Count(
                "applications", filter=~Q(applications__status=ApplicationStatus.WITHDRAWN)
            )
        )
        .order_by("-registration_opens", "pk")
    )


def round_get(user: Any, pk: int) -> AdmissionRound:
    r = authz.scope(
        user, Perm.ADMISSION_VIEW, AdmissionRound.objects.select_related("organiser")
    ).filter(pk=pk)
    found = r.first()
    if found is None:
        raise Http404
    return found


def can_manage(user: Any, r: AdmissionRound) -> bool:
    return authz.can(user, Perm.ADMISSION_MANAGE, r.organiser.path)


def runs_of(user: Any, r: AdmissionRound) -> QuerySet[AssignmentRun]:
    return authz.scope(
        user,
        Perm.ADMISSION_VIEW,
        AssignmentRun.objects.filter(round=r).select_related("created_by"),
    ).defer("summary")


def run_get(user: Any, pk: int) -> AssignmentRun:
    run = (
        authz.scope(user, Perm.ADMISSION_VIEW, AssignmentRun.objects.select_related("round"))
        .filter(pk=pk)
        .first()
    )
    if run is None:
        raise Http404
    return run


def run_results(
    user: Any, run: AssignmentRun, *, school_id: int | None = None, reason: str = ""
) -> QuerySet[RunResult]:
    qs = RunResult.objects.filter(run=run).select_related("application", "school")
    if school_id:
        qs = qs.filter(school_id=school_id)
    if reason:
        qs = qs.filter(reason=reason)
    return authz.scope(user, Perm.ADMISSION_VIEW, qs).order_by(
        F("application__admission_score").desc(nulls_last=True), "application__code"
    )


@dataclass
class SchoolDemand:
    """Applications per school and preference; tỷ lệ chọi = NV1 applicants per place."""

    school_id: int
    code: str
    name: str
    quota: int
    zone: str
    is_open: bool
    by_preference: list[int] = field(default_factory=list)
    admitted: int = 0
    confirmed: int = 0
    declined: int = 0
    pending: int = 0
    released: int = 0

    @property
    def first_choice(self) -> int:
        return self.by_preference[0] if self.by_preference else 0

    @property
    def ratio(self) -> Decimal | None:
        if not self.quota:
            return None
        return (Decimal(self.first_choice) / Decimal(self.quota)).quantize(Decimal("0.01"))

    @property
    def confirmed_share(self) -> float:
        return self.confirmed / self.admitted if self.admitted else 0.0


def round_demand(r: AdmissionRound) -> list[SchoolDemand]:
    """Per school of the round: quota, applications at each preference, and (after
    publication) admitted and confirmation progress. Aggregates only, no personal data."""
    rows = {
        rs.school_id: SchoolDemand(
            school_id=rs.school_id,
            code=rs.school.code,
            name=rs.school.name,
            quota=rs.quota,
            zone=rs.zone,
            is_open=rs.is_open,
            by_preference=[0] * r.preferences_max,
        )
        for rs in RoundSchool.objects.filter(round=r)
        .select_related("school")
        .order_by("school__code")
    }
    counts = (
        Preference.objects.filter(application__round=r)
        .exclude(application__status=ApplicationStatus.WITHDRAWN)
        .values_list("school_id", "rank")
        .annotate(n=Count("pk"))
    )
    for school_id, rank, n in counts:
        row = rows.get(school_id)
        if row is not None and 1 <= rank <= len(row.by_preference):
            row.by_preference[rank - 1] = n
    progress = (
        Application.objects.filter(round=r, admitted_school__isnull=False)
        .values_list("admitted_school_id", "confirmation")
        .annotate(n=Count("pk"))
    )
    for school_id, confirmation, n in progress:
        row = rows.get(school_id)
        if row is None:
            continue
        row.admitted += n
        if confirmation == ConfirmationStatus.CONFIRMED:
            row.confirmed += n
        elif confirmation == ConfirmationStatus.DECLINED:
            row.declined += n
        elif confirmation == ConfirmationStatus.RELEASED:
            row.released += n
        else:
            row.pending += n
    return list(rows.values())


@dataclass
class CutoffHistory:
    rounds: list[AdmissionRound]
    # school code -> name and the cut-off of each round (None: not full or not taking part)
    schools: dict[str, tuple[str, list[str | None]]]


def cutoff_history(user: Any, r: AdmissionRound, limit: int = 6) -> CutoffHistory:
    """Cut-offs of the published runs of this organiser's rounds of the same kind, oldest
    first (điểm chuẩn qua các năm)."""
    published = list(
        authz.scope(
            user,
            Perm.ADMISSION_VIEW,
            AssignmentRun.objects.filter(
                is_published=True, round__organiser=r.organiser, round__kind=r.kind
            ).select_related("round"),
        ).order_by("-round__registration_opens")[:limit]
    )[::-1]
    schools: dict[str, tuple[str, list[str | None]]] = defaultdict(
        lambda: ("", [None] * len(published))
    )
    for i, run in enumerate(published):
        for row in run.summary.get("schools", []):
            _name, values = schools[row["code"]]
            values[i] = row.get("cutoff")
            schools[row["code"]] = (row["name"], values)
    return CutoffHistory(
        rounds=[run.round for run in published], schools=dict(sorted(schools.items()))
    )


def round_codes(r: AdmissionRound, *, q: str = "", zone: str = "") -> QuerySet[EnrolmentCode]:
    """The enrolment codes of a round, by zone then name (the .xlsx export's order), for a
    caller who manages it. ``q`` is a code, a learner ID or part of the name as written."""
    rows = EnrolmentCode.objects.filter(round=r).select_related("school")
    if zone:
        rows = rows.filter(zone=zone)
    words = q.strip()
    if words:
        rows = rows.filter(
            Q(code=words.upper()) | Q(learner_id=words) | Q(child_name__icontains=words)
        )
    return rows.order_by("zone", "child_name", "pk")
