"""Year-end decisions after the books close (xét lên lớp, kiểm tra lại, rèn luyện hè).

When semester II closes, the year's official results are stored (``TermResult`` period 0)
with the decision of Thông tư 22/2021, Art. 12: promoted, re-test (Art. 13: learning Chưa
đạt), summer training (Art. 14: conduct Chưa đạt), or repeating (more than 45 absent
sessions). The school then records the re-test results and the conduct after summer
training, and finalises the year: each pending student is promoted or repeats the grade
(``rules.tt22.after_retests``). Primary pupils not yet completing the programme get a summer
review (Thông tư 27/2020, Art. 11) and are promoted or repeat after it.

Who records re-tests: the school's leaders (``GRADE_MANAGE``) only, not the subject teacher.
Re-tests are set and marked by a board the principal appoints (Art. 13), after the books are
closed, when a teacher's own entries can only change through an approved late change; the
result is an official record that decides promotion, so it is entered by the people who
close the books.

Each rule is called from ``rules``; nothing here re-implements a threshold.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from truongso.core import authz
from truongso.core.audit import audit_record
from truongso.core.authz import Perm
from truongso.gradebook.models import GradingPeriod, TermResult
from truongso.gradebook.rules import levels, tt22, tt27
from truongso.gradebook.rules.engine import BaseEngine
from truongso.gradebook.rules.numbers import parse_decimal, to_tenths
from truongso.gradebook.schemes import engine_for_class, subject_specs
from truongso.gradebook.services.cells import term_cleaners
from truongso.registry.models import OrgUnit, SchoolClass, SchoolYear, Student
from truongso.registry.reference import level_of_grade

YEAR = TermResult.YEAR
PENDING = frozenset({levels.RETEST, levels.SUMMER, tt22.RETEST_SUMMER})
FINAL = frozenset({levels.PROMOTED, levels.REPEAT})
REVIEW = "review"  # key of a primary pupil's result after the summer review in ``retests``


class Engines:
    """The rule engine of each class, looked up once per school year and level."""

    def __init__(self) -> None:
        self._found: dict[tuple[int, str], BaseEngine] = {}

    def __call__(self, school_class: SchoolClass) -> BaseEngine:
        key = (school_class.school_year_id, level_of_grade(school_class.grade))
        if key not in self._found:
            self._found[key] = engine_for_class(school_class)
        return self._found[key]


def subject_values(row: TermResult) -> tuple[dict[str, int], dict[str, str]]:
    """The stored year results as the rules take them: averages in tenths, and marks."""
    scored: dict[str, int] = {}
    marks: dict[str, str] = {}
    for code, outcome in row.subjects.items():
        if "average" in outcome:
            value = parse_decimal(str(outcome["average"]))
            if value is not None:
                scored[code] = to_tenths(value)
        elif "mark" in outcome:
            marks[code] = str(outcome["mark"])
    return scored, marks


def _retest_values(row: TermResult) -> dict[str, Any]:
    """Re-test results as the rules take them (scores in tenths, marks as they are)."""
    values: dict[str, Any] = {}
    for code, raw in row.retests.items():
        number = parse_decimal(str(raw))
        values[code] = to_tenths(number) if number is not None else str(raw)
    return values


def _thresholds(engine: BaseEngine) -> tt22.Thresholds:
    return tt22.Thresholds.from_params(engine.params)


def initial_decision(engine: BaseEngine, row: TermResult) -> str:
    """The decision the year's results give before re-tests and summer training ("" while
    the year's result is incomplete)."""
    if engine.code == "tt27":
        return tt27.year_decision(row.learning) if row.learning else ""
    if not row.learning or not row.conduct:
        return ""
    return tt22.year_decision(row.conduct, row.learning, row.absences, _thresholds(engine))


def retest_subjects(engine: BaseEngine, row: TermResult) -> list[str]:
    """Subjects the student may re-test (Thông tư 22/2021, Art. 13)."""
    if engine.code != "tt22":
        return []
    scored, marks = subject_values(row)
    return tt22.retest_eligible(scored, marks)


