"""Template helpers of the results pages: level names, Vietnamese numbers, and the link to
a student's report where the user may read his grades (used by the student profile)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django import template
from django.urls import reverse

from truongso.core import authz
from truongso.core.authz import Perm
from truongso.gradebook import stats
from truongso.gradebook.exports_results import period_name as _period_name

register = template.Library()


@register.filter
def level(code: str, kind: str) -> str:
    """``{{ row.learning|level:"learning" }}`` -> "Tốt" (or "Chưa đủ điểm" for "")."""
    return stats.level_name(kind, code or "")


@register.filter
def vn_int(value: int) -> str:
    return stats.vn_int(int(value or 0))


@register.filter
def share(count: int, whole: int) -> str:
    """``{{ n|share:total }}`` -> "45,6%"."""
    return stats.vn_percent(int(count or 0), int(whole or 0))


@register.filter
def count_of(counts: Mapping[str, int], code: str) -> int:
    return int(counts.get(code, 0))


@register.filter
def name_of(names: Mapping[str, str], code: str) -> str:
    return str(names.get(code, code))


@register.filter
def value_of(values: Mapping[str, Any], key: str) -> str:
    return str(values.get(key, "") or "")


@register.filter
def period_name(period: int) -> str:
    return _period_name(int(period))


@register.simple_tag(takes_context=True)
def grade_report_url(context: Mapping[str, Any], student: Any) -> str:
    """The student's report URL when the user may read his grades, else ""."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not authz.check(user, Perm.GRADE_VIEW, student):
        return ""
    return reverse("gradebook:student_report", args=[student.pk])
