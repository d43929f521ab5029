from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from truongso.core import authz
from truongso.core.audit import audit_update, snapshot
from truongso.core.authz import Perm
from truongso.registry.models import GradeSubject
from truongso.registry.reference import AssessmentType


def grade_subject_update(
    *, actor: Any, grade_subject: GradeSubject, periods_per_year: int, assessment_type: str
) -> GradeSubject:
    """Change periods or assessment type of a subject in a grade (ministry officers only)."""
    if not authz.has_any(actor, Perm.CURRICULUM_MANAGE):
        raise PermissionDenied(_("Only the Ministry changes the curriculum."))
    if periods_per_year <= 0 or periods_per_year > 700:
        raise ValidationError(
            {"periods_per_year": _("Periods per year must be between 1 and 700.")}
        )
    if assessment_type not in AssessmentType.values:
        raise ValidationError({"assessment_type": _("Unknown assessment type.")})
    before = snapshot(grade_subject, ["periods_per_year", "assessment_type"])
    with transaction.atomic():
        grade_subject.periods_per_year = periods_per_year
        grade_subject.assessment_type = assessment_type
        grade_subject.save(update_fields=["periods_per_year", "assessment_type"])
        audit_update(actor=actor, obj=grade_subject, before=before, action="curriculum.update")
    return grade_subject
