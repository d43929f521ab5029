"""Refusals of a gradebook save, one per cell, so that the grid can show each at its cell."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _


@dataclass(frozen=True)
class CellError:
    student_id: int
    code: str
    message: str
    current: str | None = None  # set on a conflict: the value saved by someone else

    def as_json(self) -> dict[str, object]:
        data: dict[str, object] = {
            "student": self.student_id,
            "code": self.code,
            "message": self.message,
        }
        if self.current is not None:
            data["current"] = self.current
        return data


class CellErrors(Exception):
    """Nothing was saved: at least one cell is invalid, locked or changed meanwhile."""

    def __init__(self, errors: list[CellError]) -> None:
        super().__init__(_("Nothing was saved: %(n)s cell(s) need attention.") % {"n": len(errors)})
        self.errors = errors

    @property
    def conflicts(self) -> list[CellError]:
        return [e for e in self.errors if e.current is not None]
