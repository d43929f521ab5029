"""Entry deadlines, closing a semester and storing the official results."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from truongso.core import authz
from truongso.core.audit import audit_record
from truongso.core.authz import Perm
from truongso.gradebook.models import GradingPeriod, TermResult
from truongso.gradebook.results import YEAR, StudentResult, class_results, classes_results
from truongso.gradebook.services import yearend
from truongso.registry.models import OrgUnit, SchoolClass, SchoolYear

GROUPS = ("tx", "gk", "ck", "conduct")


def _require(actor: Any, school: OrgUnit) -> None:
    if not authz.can(actor, Perm.GRADE_MANAGE, school.path):
        raise PermissionDenied(_("Only the school's leaders manage the gradebook."))


def _period(school: OrgUnit, year: SchoolYear, semester: int) -> GradingPeriod:
    if semester not in (1, 2):
        raise ValidationError({"semester": _("Semester must be I or II.")})
    period, _created = GradingPeriod.objects.select_for_update().get_or_create(
        school=school, school_year=year, semester=semester
    )
    return period


def deadlines_set(
    *,
    actor: Any,
    school: OrgUnit,
    year: SchoolYear,
    semester: int,
    deadlines: Mapping[str, dt.datetime | None],
) -> GradingPeriod:
    """Set when each column group locks for teachers ("tx" regular, "gk" mid-term, "ck"
    end-term, "conduct" the homeroom's records); ``None`` removes a deadline."""
    _require(actor, school)
    unknown = set(deadlines) - set(GROUPS)
    if unknown:
        raise ValidationError(
            {"deadlines": _("Unknown column groups: %(g)s") % {"g": ", ".join(unknown)}}
        )
    with transaction.atomic():
        period = _period(school, year, semester)
        if period.is_closed:
            raise ValidationError(_("The semester is closed."))
        before = dict(period.deadlines)
        for group, when in deadlines.items():
            if when is None:
                period.deadlines.pop(group, None)
            else:
                period.deadlines[group] = when.isoformat()
        period.save(update_fields=["deadlines"])
        audit_record(
            actor=actor,
            action="gradebook.deadlines",
            obj=period,
            before=before,
            after=period.deadlines,
        )
    return period


def _store(school_class: SchoolClass, period: int, results: list[StudentResult]) -> int:
    now = timezone.now()
    rows = [
        TermResult(
            student=r.student,
            school_class=school_class,
            school_year_id=school_class.school_year_id,
            period=period,
            learning=r.summary.learning or "",
            conduct=r.summary.conduct or "",
            award=r.summary.award,
            decision=r.summary.decision,
            subjects={code: o.as_json() for code, o in r.summary.subjects.items()},
            absences=r.absences,
            computed_at=now,
        )
        for r in results
    ]
    TermResult.objects.bulk_create(
        rows,
        update_conflicts=True,
        unique_fields=["student", "school_year", "period"],
        update_fields=[
            "school_class",
            "learning",
            "conduct",
            "award",
            "decision",
            "subjects",
            "absences",
            "computed_at",
        ],
    )
    return len(rows)


def incomplete_students(school: OrgUnit, year: SchoolYear, semester: int) -> int:
    """How many students still have a result that cannot be computed."""
    classes = list(SchoolClass.objects.filter(school=school, school_year=year))
    return _incomplete(classes_results(classes, semester))


def _incomplete(results: Mapping[int, list[StudentResult]]) -> int:
    return sum(1 for rows in results.values() for r in rows if r.summary.learning is None)


def period_close(
    *, actor: Any, school: OrgUnit, year: SchoolYear, semester: int, allow_incomplete: bool = False
) -> GradingPeriod:
    """The principal closes the semester: the official results of every class are computed
    and stored (and, closing semester II, the year's), and the gradebook locks; from then on
    a change needs a reason and the principal's approval."""
    _require(actor, school)
    with transaction.atomic():
        period = _period(school, year, semester)
        if period.is_closed:
            raise ValidationError(_("The semester is already closed."))
        if (
            semester == 2
            and not GradingPeriod.objects.filter(
                school=school, school_year=year, semester=1, closed_at__isnull=False
            ).exists()
        ):
            raise ValidationError(_("Close semester I first."))
        # Every class at once (``classes_results``): a fixed number of queries per school.
        classes = list(SchoolClass.objects.filter(school=school, school_year=year))
        results = classes_results(classes, semester)
        missing = _incomplete(results)
        if missing and not allow_incomplete:
            raise ValidationError(
                _(
                    "%(n)s students still have missing entries; complete them or confirm closing "
                    "anyway."
                )
                % {"n": missing},
                code="incomplete",
            )
        year_results = classes_results(classes, YEAR) if semester == 2 else {}
        stored = 0
        for school_class in classes:
            stored += _store(school_class, semester, results[school_class.pk])
            if semester == 2:
                _store(school_class, YEAR, year_results[school_class.pk])
        period.closed_at = timezone.now()
        period.closed_by = actor if getattr(actor, "pk", None) else None
        period.save(update_fields=["closed_at", "closed_by"])
        audit_record(
            actor=actor,
            action="gradebook.close",
            obj=period,
            after={"results": stored, "incomplete": missing},
        )
    return period


def results_refresh(student_ids: list[int], school_class: SchoolClass) -> None:
    """Recompute the stored official results of a class's closed periods for some students
    (after an approved late change); final year-end decisions are re-derived, not lost."""
    closed = GradingPeriod.objects.filter(
        school_id=school_class.school_id,
        school_year_id=school_class.school_year_id,
        closed_at__isnull=False,
    ).values_list("semester", flat=True)
    periods = [*closed, *([YEAR] if 2 in closed else [])]
    for period in periods:
        results = [r for r in class_results(school_class, period) if r.student.pk in student_ids]
        before = {
            r.student_id: (r.learning, r.award, r.decision)
            for r in TermResult.objects.filter(
                student_id__in=student_ids,
                school_year_id=school_class.school_year_id,
                period=period,
            )
        }
        final = yearend.final_students(school_class, student_ids) if period == YEAR else set()
        _store(school_class, period, results)
        # Decisions made after re-tests or summer training are not those of the results.
        for student_id, decision in yearend.decisions_reapply(school_class, final).items():
            for result in results:
                if result.student.pk == student_id:
                    result.summary.decision = decision
        for result in results:
            after = (result.summary.learning or "", result.summary.award, result.summary.decision)
            if before.get(result.student.pk) != after:
                audit_record(
                    actor=None,
                    action="gradebook.result_update",
                    obj=result.student,
                    org_path=school_class.school.path,
                    before={"period": period, "result": list(before.get(result.student.pk, ()))},
                    after={"period": period, "result": list(after)},
                )
