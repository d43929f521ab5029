"""The admitting school's list of admitted students as an .xlsx workbook, audited as an export."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from truongso.admissions import results
from truongso.admissions.models import AdmissionRound
from truongso.core.audit import audit_export
from truongso.registry.exports.book import ExportFile, SheetWriter, day, require_export
from truongso.registry.models import OrgUnit


def admitted_export(*, actor: Any, round_: AdmissionRound, school: OrgUnit) -> ExportFile:
    """Every applicant admitted to ``school``: code, learner ID, name, birth date, score,
    preference, confirmation state, parent's phone, and the class once in the registry."""
    org_path = require_export(actor, school)
    headers = [
        _("Row no."),
        _("Application code"),
        _("Learner ID"),
        _("Full name"),
        _("Birth date"),
        _("Admission score"),
        _("Preference"),
        _("Confirmation"),
        _("Parent or guardian"),
        _("Registered phone"),
        _("Class"),
    ]
    sheet = SheetWriter(_("Admitted students"), headers, [6, 14, 14, 28, 12, 10, 8, 22, 24, 12, 8])
    sheet.titles([f"{school.name} – {round_.name}"])
    sheet.header()
    rows = results.school_admitted(round_, school)
    for number, app in enumerate(rows, start=1):
        sheet.append(
            [
                number,
                app.code,
                app.learner_id or (app.student.temp_code if app.student else "") or "",
                app.full_name,
                day(app.birth_date),
                float(app.admission_score) if app.admission_score is not None else "",
                app.admitted_preference or "",
                app.get_confirmation_display() if app.confirmation else _("Waiting"),
                app.guardian_name,
                app.phone,
                app.student.current_class.name if app.student and app.student.current_class else "",
            ]
        )
    audit_export(
        actor=actor,
        what="admissions.admitted",
        org_path=org_path,
        rows=sheet.rows,
        params={"round": round_.pk, "school": school.pk},
    )
    return sheet.save(f"trung-tuyen-{school.code}-{round_.pk}.xlsx")
