"""Reports: daily collection, debts per class (page and .xlsx) and the cashless-share chart."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from truongso.core.models import AuditEntry
from truongso.payments.tests.ui_world import bank_account, bill, billed, pay
from truongso.testing.live import client_login

pytestmark = pytest.mark.django_db

DAILY = reverse("payments:report_daily")
CASHLESS = reverse("payments:report_cashless")


def debts_url(world: Any, xlsx: bool = False) -> str:
    name = "payments:report_class_debts_xlsx" if xlsx else "payments:report_class_debts"
    return reverse(name, args=[world.class_6a1.pk])


def test_daily_collection_adds_up_by_method(client: Any, world: Any) -> None:
    b = billed(world)
    pay(b.an, 500_000)
    pay(b.binh, 200_000, ref="CASH-1", method="cash")
    client_login(client, world.accountant)
    report = client.get(DAILY).context["report"]
    assert report.total == 700_000
    assert report.cashless == 500_000
    assert [(r.method, r.count, r.amount) for r in report.by_method] == [
        ("bank_transfer", 1, 500_000),
        ("cash", 1, 200_000),
    ]
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    empty = client.get(DAILY, {"day": yesterday.isoformat()}).context["report"]
    assert empty.total == 0


def test_daily_collection_uses_the_local_day(client: Any, world: Any) -> None:
    b = billed(world)
    # 23:30 in Hà Nội on 1 October is 16:30 UTC: it belongs to 1 October, not the 2nd.
    late = dt.datetime(2025, 10, 1, 16, 30, tzinfo=dt.UTC)
    pay(b.an, 500_000, when=late)
    client_login(client, world.accountant)
    assert client.get(DAILY, {"day": "2025-10-01"}).context["report"].total == 500_000
    assert client.get(DAILY, {"day": "2025-10-02"}).context["report"].total == 0


def test_daily_collection_is_for_school_staff(client: Any, world: Any) -> None:
    client_login(client, world.department)
    assert client.get(DAILY).status_code == 403
    client_login(client, world.teacher)
    assert client.get(DAILY).status_code == 403


def test_debt_list_of_a_class(client: Any, world: Any) -> None:
    b = billed(world)
    pay(b.an, 200_000)
    client_login(client, world.accountant)
    response = client.get(debts_url(world))
    rows = response.context["rows"]
    assert [(r.student.full_name, r.paid, r.balance) for r in rows] == [
        ("Đỗ Thị Bình", 0, 500_000),
        ("Nguyễn Văn An", 200_000, 300_000),
    ]
    assert response.context["total"] == 800_000


def test_debt_list_queries_do_not_grow(client: Any, world: Any) -> None:
    b = billed(world)
    client_login(client, world.accountant)
    client.get(debts_url(world))
    with CaptureQueriesContext(connection) as few:
        client.get(debts_url(world))
    for number in range(6):
        bill(world, world.students["an"], 10_000, b.tuition, label=f"Đợt {number}")
    with CaptureQueriesContext(connection) as many:
        client.get(debts_url(world))
    assert len(many) == len(few)


def test_debt_list_xlsx(client: Any, world: Any) -> None:
    b = billed(world)
    pay(b.an, 200_000)
    client_login(client, world.accountant)
    response = client.get(debts_url(world, xlsx=True))
    assert response["Content-Disposition"] == 'attachment; filename="cong-no-6A1.xlsx"'
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert rows[0][0] == "Trường THCS An Bài"
    data = [row for row in rows if isinstance(row[0], int)]
    assert [(r[1], r[4], r[5], r[6]) for r in data] == [
        ("Đỗ Thị Bình", 500_000, 0, 500_000),
        ("Nguyễn Văn An", 500_000, 200_000, 300_000),
    ]
    assert b.an.code in data[1][3]
    assert AuditEntry.objects.filter(action="export", object_type="payments.debts").exists()


def test_debt_list_denied_outside_the_school(client: Any, world: Any) -> None:
    billed(world)
    for user in (world.principal_c, world.parent, world.department):
        client_login(client, user)
        assert client.get(debts_url(world)).status_code == 404
        assert client.get(debts_url(world, xlsx=True)).status_code == 404


def test_department_sees_the_cashless_share_by_school(client: Any, world: Any) -> None:
    b = billed(world)
    pay(b.an, 500_000)  # bank transfer
    pay(b.binh, 500_000, ref="CASH-1", method="cash")
    bank_account(world.school_c, "0021000000001")
    client_login(client, world.department)
    response = client.get(CASHLESS)
    assert response.status_code == 200
    shares = {s.school.name: (s.total, s.cashless) for s in response.context["shares"]}
    assert shares == {
        "Trường THCS An Bài": (1_000_000, 500_000),
        "Trường THCS Quỳnh Hải": (0, 0),
        "Trường THCS Đông Hợp": (0, 0),
    }
    body = response.content.decode()
    assert '<svg xmlns="http://www.w3.org/2000/svg"' in body
    assert 'data-value="50"' in body
    assert "NGUYEN VAN CHA" not in body and "Nguyễn Văn An" not in body


def test_cashless_chart_follows_the_officers_reach(client: Any, world: Any) -> None:
    client_login(client, world.other_bureau)
    names = [s.school.name for s in client.get(CASHLESS).context["shares"]]
    assert names == ["Trường THCS Đông Hợp"]
    client_login(client, world.parent)
    assert client.get(CASHLESS).status_code == 403


def test_principal_reaches_the_reports_from_the_invoices(client: Any, world: Any) -> None:
    billed(world)
    client_login(client, world.principal)
    page = client.get(reverse("payments:invoice_list")).content.decode()
    assert f"{DAILY}?school={world.school_a.code}" in page
    assert reverse("payments:fee_item_list") not in page  # no management tabs
    assert client.get(DAILY).status_code == 200
    assert reverse("payments:fee_item_list") not in client.get(DAILY).content.decode()
    assert client.get(debts_url(world)).status_code == 200
