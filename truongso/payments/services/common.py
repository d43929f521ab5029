"""Checks shared by the payments services: who may manage a school's money, what an amount
may be. Bad input raises ``ValidationError`` naming the field, before anything is written."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _

from truongso.core import authz
from truongso.core.authz import Perm
from truongso.registry.models import OrgUnit, Student

# Ten billion đồng: far above any school fee or transfer; larger values are typing mistakes.
MAX_AMOUNT = 10_000_000_000


def require_manage(actor: Any, school: OrgUnit | None) -> OrgUnit:
    """The school, if ``actor`` may manage its fees and payments; else PermissionDenied."""
    if school is None or not school.is_school:
        raise PermissionDenied(_("Fees and payments are managed by a school."))
    if not authz.can(actor, Perm.PAYMENT_MANAGE, school.path):
        raise PermissionDenied(_("You cannot manage the fees and payments of this school."))
    return school


def dong(amount: int) -> str:
    """``1500000`` → ``"1.500.000"``: thousands separated by dots, as Vietnamese write them."""
    return f"{amount:,}".replace(",", ".")


def amount_check(value: Any, *, field: str = "amount", allow_zero: bool = False) -> int:
    """An integer number of đồng, positive (or zero when allowed) and not absurd."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValidationError({field: _("The amount must be a whole number of đồng.")})
    if value < 0 or (value == 0 and not allow_zero):
        raise ValidationError({field: _("The amount must be greater than zero.")})
    if value > MAX_AMOUNT:
        raise ValidationError(
            {field: _("The amount %(amount)s đồng is too large.") % {"amount": dong(value)}}
        )
    return int(value)


def text_check(value: Any, *, field: str, max_length: int, required: bool = True) -> str:
    text = " ".join(str(value or "").split())
    if required and not text:
        raise ValidationError({field: _("This field is required.")})
    if len(text) > max_length:
        raise ValidationError({field: _("At most %(n)s characters, please.") % {"n": max_length}})
    return text


def school_of(student: Student) -> OrgUnit:
    if student.school is None:
        raise ValidationError({"student": _("The student is not at a school now.")})
    return student.school
