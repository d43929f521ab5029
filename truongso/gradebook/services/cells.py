"""Saving gradebook cells: subject scores (subject teacher) and semester records (homeroom)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import partial
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from truongso.core import authz
from truongso.core.audit import audit_build
from truongso.core.authz import Perm
from truongso.core.models import AuditEntry
from truongso.gradebook.errors import CellError, CellErrors
from truongso.gradebook.models import GradingPeriod, StudentTerm, SubjectTerm
from truongso.gradebook.rosters import roster
from truongso.gradebook.rules.engine import Column
from truongso.gradebook.schemes import engine_for_class, subject_specs
from truongso.registry.models import SchoolClass, Student, Subject, TeachingAssignment

COMMENT = "comment"
COMMENT_MAX = 1000


@dataclass(frozen=True)
class CellChange:
    """One typed cell: the value the writer saw (``old``) and the value typed (``new``)."""

    student_id: int
    code: str
    old: str
    new: str


def period_for(school_class: SchoolClass, semester: int) -> GradingPeriod | None:
    return GradingPeriod.objects.filter(
        school_id=school_class.school_id,
        school_year_id=school_class.school_year_id,
        semester=semester,
    ).first()


def group_deadline(period: GradingPeriod | None, group: str) -> dt.datetime | None:
    if period is None or not period.deadlines.get(group):
        return None
    return parse_datetime(period.deadlines[group])


def _lock_message(period: GradingPeriod | None, group: str, now: dt.datetime) -> str | None:
    """Why a column group can no longer be changed directly, or None."""
    if period is not None and period.is_closed:
        return _("The semester is closed; send a change request with a reason.")
    deadline = group_deadline(period, group)
    if deadline is not None and now > deadline:
        when = date_format(timezone.localtime(deadline), "SHORT_DATETIME_FORMAT")
        return _("This column was locked on %(when)s; send a change request with a reason.") % {
            "when": when
        }
    return None


def may_enter(actor: Any, school_class: SchoolClass, subject: Subject) -> bool:
    """The subject's teacher in the class (phân công giảng dạy), or the system."""
    if authz.scope_q(actor, Perm.GRADE_ENTER, TeachingAssignment) is None:
        return True  # the system (imports, seeding) and superusers
    assignments = TeachingAssignment.objects.filter(school_class=school_class, subject=subject)
    return authz.scope(actor, Perm.GRADE_ENTER, assignments).exists()


def may_enter_terms(actor: Any, school_class: SchoolClass) -> bool:
    classes = SchoolClass.objects.filter(pk=school_class.pk)
    return authz.scope(actor, Perm.CONDUCT_ENTER, classes).exists()


Cleaner = Callable[[str], str]


def _clean_all(
    changes: Sequence[CellChange],
    cleaners: Mapping[str, Cleaner],
    students: set[int],
    locks: Mapping[str, str | None],
) -> tuple[dict[tuple[int, str], str], list[CellError]]:
    cleaned: dict[tuple[int, str], str] = {}
    errors: list[CellError] = []
    for change in changes:
        key = (change.student_id, change.code)
        if change.student_id not in students:
            errors.append(CellError(*key, _("This student is not in the class this semester.")))
        elif change.code not in cleaners:
            errors.append(CellError(*key, _("Unknown column %(c)s.") % {"c": change.code}))
        elif key in cleaned:
            errors.append(CellError(*key, _("The same cell was sent twice.")))
        elif locks.get(change.code):
            errors.append(CellError(*key, str(locks[change.code])))
        else:
            try:
                cleaned[key] = cleaners[change.code](change.new)
            except ValidationError as exc:
                errors.append(CellError(*key, " ".join(exc.messages)))
    return cleaned, errors


def _text(max_length: int) -> Cleaner:
    def clean(raw: str) -> str:
        text = " ".join(str(raw).split())
        if len(text) > max_length:
            raise ValidationError(_("At most %(n)s characters.") % {"n": max_length})
        return text

    return clean


def subject_cleaners(
    school_class: SchoolClass, subject: Subject, semester: int
) -> dict[str, Cleaner]:
    engine = engine_for_class(school_class)
    spec = subject_specs(school_class.grade).get(subject.code)
    if spec is None:
        raise ValidationError(
            _("This subject is not taught in grade %(g)s.") % {"g": school_class.grade}
        )
    cleaners: dict[str, Cleaner] = {
        column.code: partial(engine.clean, column) for column in engine.columns(spec, semester)
    }
    cleaners[COMMENT] = _text(COMMENT_MAX)
    return cleaners


def subject_columns(school_class: SchoolClass, subject: Subject, semester: int) -> list[Column]:
    spec = subject_specs(school_class.grade)[subject.code]
    return engine_for_class(school_class).columns(spec, semester)


