"""Services that run an import job: upload, dry run (check), confirm, apply.

A small file is checked and applied in the request; a file with more rows than
``IMPORT_BACKGROUND_ROWS`` is handed to the worker after commit. Each run first *claims*
the job with one conditional UPDATE on its id and status, so a task delivered twice (Celery
``acks_late``) runs once; a claim left by a dead worker goes stale and may be taken over.
The apply re-checks every row against the database as it is now, then writes everything in
one transaction: any error leaves the database as it was.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files import File
from django.core.files.base import ContentFile
from django.db import DatabaseError, transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from truongso.core import authz
from truongso.core.authz import Perm
from truongso.core.db import ANALYZE_AFTER_ROWS, planner_statistics_refresh
from truongso.registry.imports.base import Importer, Progress
from truongso.registry.imports.classes import ClassImporter
from truongso.registry.imports.headers import SPECS
from truongso.registry.imports.reader import ImportFileError, RawRow, SheetReader, too_big
from truongso.registry.imports.schools import SchoolImporter
from truongso.registry.imports.staff import StaffImporter
from truongso.registry.imports.students import StudentImporter
from truongso.registry.models import ImportJob, ImportKind, ImportStatus, OrgUnit, SchoolYear
from truongso.registry.models.statistics import STATISTICS_TABLES

logger = logging.getLogger(__name__)

IMPORTERS: dict[str, type[Importer]] = {
    ImportKind.STUDENTS: StudentImporter,
    ImportKind.STAFF: StaffImporter,
    ImportKind.CLASSES: ClassImporter,
    ImportKind.SCHOOLS: SchoolImporter,
}
STALE_CLAIM = dt.timedelta(minutes=15)
# Files without a recorded sheet size are counted row by row when at most this big.
COUNT_ROWS_BELOW_BYTES = 512 * 1024


def kind_perms(kind: str) -> tuple[Perm, ...]:
    return (Perm.DATA_IMPORT, *IMPORTERS[kind].perms)


def may_import(user: Any, kind: str, unit: OrgUnit) -> bool:
    return all(authz.can(user, perm, unit.path) for perm in kind_perms(kind))


def _check_target(kind: str, unit: OrgUnit, school_year: SchoolYear | None) -> None:
    if kind == ImportKind.SCHOOLS and unit.is_school:
        raise ValidationError({"org_unit": _("Schools are imported under a Sở or Phòng.")})
    if kind == ImportKind.STUDENTS and school_year is None:
        raise ValidationError({"school_year": _("Choose the school year.")})


def _count_rows(reader: SheetReader, size: int) -> int | None:
    assert reader.layout is not None
    if reader.layout.estimated_rows is not None:
        return reader.layout.estimated_rows
    if size <= COUNT_ROWS_BELOW_BYTES:
        return sum(1 for _row in reader.rows())
    return None


def _probe(job: ImportJob) -> int | None:
    """Find the sheet and header row now, so that a wrong file is refused at upload."""
    with local_path(job) as path, SheetReader(path, SPECS[job.kind]) as reader:
        assert reader.layout is not None
        job.sheet_name = reader.layout.sheet_name[:64]
        job.header_row = reader.layout.header_row
        rows = _count_rows(reader, job.size)
        if rows == 0:
            raise ImportFileError(
                _("The sheet “%(sheet)s” has headers but no data rows.")
                % {"sheet": reader.layout.sheet_name}
            )
        return rows


def import_job_create(
    *,
    actor: Any,
    kind: str,
    org_unit: OrgUnit,
    upload: File[Any],
    school_year: SchoolYear | None = None,
    language: str = "vi",
    run_now: bool = False,
) -> ImportJob:
    """Store an uploaded workbook and check it (now, or in the background if it is big;
    ``run_now`` always checks in this process, as commands do). Nothing but the job itself
    is written until the user confirms."""
    if kind not in IMPORTERS:
        raise ValidationError({"kind": _("Unknown kind of data.")})
    if not may_import(actor, kind, org_unit):
        raise PermissionDenied(_("You cannot import this kind of data into this unit."))
    _check_target(kind, org_unit, school_year)
    size = upload.size or 0
    if size > settings.IMPORT_MAX_BYTES:
        raise ValidationError({"file": too_big(size)})
    job = ImportJob(
        kind=kind,
        org_unit=org_unit,
        school_year=school_year,
        original_name=Path(upload.name or "").name[:255],
        size=size,
        language=language,
        created_by=actor if getattr(actor, "pk", None) else None,
    )
    job.file.save("upload.xlsx", upload, save=False)
    try:
        rows = _probe(job)
    except ImportFileError as exc:
        job.file.delete(save=False)
        raise ValidationError({"file": exc.message}) from exc
    job.total_rows = rows or 0
    job.save()
    if run_now or (rows is not None and rows <= settings.IMPORT_BACKGROUND_ROWS):
        import_job_check(job_id=job.pk)
        job.refresh_from_db()
    else:
        _enqueue("check", job.pk)
    return job


def _enqueue(step: str, job_id: int) -> None:
    from truongso.registry import tasks

    task = tasks.import_job_check_task if step == "check" else tasks.import_job_apply_task
    transaction.on_commit(lambda: task.delay(job_id))


def _claim(job_id: int, statuses: list[str], **changes: Any) -> ImportJob | None:
    now = timezone.now()
    free = Q(claimed_at__isnull=True) | Q(claimed_at__lt=now - STALE_CLAIM)
    claimed = ImportJob.objects.filter(free, pk=job_id, status__in=statuses).update(
        claimed_at=now, **changes
    )
    if not claimed:
        return None
    return ImportJob.objects.select_related("org_unit", "school_year").get(pk=job_id)


def _progress(job_id: int) -> Progress:
    def report(done: int) -> None:
        # Autocommit: each update is its own short transaction, visible to the job page.
        ImportJob.objects.filter(pk=job_id).update(processed_rows=done, claimed_at=timezone.now())

    return report


@contextmanager
def local_path(job: ImportJob) -> Iterator[Path]:
    """A path on disk to the uploaded file (a temporary copy when storage is remote)."""
    try:
        yield Path(job.file.path)
        return
    except NotImplementedError:
        pass
    with tempfile.NamedTemporaryFile(suffix=".xlsx") as copy, job.file.open("rb") as source:
        for chunk in source.chunks():
            copy.write(chunk)
        copy.flush()
        yield Path(copy.name)


def _rows_name(job: ImportJob) -> str:
    return f"{job.file.name}.rows.json"


def _load_rows(job: ImportJob) -> tuple[dict[str, str], list[RawRow]] | None:
    """The rows read at the dry run, so that the apply does not parse the workbook again."""
    storage = job.file.storage
    name = _rows_name(job)
    if not storage.exists(name):
        return None
    with storage.open(name, "rb") as handle:
        saved = json.loads(handle.read().decode("utf-8"))
    return saved["labels"], [(number, row) for number, row in saved["rows"]]


def _save_rows(job: ImportJob, labels: dict[str, str], rows: list[RawRow]) -> None:
    compact = [[number, {k: v for k, v in row.items() if v}] for number, row in rows]
    payload = json.dumps({"labels": labels, "rows": compact}, ensure_ascii=False)
    job.file.storage.save(_rows_name(job), ContentFile(payload.encode("utf-8")))


def _discard_files(job: ImportJob) -> None:
    """The upload holds personal data: it goes once the job has ended (the report stays)."""
    if job.file:
        job.file.storage.delete(_rows_name(job))
        job.file.delete(save=False)


def _importer(job: ImportJob, actor: Any, labels: dict[str, str]) -> Importer:
    return IMPORTERS[job.kind](
        actor=actor, unit=job.org_unit, school_year=job.school_year, labels=labels
    )


def _check(job: ImportJob, actor: Any) -> Importer:
    """Read (or reload) the rows and run the importer's dry run over them."""
    progress = _progress(job.pk)
    saved = _load_rows(job)
    if saved is not None:
        labels, rows = saved
        importer = _importer(job, actor, labels)
        importer.check(rows, progress)
        return importer
    with local_path(job) as path, SheetReader(path, SPECS[job.kind]) as reader:
        assert reader.layout is not None
        labels = reader.layout.labels
        kept: list[RawRow] = []

        def keep() -> Iterator[RawRow]:
            for raw in reader.rows():
                kept.append(raw)
                yield raw

        importer = _importer(job, actor, labels)
        importer.check(keep(), progress)
    if kept:
        _save_rows(job, labels, kept)
    return importer


