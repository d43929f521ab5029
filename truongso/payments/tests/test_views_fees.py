"""Fee items, reductions (with an uploaded decision) and invoice runs from the pages."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from truongso.payments.models import FeeItem, FeeReduction, Invoice, InvoiceRun, JobStatus
from truongso.payments.tests.ui_world import bank_account
from truongso.testing.live import client_login

pytestmark = pytest.mark.django_db

FEES = reverse("payments:fee_item_list")
NEW_FEE = reverse("payments:fee_item_create")
TUITION = {"code": "HP", "name": "Học phí", "kind": "tuition", "period": "month", "amount": 300000}


def test_accountant_adds_and_edits_a_fee_item(client: Any, world: Any) -> None:
    client_login(client, world.accountant)
    response = client.post(NEW_FEE, TUITION)
    assert response.status_code == 302
    item = FeeItem.objects.get()
    assert (item.school, item.school_year, item.code, item.amount) == (
        world.school_a,
        world.year,
        "HP",
        300_000,
    )
    assert "Học phí" in client.get(FEES).content.decode()
    edit = reverse("payments:fee_item_edit", args=[item.pk])
    changed = {**TUITION, "code": "XX", "amount": 320000}
    assert client.post(edit, changed).status_code == 302
    item.refresh_from_db()
    assert (item.code, item.amount) == ("HP", 320_000)  # the code cannot change


def test_fee_item_with_bad_amount_is_refused(client: Any, world: Any) -> None:
    client_login(client, world.accountant)
    response = client.post(NEW_FEE, {**TUITION, "amount": -5})
    assert response.status_code == 400
    assert response.context["form"].errors["amount"]
    response = client.post(NEW_FEE, {**TUITION, "amount": "abc"})
    assert response.status_code == 400
    assert not FeeItem.objects.exists()


def test_duplicate_code_is_shown_at_the_field(client: Any, world: Any) -> None:
    client_login(client, world.accountant)
    client.post(NEW_FEE, TUITION)
    response = client.post(NEW_FEE, {**TUITION, "name": "Khác"})
    assert response.status_code == 400
    assert FeeItem.objects.count() == 1


def test_fee_pages_are_for_the_accountant_only(client: Any, world: Any) -> None:
    for user in (world.principal, world.parent, world.teacher, world.department):
        client_login(client, user)
        assert client.get(FEES).status_code == 403
        assert client.post(NEW_FEE, TUITION).status_code == 403
    assert not FeeItem.objects.exists()


def test_other_schools_fee_item_is_not_found(client: Any, world: Any) -> None:
    client_login(client, world.accountant)
    client.post(NEW_FEE, TUITION)
    item = FeeItem.objects.get()
    client_login(client, world.principal_c)
    assert client.get(reverse("payments:fee_item_edit", args=[item.pk])).status_code == 404
    assert client.get(FEES, {"school": world.school_a.code}).status_code == 404


def test_reduction_with_document(client: Any, world: Any) -> None:
    client_login(client, world.accountant)
    document = SimpleUploadedFile("qd-123.pdf", b"%PDF-1.4 quyet dinh", "application/pdf")
    response = client.post(
        reverse("payments:reduction_create"),
        {
            "student": world.students["binh"].pk,
            "kind": "percent",
            "percent": 50,
            "reason": "Con hộ nghèo (Nghị định 238/2025/NĐ-CP)",
            "decision_ref": "123/QĐ-UBND",
            "valid_from": "2025-09-05",
            "document": document,
        },
    )
    assert response.status_code == 302
    reduction = FeeReduction.objects.get()
    assert (reduction.student, reduction.percent, reduction.decision_ref) == (
        world.students["binh"],
        50,
        "123/QĐ-UBND",
    )
    assert reduction.document.name.endswith(".pdf")
    page = client.get(reverse("payments:reduction_list")).content.decode()
    assert "Đỗ Thị Bình" in page and "123/QĐ-UBND" in page


def test_reduction_refuses_a_wrong_document_and_missing_percent(client: Any, world: Any) -> None:
    client_login(client, world.accountant)
    document = SimpleUploadedFile("virus.exe", b"MZ", "application/octet-stream")
    response = client.post(
        reverse("payments:reduction_create"),
        {
            "student": world.students["binh"].pk,
            "kind": "percent",
            "reason": "Hộ nghèo",
            "valid_from": "2025-09-05",
            "document": document,
        },
    )
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert "document" in errors and "percent" in errors
    assert not FeeReduction.objects.exists()


def test_reduction_for_another_schools_student_is_refused(client: Any, world: Any) -> None:
    client_login(client, world.accountant)
    response = client.post(
        reverse("payments:reduction_create"),
        {
            "student": world.students["dung"].pk,
            "kind": "exempt",
            "reason": "Hộ nghèo",
            "valid_from": "2025-09-05",
        },
    )
    assert response.status_code == 400
    assert not FeeReduction.objects.exists()


def test_invoice_run_bills_a_class_and_shows_progress(
    client: Any, world: Any, django_capture_on_commit_callbacks: Any
) -> None:
    bank_account(world.school_a)
    client_login(client, world.accountant)
    client.post(NEW_FEE, TUITION)
    item = FeeItem.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("payments:run_list"),
            {
                "period_key": "2025-10",
                "period_label": "Tháng 10/2025",
                "due_date": "2025-10-15",
                "school_class": world.class_6a1.pk,
                "fee_items": [item.pk],
            },
        )
    run = InvoiceRun.objects.get()
    assert response["Location"] == reverse("payments:run_detail", args=[run.pk])
    assert run.status == JobStatus.DONE  # tasks run eagerly in tests
    names = set(Invoice.objects.values_list("student__full_name", flat=True))
    assert names == {"Nguyễn Văn An", "Đỗ Thị Bình"}
    page = client.get(reverse("payments:run_detail", args=[run.pk]))
    assert page.context["percent"] == 100
    assert 'hx-trigger="every 1s"' not in page.content.decode()  # finished: no more polling
    fragment = client.get(
        reverse("payments:run_detail", args=[run.pk]), headers={"HX-Request": "true"}
    ).content.decode()
    assert "<html" not in fragment and 'id="run-progress"' in fragment


def test_running_run_polls(client: Any, world: Any) -> None:
    run = InvoiceRun.objects.create(
        school=world.school_a,
        school_year=world.year,
        period_key="HK1",
        period_label="Học kì I",
        due_date="2025-10-15",
        status=JobStatus.RUNNING,
        total=40,
        done=10,
    )
    client_login(client, world.accountant)
    page = client.get(reverse("payments:run_detail", args=[run.pk]))
    assert page.context["percent"] == 25
    assert 'hx-trigger="every 1s"' in page.content.decode()
    client_login(client, world.principal_c)
    assert client.get(reverse("payments:run_detail", args=[run.pk])).status_code == 404


def test_invoice_run_with_bad_period_key_is_refused(client: Any, world: Any) -> None:
    client_login(client, world.accountant)
    client.post(NEW_FEE, TUITION)
    response = client.post(
        reverse("payments:run_list"),
        {
            "period_key": "tháng 10",
            "period_label": "Tháng 10/2025",
            "due_date": "2025-10-15",
            "fee_items": [FeeItem.objects.get().pk],
        },
    )
    assert response.status_code == 400
    assert "period_key" in response.context["form"].errors
    assert not InvoiceRun.objects.exists()
