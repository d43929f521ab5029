"""Browser test in Debian Chromium: a parent on a 360 px phone sees his child's invoice with
the VietQR code and the amount, pays (the bank's notification simulated), and the accountant
sees the invoice paid."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from truongso.payments.tests.ui_world import billed
from truongso.testing.live import PHONE_VIEWPORT, browser_page, ui_login

pytestmark = pytest.mark.browser

NO_OVERFLOW = "document.documentElement.scrollWidth"


def test_parent_pays_by_qr_on_a_phone_and_the_accountant_sees_it_paid(
    live_server: Any, live_world: Any, chromium_browser: Any
) -> None:
    b = billed(live_world)
    with browser_page(chromium_browser, live_server.url, viewport=PHONE_VIEWPORT) as page:
        ui_login(page, "parent")
        page.goto("/payments/")
        card = page.locator("article.invoice-card", has_text=b.an.code)
        expect(card).to_be_visible()
        expect(card.locator("svg.qr-code")).to_be_visible()
        expect(card.locator("[data-amount]")).to_have_text("500.000 đ")
        expect(page.locator("article.invoice-card")).to_have_count(1)  # not binh's nor chi's
        box = card.locator("svg.qr-code").bounding_box()
        assert box is not None and box["width"] >= 180  # big enough to scan from a screen
        assert page.evaluate(NO_OVERFLOW) <= PHONE_VIEWPORT["width"]
        card.get_by_role("button", name="Demo: giả lập chuyển khoản ngân hàng").click()
        expect(page.get_by_role("alert")).to_contain_text(b.an.code)
        expect(page.locator("article.invoice-card")).to_have_count(0)
        expect(page.get_by_role("link", name="Biên lai")).to_be_visible()
    with browser_page(chromium_browser, live_server.url) as page:
        ui_login(page, "accountant")
        page.goto(f"/payments/invoices/?q={b.an.code}")
        row = page.locator("tr", has_text=b.an.code)
        expect(row.locator("[data-status]")).to_have_text("Đã nộp")
        row.get_by_role("link", name=b.an.code).click()
        expect(page.locator("[data-balance]")).to_have_text("0 đ")
        expect(page.get_by_role("link", name="Biên lai")).to_be_visible()
