from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from truongso.core.authz import SYSTEM
from truongso.core.models import AuditEntry
from truongso.payments.models import FeeItem, Invoice, InvoiceRun
from truongso.payments.services import (
    fee_item_create,
    fee_item_update,
    fee_reduction_create,
    invoice_run_execute,
    invoice_run_resume,
    invoice_run_start,
    ledger_check,
    runs,
)
from truongso.registry.services import classes, students

DUE = dt.date(2025, 10, 10)


def _fee(world: Any, code: str, amount: int, **kw: Any) -> FeeItem:
    return fee_item_create(
        actor=SYSTEM, school=world.school_a, school_year=world.year, code=code,
        name=f"Khoản {code}", kind=kw.pop("kind", "tuition"), period="month", amount=amount, **kw,
    )  # fmt: skip


@pytest.fixture
def fees(world: Any) -> list[FeeItem]:
    class_7a = classes.class_create(
        actor=SYSTEM, school=world.school_a, school_year=world.year, grade=7, name="7A"
    )
    for n, name in enumerate(["Lê Thị Duyên", "Phan Văn Em"], start=1):
        students.student_admit(
            actor=SYSTEM, school_class=class_7a, admitted_on=dt.date(2025, 9, 5),
            data={"learner_id": f"340700010{n}", "full_name": name, "birth_date": "01/02/2013",
                  "gender": "F", "ethnicity": "01"},
        )  # fmt: skip
    return [
        _fee(world, "HP", 500_000),
        _fee(world, "BT6", 100_000, kind="service", grade=6),
        _fee(world, "QL", 50_000, kind="agreed", school_class=world.class_6a2),
    ]


def _start(world: Any, fees: list[FeeItem], actor: Any = None, **kw: Any) -> InvoiceRun:
    data: dict[str, Any] = {
        "school": world.school_a, "school_year": world.year, "period_key": "2025-10",
        "period_label": "Tháng 10/2025", "due_date": DUE, "fee_items": fees,
    }  # fmt: skip
    data.update(kw)
    return invoice_run_start(actor=actor or world.accountant, **data)


def _billed() -> dict[str, int]:
    return dict(Invoice.objects.values_list("student__full_name", "total"))


def test_a_run_bills_every_student_with_the_items_of_their_class(
    world: Any, fees: list[FeeItem], django_capture_on_commit_callbacks: Any
) -> None:
    fee_reduction_create(
        actor=SYSTEM, student=world.students["an"], school_year=world.year, kind="percent",
        percent=50, reason="Hộ nghèo", valid_from=dt.date(2025, 9, 1),
    )  # fmt: skip
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        run = _start(world, fees)
    assert len(callbacks) == 1
    run.refresh_from_db()
    assert (run.status, run.total, run.done, run.created_count) == ("done", 5, 5, 5)
    assert run.finished_at is not None
    assert _billed() == {
        "Nguyễn Văn An": 350_000,
        "Đỗ Thị Bình": 600_000,
        "Hoàng Thị Chi": 650_000,
        "Lê Thị Duyên": 500_000,
        "Phan Văn Em": 500_000,
    }
    chi = Invoice.objects.get(student=world.students["chi"])
    assert (chi.period_key, chi.run, chi.reason) == (
        "2025-10",
        run,
        "Tháng 10/2025 - Hoàng Thị Chi",
    )
    assert AuditEntry.objects.filter(action="payments.invoice.create", actor=None).count() == 5
    assert AuditEntry.objects.get(action="payments.invoice_run.start").after["fee_items"] == [
        "BT6", "HP", "QL",
    ]  # fmt: skip
    assert ledger_check() == []


