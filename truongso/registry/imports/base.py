"""What every importer shares: the error report (row, column, reason), the counts, and the
two steps — ``check`` (a dry run that reads the database but writes nothing) and ``apply``
(the writes, inside the caller's transaction).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar, TypeVar

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext as _

from truongso.registry.imports.headers import KindSpec
from truongso.registry.imports.reader import RawRow
from truongso.registry.models import OrgUnit, SchoolYear

# Errors kept per job: a file with more bad rows than this is almost surely the wrong file.
MAX_ERRORS = 20_000
PROGRESS_EVERY = 500
# SQLite allows 32,766 parameters per statement; stay well below for IN (...) lookups.
LOOKUP_CHUNK = 500

M = TypeVar("M", bound=models.Model)
Progress = Callable[[int], None]


@dataclass(frozen=True)
class RowError:
    row: int
    column: str
    message: str

    def as_dict(self) -> dict[str, Any]:
        return {"row": self.row, "column": self.column, "message": self.message}


@dataclass
class Counts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0


class Report:
    """The bad rows of a file: every reason for every row, named by the file's own headers."""

    def __init__(self, spec: KindSpec, labels: dict[str, str]) -> None:
        self.spec = spec
        self.labels = labels
        self.errors: list[RowError] = []
        self.bad_rows: set[int] = set()
        self.total = 0

    def label(self, key: str) -> str:
        if key in self.labels:
            return self.labels[key]
        found = [c.header for c in self.spec.columns if c.key == key]
        return found[0] if found else ""

    def add(self, row: int, key: str, message: str) -> None:
        self.bad_rows.add(row)
        self.total += 1
        if len(self.errors) < MAX_ERRORS:
            self.errors.append(RowError(row, self.label(key), message))

    def add_invalid(
        self, row: int, exc: ValidationError, keys: dict[str, str] | None = None
    ) -> None:
        """A ValidationError of the shared cleaning rules, field names mapped to columns."""
        keys = keys or {}
        if hasattr(exc, "error_dict"):
            for field_name, messages in exc.message_dict.items():
                for message in messages:
                    self.add(row, keys.get(field_name, field_name), message)
        else:
            for message in exc.messages:
                self.add(row, "", message)

    def is_bad(self, row: int) -> bool:
        return row in self.bad_rows

    @property
    def ok(self) -> bool:
        return not self.bad_rows

    def sorted_errors(self) -> list[dict[str, Any]]:
        return [e.as_dict() for e in sorted(self.errors, key=lambda e: e.row)]


@dataclass
class FirstSeen:
    """Values that must be unique within the file (learner IDs, citizen IDs, codes)."""

    rows: dict[tuple[str, str], int] = field(default_factory=dict)

    def repeat_of(self, what: str, value: str | None, row: int) -> int | None:
        if not value:
            return None
        first = self.rows.setdefault((what, value), row)
        return first if first != row else None


def chunks(values: Iterable[Any], size: int = LOOKUP_CHUNK) -> Iterator[list[Any]]:
    batch: list[Any] = []
    for value in values:
        batch.append(value)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def fetch_by(queryset: models.QuerySet[M], field_name: str, values: Iterable[Any]) -> dict[Any, M]:
    """``{value: object}`` for objects whose ``field_name`` is in ``values``, in chunks."""
    found: dict[Any, M] = {}
    for batch in chunks(sorted({v for v in values if v})):
        for obj in queryset.filter(**{f"{field_name}__in": batch}):
            found[getattr(obj, field_name)] = obj
    return found


_SPACES = re.compile(r"\s+")


def id_text(value: str | None) -> str:
    """An identifier as typed, for spotting repeats before it is cleaned: "ts 12" -> "TS12"."""
    return _SPACES.sub("", value or "").upper()


def class_key(name: str) -> str:
    """Class names compare without case or spaces: "6 a1" is 6A1."""
    return _SPACES.sub("", name).upper()


def year_label(year: SchoolYear) -> str:
    return str(year)


class Importer:
    """Check a file's rows against the rules and the database, then apply them.

    Subclasses implement ``check_row`` (one row, no database writes), ``resolve`` (batched
    lookups of existing records once all rows are read) and ``apply``.
    """

    spec: ClassVar[KindSpec]
    # Permissions the actor needs over the target unit, besides DATA_IMPORT.
    perms: ClassVar[tuple[Any, ...]] = ()

    def __init__(
        self,
        *,
        actor: Any,
        unit: OrgUnit,
        school_year: SchoolYear | None,
        labels: dict[str, str],
        today: dt.date | None = None,
    ) -> None:
        self.actor = actor
        self.unit = unit
        self.school_year = school_year
        self.report = Report(self.spec, labels)
        self.counts = Counts()
        self.seen = FirstSeen()
        self.today = today or dt.date.today()
        self.rows_read = 0

    def prepare(self) -> None:
        """Load what every row needs (classes of the school, subjects ...) once."""

    def check_row(self, number: int, row: dict[str, str]) -> None:
        raise NotImplementedError

    def resolve(self) -> None:
        raise NotImplementedError

    def apply(self) -> Counts:
        raise NotImplementedError

    def duplicate(self, number: int, key: str, what: str, value: str | None) -> bool:
        first = self.seen.repeat_of(what, value, number)
        if first is None:
            return False
        self.report.add(
            number,
            key,
            _("%(value)s is repeated in the file: it is already in row %(row)s.")
            % {"value": value, "row": first},
        )
        return True

    def check(self, rows: Iterable[RawRow], progress: Progress | None = None) -> Report:
        """The dry run: every row cleaned and compared with the database; nothing written."""
        self.prepare()
        done = 0
        for number, row in rows:
            self.check_row(number, row)
            done += 1
            if progress is not None and done % PROGRESS_EVERY == 0:
                progress(done)
        self.rows_read = done
        if progress is not None and done % PROGRESS_EVERY:
            progress(done)
        self.resolve()
        return self.report


def row_values(rows: Sequence[RawRow], key: str) -> list[str]:
    return [row[key] for _n, row in rows if row.get(key)]
