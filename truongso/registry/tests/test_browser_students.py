"""Browser tests in Debian Chromium: the teacher finds a pupil by a name typed without
diacritics (search as you type), opens the profile; the list fits a 360 px phone."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from truongso.testing.live import PHONE_VIEWPORT, browser_page, ui_login

pytestmark = pytest.mark.browser

NO_OVERFLOW = "document.documentElement.scrollWidth"


def test_teacher_finds_a_student_without_diacritics(live_server, live_world, chromium_browser):
    with browser_page(chromium_browser, live_server.url) as page:
        ui_login(page, "teacher")
        page.get_by_role("link", name="Học sinh").first.click()
        results = page.locator("#student-results")
        expect(results).to_contain_text("Đỗ Thị Bình")  # the whole class before searching

        page.get_by_role("searchbox", name="Tìm kiếm").press_sequentially("nguyen van an")
        expect(results).not_to_contain_text("Đỗ Thị Bình")  # narrowed in place by HTMX
        expect(page).to_have_url(re.compile(r"/students/\?q=nguyen(\+|%20)van(\+|%20)an"))
        link = results.get_by_role("link", name="Nguyễn Văn An")
        expect(link).to_be_visible()

        link.click()
        expect(page.get_by_role("heading", level=1)).to_contain_text("Nguyễn Văn An")
        expect(page.locator("#learner-id")).to_have_text("3407000001")
        expect(page.get_by_role("heading", name="Quá trình học tập")).to_be_visible()


def test_student_list_fits_a_phone_screen(live_server, live_world, chromium_browser):
    with browser_page(chromium_browser, live_server.url, viewport=PHONE_VIEWPORT) as page:
        ui_login(page, "teacher")
        page.goto("/students/")
        expect(page.get_by_role("link", name="Nguyễn Văn An")).to_be_visible()
        assert page.evaluate(NO_OVERFLOW) <= PHONE_VIEWPORT["width"]
        page.get_by_role("link", name="Nguyễn Văn An").click()
        expect(page.locator("#learner-id")).to_have_text("3407000001")
        assert page.evaluate(NO_OVERFLOW) <= PHONE_VIEWPORT["width"]
