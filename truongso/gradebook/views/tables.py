"""What an entry table shows: columns (with the rules the browser checks as you type, the
same as the server's), rows of cells, locks and errors. The subject grid and the homeroom
page both render it with ``gradebook/entry/_table.html`` and ``grid.js``."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

from truongso.gradebook.rules.engine import BaseEngine, Column, Outcome, SubjectSpec, TT22Engine
from truongso.gradebook.rules.levels import FAIL_MARK, PASS_MARK
from truongso.gradebook.services.cells import COMMENT, COMMENT_MAX
from truongso.registry.models import Student


@dataclass
class ColumnView:
    code: str
    label: str
    kind: str  # score | test | mark | choice | count | text
    locked: str | None = None
    rules: dict[str, Any] = field(default_factory=dict)  # for grid.js

    @property
    def inputmode(self) -> str:
        return {"score": "decimal", "test": "numeric", "count": "numeric"}.get(self.kind, "text")

    @property
    def wide(self) -> bool:
        return self.kind == "text"

    def spec(self) -> dict[str, Any]:
        return {"code": self.code, "label": self.label, "kind": self.kind, **self.rules}


@dataclass
class CellView:
    code: str
    value: str  # as shown (or as typed, when the save was refused)
    old: str  # as stored: what the writer saw (compare-and-set)
    readonly: bool
    error: str = ""
    inputmode: str = "text"


@dataclass
class RowView:
    student: Student
    number: int
    cells: list[CellView]
    outcome: str = ""
    in_class: bool = True
    history_url: str = ""
    request_url: str = ""


@dataclass
class TableView:
    columns: list[ColumnView]
    rows: list[RowView]
    editable: bool
    outcome_label: str = ""
    outcome_rules: dict[str, Any] = field(default_factory=dict)

    @property
    def locks(self) -> list[ColumnView]:
        return [c for c in self.columns if c.locked]

    @property
    def any_locked(self) -> bool:
        return bool(self.locks) and self.editable

    @property
    def all_locked(self) -> bool:
        return all(c.locked for c in self.columns)

    def lock_groups(self) -> list[tuple[str, str]]:
        """("TX1, TX2, GK", why) for each distinct reason, in column order."""
        groups: dict[str, list[str]] = {}
        for column in self.locks:
            groups.setdefault(str(column.locked), []).append(column.label)
        return [(", ".join(labels), why) for why, labels in groups.items()]

    def errors(self) -> list[tuple[RowView, ColumnView, str]]:
        labels = {c.code: c for c in self.columns}
        return [
            (row, labels[cell.code], cell.error)
            for row in self.rows
            for cell in row.cells
            if cell.error
        ]


def _templates() -> dict[str, str]:
    """The engine's messages with JavaScript placeholders ({col}, {v} ...), translated."""
    keys = {k: "{" + k + "}" for k in ("col", "low", "high", "v", "choices", "n")}
    return {
        "not_a_number": _("%(col)s takes a number from %(low)s to %(high)s, not “%(v)s”.") % keys,
        "whole_points": _("%(col)s takes whole points only (%(v)s).") % keys,
        "one_decimal": _("A score has at most one decimal place (%(v)s).") % keys,
        "range": _("%(col)s must be between %(low)s and %(high)s (%(v)s).") % keys,
        "mark": _("%(col)s takes %(choices)s, not “%(v)s”.") % keys,
        "too_long": _("At most %(n)s characters.") % keys,
    }


def engine_column(engine: BaseEngine, column: Column, locked: str | None) -> ColumnView:
    rules: dict[str, Any]
    if column.kind == "mark":
        aliases = {k: v for k, v in engine.mark_aliases().items() if v in column.choices}
        aliases.update({c.lower(): c for c in column.choices})
        rules = {"choices": list(column.choices), "aliases": aliases}
    else:
        low, high = engine._range(column)
        rules = {"low": low, "high": high}
    return ColumnView(column.code, str(column.label), column.kind, locked, rules)


def comment_column(locked: str | None) -> ColumnView:
    return ColumnView(COMMENT, _("Comment"), "text", locked, {"max": COMMENT_MAX})


def outcome_rules(engine: BaseEngine, spec: SubjectSpec, columns: list[Column]) -> dict[str, Any]:
    """How the browser recomputes the row's result (display only; the server decides)."""
    codes = [c.code for c in columns]
    if isinstance(engine, TT22Engine):
        if not spec.scored:
            return {"type": "marks", "codes": codes, "pass": PASS_MARK, "fail": FAIL_MARK}
        w_tx, w_gk, w_ck = engine._weights()
        weights = {"tx": w_tx, "gk": w_gk, "ck": w_ck}
        return {"type": "average", "weights": {c.code: weights[c.group] for c in columns}}
    test = "kt_ck" if "kt_ck" in codes else None
    return {"type": "level", "mark": "ck", "test": test}


def outcome_text(outcome: Outcome) -> str:
    if outcome.average is not None:
        return str(outcome.average)
    if outcome.mark and outcome.test is not None:
        return f"{outcome.mark} ({outcome.test})"
    return outcome.mark or ""


def script_config(
    table: TableView, save_url: str, texts: Mapping[str, str], extra: Mapping[str, Any]
) -> dict[str, Any]:
    """Everything grid.js needs, for ``json_script``."""
    return {
        "saveUrl": save_url,
        "editable": table.editable,
        "columns": [c.spec() for c in table.columns],
        "outcome": table.outcome_rules,
        "messages": {**_templates(), **texts},
        **extra,
    }


def grid_texts() -> dict[str, str]:
    """The script's own words (status line, paste, conflicts), translated here."""
    return {
        "saving": _("Saving…"),
        "saved_at": _("Saved at {time}"),
        "unsaved": _("{n} cell(s) not saved yet"),
        "invalid": _("{n} cell(s) need correcting"),
        "nothing": _("No changes to save."),
        "failed": _("Saving failed ({status}); your entries are kept, try again."),
        "offline": _("No connection to the server; your entries are kept, try again."),
        "paste_too_big": _(
            "The pasted block has {rows} row(s) × {cols} column(s) but only {free_rows} × "
            "{free_cols} cells remain from this cell; nothing was pasted."
        ),
        "paste_locked": _("The pasted block covers locked cells; nothing was pasted."),
        "yours": _("You had typed “{v}”."),
        "conflicts": _(
            "{n} cell(s) were changed by someone else meanwhile: check them and type again."
        ),
        "leave": _("Some cells are not saved yet. Leave the page anyway?"),
    }


def build_rows(
    students: list[tuple[Student, bool]],
    columns: list[ColumnView],
    stored: Callable[[Student, str], str],
    shown: Callable[[str, str], str],
    *,
    editable: bool,
    typed: Mapping[tuple[int, str], str] | None = None,
    errors: Mapping[tuple[int, str], str] | None = None,
) -> list[RowView]:
    """Rows of cells: the stored values, or the typed ones where a save was refused."""
    typed = typed or {}
    errors = errors or {}
    rows = []
    for number, (student, in_class) in enumerate(students, start=1):
        cells = []
        for column in columns:
            old = stored(student, column.code)
            key = (student.pk, column.code)
            value = typed.get(key, shown(column.code, old))
            readonly = not editable or not in_class or bool(column.locked)
            cells.append(
                CellView(column.code, value, old, readonly, errors.get(key, ""), column.inputmode)
            )
        rows.append(RowView(student, number, cells, in_class=in_class))
    return rows