def after_summer(engine: BaseEngine, row: TermResult) -> tuple[str, str]:
    """(learning, final decision) once the re-tests, summer training or summer review are
    recorded: Thông tư 22/2021 Art. 13–14 through ``tt22.after_retests``; Thông tư 27/2020
    through ``tt27.year_decision`` of the result after the review (not completing it again
    means repeating the grade)."""
    if engine.code == "tt27":
        result = str(row.retests.get(REVIEW) or row.learning)
        decided = tt27.year_decision(result)
        return result, levels.PROMOTED if decided == levels.PROMOTED else levels.REPEAT
    scored, marks = subject_values(row)
    return tt22.after_retests(
        row.conduct,
        scored,
        marks,
        _retest_values(row),
        row.summer_conduct,
        _thresholds(engine),
    )


@dataclass
class YearRow:
    """A stored year result with the year-end facts the rules derive from it."""

    result: TermResult
    initial: str
    eligible: list[str] = field(default_factory=list)
    learning_after: str = ""  # after re-tests / summer review, once recorded

    @property
    def pending(self) -> bool:
        return self.initial in PENDING

    @property
    def final(self) -> bool:
        return self.pending and self.result.decision in FINAL

    @property
    def retest(self) -> bool:
        return self.initial in (levels.RETEST, tt22.RETEST_SUMMER)

    @property
    def summer(self) -> bool:
        return self.initial in (levels.SUMMER, tt22.RETEST_SUMMER)

    @property
    def repeats(self) -> bool:
        return self.result.decision == levels.REPEAT

    @property
    def promoted(self) -> bool:
        return self.result.decision == levels.PROMOTED

    @property
    def missing(self) -> bool:
        """Pending, and nothing recorded yet for what it is pending on."""
        r = self.result
        if not self.pending or self.final:
            return False
        if REVIEW in self.eligible:
            return not r.retests.get(REVIEW)
        return (self.retest and not r.retests) or (self.summer and not r.summer_conduct)


def year_row(engine: BaseEngine, row: TermResult) -> YearRow:
    initial = initial_decision(engine, row)
    found = YearRow(row, initial)
    if found.retest:
        found.eligible = retest_subjects(engine, row)
    elif engine.code == "tt27" and found.summer:
        found.eligible = [REVIEW]
    if found.pending and (row.retests or row.summer_conduct):
        found.learning_after = after_summer(engine, row)[0]
    return found


def year_rows(rows: Iterable[TermResult], engines: Engines | None = None) -> list[YearRow]:
    """``rows`` need ``school_class`` loaded (select_related)."""
    engines = engines or Engines()
    return [year_row(engines(row.school_class), row) for row in rows]


@dataclass
class YearLists:
    """The year-end lists of a class or a school (Thông tư 22/2021, Art. 12–15)."""

    awards: list[YearRow] = field(default_factory=list)
    promoted: list[YearRow] = field(default_factory=list)
    retest: list[YearRow] = field(default_factory=list)
    summer: list[YearRow] = field(default_factory=list)
    repeat: list[YearRow] = field(default_factory=list)

    @classmethod
    def of(cls, rows: Iterable[YearRow]) -> YearLists:
        lists = cls()
        for row in rows:
            if row.result.award:
                lists.awards.append(row)
            if row.promoted:
                lists.promoted.append(row)
            if row.retest:
                lists.retest.append(row)
            if row.summer:
                lists.summer.append(row)
            if row.repeats or row.initial == levels.REPEAT:
                lists.repeat.append(row)
        return lists


