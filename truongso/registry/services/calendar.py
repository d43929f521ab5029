from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from truongso.core import authz
from truongso.core.audit import audit_record, snapshot
from truongso.core.authz import Perm
from truongso.registry.models import SchoolYear, Semester

YEAR_CODE = re.compile(r"^(\d{4})-(\d{4})$")
DateRange = tuple[dt.date, dt.date]


def _validate_year(code: str, semesters: tuple[DateRange, DateRange]) -> None:
    match = YEAR_CODE.match(code)
    if not match or int(match[2]) != int(match[1]) + 1:
        raise ValidationError({"code": _("A school year is written like 2025-2026.")})
    (s1_start, s1_end), (s2_start, s2_end) = semesters
    if not (s1_start < s1_end < s2_start < s2_end):
        raise ValidationError(
            {"semesters": _("Semester I must end before semester II starts, each after it begins.")}
        )
    if s1_start.year != int(match[1]) or s2_end.year != int(match[2]):
        raise ValidationError({"semesters": _("The semesters must fall within the school year.")})


def school_year_create(
    *,
    actor: Any,
    code: str,
    semesters: tuple[DateRange, DateRange],
    make_current: bool = False,
) -> SchoolYear:
    """A school year with its two semesters; the year spans from semester I to semester II."""
    if not authz.has_any(actor, Perm.CALENDAR_MANAGE):
        raise PermissionDenied(_("You cannot manage school years."))
    _validate_year(code, semesters)
    if SchoolYear.objects.filter(code=code).exists():
        raise ValidationError({"code": _("School year %(code)s already exists.") % {"code": code}})
    with transaction.atomic():
        if make_current:
            SchoolYear.objects.filter(is_current=True).update(is_current=False)
        year = SchoolYear.objects.create(
            code=code, start_date=semesters[0][0], end_date=semesters[1][1], is_current=make_current
        )
        for number, (start, end) in enumerate(semesters, start=1):
            Semester.objects.create(school_year=year, number=number, start_date=start, end_date=end)
        audit_record(actor=actor, action="school_year.create", obj=year, after=snapshot(year))
    return year


def school_year_set_current(*, actor: Any, year: SchoolYear) -> SchoolYear:
    if not authz.has_any(actor, Perm.CALENDAR_MANAGE):
        raise PermissionDenied(_("You cannot manage school years."))
    with transaction.atomic():
        previous = SchoolYear.objects.filter(is_current=True).first()
        SchoolYear.objects.filter(is_current=True).update(is_current=False)
        SchoolYear.objects.filter(pk=year.pk).update(is_current=True)
        year.is_current = True
        audit_record(
            actor=actor,
            action="school_year.set_current",
            obj=year,
            before={"current": previous.code if previous else None},
            after={"current": year.code},
        )
    return year


def current_school_year() -> SchoolYear | None:
    return SchoolYear.objects.filter(is_current=True).first()
