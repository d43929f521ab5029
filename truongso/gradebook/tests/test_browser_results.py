"""Browser tests in Debian Chromium at phone width: a parent opens his child's report from
the profile and reads it without sideways scrolling; the principal's summary with its charts
and the class results fit the screen too."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from truongso.gradebook.tests.yearbook import Pupil, enter_semester
from truongso.testing.live import PHONE_VIEWPORT, browser_page, ui_login

pytestmark = pytest.mark.browser

NO_OVERFLOW = "document.documentElement.scrollWidth"


def test_parent_reads_the_report_on_a_phone(live_server, live_world, chromium_browser):
    an = live_world.students["an"]
    enter_semester(live_world.class_6a1, 1, {an: Pupil(scores={"TOAN": "8.5"})})
    with browser_page(chromium_browser, live_server.url, viewport=PHONE_VIEWPORT) as page:
        ui_login(page, "parent")
        page.goto(f"/students/{an.pk}/")
        page.locator("#grade-report-link").click()
        expect(page.get_by_role("heading", level=1)).to_contain_text("Nguyễn Văn An")
        toan = page.locator("section.subject-card", has=page.get_by_role("heading", name="Toán"))
        expect(toan).to_contain_text("8,5")
        expect(page.get_by_role("heading", name="Tổng hợp")).to_be_visible()
        assert page.locator("section.subject-card").count() == 13
        assert page.evaluate(NO_OVERFLOW) <= PHONE_VIEWPORT["width"]


def test_results_pages_fit_a_phone(live_server, live_world, chromium_browser):
    an = live_world.students["an"]
    enter_semester(live_world.class_6a1, 1, {an: Pupil()})
    with browser_page(chromium_browser, live_server.url, viewport=PHONE_VIEWPORT) as page:
        ui_login(page, "vice")
        page.goto(f"/gradebook/results/?class={live_world.class_6a1.pk}&period=1")
        expect(page.locator("svg[role=img]").first).to_be_visible()
        assert page.evaluate(NO_OVERFLOW) <= PHONE_VIEWPORT["width"]
        page.goto(f"/gradebook/classes/{live_world.class_6a1.pk}/results/?period=1")
        expect(page.get_by_role("link", name="Nguyễn Văn An")).to_be_visible()
        assert page.evaluate(NO_OVERFLOW) <= PHONE_VIEWPORT["width"]
