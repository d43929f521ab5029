"""Concurrent writers on PostgreSQL: threads with their own connections race for the same
invoice, payment, credit or bank transaction; the row locks (payment, then student, then
invoices) must let exactly the possible ones through and keep the books adding up.

SQLite has no row locks (``select_for_update`` does nothing and writers serialise on the
file), so these run on PostgreSQL only; CI runs the suite on PostgreSQL and the guard test
below fails there if they were skipped.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections
from django.utils import timezone

from truongso.core.authz import SYSTEM
from truongso.payments.models import Allocation, Payment
from truongso.payments.services import (
    credit_apply,
    ledger_check,
    payment_allocate,
    payment_receive,
    payment_to_credit,
)
from truongso.payments.tests.ledger_factories import bill, receive

ON_POSTGRES = connection.vendor == "postgresql"
IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}

postgres_only = pytest.mark.skipif(
    not ON_POSTGRES,
    reason="row locks need PostgreSQL: DATABASE_URL=postgres://postgres@127.0.0.1:5432/ts_x",
)
race_db = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def test_ci_runs_the_races_on_postgresql() -> None:
    if IN_CI:
        assert ON_POSTGRES, "CI must run the payments race tests on PostgreSQL"


def race(workers: int, work: Callable[[int], Any]) -> list[Any]:
    """Run ``work(0..workers-1)`` in threads released together; results or exceptions."""
    barrier = threading.Barrier(workers)
    results: list[Any] = [None] * workers

    def run(n: int) -> None:
        try:
            barrier.wait(timeout=30)
            results[n] = work(n)
        except Exception as exc:
            results[n] = exc
        finally:
            connections.close_all()  # this thread's own connection

    threads = [threading.Thread(target=run, args=(n,)) for n in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


def _outcomes(results: list[Any]) -> tuple[int, int]:
    unexpected = [
        r for r in results if isinstance(r, Exception) and not isinstance(r, ValidationError)
    ]
    assert unexpected == []
    return (
        sum(not isinstance(r, Exception) for r in results),
        sum(isinstance(r, ValidationError) for r in results),
    )


@postgres_only
@race_db
def test_two_payments_race_for_one_invoice(world: Any) -> None:
    invoice = bill(world, world.students["an"], 500_000)
    payments = [receive(world.school_a, 500_000) for _ in range(4)]
    results = race(
        4,
        lambda n: payment_allocate(
            actor=SYSTEM, payment=payments[n], invoice=invoice, amount=500_000, how="auto"
        ),
    )
    assert _outcomes(results) == (1, 3)
    invoice.refresh_from_db()
    assert (invoice.paid, invoice.status) == (500_000, "paid")
    assert Allocation.objects.count() == 1
    assert ledger_check() == []


@postgres_only
@race_db
def test_one_payment_races_across_invoices(world: Any) -> None:
    invoices = [bill(world, world.students[name], 200_000) for name in ("an", "binh", "chi")] * 2
    payment = receive(world.school_a, 500_000)
    results = race(
        6,
        lambda n: payment_allocate(
            actor=SYSTEM, payment=payment, invoice=invoices[n], amount=150_000, how="auto"
        ),
    )
    # 500,000 covers three parts of 150,000; every invoice takes at most its 200,000.
    assert _outcomes(results) == (3, 3)
    payment.refresh_from_db()
    assert (payment.allocated, payment.unassigned, payment.status) == (450_000, 50_000, "partial")
    assert ledger_check() == []


@postgres_only
@race_db
def test_a_students_credit_is_spent_once(world: Any) -> None:
    an = world.students["an"]
    payment_to_credit(
        actor=SYSTEM, payment=receive(world.school_a, 300_000), amount=300_000, student=an
    )
    invoices = [bill(world, an, 200_000) for _ in range(3)]
    results = race(
        3, lambda n: credit_apply(actor=SYSTEM, student=an, invoice=invoices[n], amount=200_000)
    )
    assert _outcomes(results) == (1, 2)
    assert ledger_check() == []


@postgres_only
@race_db
def test_one_bank_transaction_delivered_seven_times_at_once(world: Any) -> None:
    def deliver(_n: int) -> bool:
        _payment, created = payment_receive(
            actor=SYSTEM, school=world.school_a, method="bank_transfer", provider="sepay",
            provider_ref="92704", amount=500_000, paid_at=timezone.now(),
            memo="HP3K7QX9MT",
        )  # fmt: skip
        return created

    results = race(7, deliver)
    assert sorted(results) == [False] * 6 + [True]
    assert Payment.objects.count() == 1
    assert ledger_check() == []


def _runs(world: Any, count: int, monkeypatch: Any) -> list[Any]:
    """Runs recorded but not handed to the worker (outside a transaction, on_commit would
    run the eager task at once)."""
    from truongso.payments.services import fee_item_create, invoice_run_start, runs

    monkeypatch.setattr(runs, "_enqueue", lambda run_id: None)

    item = fee_item_create(
        actor=SYSTEM, school=world.school_a, school_year=world.year, code="HP",
        name="Học phí", kind="tuition", period="month", amount=500_000,
    )  # fmt: skip
    return [
        invoice_run_start(
            actor=SYSTEM,
            school=world.school_a,
            school_year=world.year,
            period_key="2025-10",
            period_label="Tháng 10/2025",
            due_date=world.year.start_date,
            fee_items=[item],
        )
        for _ in range(count)
    ]


@postgres_only
@race_db
def test_one_run_delivered_twice_at_once_is_claimed_once(world: Any, monkeypatch: Any) -> None:
    from truongso.payments.models import Invoice
    from truongso.payments.services import invoice_run_execute

    (run,) = _runs(world, 1, monkeypatch)
    results = race(2, lambda _n: invoice_run_execute(run_id=run.pk))
    assert sorted(results) == [False, True]
    assert Invoice.objects.count() == 3
    assert ledger_check() == []


@postgres_only
@race_db
def test_two_runs_of_the_same_period_at_once_bill_each_student_once(
    world: Any, monkeypatch: Any
) -> None:
    from truongso.payments.models import Invoice
    from truongso.payments.services import invoice_run_execute

    runs = _runs(world, 2, monkeypatch)  # the accountant clicked twice
    results = race(2, lambda n: invoice_run_execute(run_id=runs[n].pk))
    assert results == [True, True]
    assert sorted(Invoice.objects.values_list("student__full_name", flat=True)) == [
        "Hoàng Thị Chi", "Nguyễn Văn An", "Đỗ Thị Bình",
    ]  # fmt: skip
    for run in runs:
        run.refresh_from_db()
    assert sorted((r.status, r.done) for r in runs) == [("done", 3), ("done", 3)]
    assert sum(r.created_count for r in runs) == 3
    assert ledger_check() == []
