"""Reads of the application pages: public rounds (cached), a phone's applications, review lists."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from django.core.cache import cache
from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.translation import get_language

from truongso.admissions.models import (
    AdmissionRound,
    Application,
    Preference,
    RoundSchool,
    RoundStatus,
)
from truongso.core import authz
from truongso.core.authz import Perm
from truongso.core.text import fold

PUBLIC_CACHE_SECONDS = 60
PUBLIC_STATUSES = (RoundStatus.OPEN, RoundStatus.CLOSED, RoundStatus.PUBLISHED)


def rounds_public() -> list[dict[str, Any]]:
    """Rounds a parent may see (open, closed or published), cached for a minute."""

    def load() -> list[dict[str, Any]]:
        rows = AdmissionRound.objects.filter(status__in=PUBLIC_STATUSES).select_related("organiser")
        return [_round_dict(r) for r in rows]

    rows: list[dict[str, Any]] = (
        cache.get_or_set(f"admissions:rounds-public:{get_language()}", load, PUBLIC_CACHE_SECONDS)
        or []
    )
    now = timezone.now()
    return [{**row, "phase": public_phase(row, now)} for row in rows]


def public_phase(row: Mapping[str, Any], now: dt.datetime) -> str:
    """Where a round stands for a parent, read at request time (the row itself is cached):
    ``soon``, ``open``, ``waiting`` (registration over, results not out yet) or ``results``."""
    if row["status"] == RoundStatus.OPEN and now < row["opens"]:
        return "soon"
    if row["status"] == RoundStatus.OPEN and now < row["closes"]:
        return "open"
    if row["status"] == RoundStatus.PUBLISHED and row["results_at"] and row["results_at"] <= now:
        return "results"
    return "waiting"


def _round_dict(r: AdmissionRound) -> dict[str, Any]:
    return {
        "pk": r.pk,
        "name": r.name,
        "kind": r.get_kind_display(),
        "status": r.status,
        "organiser": r.organiser.name,
        "opens": r.registration_opens,
        "closes": r.registration_closes,
        "results_at": r.results_publish_at,
        "preferences_max": r.preferences_max,
        "zone_rules": r.zone_rules,
    }


def round_public(round_id: int) -> dict[str, Any] | None:
    """The public page's data: the round and its schools with quotas (cached a minute).

    Day one sends every parent here first; one cache read serves them all.
    """
    key = f"admissions:round-public:{round_id}:{get_language()}"
    data: dict[str, Any] | None = cache.get(key)
    if data is None:
        r = (
            AdmissionRound.objects.filter(pk=round_id, status__in=PUBLIC_STATUSES)
            .select_related("organiser")
            .first()
        )
        if r is None:
            return None
        data = _round_dict(r)
        data["schools"] = [
            {
                "pk": rs.school_id,
                "name": rs.school.name,
                "quota": rs.quota,
                "zone": rs.zone,
                "is_open": rs.is_open,
            }
            for rs in RoundSchool.objects.filter(round=r)
            .select_related("school")
            .order_by("zone", "school__name")
        ]
        cache.set(key, data, PUBLIC_CACHE_SECONDS)
    return {**data, "phase": public_phase(data, timezone.now())}


def round_open_get(round_id: int) -> AdmissionRound | None:
    return AdmissionRound.objects.filter(pk=round_id).select_related("organiser").first()


def round_schools(r: AdmissionRound) -> list[RoundSchool]:
    return list(
        RoundSchool.objects.filter(round=r, is_open=True)
        .select_related("school")
        .order_by("zone", "school__name")
    )


def _with_preferences(qs: QuerySet[Application]) -> QuerySet[Application]:
    return qs.select_related("round", "round__organiser").prefetch_related(
        Prefetch("preferences", Preference.objects.select_related("school").order_by("rank"))
    )


def applications_of_phone(phone: str) -> list[Application]:
    return list(_with_preferences(Application.objects.filter(phone=phone)).order_by("-pk"))


def application_of_phone(phone: str, code: str) -> Application | None:
    """The phone's own application; another phone's code is simply not found."""
    return (
        _with_preferences(Application.objects.filter(phone=phone, code=code.strip().upper()))
        .prefetch_related("documents")
        .first()
    )


def application_check(code: str) -> Application | None:
    return (
        Application.objects.filter(code=code.strip().upper())
        .select_related("round", "round__organiser")
        .first()
    )


def applications_for_review(
    user: Any, *, q: str = "", round_id: str = "", status: str = "", school_id: str = ""
) -> QuerySet[Application]:
    qs = authz.scope(user, Perm.ADMISSION_VIEW, Application.objects.all())
    if round_id.isdigit():
        qs = qs.filter(round_id=int(round_id))
    if status:
        qs = qs.filter(status=status)
    if school_id.isdigit():
        qs = qs.filter(preferences__school_id=int(school_id))
    words = q.strip()
    if words:
        qs = qs.filter(
            Q(code=words.upper()) | Q(learner_id=words) | Q(search_name__contains=fold(words))
        )
    return _with_preferences(qs).order_by("-submitted_at", "-pk").distinct()


def rounds_for_review(user: Any) -> QuerySet[AdmissionRound]:
    return authz.scope(user, Perm.ADMISSION_VIEW, AdmissionRound.objects.all()).order_by(
        "-registration_opens"
    )


def application_for_review(user: Any, pk: int) -> Application | None:
    qs = authz.scope(user, Perm.ADMISSION_VIEW, Application.objects.filter(pk=pk))
    return (
        _with_preferences(qs).prefetch_related("documents").select_related("current_school").first()
    )


def review_schools(user: Any, round_id: str) -> list[tuple[int, str]]:
    """The schools of a round in the user's reach, for the school filter of the list."""
    if not round_id.isdigit() or not rounds_for_review(user).filter(pk=int(round_id)).exists():
        return []
    return list(
        RoundSchool.objects.filter(round_id=int(round_id))
        .order_by("school__name")
        .values_list("school_id", "school__name")
    )