def _finish(job: ImportJob, status: str, *, message: str = "", importer: Any = None) -> None:
    job.status = status
    job.message = message
    job.claimed_at = None
    if importer is not None:
        report, counts = importer.report, importer.counts
        job.total_rows = importer.rows_read
        job.processed_rows = importer.rows_read
        job.errors = report.sorted_errors()
        job.error_count = len(report.bad_rows)
        job.created_count, job.updated_count = counts.created, counts.updated
        job.unchanged_count = counts.unchanged
    now = timezone.now()
    if status in (ImportStatus.VALIDATED, ImportStatus.INVALID):
        job.validated_at = now
    if status in (ImportStatus.INVALID, ImportStatus.DONE, ImportStatus.FAILED):
        job.finished_at = now
        _discard_files(job)
    job.save()


def import_job_check(*, job_id: int) -> ImportJob | None:
    """The dry run: every row checked, the report and counts stored; nothing else written.
    Returns ``None`` when another run holds the job or it is already checked."""
    job = _claim(
        job_id, [ImportStatus.UPLOADED, ImportStatus.VALIDATING], status=ImportStatus.VALIDATING
    )
    if job is None:
        return None
    with translation.override(job.language):
        try:
            importer = _check(job, job.created_by)
        except ImportFileError as exc:
            _finish(job, ImportStatus.INVALID, message=exc.message)
            return job
        except Exception:
            logger.exception("import job %s: check failed", job_id)
            _finish(job, ImportStatus.FAILED, message=_("Unexpected error while checking."))
            return job
        ok = importer.report.ok and importer.rows_read > 0
        message = "" if importer.rows_read else _("The sheet has headers but no data rows.")
        _finish(
            job,
            ImportStatus.VALIDATED if ok else ImportStatus.INVALID,
            message=message,
            importer=importer,
        )
    return job


