"""The statement pages: upload (preset, mapping, encoding), the result, refusals, roles."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation

from truongso.payments.models import StatementImport
from truongso.payments.tests import bankfeed as bf
from truongso.payments.tests.test_statements import today
from truongso.testing.live import client_login

PAGE = reverse("payments_bank:statements")
HEADER = "STT,Ngày giao dịch,Số tham chiếu,Số tiền ghi nợ,Số tiền ghi có,Mô tả"


@pytest.fixture(autouse=True)
def _english() -> Any:
    with translation.override("en"):
        yield


@pytest.fixture
def feed(world: Any) -> Any:
    world.account = bf.bank_account(world.school_a)
    world.inv_an = bf.invoice(world, world.students["an"], 700_000)
    return world


def upload(client: Any, feed: Any, content: str, **extra: str) -> Any:
    data = {
        "bank_account": feed.account.pk,
        "preset": "vcb",
        "encoding": "auto",
        "file": SimpleUploadedFile("saoke.csv", content.encode(), "text/csv"),
        **extra,
    }
    return client.post(PAGE, data)


def test_accountant_imports_and_sees_the_result(client: Any, feed: Any) -> None:
    client_login(client, feed.accountant)
    assert client.get(PAGE).status_code == 200
    content = f'{HEADER}\n1,{today()},R1,,"700,000",{feed.inv_an.code}\n'
    response = upload(client, feed, content)
    statement = StatementImport.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("payments_bank:statement_detail", args=[statement.pk])
    page = client.get(response["Location"])
    assert page.status_code == 200
    assert page.context["check"].new == 1
    feed.inv_an.refresh_from_db()
    assert feed.inv_an.status == "paid"


def test_refused_file_shows_every_problem(client: Any, feed: Any) -> None:
    client_login(client, feed.accountant)
    content = f'{HEADER}\n1,99/99/2025,R1,,"700,000",x\n2,{today()},R2,,abc,y\n'
    response = upload(client, feed, content)
    page = client.get(response["Location"])
    text = page.content.decode()
    assert "Sao kê bị từ chối; chưa ghi nhận gì." in text
    assert "Dòng 2, “Ngày giao dịch”: “99/99/2025” không phải ngày hợp lệ." in text
    assert "Dòng 3, “Số tiền ghi có”: “abc” không phải số tiền (đồng)." in text


def test_mapping_overrides_the_preset(client: Any, feed: Any) -> None:
    client_login(client, feed.accountant)
    content = f"Ngày,Có,Diễn giải\n{today()},700000,{feed.inv_an.code}\n"
    response = upload(
        client, feed, content, preset="custom", col_booked_at="Ngày", col_credit="Có",
        col_memo="Diễn giải",
    )  # fmt: skip
    statement = StatementImport.objects.get()
    assert (response.status_code, statement.status) == (302, "done")


def test_form_errors_without_a_file(client: Any, feed: Any) -> None:
    client_login(client, feed.accountant)
    response = client.post(PAGE, {"bank_account": feed.account.pk, "preset": "vcb"})
    assert response.status_code == 200
    assert "file" in response.context["form"].errors
    assert StatementImport.objects.count() == 0


@pytest.mark.parametrize("who", ["clerk", "teacher", "parent", "principal_c"])
def test_others_cannot_import(client: Any, feed: Any, who: str) -> None:
    client_login(client, getattr(feed, who))
    response = upload(client, feed, f"{HEADER}\n")
    assert response.status_code in (403, 404)
    assert StatementImport.objects.count() == 0


def test_a_big_statement_is_applied_in_the_background(
    client: Any, feed: Any, settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    settings.IMPORT_BACKGROUND_ROWS = 0
    client_login(client, feed.accountant)
    content = f'{HEADER}\n1,{today()},R1,,"700,000",{feed.inv_an.code}\n'
    with django_capture_on_commit_callbacks() as callbacks:
        response = upload(client, feed, content)
    waiting = client.get(response["Location"])
    assert "đang được ghi nhận ở chế độ nền" in waiting.content.decode()
    callbacks[0]()
    done = client.get(response["Location"])
    assert done.context["check"].new == 1
