"""Project-wide test fixtures: a fast password hasher and the named-actor world."""

from __future__ import annotations

import os
from typing import Any

import pytest


@pytest.fixture(autouse=True)
def _fast_hasher(settings: Any) -> None:
    # Argon2 costs ~200 ms per hash; tests that check hashing opt back in explicitly.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _language_reset() -> Any:
    """Each test starts in the project's default language (Vietnamese) and leaves no other
    language active behind it: a test that switches to English must not leak into the next."""
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture
def world(db: Any) -> Any:
    from truongso.testing.world import build_world

    return build_world()


def pytest_collection_modifyitems(config: Any, items: list[Any]) -> None:
    _serialized_rollback_for_transactional_tests(items)
    _skip_browser_tests_without_chromium(items)


def _serialized_rollback_for_transactional_tests(items: list[Any]) -> None:
    """Every ``transaction=True`` test restores the migrations' data after its flush.

    A transactional test without it flushes the tables and lets ``post_migrate`` create the
    content types again under new ids; a later test with serialized rollback (the browser
    tests' ``live_world``) then reloads the old rows and collides with them. Which test
    follows which depends on ordering (xdist), so the rule is applied to all of them.
    """
    for item in items:
        marker = item.get_closest_marker("django_db")
        if marker is None or not marker.kwargs.get("transaction"):
            continue
        if marker.kwargs.get("serialized_rollback"):
            continue
        kwargs = {**marker.kwargs, "serialized_rollback": True}
        item.add_marker(pytest.mark.django_db(*marker.args, **kwargs), append=False)


def _skip_browser_tests_without_chromium(items: list[Any]) -> None:
    """Browser tests need Debian chromium: skipped with a reason locally, mandatory in CI."""
    from truongso.testing.browser import chromium_path

    if chromium_path() or os.environ.get("CI", "").lower() in {"1", "true", "yes"}:
        return
    skip = pytest.mark.skip(reason="Debian chromium not installed (apt install chromium)")
    for item in items:
        if "browser" in item.keywords:
            item.add_marker(skip)


@pytest.fixture
def chromium_browser() -> Any:
    """Headless Debian Chromium for ``@pytest.mark.browser`` tests, one per test.

    Not per session: while Playwright's sync API runs, the ORM of the test thread works in
    another context (another connection object), so a browser left open would make the
    serialized rollback of the next test miss its data. Request it after ``live_world``."""
    from truongso.testing.live import chromium

    with chromium() as browser:
        yield browser


@pytest.fixture
def live_world(live_server: Any, django_db_serialized_rollback: None) -> Any:
    """The test world committed to the database that ``live_server`` serves.

    ``live_server`` makes the test transactional; the serialized rollback restores the
    reference data of migrations (subjects of the curriculum) flushed by earlier tests.
    """
    from truongso.testing.world import build_world

    return build_world()


@pytest.fixture
def registry_consistent(db: Any) -> Any:
    """After the test, the enrolment invariants still hold (see registry/integrity.py)."""
    yield
    from truongso.registry.integrity import enrolment_problems

    assert enrolment_problems() == []