def import_job_confirm(*, actor: Any, job: ImportJob, run_now: bool = False) -> ImportJob:
    """The user confirms a clean dry run: apply it now, or in the background if it is big."""
    if not may_import(actor, job.kind, job.org_unit):
        raise PermissionDenied(_("You cannot import this kind of data into this unit."))
    started = ImportJob.objects.filter(pk=job.pk, status=ImportStatus.VALIDATED).update(
        status=ImportStatus.APPLYING,
        applied_by=actor if getattr(actor, "pk", None) else None,
        processed_rows=0,
        claimed_at=None,
    )
    if not started:
        raise ValidationError(_("Only a checked file without errors can be imported."))
    if run_now or job.total_rows <= settings.IMPORT_BACKGROUND_ROWS:
        import_job_apply(job_id=job.pk, actor=actor)
    else:
        _enqueue("apply", job.pk)
    job.refresh_from_db()
    return job


def import_job_apply(*, job_id: int, actor: Any = None) -> ImportJob | None:
    """Check every row again against the database as it is now, then write them all in one
    transaction. Any error: nothing written, the job fails with the reason."""
    job = _claim(job_id, [ImportStatus.APPLYING])
    if job is None:
        return None
    actor = actor or job.applied_by
    with translation.override(job.language):
        try:
            importer = _check(job, actor)
            if not importer.report.ok:
                _finish(
                    job,
                    ImportStatus.FAILED,
                    message=_(
                        "The data changed since the check: %(n)s rows now have errors. "
                        "Nothing was imported."
                    )
                    % {"n": len(importer.report.bad_rows)},
                    importer=importer,
                )
                return job
            with transaction.atomic():
                importer.apply()
            if job.total_rows >= ANALYZE_AFTER_ROWS:
                planner_statistics_refresh(*STATISTICS_TABLES)
        except (ValidationError, PermissionDenied, ImportFileError, DatabaseError) as exc:
            _finish(job, ImportStatus.FAILED, message=_failure(exc))
            return job
        _finish(job, ImportStatus.DONE, importer=importer)
    return job


def _failure(exc: Exception) -> str:
    if isinstance(exc, ImportFileError):
        return exc.message
    if isinstance(exc, ValidationError):
        detail = "; ".join(exc.messages)
    elif isinstance(exc, PermissionDenied):
        detail = str(exc) or _("Permission denied.")
    else:
        logger.exception("import apply failed")
        detail = _("The database refused the changes (another change happened meanwhile).")
    return _("Nothing was imported: %(reason)s") % {"reason": detail}
