"""Browser test in Debian Chromium at phone width: a parent pays an invoice online through the
project's fake gateway and comes back to a paid invoice."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from truongso.payments.models import GatewayOrder, InvoiceStatus
from truongso.payments.tests.ledger_factories import bill
from truongso.testing.live import PHONE_VIEWPORT, browser_page, ui_login

pytestmark = pytest.mark.browser

NO_OVERFLOW = "document.documentElement.scrollWidth"


def test_parent_pays_online_on_a_phone(live_server, live_world, chromium_browser):
    invoice = bill(live_world, live_world.students["an"], 500_000)
    with browser_page(chromium_browser, live_server.url, viewport=PHONE_VIEWPORT) as page:
        ui_login(page, "parent")
        page.goto("/payments/family/")
        card = page.locator(f"article[data-code='{invoice.code}']")
        card.get_by_role("link", name="Thanh toán trực tuyến").click()
        expect(page.locator("[data-amount]")).to_have_attribute("data-amount", "500000")
        assert page.evaluate(NO_OVERFLOW) <= PHONE_VIEWPORT["width"]
        page.get_by_role("button", name="Tiếp tục tới cổng thanh toán").click()
        expect(page.get_by_text("Cổng thanh toán thử nghiệm").first).to_be_visible()
        assert page.evaluate(NO_OVERFLOW) <= PHONE_VIEWPORT["width"]
        page.get_by_role("button", name="Thanh toán", exact=True).click()
        expect(page.locator("[data-gateway-result=paid]")).to_contain_text(invoice.code)
        assert page.evaluate(NO_OVERFLOW) <= PHONE_VIEWPORT["width"]
        page.get_by_role("link", name="Quay lại hóa đơn").click()
        expect(page.get_by_role("heading", level=1)).to_contain_text(invoice.code)
    invoice.refresh_from_db()
    assert (invoice.status, invoice.paid) == (InvoiceStatus.PAID, 500_000)
    assert GatewayOrder.objects.get().response["source"] == "ipn"
