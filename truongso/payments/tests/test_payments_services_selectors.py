"""Who sees which invoices, payments and credit (scope rules + selectors)."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from truongso.core import authz
from truongso.core.authz import SYSTEM, Perm
from truongso.payments.models import Credit, FeeItem, Invoice, LedgerEntry, Payment
from truongso.payments.selectors import (
    fee_items_for,
    invoices_for,
    open_invoices_of_family,
    payments_for,
    student_credit,
    unmatched_payments,
)
from truongso.payments.services import payment_allocate, payment_to_credit
from truongso.payments.tests.ledger_factories import bill, receive, tuition
from truongso.registry.services import students as student_services


@pytest.fixture
def books(world: Any) -> dict[str, Any]:
    s = world.students
    invoices = {name: bill(world, s[name], 100_000 * (n + 1)) for n, name in enumerate(s)}
    paid_an = receive(world.school_a, 100_000)
    payment_allocate(
        actor=SYSTEM, payment=paid_an, invoice=invoices["an"], amount=100_000, how="auto"
    )
    stray = receive(world.school_a, 70_000)
    payment_c = receive(world.school_c, 400_000)
    return {"invoices": invoices, "paid_an": paid_an, "stray": stray, "payment_c": payment_c}


def _names(rows: Any) -> set[str]:
    return {invoice.student.full_name for invoice in rows}


SCHOOL_A = {"Nguyễn Văn An", "Đỗ Thị Bình", "Hoàng Thị Chi"}


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        ("accountant", SCHOOL_A),
        ("principal", SCHOOL_A),
        ("vice", SCHOOL_A),
        ("principal_c", {"Vũ Tiến Dũng"}),
        ("parent", {"Nguyễn Văn An"}),
        ("student", {"Nguyễn Văn An"}),
        ("teacher", set()),
        ("homeroom", set()),
        ("clerk", set()),
        ("bureau", set()),  # officers: aggregates only
        ("nobody", set()),
    ],
)
def test_who_sees_which_invoices(world: Any, books: Any, who: str, expected: set[str]) -> None:
    assert _names(invoices_for(getattr(world, who))) == expected


def test_officers_reach_their_subtree_for_statistics(world: Any, books: Any) -> None:
    stats = Perm.PAYMENT_STATS
    assert _names(invoices_for(world.bureau, perm=stats)) == SCHOOL_A
    assert _names(invoices_for(world.other_bureau, perm=stats)) == {"Vũ Tiến Dũng"}
    assert len(invoices_for(world.department, perm=stats)) == 4
    assert _names(invoices_for(world.parent, perm=stats)) == set()


def test_invoice_filters_and_search(world: Any, books: Any) -> None:
    user = world.accountant
    assert _names(invoices_for(user, status="paid")) == {"Nguyễn Văn An"}
    assert _names(invoices_for(user, status="unpaid")) == {"Đỗ Thị Bình", "Hoàng Thị Chi"}
    assert _names(invoices_for(user, search="hoang thi")) == {"Hoàng Thị Chi"}
    code = books["invoices"]["binh"].code
    assert _names(invoices_for(user, search=code.lower()[:6])) >= {"Đỗ Thị Bình"}
    assert _names(invoices_for(user, school_class=world.class_6a2)) == {"Hoàng Thị Chi"}


def test_invoice_list_queries_do_not_grow_with_rows(world: Any, books: Any) -> None:
    user = world.accountant
    authz.grants(user)  # loaded once per request
    with CaptureQueriesContext(connection) as few:
        [(i.student.full_name, i.school_class and i.school_class.name) for i in invoices_for(user)]
    for n in range(5):
        bill(world, world.students["binh"], 1_000 + n)
    with CaptureQueriesContext(connection) as many:
        rows = [
            (i.student.full_name, i.school_class and i.school_class.name)
            for i in invoices_for(user)
        ]
    assert len(rows) == 8
    assert len(few) == len(many) == 1


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        ("accountant", {100_000, 70_000}),
        ("principal_c", {400_000}),
        ("parent", {100_000}),  # paid an's invoice
        ("student", {100_000}),
        ("teacher", set()),
    ],
)
def test_who_sees_which_payments(world: Any, books: Any, who: str, expected: set[int]) -> None:
    assert {p.amount for p in payments_for(getattr(world, who))} == expected


def test_the_unmatched_queue_is_for_the_accountant(world: Any, books: Any) -> None:
    assert list(unmatched_payments(world.accountant)) == [books["stray"]]
    assert list(unmatched_payments(world.principal)) == []


def test_family_sees_a_payment_naming_the_child(world: Any, books: Any) -> None:
    Payment.objects.filter(pk=books["stray"].pk).update(student=world.students["an"])
    assert {p.amount for p in payments_for(world.parent)} == {100_000, 70_000}


def test_ledger_rows_are_for_the_school_only(world: Any, books: Any) -> None:
    rows = authz.scope(world.parent, Perm.PAYMENT_VIEW, LedgerEntry.objects.all())
    assert rows.count() == 0
    assert authz.scope(world.principal, Perm.PAYMENT_VIEW, LedgerEntry.objects.all()).count() > 0


def test_fee_items_of_the_childs_school(world: Any) -> None:
    tuition(world)
    tuition(world, school=world.school_c)
    assert [i.school for i in fee_items_for(world.parent, school=world.school_a)] == [
        world.school_a
    ]
    assert list(fee_items_for(world.parent, school=world.school_c)) == []
    assert authz.scope(world.student, Perm.PAYMENT_VIEW, FeeItem.objects.all()).count() == 1


def test_student_credit_and_its_visibility(world: Any, books: Any) -> None:
    an = world.students["an"]
    payment_to_credit(actor=SYSTEM, payment=books["stray"], amount=70_000, student=an)
    assert student_credit(an) == 70_000
    assert student_credit(an, school=world.school_c) == 0
    assert authz.scope(world.parent, Perm.PAYMENT_VIEW, Credit.objects.all()).count() == 1
    assert authz.scope(world.principal_c, Perm.PAYMENT_VIEW, Credit.objects.all()).count() == 0


def test_open_invoices_of_the_family_include_siblings_by_due_date(world: Any, books: Any) -> None:
    an, chi = world.students["an"], world.students["chi"]
    assert list(open_invoices_of_family(an)) == []  # an's only invoice is paid
    student_services.guardian_link(
        actor=SYSTEM, student=chi, relation="father", is_primary=True,
        data={"full_name": "Nguyễn Văn Cha", "phone": "0912345678"},
    )  # fmt: skip
    assert list(open_invoices_of_family(an)) == [books["invoices"]["chi"]]
    assert list(open_invoices_of_family(chi)) == [books["invoices"]["chi"]]
    assert Invoice.objects.filter(student=an).count() == 1
