"""A class's results as an .xlsx workbook (bảng tổng hợp kết quả), audited as an export."""

from __future__ import annotations

from typing import Any

from django.utils.text import slugify
from django.utils.translation import gettext as _

from truongso.core.audit import audit_export
from truongso.gradebook import stats
from truongso.gradebook.selectors_results import ClassResults
from truongso.registry.exports.book import ExportFile, SheetWriter


def period_name(period: int) -> str:
    return _("Whole year") if period == 0 else _("Semester %(n)s") % {"n": "I" * period}


def class_results_export(*, actor: Any, results: ClassResults) -> ExportFile:
    """Averages as numbers, marks as text; levels by their Vietnamese names."""
    school_class = results.school_class
    year = results.period == 0
    headers = [_("Row no."), _("Learner ID"), _("Full name")]
    headers += [spec.name for spec in results.subjects]
    headers += [_("Learning result")]
    headers += [] if results.primary else [_("Conduct")]
    headers += [_("Absences"), _("Award")] + ([_("Year-end decision")] if year else [])
    sheet = SheetWriter(_("Results"), headers, [6, 14, 28])
    sheet.titles(
        [
            f"{school_class.school.name} – {_('Class')} {school_class.name} "
            f"({school_class.school_year.code})",
            _("Results of %(period)s (%(kind)s)")
            % {
                "period": period_name(results.period),
                "kind": _("official") if results.official else _("provisional"),
            },
        ]
    )
    sheet.header()
    for number, row in enumerate(results.rows, start=1):
        values: list[Any] = [number, row.student.learner_id, row.student.full_name]
        values += [
            float(cell.average) if cell.average is not None else cell.text for cell in row.subjects
        ]
        values.append(stats.level_name("learning", row.learning))
        if not results.primary:
            values.append(stats.level_name("conduct", row.conduct))
        values += [row.absences, stats.level_name("award", row.award) if row.award else ""]
        if year:
            values.append(stats.level_name("decision", row.decision))
        sheet.append(values)
    audit_export(
        actor=actor,
        what="gradebook.class_results",
        org_path=school_class.school.path,
        rows=sheet.rows,
        params={"class": school_class.pk, "period": results.period},
    )
    return sheet.save(f"ket-qua-{slugify(school_class.name)}-{results.period}.xlsx")