def scores_save(
    *,
    actor: Any,
    school_class: SchoolClass,
    subject: Subject,
    semester: int,
    changes: Sequence[CellChange],
    approved_request: Any = None,
) -> int:
    """Save a batch of a subject's cells for a class and semester; returns the number of
    cells changed. All or nothing: any invalid, locked or conflicting cell raises
    ``CellErrors`` and nothing is written. ``approved_request`` (a decided late-change
    request) bypasses the deadlines and the closed semester; its decider is the actor."""
    if approved_request is None and not may_enter(actor, school_class, subject):
        raise PermissionDenied(_("You do not teach this subject in this class."))
    cleaners = subject_cleaners(school_class, subject, semester)
    columns = {c.code: c.group for c in subject_columns(school_class, subject, semester)}
    locks = _locks(school_class, semester, {**columns, COMMENT: "ck"}, approved_request)
    students = set(roster(school_class, semester).values_list("pk", flat=True))
    cleaned, errors = _clean_all(changes, cleaners, students, locks)
    if errors:
        raise CellErrors(errors)
    with transaction.atomic():
        rows = _locked_rows(
            SubjectTerm, school_class, semester, {s for s, _c in cleaned}, subject=subject
        )
        _attach(rows, school_class=school_class, subject=subject)
        return _apply(
            actor,
            rows,
            changes,
            cleaned,
            approved_request,
            new_row=lambda sid: SubjectTerm(
                student_id=sid,
                school_class=school_class,
                subject=subject,
                semester=semester,
                school_year_id=school_class.school_year_id,
            ),
            get=_subject_get,
            put=_subject_put,
            action="score.update",
            school_class_id=school_class.pk,
        )


def _locks(
    school_class: SchoolClass, semester: int, groups: Mapping[str, str], approved: Any
) -> dict[str, str | None]:
    if approved is not None:
        return {}
    period = period_for(school_class, semester)
    now = timezone.now()
    return {code: _lock_message(period, group, now) for code, group in groups.items()}


def _locked_rows(
    model: type[models.Model],
    school_class: SchoolClass,
    semester: int,
    student_ids: set[int],
    **extra: Any,
) -> dict[int, Any]:
    rows: Any = model._default_manager.select_for_update().filter(
        student_id__in=student_ids,
        school_year_id=school_class.school_year_id,
        semester=semester,
        **extra,
    )
    return {row.student_id: row for row in rows}


def _attach(rows: Mapping[int, Any], **related: Any) -> None:
    """Give the locked rows the objects their audit entries name (the class, the subject),
    so that saving a whole grid does not read them back once per row."""
    for row in rows.values():
        for name, value in related.items():
            setattr(row, name, value)


def _subject_get(row: SubjectTerm, code: str) -> str:
    return row.comment if code == COMMENT else str(row.cells.get(code, ""))


def _subject_put(row: SubjectTerm, code: str, value: str) -> None:
    if code == COMMENT:
        row.comment = value
    elif value:
        row.cells[code] = value
    else:
        row.cells.pop(code, None)


def _apply(
    actor: Any,
    rows: dict[int, Any],
    changes: Sequence[CellChange],
    cleaned: Mapping[tuple[int, str], str],
    approved_request: Any,
    *,
    new_row: Callable[[int], Any],
    get: Callable[[Any, str], str],
    put: Callable[[Any, str, str], None],
    action: str,
    school_class_id: int,
) -> int:
    """Compare-and-set every cell against the locked rows, then write and audit."""
    conflicts = []
    for change in changes:
        row = rows.get(change.student_id)
        current = get(row, change.code) if row is not None else ""
        if current != change.old.strip() and current != cleaned[(change.student_id, change.code)]:
            conflicts.append(
                CellError(
                    change.student_id,
                    change.code,
                    _("Changed by someone else meanwhile (now “%(v)s”); check and type again.")
                    % {"v": current},
                    current=current,
                )
            )
    if conflicts:
        raise CellErrors(conflicts)
    for row in rows.values():  # a student who changed class is now entered in this one
        row.school_class_id = school_class_id
    befores: dict[int, dict[str, str]] = {}
    afters: dict[int, dict[str, str]] = {}
    for (student_id, code), value in cleaned.items():
        row = rows.get(student_id) or rows.setdefault(student_id, new_row(student_id))
        old = get(row, code)
        if old == value:
            continue
        befores.setdefault(student_id, {})[code] = old
        afters.setdefault(student_id, {})[code] = value
        put(row, code, value)
    user = actor if getattr(actor, "pk", None) else None
    note = _request_note(approved_request)
    entries: list[AuditEntry] = []
    named = Student.objects.in_bulk(list(afters))  # the audit entries name each student
    for student_id in afters:
        row = rows[student_id]
        row.student = named[student_id]
        row.updated_by = user
        row.save()
        entries.append(
            audit_build(
                actor=actor,
                action=action,
                obj=row,
                before=befores[student_id],
                after=afters[student_id],
                note=note,
            )
        )
    AuditEntry.objects.bulk_create(entries)
    return sum(len(cells) for cells in afters.values())


def _request_note(request: Any) -> str:
    if request is None:
        return ""
    return _("Late change request #%(id)s by %(who)s: %(why)s") % {
        "id": request.pk,
        "who": getattr(request.requested_by, "username", "?"),
        "why": request.reason,
    }


