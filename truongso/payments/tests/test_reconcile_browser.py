"""Browser test in Debian Chromium: on a 360 px phone the accountant finds a transfer without
an invoice code in the queue, assigns it with one tap on the suggestion, and the notification
log and statement pages fit the screen too."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from truongso.core.authz import SYSTEM
from truongso.payments.models import Payment
from truongso.payments.services import payment_receive
from truongso.payments.tests import bankfeed as bf
from truongso.testing.live import PHONE_VIEWPORT, browser_page, ui_login

pytestmark = pytest.mark.browser

WIDTH = "document.documentElement.scrollWidth"


def test_accountant_assigns_an_unmatched_transfer_on_a_phone(
    live_server: Any, live_world: Any, chromium_browser: Any
) -> None:
    account = bf.bank_account(live_world.school_a)
    invoice = bf.invoice(live_world, live_world.students["an"], 700_000)
    payment, _created = payment_receive(
        actor=SYSTEM, school=live_world.school_a, method="bank_transfer", provider="sepay",
        provider_ref="b1", amount=700_000, paid_at=timezone.now(), bank_account=account,
        memo="NGUYEN VAN CHA chuyen tien hoc cho con", payer_name="NGUYEN VAN CHA",
    )  # fmt: skip
    with browser_page(chromium_browser, live_server.url, viewport=PHONE_VIEWPORT) as page:
        ui_login(page, "accountant")
        page.goto("/payments/bank/queue/")
        expect(page.get_by_role("heading", name="Khoản thu chưa khớp")).to_be_visible()
        assert page.evaluate(WIDTH) <= PHONE_VIEWPORT["width"]
        page.get_by_role("link", name="NGUYEN VAN CHA chuyen tien hoc cho con").click()
        suggestion = page.locator("li", has_text=invoice.code)
        expect(suggestion).to_contain_text("tên người nộp trùng khớp")
        assert page.evaluate(WIDTH) <= PHONE_VIEWPORT["width"]
        suggestion.get_by_role("button", name="Gán vào hóa đơn này").click()
        expect(page.get_by_role("alert").or_(page.locator(".alert"))).to_contain_text(invoice.code)
        expect(page.locator("#unassigned")).to_have_text("0 đ")
        for path in ("/payments/bank/notifications/", "/payments/bank/statements/"):
            page.goto(path)
            assert page.evaluate(WIDTH) <= PHONE_VIEWPORT["width"], path
    payment.refresh_from_db()
    assert (payment.status, payment.allocated) == ("matched", 700_000)
    assert Payment.objects.count() == 1
