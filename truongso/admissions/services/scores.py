"""Exam scores (điểm thi) and the admission score (điểm xét tuyển).

The department uploads one file (.xlsx or CSV) per round: a column naming the application
(application code ``ma_ho_so``/``code`` or the learner ID ``learner_id``/``ma_hoc_sinh``) and
one column per subject of the formula (its code or its name). The whole file is checked
first; any problem (unknown applicant, repeated row, a score that is not a number, out of
range or with more than two decimals, an unknown column) refuses the whole file, naming the
row and the column. Then the admission score of every application of the round is computed:
the weighted sum of the subjects, plus the single highest priority bonus, plus the
encouragement points (capped); a zero in any subject excludes the candidate when the round
says so (điểm liệt), and a missing subject leaves the application without a score.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from truongso.admissions.models import (
    AdmissionRound,
    Application,
    ApplicationStatus,
    ExamScore,
    RoundStatus,
)
from truongso.admissions.services.rounds import max_score, require_manage, subject_weights
from truongso.core import tables
from truongso.core.audit import audit_build, audit_record
from truongso.core.models import AuditEntry
from truongso.core.tables import TableError, is_xlsx, table_rows
from truongso.core.text import fold

CODE_HEADERS = {"code", "ma ho so", "ma_ho_so", "application code", "application_code"}
LEARNER_HEADERS = {"learner_id", "learner id", "ma hoc sinh", "ma_hoc_sinh", "ma dinh danh"}
MAX_BYTES = 10 * 1024 * 1024
MAX_SHOWN = 30  # problems listed in full; the rest are counted


@dataclass(frozen=True)
class ScoreImport:
    rows: int
    changed: int
    scored: int
    excluded: int


def _header_key(value: Any) -> str:
    return fold(str(value or "")).strip().lower().replace("-", " ")


def read_table(content: bytes, filename: str) -> list[tables.Row]:
    """Rows of text from an .xlsx workbook (first sheet) or a CSV (UTF-8/UTF-8 with BOM,
    comma or semicolon), each with its line in the file. Anything else is refused with a
    message."""
    if len(content) > MAX_BYTES:
        raise ValidationError(_("The file is larger than 10 MB."))
    if is_xlsx(content):
        refusal = _("The Excel file cannot be read (damaged or protected).")
        return _text_rows(content, tables.XLSX, refusal)
    if filename.lower().endswith((".xlsx", ".xls", ".xlsm")):
        raise ValidationError(
            _("The file is not an Excel .xlsx workbook (save it as .xlsx or CSV).")
        )
    return _text_rows(
        content, tables.CSV, _("The CSV file is not UTF-8 text (save it as “CSV UTF-8”).")
    )


def _text_rows(content: bytes, kind: tables.Kind, refusal: str) -> list[tables.Row]:
    try:
        rows = table_rows(content, kind=kind, delimiters=",;")
        return [tables.Row(row.line, [_cell_text(value) for value in row.cells]) for row in rows]
    except TableError as error:  # a malformed CSV's line, a zip bomb: worth more than ours
        raise ValidationError(
            error.message if error.reason in tables.OWN_WORDS else refusal
        ) from None


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return format(Decimal(repr(value)).normalize(), "f")
    return str(value).strip()


def _parse_score(text: str, top: Decimal) -> tuple[Decimal | None, str]:
    try:
        value = Decimal(text.replace(",", "."))
    except InvalidOperation:
        return None, _("“%(v)s” is not a number") % {"v": text}
    if not value.is_finite():
        return None, _("“%(v)s” is not a number") % {"v": text}
    if value.as_tuple().exponent < -2:  # type: ignore[operator]
        return None, _("%(v)s has more than two decimals") % {"v": text}
    if not Decimal(0) <= value <= top:
        return None, _("%(v)s is outside 0–%(max)s") % {
            "v": text,
            "max": number_format(top, 2 if top % 1 else 0),
        }
    return value, ""


def _problem(row: int, column: str, message: str) -> str:
    return _("Row %(row)s, column “%(col)s”: %(msg)s.") % {
        "row": row,
        "col": column,
        "msg": message,
    }


def scores_import(
    *, actor: Any, round: AdmissionRound, content: bytes, filename: str
) -> ScoreImport:
    """Import a score file for ``round``: all rows or none. Returns counts."""
    require_manage(actor, round.organiser)
    if round.status not in (RoundStatus.CLOSED,):
        raise ValidationError(
            _("Scores are imported after registration closes and before results are published.")
        )
    subjects = subject_weights(round)
    if not subjects:
        raise ValidationError(_("The round's formula has no exam subjects."))
    top = max_score(round)
    # Blank rows are skipped, but every message names the row as the file numbers it.
    rows = [r for r in read_table(content, filename) if any(cell for cell in r.cells)]
    if not rows:
        raise ValidationError(_("The file is empty."))
    labels = list(rows[0].cells)
    header = [_header_key(h) for h in labels]
    by_key = {}
    for code, name, _weight in subjects:
        by_key[code.lower()] = code
        by_key[_header_key(name)] = code
    problems: list[str] = []
    id_col, id_kind = -1, ""
    columns: dict[int, str] = {}
    for index, key in enumerate(header):
        label = labels[index]
        if key in CODE_HEADERS or key in LEARNER_HEADERS:
            if id_col >= 0:
                problems.append(
                    _("Column “%(c)s”: only one column may name the applicant.") % {"c": label}
                )
            id_col, id_kind = index, ("code" if key in CODE_HEADERS else "learner_id")
        elif key in by_key:
            if by_key[key] in columns.values():
                problems.append(_("Column “%(c)s”: the subject appears twice.") % {"c": label})
            columns[index] = by_key[key]
        elif key:
            problems.append(
                _("Column “%(c)s” is not a subject of this round (expected: %(s)s).")
                % {"c": label, "s": ", ".join(code for code, _n, _w in subjects)}
            )
    if id_col < 0:
        problems.append(_("No column names the applicant (ma_ho_so or learner_id)."))
    missing = [code for code, _n, _w in subjects if code not in columns.values()]
    if missing:
        problems.append(_("Missing subject columns: %(s)s.") % {"s": ", ".join(missing)})
    if problems:
        raise ValidationError(problems)

    applications = Application.objects.filter(round=round).exclude(
        status=ApplicationStatus.WITHDRAWN
    )
    lookup = {
        getattr(a, id_kind): a.pk
        for a in applications.only("pk", "code", "learner_id")
        if getattr(a, id_kind)
    }
    parsed: dict[int, dict[str, Decimal]] = {}
    seen_at: dict[str, int] = {}
    for line, row in ((r.line, list(r.cells)) for r in rows[1:]):
        ident = row[id_col].strip() if id_col < len(row) else ""
        if id_kind == "learner_id" and ident.isdigit() and len(ident) < 10:
            ident = ident.zfill(10)  # Excel drops the leading zero of 01… (Hà Nội) as a number
        if not ident:
            problems.append(_problem(line, labels[id_col], _("the applicant is missing")))
            continue
        if ident in seen_at:
            problems.append(
                _problem(
                    line,
                    labels[id_col],
                    _("%(id)s already appears on row %(r)s") % {"id": ident, "r": seen_at[ident]},
                )
            )
            continue
        seen_at[ident] = line
        pk = lookup.get(ident)
        if pk is None:
            problems.append(
                _problem(
                    line, labels[id_col], _("no application %(id)s in this round") % {"id": ident}
                )
            )
            continue
        values: dict[str, Decimal] = {}
        for index, code in columns.items():
            text = row[index].strip() if index < len(row) else ""
            if not text:
                problems.append(_problem(line, labels[index], _("the score is missing")))
                continue
            value, error = _parse_score(text, top)
            if value is None:
                problems.append(_problem(line, labels[index], error))
            else:
                values[code] = value
        parsed[pk] = values
    if problems:
        shown = problems[:MAX_SHOWN]
        if len(problems) > MAX_SHOWN:
            shown.append(_("… and %(n)s more problems.") % {"n": len(problems) - MAX_SHOWN})
        raise ValidationError(shown)

    with transaction.atomic():
        r = AdmissionRound.objects.select_for_update().get(pk=round.pk)
        if r.status != RoundStatus.CLOSED:
            raise ValidationError(
                _("Scores are imported after registration closes and before results are published.")
            )
        old: dict[int, dict[str, Decimal]] = {}
        for app_id, subject, score in ExamScore.objects.filter(
            application_id__in=parsed
        ).values_list("application_id", "subject", "score"):
            old.setdefault(app_id, {})[subject] = score
        changed = [pk for pk, values in parsed.items() if old.get(pk, {}) != values]
        ExamScore.objects.filter(application_id__in=changed).delete()
        ExamScore.objects.bulk_create(
            [
                ExamScore(application_id=pk, subject=code, score=value)
                for pk in changed
                for code, value in parsed[pk].items()
            ],
            batch_size=2000,
        )
        entries = [
            audit_build(
                actor=actor,
                action="admissions.scores",
                object_type="admissions.application",
                object_id=str(pk),
                object_repr=str(pk),
                org_path=r.organiser.path,
                before={k: str(v) for k, v in old.get(pk, {}).items()},
                after={k: str(v) for k, v in parsed[pk].items()},
            )
            for pk in changed
        ]
        AuditEntry.objects.bulk_create(entries, batch_size=2000)
        scored, excluded = admission_scores_compute(round=r)
        audit_record(
            actor=actor,
            action="admissions.scores_import",
            obj=r,
            org_path=r.organiser.path,
            after={
                "file": filename[:100],
                "sha256": hashlib.sha256(content).hexdigest(),
                "rows": len(parsed),
                "changed": len(changed),
            },
        )
    return ScoreImport(rows=len(parsed), changed=len(changed), scored=scored, excluded=excluded)


def _bonus(r: AdmissionRound, group: str) -> Decimal:
    """The single highest bonus among the applicant's groups (``"1"`` or ``"1,3"``)."""
    bonuses = {str(k): Decimal(str(v)) for k, v in (r.priority_bonus or {}).items()}
    groups = [g for g in group.replace(";", ",").replace(" ", ",").split(",") if g]
    return max((bonuses.get(g, Decimal(0)) for g in groups), default=Decimal(0))