# Writes --------------------------------------------------------------------------------------
def _year_result(actor: Any, student: Student, year: SchoolYear) -> TermResult:
    """The student's stored year result, locked; PermissionDenied unless the actor leads
    the school; ValidationError while the year is not closed."""
    row = (
        TermResult.objects.select_for_update()
        .select_related("school_class__school", "school_class__school_year", "student")
        .filter(student=student, school_year=year, period=YEAR)
        .first()
    )
    school = row.school_class.school if row is not None else student.school
    if school is None or not authz.can(actor, Perm.GRADE_MANAGE, school.path):
        raise PermissionDenied(_("Only the school's leaders record year-end results."))
    if row is None:
        raise ValidationError(_("The year's results are not stored yet: close semester II first."))
    return row


def _pending(engine: BaseEngine, row: TermResult, kind: str) -> YearRow:
    found = year_row(engine, row)
    if found.final:
        raise ValidationError(_("The year-end decision for this student is already final."))
    wanted = {
        "retest": found.retest,
        "summer": found.summer and engine.code == "tt22",
        "review": REVIEW in found.eligible,
    }[kind]
    if not wanted:
        messages = {
            "retest": _("This student has no re-test: the year's learning result is not Chưa đạt."),
            "summer": _("This student has no summer training: the year's conduct is not Chưa đạt."),
            "review": _(
                "This pupil has no summer review: the year's result is not Chưa hoàn thành."
            ),
        }
        raise ValidationError(messages[kind])
    return found


def _clean_retests(
    engine: BaseEngine, row: TermResult, eligible: list[str], values: Mapping[str, str]
) -> dict[str, str]:
    """Each re-test result cleaned like the subject's end-of-term entry (0–10 with one
    decimal place, or Đ/CĐ); errors keyed by subject code, all at once."""
    specs = subject_specs(row.school_class.grade)
    cleaned: dict[str, str] = {}
    errors: dict[str, list[str]] = {}
    for code, raw in values.items():
        spec = specs.get(code)
        if code not in eligible or spec is None:
            errors[code] = [_("This student does not re-test this subject.")]
            continue
        column = next(c for c in engine.columns(spec, 2) if c.code == "ck")
        try:
            cleaned[code] = engine.clean(column, raw)
        except ValidationError as exc:
            errors[code] = [f"{spec.name}: {message}" for message in exc.messages]
    if errors:
        raise ValidationError(errors)
    return cleaned


def retest_save(
    *, actor: Any, student: Student, year: SchoolYear, values: Mapping[str, str]
) -> TermResult:
    """Record a student's re-test results ({subject code: score or Đ/CĐ}; "" clears one)."""
    with transaction.atomic():
        row = _year_result(actor, student, year)
        engine = engine_for_class(row.school_class)
        found = _pending(engine, row, "retest")
        cleaned = _clean_retests(engine, row, found.eligible, values)
        before = dict(row.retests)
        for code, value in cleaned.items():
            if value:
                row.retests[code] = value
            else:
                row.retests.pop(code, None)
        row.save(update_fields=["retests"])
        audit_record(
            actor=actor,
            action="gradebook.retest",
            obj=row,
            before={"retests": before},
            after={"retests": row.retests},
        )
    return row


def summer_conduct_save(
    *, actor: Any, student: Student, year: SchoolYear, value: str
) -> TermResult:
    """Record the conduct assessed again after summer training (Art. 14)."""
    with transaction.atomic():
        row = _year_result(actor, student, year)
        engine = engine_for_class(row.school_class)
        _pending(engine, row, "summer")
        try:
            conduct = term_cleaners(row.school_class)["conduct"](value)
        except ValidationError as exc:
            raise ValidationError({"summer_conduct": exc.messages}) from exc
        before = row.summer_conduct
        row.summer_conduct = conduct
        row.save(update_fields=["summer_conduct"])
        audit_record(
            actor=actor,
            action="gradebook.summer_conduct",
            obj=row,
            before={"summer_conduct": before},
            after={"summer_conduct": conduct},
        )
    return row


