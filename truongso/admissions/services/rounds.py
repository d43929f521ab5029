"""Admission rounds (đợt tuyển sinh) as data: create, edit, schools and quotas, open, close.

Every rule of a round is checked here before it is saved: the formula (subjects, weights,
maximum), the priority bonuses, penalties that never decrease, the windows in order. A round
is edited freely while being prepared; once open only its dates and quotas move; once its
results are published nothing does.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from truongso.admissions.models import AdmissionRound, RoundKind, RoundSchool, RoundStatus, TieRule
from truongso.core import authz
from truongso.core.audit import audit_record, audit_update, snapshot
from truongso.core.authz import Perm
from truongso.registry.models import OrgUnit

EDITABLE = (
    "name",
    "kind",
    "school_year",
    "registration_opens",
    "registration_closes",
    "results_publish_at",
    "confirmation_deadline",
    "preferences_max",
    "formula",
    "priority_bonus",
    "encouragement_max",
    "exclude_on_zero",
    "penalties",
    "tie_rule",
    "zone_rules",
    "birth_year",
)
# Once registration has opened, parents rely on the rules: only dates may still move.
EDITABLE_OPEN = ("name", "registration_closes", "results_publish_at", "confirmation_deadline")
# Once closed, what only the run uses may still be tuned before publication.
EDITABLE_CLOSED = (*EDITABLE_OPEN, "penalties", "tie_rule", "priority_bonus")
SUBJECT_CODE = re.compile(r"^[a-z][a-z0-9_]{0,19}$")


def editable_fields(status: str) -> tuple[str, ...]:
    """The fields of a round that may still change in ``status``: everything in a draft; the
    name and dates once open; also penalties, tie rule and bonuses once closed; nothing once
    published or finished. ``round_update`` and the edit page both ask here."""
    by_status: dict[str, tuple[str, ...]] = {
        RoundStatus.DRAFT: EDITABLE,
        RoundStatus.OPEN: EDITABLE_OPEN,
        RoundStatus.CLOSED: EDITABLE_CLOSED,
    }
    return by_status.get(status, ())


def require_manage(actor: Any, organiser: OrgUnit) -> None:
    if not authz.can(actor, Perm.ADMISSION_MANAGE, organiser.path):
        raise PermissionDenied(_("Only the officers of the organising department manage rounds."))


def _decimal(value: Any) -> Decimal | None:
    try:
        number = Decimal(str(value).strip().replace(",", "."))
    except (InvalidOperation, ValueError):
        return None
    if not number.is_finite() or number.as_tuple().exponent < -2:  # type: ignore[operator]
        return None
    return number


def formula_problems(formula: Any, kind: str) -> list[str]:
    """What is wrong with a formula ``{"subjects": [{"code", "name", "weight"}], "max_score"}``."""
    if kind != RoundKind.GRADE10 and not formula:
        return []
    if not isinstance(formula, Mapping):
        return [_("The formula must list the subjects and the maximum score.")]
    problems = []
    subjects = formula.get("subjects")
    if not isinstance(subjects, list) or not subjects:
        problems.append(_("The formula needs at least one exam subject."))
        subjects = []
    seen: set[str] = set()
    for number, subject in enumerate(subjects, start=1):
        if not isinstance(subject, Mapping):
            problems.append(_("Subject %(n)s: not a subject.") % {"n": number})
            continue
        code = str(subject.get("code", ""))
        if not SUBJECT_CODE.match(code):
            problems.append(
                _("Subject %(n)s: the code “%(code)s” must be lower-case letters and digits.")
                % {"n": number, "code": code}
            )
        elif code in seen:
            problems.append(
                _("Subject %(n)s: the code “%(code)s” is used twice.") % {"n": number, "code": code}
            )
        seen.add(code)
        if not str(subject.get("name", "")).strip():
            problems.append(_("Subject %(n)s: the name is missing.") % {"n": number})
        weight = _decimal(subject.get("weight", 1))
        if weight is None or weight <= 0 or weight > 10:
            problems.append(
                _("Subject %(n)s: the weight must be a number above 0 and at most 10.")
                % {"n": number}
            )
    max_score = _decimal(formula.get("max_score", 10))
    if max_score is None or max_score <= 0 or max_score > 100:
        problems.append(_("The maximum exam score must be a number above 0 and at most 100."))
    return problems


def bonus_problems(bonus: Any) -> list[str]:
    if not isinstance(bonus, Mapping):
        return [_("The priority bonuses must be given per group.")]
    problems = []
    for group, value in bonus.items():
        if not str(group).strip() or len(str(group)) > 8:
            problems.append(_("A priority group needs a short name (at most 8 characters)."))
        number = _decimal(value)
        if number is None or number < 0 or number > 10:
            problems.append(
                _(
                    "Priority group %(g)s: the bonus must be between 0 and 10 "
                    "with at most two decimals."
                )
                % {"g": group}
            )
    return problems


def penalty_problems(penalties: Any, preferences_max: int) -> list[str]:
    if not isinstance(penalties, list | tuple) or len(penalties) != preferences_max:
        return [
            _("Give one penalty per preference (%(k)s values, the first 0).")
            % {"k": preferences_max}
        ]
    values = [_decimal(p) for p in penalties]
    if any(v is None or v < 0 or v > 10 for v in values):
        return [_("Penalties must be numbers between 0 and 10 with at most two decimals.")]
    if values[0] != 0:
        return [_("The first preference has no penalty (0).")]
    for rank in range(1, len(values)):
        if values[rank] < values[rank - 1]:  # type: ignore[operator]
            return [
                _(
                    "The penalty of NV%(k)s (%(v)s) is lower than that of NV%(p)s: "
                    "penalties never decrease."
                )
                % {"k": rank + 1, "v": penalties[rank], "p": rank}
            ]
    return []


def round_problems(r: AdmissionRound) -> dict[str, list[str]]:
    """Every problem of a round's rules, by field (empty when it is consistent)."""
    problems: dict[str, list[str]] = {}

    def add(field: str, messages: list[str]) -> None:
        if messages:
            problems.setdefault(field, []).extend(messages)

    if not r.name.strip():
        add("name", [_("The round needs a name.")])
    if r.kind not in RoundKind.values:
        add("kind", [_("Unknown kind of round.")])
    if r.tie_rule not in TieRule.values:
        add("tie_rule", [_("Unknown tie rule.")])
    if not 1 <= r.preferences_max <= 10:
        add("preferences_max", [_("The number of preferences must be between 1 and 10.")])
    else:
        add("penalties", penalty_problems(r.penalties, r.preferences_max))
    add("formula", formula_problems(r.formula, r.kind))
    add("priority_bonus", bonus_problems(r.priority_bonus))
    if r.encouragement_max is None or Decimal(r.encouragement_max) < 0:
        add("encouragement_max", [_("Encouragement points cannot be negative.")])
    if (
        r.registration_opens
        and r.registration_closes
        and r.registration_closes <= r.registration_opens
    ):
        add("registration_closes", [_("Registration must close after it opens.")])
    if (
        r.results_publish_at
        and r.registration_closes
        and r.results_publish_at < r.registration_closes
    ):
        add("results_publish_at", [_("Results cannot be published before registration closes.")])
    if r.confirmation_deadline:
        if not r.results_publish_at:
            add(
                "confirmation_deadline",
                [_("Set when results are published before the confirmation deadline.")],
            )
        elif r.confirmation_deadline <= r.results_publish_at:
            add(
                "confirmation_deadline",
                [_("The confirmation deadline must come after the results are published.")],
            )
    if (
        r.kind in (RoundKind.GRADE1, RoundKind.GRADE6)
        and r.birth_year
        and not 2000 <= r.birth_year <= 2100
    ):
        add("birth_year", [_("Birth year out of range.")])
    return problems


