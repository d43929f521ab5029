"""The Vietnamese catalogues agree with each other.

Django merges every catalogue of LOCALE_PATHS into one; where two translate the same msgid
(and context) differently, only the first is ever shown, so the other area's pages silently
say something else ("Admitted" is "Nhập học" on a student's history and "Trúng tuyển" on an
admission run). A new area uses a context (``{% translate "Admitted" context "admissions" %}``)
or a more precise msgid instead.
"""

from __future__ import annotations

from collections import defaultdict

import polib
from django.conf import settings


def test_no_msgid_is_translated_two_ways() -> None:
    seen: dict[tuple[str | None, str], dict[str, str]] = defaultdict(dict)
    for path in settings.LOCALE_PATHS:
        po_path = path / "vi" / "LC_MESSAGES" / "django.po"
        if not po_path.exists():
            continue
        for entry in polib.pofile(str(po_path)):
            if entry.msgstr and not entry.obsolete and "fuzzy" not in entry.flags:
                seen[(entry.msgctxt, entry.msgid)][path.name] = entry.msgstr
    conflicts = {key: areas for key, areas in seen.items() if len(set(areas.values())) > 1}
    assert conflicts == {}


def test_base_areas_come_first() -> None:
    names = [path.name for path in settings.LOCALE_PATHS]
    assert names[:2] == ["core", "api"]
    assert names.index("registry_org") < names.index("payments")
