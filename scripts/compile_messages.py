#!/usr/bin/env python
"""Compile every locale/*/<lang>/LC_MESSAGES/*.po to .mo with polib (no GNU gettext needed)."""

from __future__ import annotations

import sys
from pathlib import Path

import polib

ROOT = Path(__file__).resolve().parent.parent


def main() -> int:
    failures = 0
    for po_path in sorted(ROOT.glob("locale/*/*/LC_MESSAGES/*.po")):
        mo_path = po_path.with_suffix(".mo")
        if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
            continue
        try:
            catalogue = polib.pofile(str(po_path))
        except (OSError, ValueError) as exc:
            print(f"{po_path}: {exc}", file=sys.stderr)
            failures += 1
            continue
        catalogue.save_as_mofile(str(mo_path))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