def _check(r: AdmissionRound) -> None:
    problems = round_problems(r)
    if problems:
        raise ValidationError(problems)


def _normalise(data: Mapping[str, Any]) -> dict[str, Any]:
    values = dict(data)
    if "penalties" in values and isinstance(values["penalties"], list | tuple):
        values["penalties"] = [
            str(_decimal(p)) if _decimal(p) is not None else str(p) for p in values["penalties"]
        ]
    if "priority_bonus" in values and isinstance(values["priority_bonus"], Mapping):
        values["priority_bonus"] = {
            str(k).strip(): str(_decimal(v)) if _decimal(v) is not None else str(v)
            for k, v in values["priority_bonus"].items()
        }
    return values


def round_create(*, actor: Any, organiser: OrgUnit, data: Mapping[str, Any]) -> AdmissionRound:
    """Create a round in preparation; ``data`` holds the editable fields (see ``EDITABLE``)."""
    require_manage(actor, organiser)
    unknown = set(data) - set(EDITABLE)
    if unknown:
        raise ValidationError(_("Unknown fields: %(f)s") % {"f": ", ".join(sorted(unknown))})
    values = _normalise(data)
    values.setdefault("penalties", ["0", "1", "2"][: int(values.get("preferences_max", 3))])
    r = AdmissionRound(
        organiser=organiser, created_by=actor if getattr(actor, "pk", None) else None, **values
    )
    _check(r)
    with transaction.atomic():
        r.save()
        audit_record(
            actor=actor,
            action="admissions.round_create",
            obj=r,
            org_path=organiser.path,
            after=snapshot(r, EDITABLE),
        )
    return r


