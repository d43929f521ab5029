"""Bulk invoicing (lập hóa đơn hàng loạt): one run bills a school, grade or class for a period.

``invoice_run_start`` records the run and hands it to the worker after commit; the worker calls
:func:`invoice_run_execute`, which claims the run with a conditional UPDATE (a task delivered
twice runs once; a run abandoned by a dead worker may be taken over after ``STALE_AFTER``)
and bills the students in batches, one transaction each. An invoice is unique per (school,
year, period key, student), and students who already have one for the period are skipped, so
a run resumed half-way, or started twice, never bills anybody twice. ``done`` counts the
students looked at in this pass, ``created_count`` the invoices the run has made in all.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from truongso.core import authz
from truongso.core.audit import audit_record, snapshot
from truongso.payments.models import (
    FeeItem,
    FeeReduction,
    Invoice,
    InvoiceRun,
    JobStatus,
)
from truongso.payments.services.common import require_manage, text_check
from truongso.payments.services.issue import LineSpec, invoice_draft, invoices_save, payer_name_of
from truongso.registry.models import (
    OrgUnit,
    SchoolClass,
    SchoolYear,
    Student,
    StudentGuardian,
    StudentStatus,
)

logger = logging.getLogger(__name__)
BATCH = 200
STALE_AFTER = dt.timedelta(minutes=10)
PERIOD_KEY = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,19}$")


def run_students(run: InvoiceRun) -> QuerySet[Student]:
    """Students the run bills: studying at the school, in a class of the run's year."""
    students = Student.objects.filter(
        school_id=run.school_id,
        status=StudentStatus.STUDYING,
        current_class__school_year_id=run.school_year_id,
    )
    if run.school_class_id is not None:
        students = students.filter(current_class_id=run.school_class_id)
    elif run.grade is not None:
        students = students.filter(current_class__grade=run.grade)
    return students.order_by("pk")


def _check_items(school: OrgUnit, year: SchoolYear, items: Sequence[FeeItem]) -> list[FeeItem]:
    if not items:
        raise ValidationError({"fee_items": _("Choose at least one fee item.")})
    items = list(FeeItem.objects.filter(pk__in=[item.pk for item in items]))  # as saved now
    for item in items:
        if item.school_id != school.pk or item.school_year_id != year.pk:
            raise ValidationError(
                {"fee_items": _("%(c)s is not a fee of this school and year.") % {"c": item.code}}
            )
        if not item.is_active:
            raise ValidationError({"fee_items": _("%(c)s is not active.") % {"c": item.code}})
    return sorted(items, key=lambda item: item.code)


def invoice_run_start(
    *,
    actor: Any,
    school: OrgUnit,
    school_year: SchoolYear,
    period_key: str,
    period_label: str,
    due_date: dt.date,
    fee_items: Sequence[FeeItem],
    grade: int | None = None,
    school_class: SchoolClass | None = None,
) -> InvoiceRun:
    require_manage(actor, school)
    period_key = text_check(period_key, field="period_key", max_length=20)
    if not PERIOD_KEY.match(period_key):
        raise ValidationError(
            {"period_key": _("Use letters, digits and - _ . only, e.g. 2026-09 or HK1.")}
        )
    period_label = text_check(period_label, field="period_label", max_length=60)
    items = _check_items(school, school_year, fee_items)
    if school_class is not None and (
        school_class.school_id != school.pk or school_class.school_year_id != school_year.pk
    ):
        raise ValidationError(
            {"school_class": _("The class must be of this school and school year.")}
        )
    with transaction.atomic():
        run = InvoiceRun.objects.create(
            school=school,
            school_year=school_year,
            period_key=period_key,
            period_label=period_label,
            due_date=due_date,
            grade=school_class.grade if school_class is not None else grade,
            school_class=school_class,
            created_by=actor if getattr(actor, "pk", None) else None,
        )
        run.fee_items.set(items)
        run.total = run_students(run).count()
        run.save(update_fields=["total"])
        after = snapshot(run)
        after["fee_items"] = [item.code for item in items]
        audit_record(
            actor=actor,
            action="payments.invoice_run.start",
            obj=run,
            org_path=school.path,
            after=after,
        )
        _enqueue(run.pk)
    return run


def _enqueue(run_id: int) -> None:
    from truongso.payments.tasks import invoice_run_task

    transaction.on_commit(lambda: invoice_run_task.delay(run_id))