def test_a_run_is_idempotent(
    world: Any, fees: list[FeeItem], django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        first = _start(world, fees)
    assert invoice_run_execute(run_id=first.pk) is False  # delivered again: finished already
    with django_capture_on_commit_callbacks(execute=True):
        second = _start(world, fees)  # the same period started twice
    second.refresh_from_db()
    assert (second.status, second.done, second.created_count) == ("done", 5, 0)
    assert Invoice.objects.count() == 5


def test_a_class_run_bills_only_the_class(
    world: Any, fees: list[FeeItem], django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        run = _start(world, fees, school_class=world.class_6a2)
    assert (run.grade, run.total) == (6, 1)
    assert _billed() == {"Hoàng Thị Chi": 650_000}
    with django_capture_on_commit_callbacks(execute=True):
        _start(world, fees, grade=7, period_key="2025-11")
    assert Invoice.objects.filter(period_key="2025-11").count() == 2


def test_a_run_killed_half_way_resumes_without_billing_twice(
    world: Any, fees: list[FeeItem], django_capture_on_commit_callbacks: Any, monkeypatch: Any
) -> None:
    monkeypatch.setattr(runs, "BATCH", 2)
    real_save = runs.invoices_save
    calls = {"n": 0}

    def dying_save(**kw: Any) -> list[Invoice]:
        calls["n"] += 1
        if calls["n"] == 2:
            raise RuntimeError("worker lost")
        return real_save(**kw)

    monkeypatch.setattr(runs, "invoices_save", dying_save)
    with django_capture_on_commit_callbacks(execute=True):
        run = _start(world, fees)
    run.refresh_from_db()
    # The first batch (2 students) was committed; the second died and was rolled back.
    assert (run.status, run.done, run.created_count, run.error) == ("failed", 2, 2, "worker lost")
    assert Invoice.objects.count() == 2
    with django_capture_on_commit_callbacks(execute=True):
        invoice_run_resume(actor=world.accountant, run=run)
    run.refresh_from_db()
    assert (run.status, run.done, run.created_count, run.error) == ("done", 5, 5, "")
    assert Invoice.objects.count() == 5
    assert AuditEntry.objects.filter(action="payments.invoice_run.resume").count() == 1
    assert ledger_check() == []


def test_a_run_held_by_a_live_worker_is_not_taken_over(world: Any, fees: list[FeeItem]) -> None:
    run = _start(world, fees)  # no on_commit: the task has not run
    InvoiceRun.objects.filter(pk=run.pk).update(status="running", heartbeat_at=timezone.now())
    assert invoice_run_execute(run_id=run.pk) is False
    with pytest.raises(ValidationError):
        invoice_run_resume(actor=world.accountant, run=run)
    stale = timezone.now() - runs.STALE_AFTER - dt.timedelta(seconds=1)
    InvoiceRun.objects.filter(pk=run.pk).update(heartbeat_at=stale)
    assert invoice_run_execute(run_id=run.pk) is True
    assert Invoice.objects.count() == 5


def test_only_the_accountant_starts_runs(world: Any, fees: list[FeeItem]) -> None:
    for who in ("principal", "vice", "bureau", "parent", "principal_c"):
        with pytest.raises(PermissionDenied):
            _start(world, fees, actor=getattr(world, who))
    run = _start(world, fees)
    with pytest.raises(PermissionDenied):
        invoice_run_resume(actor=world.principal, run=run)
    assert InvoiceRun.objects.count() == 1


def test_bad_runs_are_refused(world: Any, fees: list[FeeItem]) -> None:
    other = fee_item_create(
        actor=SYSTEM, school=world.school_c, school_year=world.year, code="HP",
        name="Học phí", kind="tuition", period="month", amount=1,
    )  # fmt: skip
    fee_item_update(actor=SYSTEM, fee_item=fees[2], is_active=False)
    cases: list[tuple[dict[str, Any], str]] = [
        ({"period_key": "tháng 10"}, "period_key"),
        ({"period_key": ""}, "period_key"),
        ({"fee_items": []}, "fee_items"),
        ({"fee_items": [other]}, "fee_items"),
        ({"fee_items": [fees[2]]}, "fee_items"),
        ({"school_class": world.class_c}, "school_class"),
        ({"period_label": ""}, "period_label"),
    ]
    for changes, field in cases:
        with pytest.raises(ValidationError) as caught:
            _start(world, fees[:2], **changes)
        assert field in caught.value.message_dict
    assert InvoiceRun.objects.count() == 0


def test_a_batch_costs_the_same_queries_for_one_student_or_five(
    world: Any, fees: list[FeeItem]
) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    one = _start(world, fees, school_class=world.class_6a2)
    with CaptureQueriesContext(connection) as for_one:
        invoice_run_execute(run_id=one.pk)
    five = _start(world, fees, period_key="2025-11")
    with CaptureQueriesContext(connection) as for_five:
        invoice_run_execute(run_id=five.pk)
    assert Invoice.objects.filter(period_key="2025-11").count() == 5
    assert len(for_one) == len(for_five)
    assert ledger_check() == []


def test_a_batch_refused_by_the_unique_index_is_read_again(
    world: Any, fees: list[FeeItem], monkeypatch: Any
) -> None:
    from django.db import IntegrityError

    real_batch = runs._bill_batch
    calls = {"n": 0}

    def racing_batch(run: InvoiceRun, items: Any, batch: Any) -> int:
        calls["n"] += 1
        if calls["n"] == 1:  # another worker billed the same students meanwhile
            raise IntegrityError("invoice_one_per_student_period")
        return real_batch(run, items, batch)

    monkeypatch.setattr(runs, "_bill_batch", racing_batch)
    run = _start(world, fees)
    assert invoice_run_execute(run_id=run.pk) is True
    assert (calls["n"], Invoice.objects.count()) == (2, 5)