def round_update(*, actor: Any, round: AdmissionRound, data: Mapping[str, Any]) -> AdmissionRound:
    require_manage(actor, round.organiser)
    with transaction.atomic():
        r = AdmissionRound.objects.select_for_update().get(pk=round.pk)
        allowed = editable_fields(r.status)
        refused = sorted(set(data) - set(allowed))
        if refused:
            raise ValidationError(
                _("These rules can no longer change (the round is “%(s)s”): %(f)s")
                % {"s": r.get_status_display(), "f": ", ".join(refused)}
            )
        before = snapshot(r, EDITABLE)
        for field, value in _normalise(data).items():
            setattr(r, field, value)
        _check(r)
        r.save()
        audit_update(
            actor=actor,
            obj=r,
            before=before,
            action="admissions.round_update",
            org_path=r.organiser.path,
        )
    return r


@dataclass(frozen=True)
class SchoolPlace:
    school: OrgUnit
    quota: int
    zone: str = ""
    is_open: bool = True


def round_schools_set(
    *, actor: Any, round: AdmissionRound, places: Sequence[SchoolPlace]
) -> list[RoundSchool]:
    """Set the schools of a round and their quotas (chỉ tiêu); schools not listed leave it
    (only while no application names them). Schools must be inside the organiser's area."""
    require_manage(actor, round.organiser)
    problems: list[str] = []
    seen: set[int] = set()
    for row, place in enumerate(places, start=1):
        if not place.school.path.startswith(round.organiser.path) or place.school.kind != "school":
            problems.append(
                _("Row %(r)s: %(s)s is not a school of this organiser.")
                % {"r": row, "s": place.school.name}
            )
        if place.school.pk in seen:
            problems.append(
                _("Row %(r)s: %(s)s is listed twice.") % {"r": row, "s": place.school.name}
            )
        seen.add(place.school.pk)
        if not isinstance(place.quota, int) or isinstance(place.quota, bool) or place.quota < 0:
            problems.append(
                _("Row %(r)s: the quota of %(s)s must be a whole number, 0 or more.")
                % {"r": row, "s": place.school.name}
            )
        if len(place.zone) > 20:
            problems.append(_("Row %(r)s: the zone is longer than 20 characters.") % {"r": row})
    if problems:
        raise ValidationError({"schools": problems})
    from truongso.admissions.models import Preference

    with transaction.atomic():
        r = AdmissionRound.objects.select_for_update().get(pk=round.pk)
        if r.status in (RoundStatus.PUBLISHED, RoundStatus.FINISHED):
            raise ValidationError(_("The results are published: the schools and quotas are fixed."))
        current = {rs.school_id: rs for rs in RoundSchool.objects.filter(round=r)}
        leaving = set(current) - seen
        named = set(
            Preference.objects.filter(application__round=r, school_id__in=leaving).values_list(
                "school_id", flat=True
            )
        )
        if named:
            names = ", ".join(
                sorted(OrgUnit.objects.filter(pk__in=named).values_list("name", flat=True))
            )
            raise ValidationError(
                {
                    "schools": [
                        _(
                            "Applications already name %(s)s: "
                            "close the school instead of removing it."
                        )
                        % {"s": names}
                    ]
                }
            )
        before = {str(k): [v.quota, v.zone, v.is_open] for k, v in current.items()}
        RoundSchool.objects.filter(round=r, school_id__in=leaving).delete()
        kept = []
        for place in places:
            rs = current.get(place.school.pk) or RoundSchool(round=r, school=place.school)
            rs.quota, rs.zone, rs.is_open = place.quota, place.zone, place.is_open
            rs.save()
            kept.append(rs)
        after = {str(p.school.pk): [p.quota, p.zone, p.is_open] for p in places}
        if before != after:
            audit_record(
                actor=actor,
                action="admissions.round_schools",
                obj=r,
                org_path=r.organiser.path,
                before=before,
                after=after,
            )
    return kept


