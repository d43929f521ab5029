"""Browser test in Debian Chromium at phone width: a parent, her phone verified, reads why
her child got the second choice and confirms the place; the pupil appears in the school."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.http import HttpResponse
from django.utils import timezone
from playwright.sync_api import expect

from truongso.admissions.models import Application, ConfirmationStatus
from truongso.admissions.parent_session import COOKIE, session_open
from truongso.admissions.tests.results_helpers import published_round
from truongso.core.authz import SYSTEM
from truongso.registry.models import SchoolYear
from truongso.registry.services import classes
from truongso.registry.services.calendar import school_year_create
from truongso.testing.live import PHONE_VIEWPORT, browser_page

pytestmark = pytest.mark.browser

NO_OVERFLOW = "document.documentElement.scrollWidth"


def test_parent_confirms_on_a_phone(
    live_server: Any, live_world: Any, chromium_browser: Any
) -> None:
    pub = published_round(live_world)
    now = timezone.now()
    year = _year_of_today()
    intake = classes.class_create(
        actor=SYSTEM, school=live_world.school_a, school_year=year, grade=6, name="6A9"
    )
    pub.round.school_year = year
    pub.round.results_publish_at = now - dt.timedelta(hours=1)
    pub.round.confirmation_deadline = now + dt.timedelta(days=3)
    pub.round.save()
    response = HttpResponse()
    session_open(response, "0987333444")
    with browser_page(chromium_browser, live_server.url, viewport=PHONE_VIEWPORT) as page:
        page.context.add_cookies(
            [{"name": COOKIE, "value": response.cookies[COOKIE].value, "url": live_server.url}]
        )
        page.goto("/admissions/results/")
        page.get_by_role("link", name="Lê Văn Minh").click()
        expect(page.get_by_test_id("headline")).to_have_text(
            "Trúng tuyển vào Trường THCS An Bài theo nguyện vọng 2."
        )
        expect(page.get_by_role("heading", name="Vì sao không đỗ nguyện vọng 1?")).to_be_visible()
        expect(page.get_by_test_id("explanation")).to_contain_text("27,50")
        assert page.evaluate(NO_OVERFLOW) <= PHONE_VIEWPORT["width"]
        page.get_by_role("button", name="Xác nhận nhập học").click()
        expect(page.get_by_role("alert")).to_contain_text("Đã xác nhận nhập học: Lê Văn Minh")
        assert page.evaluate(NO_OVERFLOW) <= PHONE_VIEWPORT["width"]
    minh = Application.objects.get(code="TS25000003")
    assert minh.confirmation == ConfirmationStatus.CONFIRMED
    assert minh.student is not None
    assert (minh.student.full_name, minh.student.current_class) == ("Lê Văn Minh", intake)


def _year_of_today() -> SchoolYear:
    """The school year the confirmation falls in (its placement must fit the year)."""
    today = timezone.localdate()
    y = today.year if today.month >= 6 else today.year - 1
    found = SchoolYear.objects.filter(code=f"{y}-{y + 1}").first()
    if found is not None:
        return found
    return school_year_create(
        actor=SYSTEM,
        code=f"{y}-{y + 1}",
        semesters=(
            (dt.date(y, 9, 5), dt.date(y + 1, 1, 17)),
            (dt.date(y + 1, 1, 19), dt.date(y + 1, 5, 31)),
        ),
    )
