from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from truongso.core.authz import SYSTEM
from truongso.core.models import AuditEntry
from truongso.payments.models import FeeItem, FeeReduction
from truongso.payments.services import fee_item_create, fee_item_update, fee_reduction_create
from truongso.payments.services.common import MAX_AMOUNT


def _item(world: Any, actor: Any = SYSTEM, **kw: Any) -> FeeItem:
    data: dict[str, Any] = {
        "school": world.school_a,
        "school_year": world.year,
        "code": "hp 01",
        "name": "  Học phí   tháng ",
        "kind": "tuition",
        "period": "month",
        "amount": 400_000,
    }
    data.update(kw)
    return fee_item_create(actor=actor, **data)


def test_accountant_creates_a_fee_item_cleaned_and_audited(world: Any) -> None:
    item = _item(world, world.accountant)
    assert (item.code, item.name, item.amount, item.grade, item.is_active) == (
        "HP01",
        "Học phí tháng",
        400_000,
        None,
        True,
    )
    entry = AuditEntry.objects.get(action="payments.fee_item.create")
    assert entry.actor == world.accountant
    assert entry.org_path == world.school_a.path
    assert entry.after["amount"] == 400_000


def test_a_class_fee_takes_the_class_grade(world: Any) -> None:
    item = _item(world, code="BT", kind="service", school_class=world.class_6a2)
    assert (item.grade, item.school_class) == (6, world.class_6a2)


@pytest.mark.parametrize("who", ["principal", "vice", "clerk", "teacher", "parent", "bureau"])
def test_only_the_accountant_sets_up_fees(world: Any, who: str) -> None:
    with pytest.raises(PermissionDenied):
        _item(world, getattr(world, who))
    assert FeeItem.objects.count() == 0
    assert not AuditEntry.objects.filter(action__startswith="payments.").exists()


def test_an_accountant_of_school_a_cannot_set_up_school_c(world: Any) -> None:
    with pytest.raises(PermissionDenied):
        _item(world, world.accountant, school=world.school_c)
    with pytest.raises(PermissionDenied):  # a Phòng is not a school
        _item(world, SYSTEM, school=world.bureau_unit)
    assert FeeItem.objects.count() == 0


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"amount": 0}, "amount"),
        ({"amount": -5}, "amount"),
        ({"amount": MAX_AMOUNT + 1}, "amount"),
        ({"amount": 1.5}, "amount"),
        ({"amount": True}, "amount"),
        ({"kind": "bribe"}, "kind"),
        ({"period": "daily"}, "period"),
        ({"grade": 3}, "grade"),
        ({"code": "   "}, "code"),
        ({"name": "x" * 201}, "name"),
    ],
)
def test_bad_fee_items_are_refused_naming_the_field(
    world: Any, changes: dict[str, Any], field: str
) -> None:
    with pytest.raises(ValidationError) as caught:
        _item(world, **changes)
    assert field in caught.value.message_dict
    assert FeeItem.objects.count() == 0


def test_a_class_of_another_school_or_grade_is_refused(world: Any) -> None:
    with pytest.raises(ValidationError) as caught:
        _item(world, school_class=world.class_c)
    assert "school_class" in caught.value.message_dict
    with pytest.raises(ValidationError) as caught:
        _item(world, school_class=world.class_6a1, grade=7)
    assert "grade" in caught.value.message_dict


def test_a_code_is_used_once_a_year(world: Any) -> None:
    _item(world)
    with pytest.raises(ValidationError) as caught:
        _item(world, code="HP01", name="Khác")
    assert caught.value.message_dict["code"] == [
        "Mã khoản thu HP01 đã được dùng trong năm học này."
    ]
    assert FeeItem.objects.count() == 1


def test_update_changes_amount_and_audits_only_what_changed(world: Any) -> None:
    item = _item(world)
    fee_item_update(actor=world.accountant, fee_item=item, amount=450_000, name="Học phí tháng")
    item.refresh_from_db()
    assert item.amount == 450_000
    entry = AuditEntry.objects.get(action="payments.fee_item.update")
    assert (entry.before, entry.after) == ({"amount": 400_000}, {"amount": 450_000})


def test_update_denied_changes_nothing(world: Any) -> None:
    item = _item(world)
    with pytest.raises(PermissionDenied):
        fee_item_update(actor=world.principal, fee_item=item, amount=1)
    with pytest.raises(ValidationError):
        fee_item_update(actor=world.accountant, fee_item=item, amount=-1)
    item.refresh_from_db()
    assert item.amount == 400_000
    assert not AuditEntry.objects.filter(action="payments.fee_item.update").exists()


def _reduce(world: Any, actor: Any = SYSTEM, **kw: Any) -> FeeReduction:
    data: dict[str, Any] = {
        "student": world.students["an"],
        "school_year": world.year,
        "kind": "percent",
        "percent": 50,
        "reason": "Con hộ cận nghèo",
        "decision_ref": "QĐ 12/QĐ-THCS",
        "valid_from": dt.date(2025, 9, 1),
    }
    data.update(kw)
    return fee_reduction_create(actor=actor, **data)


def test_reductions_of_each_kind(world: Any) -> None:
    exempt = _reduce(world, world.accountant, kind="exempt", percent=0)
    half = _reduce(world, percent=50)
    fixed = _reduce(world, kind="amount", amount=100_000, percent=70)
    assert [(r.kind, r.percent, r.amount) for r in (exempt, half, fixed)] == [
        ("exempt", 100, 0),
        ("percent", 50, 0),
        ("amount", 0, 100_000),
    ]
    assert AuditEntry.objects.filter(action="payments.reduction.create").count() == 3


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"percent": 0}, "percent"),
        ({"percent": 101}, "percent"),
        ({"kind": "amount", "amount": 0}, "amount"),
        ({"kind": "whatever"}, "kind"),
        ({"reason": ""}, "reason"),
        ({"valid_to": dt.date(2025, 8, 1)}, "valid_to"),
    ],
)
def test_bad_reductions_are_refused(world: Any, changes: dict[str, Any], field: str) -> None:
    with pytest.raises(ValidationError) as caught:
        _reduce(world, **changes)
    assert field in caught.value.message_dict
    assert FeeReduction.objects.count() == 0


def test_reduction_on_another_schools_fee_or_by_others_is_refused(world: Any) -> None:
    item_c = _item(world, school=world.school_c)
    with pytest.raises(ValidationError):
        _reduce(world, fee_item=item_c)
    with pytest.raises(PermissionDenied):
        _reduce(world, world.principal)
    with pytest.raises(PermissionDenied):
        _reduce(world, world.accountant, student=world.students["dung"])
    assert FeeReduction.objects.count() == 0
