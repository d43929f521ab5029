"""Vietnamese text helpers: diacritic folding for search, safe display of free text."""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from django.db import models

_SPACES = re.compile(r"\s+")
# đ/Đ are letters of their own, not a d with a combining mark: NFD leaves them alone.
_EXTRA = str.maketrans({"đ": "d", "Đ": "D"})


def without_marks(text: str) -> str:
    """Vietnamese letters without their marks, case kept: "Nguyễn Văn Đạt" -> "Nguyen Van Dat"."""
    decomposed = unicodedata.normalize("NFD", text.translate(_EXTRA))
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def fold(text: str) -> str:
    """Lower-case ASCII form of Vietnamese text: "Nguyễn Văn Đạt" -> "nguyen van dat".

    Used for the indexed ``search_name`` columns and for the search terms typed by users,
    so that "nguyen van an" finds "Nguyễn Văn An" on SQLite and PostgreSQL alike.
    """
    return _SPACES.sub(" ", without_marks(text)).strip().lower()


def normalize_name(text: str) -> str:
    """Canonical form of a person's name as stored: NFC, single spaces, no edge blanks."""
    return _SPACES.sub(" ", unicodedata.normalize("NFC", text)).strip()


class FoldedNameMixin(models.Model):
    """Keeps ``search_name`` = :func:`fold` of ``full_name`` (or ``name``) on every save.

    A derived column, not business logic: bulk paths (imports, seeding) call :func:`fold`
    themselves because ``bulk_create`` skips ``save()``.
    """

    folded_source = "full_name"
    search_name: str

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.search_name = fold(getattr(self, self.folded_source))
        fields = kwargs.get("update_fields")
        if fields is not None and self.folded_source in fields:
            kwargs["update_fields"] = {*fields, "search_name"}
        super().save(*args, **kwargs)