def _transition(
    actor: Any, round: AdmissionRound, allowed_from: tuple[str, ...], to: str, action: str
) -> AdmissionRound:
    require_manage(actor, round.organiser)
    with transaction.atomic():
        r = AdmissionRound.objects.select_for_update().get(pk=round.pk)
        if r.status not in allowed_from:
            raise ValidationError(
                _("The round is “%(s)s”: this step is not possible now.")
                % {"s": r.get_status_display()}
            )
        if to == RoundStatus.OPEN:
            _check(r)
            if not RoundSchool.objects.filter(round=r, is_open=True).exists():
                raise ValidationError(
                    _("Add at least one school accepting applications before opening.")
                )
        before: dict[str, Any] = {"status": r.status}
        after: dict[str, Any] = {"status": to}
        r.status = to
        fields = ["status", "updated_at"]
        now = timezone.now().replace(second=0, microsecond=0)
        if to == RoundStatus.CLOSED and r.registration_closes > now:
            # Closed early: the window ended this minute (publication times are typed to the
            # minute), and what follows counts from it.
            before["registration_closes"] = r.registration_closes.isoformat()
            after["registration_closes"] = now.isoformat()
            r.registration_closes = now
            fields.append("registration_closes")
        r.save(update_fields=fields)
        audit_record(
            actor=actor,
            action=action,
            obj=r,
            org_path=r.organiser.path,
            before=before,
            after=after,
        )
    return r


def round_open(*, actor: Any, round: AdmissionRound) -> AdmissionRound:
    """Open registration (parents can apply between the window's dates)."""
    return _transition(
        actor,
        round,
        (RoundStatus.DRAFT, RoundStatus.CLOSED),
        RoundStatus.OPEN,
        "admissions.round_open",
    )


def round_close(*, actor: Any, round: AdmissionRound) -> AdmissionRound:
    """Close registration: no more applications or edits; scores and runs may start.
    Closing before the planned end moves the end of the window to now."""
    return _transition(
        actor, round, (RoundStatus.OPEN,), RoundStatus.CLOSED, "admissions.round_close"
    )


def engine_penalties(r: AdmissionRound) -> tuple[Decimal, ...]:
    """The engine's penalties (NV2 onwards) from the round's list (NV1 first, 0)."""
    return tuple(Decimal(str(p)) for p in list(r.penalties)[1:])


def subject_weights(r: AdmissionRound) -> list[tuple[str, str, Decimal]]:
    return [
        (str(s["code"]), str(s.get("name", s["code"])), Decimal(str(s.get("weight", 1))))
        for s in (r.formula or {}).get("subjects", [])
    ]


def max_score(r: AdmissionRound) -> Decimal:
    return Decimal(str((r.formula or {}).get("max_score", 10)))