def invoice_run_resume(*, actor: Any, run: InvoiceRun) -> InvoiceRun:
    """Hand a failed or abandoned run to the worker again; it carries on where it stopped."""
    require_manage(actor, run.school)
    run.refresh_from_db()
    stale = timezone.now() - STALE_AFTER
    if not (
        run.status in (JobStatus.FAILED, JobStatus.QUEUED)
        or (run.status == JobStatus.RUNNING and (run.heartbeat_at or run.created_at) < stale)
    ):
        raise ValidationError({"run": _("This run is not stopped: nothing to resume.")})
    with transaction.atomic():
        audit_record(
            actor=actor, action="payments.invoice_run.resume", obj=run, org_path=run.school.path
        )
        _enqueue(run.pk)
    return run


def _claim(run_id: int) -> bool:
    now = timezone.now()
    stale = now - STALE_AFTER
    claimable = (
        Q(status__in=[JobStatus.QUEUED, JobStatus.FAILED])
        | Q(status=JobStatus.RUNNING, heartbeat_at__lt=stale)
        | Q(status=JobStatus.RUNNING, heartbeat_at__isnull=True)
    )
    return bool(
        InvoiceRun.objects.filter(claimable, pk=run_id).update(
            status=JobStatus.RUNNING, heartbeat_at=now, done=0, error=""
        )
    )


def _lines_for(student: Student, items: Sequence[FeeItem]) -> list[LineSpec]:
    klass = student.current_class
    return [
        (item, item.name, item.amount)
        for item in items
        if (item.school_class_id is None or klass is None or item.school_class_id == klass.pk)
        and (item.grade is None or klass is None or item.grade == klass.grade)
    ]


def _bill_batch(run: InvoiceRun, items: Sequence[FeeItem], students: Sequence[Student]) -> int:
    """Invoice the batch's students who have no invoice for the period yet; how many made."""
    ids = [s.pk for s in students]
    billed = set(
        Invoice.objects.filter(
            school_id=run.school_id,
            school_year_id=run.school_year_id,
            period_key=run.period_key,
            student_id__in=ids,
        ).values_list("student_id", flat=True)
    )
    reductions: dict[int, list[FeeReduction]] = defaultdict(list)
    for reduction in FeeReduction.objects.filter(
        student_id__in=ids, school_year_id=run.school_year_id
    ):
        reductions[reduction.student_id].append(reduction)
    links: dict[int, list[StudentGuardian]] = defaultdict(list)
    for link in (
        StudentGuardian.objects.filter(student_id__in=ids)
        .select_related("guardian")
        .order_by("-is_primary", "id")
    ):
        links[link.student_id].append(link)
    drafts = [
        invoice_draft(
            actor=authz.SYSTEM,
            student=student,
            school=run.school,
            school_year=run.school_year,
            lines=lines,
            reductions=reductions[student.pk],
            period_label=run.period_label,
            due_date=run.due_date,
            reason=f"{run.period_label} - {student.full_name}"[:255],
            period_key=run.period_key,
            run=run,
            payer_name=payer_name_of(student, links[student.pk]),
        )
        for student in students
        if student.pk not in billed and (lines := _lines_for(student, items))
    ]
    return len(invoices_save(actor=authz.SYSTEM, drafts=drafts))


def _bill_batch_retrying(
    run: InvoiceRun, items: Sequence[FeeItem], students: Sequence[Student]
) -> None:
    """One transaction per batch. Another run of the same period writing the same students
    at the same moment makes the unique index refuse the batch: read again and retry."""
    for attempt in range(3):
        try:
            with transaction.atomic():
                _bill_batch(run, items, students)
            return
        except IntegrityError:
            if attempt == 2:
                raise


def invoice_run_execute(*, run_id: int) -> bool:
    """Bill the run's students (acting as the system). ``False`` when the run was not
    claimable: finished, or being run by another live worker."""
    if not _claim(run_id):
        return False
    run = InvoiceRun.objects.select_related("school", "school_year").get(pk=run_id)
    items = list(run.fee_items.order_by("code"))
    students = run_students(run).select_related("current_class")
    InvoiceRun.objects.filter(pk=run_id).update(total=students.count())
    done, last_pk = 0, 0
    try:
        while True:
            batch = list(students.filter(pk__gt=last_pk)[:BATCH])
            if not batch:
                break
            _bill_batch_retrying(run, items, batch)
            done += len(batch)
            InvoiceRun.objects.filter(pk=run_id).update(
                done=done,
                created_count=Invoice.objects.filter(run_id=run_id).count(),
                heartbeat_at=timezone.now(),
            )
            last_pk = batch[-1].pk
    except Exception as exc:
        logger.exception("invoice run %s failed", run_id)
        InvoiceRun.objects.filter(pk=run_id).update(status=JobStatus.FAILED, error=str(exc)[:2000])
        return False
    InvoiceRun.objects.filter(pk=run_id).update(
        status=JobStatus.DONE,
        finished_at=timezone.now(),
        created_count=Invoice.objects.filter(run_id=run_id).count(),
    )
    return True