def summer_review_save(
    *, actor: Any, student: Student, year: SchoolYear, result: str
) -> TermResult:
    """Record a primary pupil's result after the summer review (Thông tư 27/2020, Art. 11):
    Hoàn thành (``ht``) or still Chưa hoàn thành (``cht``); "" clears it."""
    with transaction.atomic():
        row = _year_result(actor, student, year)
        engine = engine_for_class(row.school_class)
        _pending(engine, row, "review")
        if result not in ("", levels.HT_RESULT, levels.CHT_RESULT):
            raise ValidationError(
                {"review": _("After the summer review a pupil has completed or not yet.")}
            )
        before = dict(row.retests)
        if result:
            row.retests[REVIEW] = result
        else:
            row.retests.pop(REVIEW, None)
        row.save(update_fields=["retests"])
        audit_record(
            actor=actor,
            action="gradebook.summer_review",
            obj=row,
            before={"retests": before},
            after={"retests": row.retests},
        )
    return row


def year_finalise(
    *, actor: Any, school: OrgUnit, year: SchoolYear, allow_incomplete: bool = False
) -> dict[str, int]:
    """Decide, for every student still pending, promotion or repeating from the re-tests,
    summer training or summer review (a student with nothing recorded repeats the grade).
    Returns how many were promoted and how many repeat. Running it again changes nothing."""
    if not authz.can(actor, Perm.GRADE_MANAGE, school.path):
        raise PermissionDenied(_("Only the school's leaders record year-end results."))
    with transaction.atomic():
        closing = GradingPeriod.objects.filter(
            school=school, school_year=year, semester=2, closed_at__isnull=False
        ).first()
        if closing is None:
            raise ValidationError(_("Close semester II before the year-end decisions."))
        rows = year_rows(
            TermResult.objects.select_for_update()
            .filter(school_class__school=school, school_year=year, period=YEAR)
            .select_related("school_class", "student")
            .order_by("pk")
        )
        pending = [r for r in rows if r.pending and not r.final]
        missing = sum(1 for r in pending if r.missing)
        if missing and not allow_incomplete:
            raise ValidationError(
                _(
                    "%(n)s students have no re-test, summer training or review result yet; "
                    "record them or confirm that they repeat the grade."
                )
                % {"n": missing},
                code="incomplete",
            )
        counts = {levels.PROMOTED: 0, levels.REPEAT: 0}
        engines = Engines()
        for found in pending:
            row = found.result
            learning, decision = after_summer(engines(row.school_class), row)
            counts[decision] += 1
            row.decision = decision
            row.save(update_fields=["decision"])
            audit_record(
                actor=actor,
                action="gradebook.year_decision",
                obj=row,
                before={"decision": found.initial},
                after={"decision": decision, "learning": learning},
            )
        audit_record(
            actor=actor,
            action="gradebook.year_finalise",
            obj=closing,
            after={"promoted": counts[levels.PROMOTED], "repeat": counts[levels.REPEAT]},
        )
    return counts


def final_students(school_class: SchoolClass, student_ids: Iterable[int]) -> set[int]:
    """Students of ``student_ids`` whose stored year decision is already final."""
    rows = TermResult.objects.filter(
        student_id__in=list(student_ids),
        school_year_id=school_class.school_year_id,
        period=YEAR,
    ).select_related("school_class")
    return {found.result.student_id for found in year_rows(rows) if found.final}


def decisions_reapply(school_class: SchoolClass, student_ids: Iterable[int]) -> dict[int, str]:
    """After the year's results were stored again (an approved late change), put back the
    final decisions of students already decided: from the new results and the recorded
    re-tests. A student whom the new results no longer send to a re-test keeps the new
    decision. Returns {student id: decision} of the rows changed."""
    rows = TermResult.objects.filter(
        student_id__in=list(student_ids),
        school_year_id=school_class.school_year_id,
        period=YEAR,
    ).select_related("school_class")
    changed: dict[int, str] = {}
    for found in year_rows(rows):
        if not found.pending:
            continue
        row = found.result
        row.decision = after_summer(engine_for_class(row.school_class), row)[1]
        row.save(update_fields=["decision"])
        changed[row.student_id] = row.decision
    return changed
