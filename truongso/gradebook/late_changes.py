"""Late changes: after a column's deadline or the semester's closing, a teacher asks, with a
reason, and the principal approves (the practice of Thanh Hóa's education department).
Approving applies the change with the decider as actor, cites the request in the audit
entry, and refreshes the stored official results."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _

from truongso.core.authz import Perm
from truongso.gradebook.errors import CellErrors
from truongso.gradebook.models import StudentTerm, SubjectTerm
from truongso.gradebook.rosters import roster
from truongso.gradebook.services import cells as cell_services
from truongso.gradebook.services.cells import CellChange
from truongso.gradebook.services.periods import results_refresh
from truongso.registry.models import SchoolClass, Student, Subject
from truongso.workflow import handlers
from truongso.workflow.models import ApprovalRequest
from truongso.workflow.services import approval_resubmit, approval_submit

KIND = "gradebook.late_change"


def late_change_request(
    *,
    actor: Any,
    school_class: SchoolClass,
    semester: int,
    student: Student,
    cells: Mapping[str, tuple[str, str]],
    reason: str,
    subject: Subject | None = None,
) -> ApprovalRequest:
    """Ask for changed cells of one student (``cells``: code -> (old, new)); ``subject`` for
    a subject's scores, ``None`` for the homeroom record (conduct, absences ...)."""
    if subject is not None:
        allowed = cell_services.may_enter(actor, school_class, subject)
        cleaners = cell_services.subject_cleaners(school_class, subject, semester)
    else:
        allowed = cell_services.may_enter_terms(actor, school_class)
        cleaners = cell_services.term_cleaners(school_class)
    if not allowed:
        raise PermissionDenied(_("You cannot change these entries."))
    if not roster(school_class, semester).filter(pk=student.pk).exists():
        raise ValidationError({"student": _("This student is not in the class this semester.")})
    payload_cells = {}
    for code, (old, new) in cells.items():
        if code not in cleaners:
            raise ValidationError(_("Unknown column %(c)s.") % {"c": code})
        payload_cells[code] = [old, cleaners[code](new)]
    payload = {
        "class": school_class.pk,
        "semester": semester,
        "student": student.pk,
        "subject": subject.pk if subject else None,
        "cells": payload_cells,
    }
    what = subject.name if subject else _("semester record")
    return approval_submit(
        actor=actor,
        kind=KIND,
        org_unit=school_class.school,
        target_type="gradebook.subjectterm" if subject else "gradebook.studentterm",
        target_id=f"{student.pk}:{subject.pk if subject else '-'}:{semester}",
        title=_("Change %(what)s of %(name)s (%(cls)s, semester %(sem)s)")
        % {"what": what, "name": student.full_name, "cls": school_class.name, "sem": semester},
        payload=payload,
        reason=reason,
    )


def _changes(request: ApprovalRequest) -> list[CellChange]:
    student_id = request.payload["student"]
    return [
        CellChange(student_id, code, old, new)
        for code, (old, new) in request.payload["cells"].items()
    ]


def _current(request: ApprovalRequest) -> dict[str, str]:
    p = request.payload
    year_id = SchoolClass.objects.values_list("school_year_id", flat=True).get(pk=p["class"])
    rows = {"student_id": p["student"], "school_year_id": year_id, "semester": p["semester"]}
    get: Callable[[Any, str], str]
    if p["subject"]:
        row: Any = SubjectTerm.objects.filter(subject_id=p["subject"], **rows).first()
        get = cell_services._subject_get
    else:
        row = StudentTerm.objects.filter(**rows).first()
        get = cell_services._term_get
    return {code: (get(row, code) if row else "") for code in p["cells"]}


def check(request: ApprovalRequest) -> None:
    """The cells still hold what the teacher saw when asking."""
    current = _current(request)
    for code, (old, _new) in request.payload["cells"].items():
        if current[code] != old:
            raise ValidationError(
                _("The entry %(c)s has changed since the request (now “%(v)s”).")
                % {"c": code, "v": current[code]}
            )


def apply(request: ApprovalRequest, actor: Any) -> None:
    p = request.payload
    school_class = SchoolClass.objects.select_related("school", "school_year").get(pk=p["class"])
    try:
        if p["subject"]:
            cell_services.scores_save(
                actor=actor,
                school_class=school_class,
                subject=Subject.objects.get(pk=p["subject"]),
                semester=p["semester"],
                changes=_changes(request),
                approved_request=request,
            )
        else:
            cell_services.terms_save(
                actor=actor,
                school_class=school_class,
                semester=p["semester"],
                changes=_changes(request),
                approved_request=request,
            )
    except CellErrors as exc:
        raise ValidationError([e.message for e in exc.errors]) from exc
    results_refresh([p["student"]], school_class)


def register() -> None:
    handlers.register(
        KIND, handlers.Handler(decide_perm=Perm.GRADE_MANAGE, apply=apply, check=check)
    )


def late_change_resubmit(
    *, actor: Any, request: ApprovalRequest, cells: Mapping[str, str], reason: str
) -> ApprovalRequest:
    """The teacher answers a returned request with corrected values (``cells``: code ->
    new value; the values the request started from are kept) and an updated reason."""
    p = request.payload
    school_class = SchoolClass.objects.select_related("school", "school_year").get(pk=p["class"])
    if p["subject"]:
        subject = Subject.objects.get(pk=p["subject"])
        allowed = cell_services.may_enter(actor, school_class, subject)
        cleaners = cell_services.subject_cleaners(school_class, subject, p["semester"])
    else:
        allowed = cell_services.may_enter_terms(actor, school_class)
        cleaners = cell_services.term_cleaners(school_class)
    if not allowed:
        raise PermissionDenied(_("You cannot change these entries."))
    if len(reason.strip()) < 5:
        raise ValidationError({"reason": _("Give the reason for the request.")})
    payload_cells = {
        code: [old, cleaners[code](cells.get(code, new))] for code, (old, new) in p["cells"].items()
    }
    return approval_resubmit(
        actor=actor, request=request, payload={**p, "cells": payload_cells}, reason=reason
    )
