"""Helpers for tests that log in: the Django test client and Playwright on a live server.

Browser tests drive Debian's Chromium (never ``playwright install``) against pytest-django's
``live_server``. Playwright's sync API runs an event loop in the test thread, so Django's
async-safety check must be relaxed for the ORM calls the test itself makes
(``DJANGO_ALLOW_ASYNC_UNSAFE``); the server thread is unaffected.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from truongso.testing.browser import CHROMIUM_ARGS, chromium_path
from truongso.testing.world import PASSWORD

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

# Short enough to keep a browser test well under 20 s, long enough for a loaded CI box.
TIMEOUT_MS = 8000
PHONE_VIEWPORT = {"width": 360, "height": 740}


def client_login(client: Any, user: Any) -> None:
    """Log ``user`` in on a Django test client, with the second factor already passed
    when the user's roles require it (officers and principals)."""
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from truongso.accounts.middleware import needs_second_factor

    client.force_login(user)
    if needs_second_factor(user):
        device, _ = TOTPDevice.objects.get_or_create(
            user=user, name="test", defaults={"confirmed": True}
        )
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()


@contextmanager
def allow_sync_orm_in_event_loop() -> Iterator[None]:
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        yield
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@contextmanager
def chromium() -> Iterator[Browser]:
    """A headless Debian Chromium driven by Playwright's sync API."""
    from playwright.sync_api import sync_playwright

    executable = chromium_path()
    if executable is None:
        raise RuntimeError("Debian chromium is not installed (apt-get install -y chromium)")
    with allow_sync_orm_in_event_loop(), sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=executable, args=CHROMIUM_ARGS, headless=True
        )
        try:
            yield browser
        finally:
            browser.close()


@contextmanager
def browser_page(
    browser: Browser, base_url: str, *, viewport: dict[str, int] | None = None
) -> Iterator[Page]:
    """A fresh browser context (own cookies) in Vietnamese, with short timeouts."""
    context = browser.new_context(
        base_url=base_url,
        locale="vi-VN",
        viewport=viewport or {"width": 1280, "height": 900},  # type: ignore[arg-type]
    )
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    try:
        yield page
    finally:
        context.close()


def ui_login(page: Page, username: str, password: str = PASSWORD) -> None:
    """Log in through the login form, as a person would, and wait for the home page."""
    page.goto("/accounts/login/")
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu").fill(password)
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_url(lambda url: urlsplit(url).path == "/")
