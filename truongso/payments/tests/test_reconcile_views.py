"""The unmatched queue, manual assignment and the notification log pages: roles, results,
refusals shown at the field, nothing changed when denied, constant query counts."""

from __future__ import annotations

import itertools
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from truongso.core.authz import SYSTEM
from truongso.payments.models import Payment
from truongso.payments.services import payment_receive
from truongso.payments.tests import bankfeed as bf
from truongso.payments.tests.test_webhooks import post
from truongso.testing.live import client_login

QUEUE = reverse("payments_bank:queue")
LOG = reverse("payments_bank:notifications")
_refs = itertools.count(1)


@pytest.fixture(autouse=True)
def _setup(settings: Any) -> Any:
    bf.configure(settings)
    with translation.override("en"):
        yield


@pytest.fixture
def feed(world: Any) -> Any:
    world.account = bf.bank_account(world.school_a)
    world.inv_an = bf.invoice(world, world.students["an"], 700_000)
    return world


def receive(world: Any, amount: int, memo: str) -> Payment:
    payment, _created = payment_receive(
        actor=SYSTEM,
        school=world.school_a,
        method="bank_transfer",
        provider="sepay",
        provider_ref=f"q{next(_refs)}",
        amount=amount,
        paid_at=timezone.now(),
        memo=memo,
        bank_account=world.account,
        payer_name="NGUYEN VAN CHA",
    )
    return payment


def item(payment: Payment) -> str:
    return reverse("payments_bank:queue_item", args=[payment.pk])


def test_accountant_sees_the_queue_with_constant_queries(client: Any, feed: Any) -> None:
    client_login(client, feed.accountant)
    receive(feed, 100_000, "ung ho")
    client.get(QUEUE)
    with CaptureQueriesContext(connection) as few:
        first = client.get(QUEUE)
    for n in range(10):
        receive(feed, 1000 + n, f"chuyen tien {n}")
    with CaptureQueriesContext(connection) as many:
        second = client.get(QUEUE)
    assert len(first.context["page_obj"]) == 1
    assert len(second.context["page_obj"]) == 11
    assert len(many) == len(few)
    assert "chuyen tien 3" in second.content.decode()


@pytest.mark.parametrize("who", ["clerk", "teacher", "parent", "principal_c", "department"])
def test_others_have_no_queue(client: Any, feed: Any, who: str) -> None:
    payment = receive(feed, 700_000, "x")
    client_login(client, getattr(feed, who))
    assert client.get(QUEUE, {"school": feed.school_a.code}).status_code in (403, 404)
    assert client.get(item(payment)).status_code == 404
    response = client.post(
        item(payment), {"action": "assign", "code": feed.inv_an.code, "amount": 700_000}
    )
    assert response.status_code == 404
    payment.refresh_from_db()
    assert payment.allocated == 0


def test_suggestion_and_manual_assignment(client: Any, feed: Any) -> None:
    payment = receive(feed, 700_000, "NGUYEN VAN CHA nop tien")
    client_login(client, feed.accountant)
    page = client.get(item(payment))
    assert page.status_code == 200
    assert [s.invoice for s in page.context["suggestions"]] == [feed.inv_an]
    response = client.post(
        item(payment), {"action": "assign", "code": feed.inv_an.code.lower(), "amount": 700_000}
    )
    assert response.status_code == 302
    payment.refresh_from_db()
    feed.inv_an.refresh_from_db()
    assert (payment.status, feed.inv_an.status) == ("matched", "paid")
    assert payment.allocations.get().decided_by == feed.accountant


def test_refusals_are_shown_at_the_field(client: Any, feed: Any) -> None:
    payment = receive(feed, 700_000, "x")
    client_login(client, feed.accountant)
    wrong = client.post(item(payment), {"action": "assign", "code": "HP0000000", "amount": 1})
    assert wrong.status_code == 200
    assert "Không có hóa đơn nào của trường mang mã HP0000000" in str(
        wrong.context["assign"].errors["code"]
    )
    too_much = client.post(
        item(payment), {"action": "assign", "code": feed.inv_an.code, "amount": 900_000}
    )
    assert "chỉ còn 700.000 đồng chưa gán" in str(too_much.context["assign"].errors["amount"])
    credit = client.post(item(payment), {"action": "credit", "learner_id": "0000", "amount": 5})
    assert "Không có học sinh nào có mã định danh 0000" in str(
        credit.context["credit"].errors["learner_id"]
    )
    payment.refresh_from_db()
    assert payment.unassigned == 700_000


def test_credit_by_learner_id(client: Any, feed: Any) -> None:
    payment = receive(feed, 700_000, "x")
    client_login(client, feed.accountant)
    learner = feed.students["binh"].learner_id
    response = client.post(
        item(payment), {"action": "credit", "learner_id": learner, "amount": 200_000}
    )
    assert response.status_code == 302
    payment.refresh_from_db()
    assert (payment.credited, payment.unassigned) == (200_000, 500_000)


def test_match_again_after_the_invoice_was_issued(client: Any, feed: Any) -> None:
    payment = receive(feed, 500_000, "HP hoc phi")  # no usable code yet
    later = bf.invoice(feed, feed.students["binh"], 500_000)
    Payment.objects.filter(pk=payment.pk).update(memo=f"hoc phi {later.code}")
    client_login(client, feed.accountant)
    assert client.post(item(payment), {"action": "auto"}).status_code == 302
    later.refresh_from_db()
    assert later.status == "paid"


def test_notification_log(client: Any, feed: Any) -> None:
    post("sepay", bf.sepay_body(1, 700_000, feed.inv_an.code), bf.sepay_key_headers())
    post("sepay", bf.sepay_body(1, 700_000, feed.inv_an.code), bf.sepay_key_headers())
    post("sepay", bf.sepay_body(2, 700_000, "x"), bf.sepay_key_headers("guess"))
    client_login(client, feed.accountant)
    response = client.get(LOG)
    assert response.status_code == 200
    # The refused delivery made no payment: it is the operators' (superusers'), not the school's.
    assert [n.status for n in response.context["page_obj"]] == ["duplicate", "applied"]
    assert [n.status for n in client.get(LOG, {"status": "duplicate"}).context["page_obj"]] == [
        "duplicate"
    ]
    note = response.context["page_obj"][1]
    detail = client.get(reverse("payments_bank:notification", args=[note.pk]))
    assert detail.status_code == 200
    assert feed.inv_an.code in detail.content.decode()
    assert bf.SEPAY_KEY not in detail.content.decode()


def test_notification_log_queries_do_not_grow(client: Any, feed: Any) -> None:
    client_login(client, feed.accountant)
    post("sepay", bf.sepay_body(1, 700_000, feed.inv_an.code), bf.sepay_key_headers())
    client.get(LOG)
    with CaptureQueriesContext(connection) as few:
        client.get(LOG)
    for n in range(2, 12):
        post("sepay", bf.sepay_body(n, 1000 + n, "x"), bf.sepay_key_headers())
    with CaptureQueriesContext(connection) as many:
        response = client.get(LOG)
    assert len(response.context["page_obj"]) == 11
    assert len(many) == len(few)


@pytest.mark.parametrize("who", ["clerk", "teacher", "parent"])
def test_others_have_no_notification_log(client: Any, feed: Any, who: str) -> None:
    client_login(client, getattr(feed, who))
    assert client.get(LOG).status_code == 403
