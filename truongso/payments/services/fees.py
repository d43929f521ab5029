"""Fee items (khoản thu) and a student's exemptions and reductions (miễn, giảm học phí)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import transaction
from django.utils.translation import gettext as _

from truongso.core.audit import audit_record, audit_update, snapshot
from truongso.payments.models import (
    BillingPeriod,
    FeeItem,
    FeeKind,
    FeeReduction,
    ReductionKind,
)
from truongso.payments.services.common import (
    amount_check,
    require_manage,
    school_of,
    text_check,
)
from truongso.registry.models import OrgUnit, SchoolClass, SchoolYear, Student


def _choice(value: str, choices: Any, field: str) -> str:
    if value not in choices.values:
        raise ValidationError({field: _("Unknown value “%(v)s”.") % {"v": value}})
    return value


def _fee_scope(
    school: OrgUnit, year: SchoolYear, grade: int | None, school_class: SchoolClass | None
) -> int | None:
    if school_class is not None:
        if school_class.school_id != school.pk or school_class.school_year_id != year.pk:
            raise ValidationError(
                {"school_class": _("The class must be of this school and school year.")}
            )
        if grade is not None and grade != school_class.grade:
            raise ValidationError({"grade": _("The grade differs from the class's grade.")})
        return school_class.grade
    if grade is not None and grade not in school.grades:
        raise ValidationError(
            {"grade": _("This school does not teach grade %(g)s.") % {"g": grade}}
        )
    return grade


def fee_item_create(
    *,
    actor: Any,
    school: OrgUnit,
    school_year: SchoolYear,
    code: str,
    name: str,
    kind: str,
    period: str,
    amount: int,
    grade: int | None = None,
    school_class: SchoolClass | None = None,
) -> FeeItem:
    require_manage(actor, school)
    code = text_check(code, field="code", max_length=20).upper().replace(" ", "")
    name = text_check(name, field="name", max_length=200)
    _choice(kind, FeeKind, "kind")
    _choice(period, BillingPeriod, "period")
    amount_check(amount)
    grade = _fee_scope(school, school_year, grade, school_class)
    with transaction.atomic():
        if FeeItem.objects.filter(school=school, school_year=school_year, code=code).exists():
            raise ValidationError(
                {"code": _("The fee code %(c)s is already used this year.") % {"c": code}}
            )
        item = FeeItem.objects.create(
            school=school,
            school_year=school_year,
            code=code,
            name=name,
            kind=kind,
            period=period,
            amount=amount,
            grade=grade,
            school_class=school_class,
        )
        audit_record(
            actor=actor,
            action="payments.fee_item.create",
            obj=item,
            org_path=school.path,
            after=snapshot(item),
        )
    return item


def fee_item_update(
    *,
    actor: Any,
    fee_item: FeeItem,
    name: str | None = None,
    kind: str | None = None,
    period: str | None = None,
    amount: int | None = None,
    is_active: bool | None = None,
) -> FeeItem:
    """Change a fee item; invoices already issued keep their amounts (lines copy them).

    Code, school, year and scope stay: they identify the item on issued invoices.
    """
    school = require_manage(actor, fee_item.school)
    changes: dict[str, Any] = {}
    if name is not None:
        changes["name"] = text_check(name, field="name", max_length=200)
    if kind is not None:
        changes["kind"] = _choice(kind, FeeKind, "kind")
    if period is not None:
        changes["period"] = _choice(period, BillingPeriod, "period")
    if amount is not None:
        changes["amount"] = amount_check(amount)
    if is_active is not None:
        changes["is_active"] = bool(is_active)
    with transaction.atomic():
        item = FeeItem.objects.select_for_update().get(pk=fee_item.pk)
        before = snapshot(item, changes.keys())
        for field, value in changes.items():
            setattr(item, field, value)
        item.save(update_fields=[*changes, "updated_at"])
        audit_update(
            actor=actor,
            obj=item,
            before=before,
            action="payments.fee_item.update",
            org_path=school.path,
        )
    return item


def _reduction_terms(kind: str, percent: int, amount: int) -> tuple[int, int]:
    _choice(kind, ReductionKind, "kind")
    if kind == ReductionKind.EXEMPT:
        return 100, 0
    if kind == ReductionKind.PERCENT:
        if isinstance(percent, bool) or not isinstance(percent, int) or not 1 <= percent <= 100:
            raise ValidationError({"percent": _("The percentage must be between 1 and 100.")})
        return percent, 0
    return 0, amount_check(amount)


def fee_reduction_create(
    *,
    actor: Any,
    student: Student,
    school_year: SchoolYear,
    kind: str,
    reason: str,
    valid_from: dt.date,
    fee_item: FeeItem | None = None,
    percent: int = 0,
    amount: int = 0,
    decision_ref: str = "",
    document: File[Any] | None = None,
    valid_to: dt.date | None = None,
) -> FeeReduction:
    """Record an exemption or reduction with its legal ground (Nghị định 238/2025/NĐ-CP).

    Empty ``fee_item``: every tuition item of the year. Applied to invoices issued later.
    """
    school = require_manage(actor, school_of(student))
    percent, amount = _reduction_terms(kind, percent, amount)
    reason = text_check(reason, field="reason", max_length=255)
    decision_ref = text_check(decision_ref, field="decision_ref", max_length=100, required=False)
    if fee_item is not None and (
        fee_item.school_id != school.pk or fee_item.school_year_id != school_year.pk
    ):
        raise ValidationError(
            {"fee_item": _("The fee item must be of the student's school and this year.")}
        )
    if valid_to is not None and valid_to < valid_from:
        raise ValidationError({"valid_to": _("The end date is before the start date.")})
    with transaction.atomic():
        reduction = FeeReduction(
            student=student,
            school_year=school_year,
            fee_item=fee_item,
            kind=kind,
            percent=percent,
            amount=amount,
            reason=reason,
            decision_ref=decision_ref,
            valid_from=valid_from,
            valid_to=valid_to,
            created_by=actor if getattr(actor, "pk", None) else None,
        )
        if document is not None:
            reduction.document.save(
                getattr(document, "name", "") or "quyet-dinh", document, save=False
            )
        reduction.save()
        audit_record(
            actor=actor,
            action="payments.reduction.create",
            obj=reduction,
            org_path=school.path,
            after=snapshot(reduction),
        )
    return reduction
