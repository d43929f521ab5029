"""Browser test in Debian Chromium: a vice-principal on a 360 px phone reads a run of the
grade-10 round (cut-off and fill charts, the schools table, the results) and its statistics;
nothing is wider than the screen."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from truongso.admissions.services import runs
from truongso.admissions.tests.rounds_world import apply, make_round
from truongso.core.authz import SYSTEM
from truongso.testing.live import PHONE_VIEWPORT, browser_page, ui_login

pytestmark = pytest.mark.browser

NO_OVERFLOW = "document.documentElement.scrollWidth"


def test_vice_reads_a_run_and_statistics_on_a_phone(
    live_server: Any, live_world: Any, chromium_browser: Any
) -> None:
    w = live_world
    r = make_round(w, quotas=(2, 1, 1))
    for i in range(12):
        apply(r, f"HS{i:04d}", [w.school_a, w.school_b, w.school_c], score=f"{20 + i}")
    run = runs.run_create(actor=SYSTEM, round=r, label="Lần 1")
    with browser_page(chromium_browser, live_server.url, viewport=PHONE_VIEWPORT) as page:
        ui_login(page, "vice")
        page.goto(f"/admissions/rounds/runs/{run.pk}/")
        expect(page.get_by_role("heading", name="Lần 1")).to_be_visible()
        expect(page.locator("svg#cutoffs rect.bar")).to_have_count(3)
        expect(page.locator("svg#fill")).to_be_visible()
        box = page.locator("svg#cutoffs").bounding_box()
        assert box is not None and box["width"] <= PHONE_VIEWPORT["width"]
        assert page.evaluate(NO_OVERFLOW) <= PHONE_VIEWPORT["width"]
        page.goto(f"/admissions/rounds/{r.pk}/statistics/")
        expect(page.locator("svg#ratio")).to_be_visible()
        expect(page.get_by_role("link", name="Tải .xlsx")).to_be_visible()
        assert page.evaluate(NO_OVERFLOW) <= PHONE_VIEWPORT["width"]