# Homeroom: conduct, absences, comment, qualities ------------------------------------------
CONDUCT_ALIASES = {
    "t": "tot",
    "tốt": "tot",
    "tot": "tot",
    "k": "kha",
    "khá": "kha",
    "kha": "kha",
    "đ": "dat",
    "d": "dat",
    "đạt": "dat",
    "dat": "dat",
    "cđ": "chua_dat",
    "cd": "chua_dat",
    "chưa đạt": "chua_dat",
    "chua dat": "chua_dat",
    "chua_dat": "chua_dat",
}
QUALITY_ALIASES = {
    "t": "T",
    "tốt": "T",
    "đ": "Đ",
    "d": "Đ",
    "đạt": "Đ",
    "c": "C",
    "cần cố gắng": "C",
    "can co gang": "C",
}


def _choice(aliases: Mapping[str, str], message: str) -> Cleaner:
    def clean(raw: str) -> str:
        text = str(raw).strip()
        if not text:
            return ""
        found = aliases.get(text.lower())
        if found is None:
            raise ValidationError(message % {"v": text[:12]})
        return found

    return clean


def _count(raw: str) -> str:
    """Absent sessions; "" stands for none, as the grid shows it."""
    text = str(raw).strip()
    if not text:
        return ""
    if not text.isdigit() or int(text) > 250:
        raise ValidationError(
            _("Absences are a whole number of sessions from 0 to 250 (“%(v)s”).") % {"v": text[:12]}
        )
    return str(int(text)) if int(text) else ""


def term_cleaners(school_class: SchoolClass) -> dict[str, Cleaner]:
    engine = engine_for_class(school_class)
    cleaners: dict[str, Cleaner] = {
        "absences_excused": _count,
        "absences_unexcused": _count,
        COMMENT: _text(COMMENT_MAX),
    }
    if engine.code == "tt22":
        cleaners["conduct"] = _choice(
            CONDUCT_ALIASES, _("Conduct is Tốt, Khá, Đạt or Chưa đạt (not “%(v)s”).")
        )
    for code, _name in engine.params.get("qualities", []):
        cleaners[f"q:{code}"] = _choice(
            QUALITY_ALIASES, _("Rate Tốt, Đạt or Cần cố gắng (not “%(v)s”).")
        )
    return cleaners


def _term_get(row: StudentTerm, code: str) -> str:
    if code.startswith("q:"):
        return str(row.qualities.get(code[2:], ""))
    value = getattr(row, code)
    return str(value) if value else ""


def _term_put(row: StudentTerm, code: str, value: str) -> None:
    if code.startswith("q:"):
        if value:
            row.qualities[code[2:]] = value
        else:
            row.qualities.pop(code[2:], None)
    elif code.startswith("absences"):
        setattr(row, code, int(value or 0))
    else:
        setattr(row, code, value)


def terms_save(
    *,
    actor: Any,
    school_class: SchoolClass,
    semester: int,
    changes: Sequence[CellChange],
    approved_request: Any = None,
) -> int:
    """Save the homeroom teacher's semester records (conduct, absences, comments,
    qualities) for a class; same guarantees as ``scores_save``."""
    if approved_request is None and not may_enter_terms(actor, school_class):
        raise PermissionDenied(_("Only the homeroom teacher records conduct for this class."))
    cleaners = term_cleaners(school_class)
    locks = _locks(school_class, semester, dict.fromkeys(cleaners, "conduct"), approved_request)
    students = set(roster(school_class, semester).values_list("pk", flat=True))
    cleaned, errors = _clean_all(changes, cleaners, students, locks)
    if errors:
        raise CellErrors(errors)
    with transaction.atomic():
        rows = _locked_rows(StudentTerm, school_class, semester, {s for s, _c in cleaned})
        _attach(rows, school_class=school_class)
        return _apply(
            actor,
            rows,
            changes,
            cleaned,
            approved_request,
            new_row=lambda sid: StudentTerm(
                student_id=sid,
                school_class=school_class,
                semester=semester,
                school_year_id=school_class.school_year_id,
            ),
            get=_term_get,
            put=_term_put,
            action="conduct.update",
            school_class_id=school_class.pk,
        )


def scores_save_many(
    *,
    actor: Any,
    school_class: SchoolClass,
    semester: int,
    changes: Mapping[Subject, Sequence[CellChange]],
) -> int:
    """Save several subjects of a class at once (a primary class teacher's whole grid, or an
    imported workbook): one transaction, so either every subject is saved or none."""
    errors: list[CellError] = []
    total = 0
    with transaction.atomic():
        for subject, subject_changes in changes.items():
            try:
                total += scores_save(
                    actor=actor,
                    school_class=school_class,
                    subject=subject,
                    semester=semester,
                    changes=subject_changes,
                )
            except CellErrors as exc:
                errors += [
                    CellError(e.student_id, f"{subject.code}:{e.code}", e.message, e.current)
                    for e in exc.errors
                ]
        if errors:
            transaction.set_rollback(True)
    if errors:
        raise CellErrors(errors)
    return total
