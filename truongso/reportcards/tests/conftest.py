"""Report-card fixtures: a closed school year of school A (6A1: an, binh; 6A2: chi)."""

from __future__ import annotations

from typing import Any

import pytest

from truongso.gradebook.tests.yearbook import Pupil, enter_semester, fill_year


@pytest.fixture
def closed_year(world: Any) -> Any:
    """School A's 2025–2026 gradebook entered for every pupil and both semesters closed."""
    an, binh, chi = (world.students[k] for k in ("an", "binh", "chi"))
    for semester in (1, 2):
        enter_semester(
            world.class_6a1,
            semester,
            {an: Pupil(default="8.5"), binh: Pupil(scores={"TOAN": "6"}, default="7")},
        )
    fill_year(world.class_6a2, {chi: Pupil(default="9")}, world.principal)
    return world


@pytest.fixture
def signing_dirs(settings: Any, tmp_path: Any) -> Any:
    """Test CA and stored PDFs in the test's own folder (never var/)."""
    settings.REPORTCARDS_SIGNING_DIR = tmp_path / "signing"
    settings.REPORTCARDS_REVOKED_FILE = tmp_path / "signing" / "revoked.txt"
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.REPORTCARDS_TSA_URL = ""
    return tmp_path


@pytest.fixture
def keyed(closed_year: Any, signing_dirs: Any) -> Any:
    """The closed year, with school A's test certificates made and registered."""
    from truongso.core.authz import SYSTEM
    from truongso.reportcards.services.keys import signer_keys_from_test_ca
    from truongso.reportcards.signing import testca

    testca.issue_school(closed_year.school_a)
    signer_keys_from_test_ca(actor=SYSTEM, school=closed_year.school_a)
    return closed_year


@pytest.fixture(autouse=True)
def _vietnamese() -> Any:
    """Messages in the default language, whatever an earlier test's request activated."""
    from django.utils import translation

    with translation.override("vi"):
        yield
