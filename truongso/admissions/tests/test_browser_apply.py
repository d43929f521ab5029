"""Browser test in Debian Chromium at 360 px: a parent opens the round, verifies her phone by
SMS code, fills the application with two preferences and gets her code and slip."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect

from truongso.admissions.models import Application, SmsMessage
from truongso.admissions.tests.apply_world import PHONE, open_round
from truongso.testing.live import PHONE_VIEWPORT, browser_page

pytestmark = pytest.mark.browser

NO_OVERFLOW = "document.documentElement.scrollWidth"


def test_parent_applies_on_a_phone(
    live_server: Any, live_world: Any, chromium_browser: Any, settings: Any
) -> None:
    settings.ADMISSIONS_SMS_BACKEND = "console"
    r = open_round(live_world)
    with browser_page(chromium_browser, live_server.url, viewport=PHONE_VIEWPORT) as page:
        page.goto(f"/admissions/r/{r.pk}/")
        expect(page.get_by_role("cell", name="Trường THCS Đông Hợp")).to_be_visible()
        assert page.evaluate(NO_OVERFLOW) <= PHONE_VIEWPORT["width"]
        page.get_by_test_id("apply").click()
        page.get_by_label("Số điện thoại").fill("091 234 5678")
        page.get_by_role("button", name="Gửi mã").click()
        expect(page.get_by_role("heading", name="Nhập mã xác thực")).to_be_visible()
        text = SmsMessage.objects.filter(phone=PHONE).latest("pk").text
        code = re.search(r"\b(\d{6})\b", text)
        assert code
        page.get_by_label("Mã 6 chữ số").fill(code.group(1))
        page.get_by_role("button", name="Tiếp tục").click()
        page.get_by_label("Mã định danh học sinh (10 chữ số)").fill("3407000001")
        page.get_by_label("Họ và tên học sinh").fill("Nguyễn Văn An")
        page.get_by_label("Ngày sinh (dd/mm/yyyy)").fill("12/03/2014")
        page.get_by_label("Giới tính").select_option("Nam")
        page.get_by_label("Cha mẹ hoặc người giám hộ").fill("Nguyễn Văn Ba")
        page.get_by_label("NV1").select_option(str(live_world.school_b.pk))
        page.get_by_label("NV2").select_option(str(live_world.school_a.pk))
        assert page.evaluate(NO_OVERFLOW) <= PHONE_VIEWPORT["width"]
        page.get_by_test_id("submit").click()
        expect(page.get_by_role("alert")).to_contain_text("Đã nhận hồ sơ. Mã hồ sơ của bạn là")
        app = Application.objects.get()
        expect(page.get_by_test_id("code")).to_have_text(app.code)
        expect(page.get_by_test_id("slip")).to_be_visible()
        assert page.evaluate(NO_OVERFLOW) <= PHONE_VIEWPORT["width"]
    assert list(app.preferences.values_list("rank", "school_id")) == [
        (1, live_world.school_b.pk),
        (2, live_world.school_a.pk),
    ]
    assert app.phone == PHONE