def admission_score(
    r: AdmissionRound,
    *,
    scores: Mapping[str, Decimal],
    priority_group: str = "",
    encouragement: Decimal = Decimal(0),
) -> tuple[Decimal | None, str]:
    """(admission score, excluded reason) of one applicant. ``None`` when a subject is missing."""
    subjects = subject_weights(r)
    missing = [name for code, name, _w in subjects if code not in scores]
    if missing:
        return None, _("No exam score in %(s)s") % {"s": ", ".join(missing)}
    if r.exclude_on_zero:
        zeros = [name for code, name, _w in subjects if scores[code] == 0]
        if zeros:
            return None, _("A zero in %(s)s excludes the candidate") % {"s": ", ".join(zeros)}
    total = sum((scores[code] * weight for code, _n, weight in subjects), Decimal(0))
    total += _bonus(r, priority_group)
    total += min(Decimal(encouragement or 0), Decimal(r.encouragement_max or 0))
    return total.quantize(Decimal("0.01")), ""


def admission_scores_compute(*, round: AdmissionRound) -> tuple[int, int]:
    """Recompute every application's admission score from its exam scores (inside the
    caller's transaction). Returns (scored, excluded or unscored)."""
    scores: dict[int, dict[str, Decimal]] = {}
    for app_id, subject, score in ExamScore.objects.filter(application__round=round).values_list(
        "application_id", "subject", "score"
    ):
        scores.setdefault(app_id, {})[subject] = score
    # One UPDATE per distinct (score, reason), in chunks: a per-row bulk_update is slow.
    changed: dict[tuple[Decimal | None, str], list[int]] = {}
    scored = excluded = 0
    applications = Application.objects.filter(round=round).only(
        "pk", "priority_group", "encouragement", "admission_score", "excluded_reason", "status"
    )
    for app in applications:
        if app.status == ApplicationStatus.WITHDRAWN:
            value, reason = None, ""
        else:
            value, reason = admission_score(
                round,
                scores=scores.get(app.pk, {}),
                priority_group=app.priority_group,
                encouragement=app.encouragement,
            )
        if value is None:
            excluded += 1
        else:
            scored += 1
        if app.admission_score != value or app.excluded_reason != reason[:255]:
            changed.setdefault((value, reason[:255]), []).append(app.pk)
    for (value, reason), ids in changed.items():
        for start in range(0, len(ids), 5000):
            Application.objects.filter(pk__in=ids[start : start + 5000]).update(
                admission_score=value, excluded_reason=reason
            )
    return scored, excluded


def score_template_rows(
    r: AdmissionRound, applications: Iterable[Application]
) -> Sequence[list[str]]:
    """A ready-to-fill sheet: the header and one row per application code."""
    header = ["ma_ho_so", *[code for code, _n, _w in subject_weights(r)]]
    return [header, *[[a.code] + [""] * (len(header) - 1) for a in applications]]
