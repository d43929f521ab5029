from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ImportKind(models.TextChoices):
    SCHOOLS = "schools", _("Schools")
    STAFF = "staff", _("Staff")
    CLASSES = "classes", _("Classes")
    STUDENTS = "students", _("Students")


class ImportStatus(models.TextChoices):
    UPLOADED = "uploaded", _("Waiting to be checked")
    VALIDATING = "validating", _("Checking")
    VALIDATED = "validated", _("Checked, ready to import")
    INVALID = "invalid", _("Has errors")
    APPLYING = "applying", _("Importing")
    DONE = "done", _("Imported")
    FAILED = "failed", _("Failed, nothing written")


# States in which a job is still being worked on (the job page keeps polling).
RUNNING_STATUSES = frozenset(
    {ImportStatus.UPLOADED, ImportStatus.VALIDATING, ImportStatus.APPLYING}
)


def new_token() -> str:
    return secrets.token_hex(16)


def upload_to(job: ImportJob, filename: str) -> str:
    # The stored name never contains the user's file name (it may hold personal data).
    return f"imports/{job.created_at:%Y/%m}/{job.token}.xlsx"


class ImportJob(models.Model):
    """One spreadsheet import (nhập dữ liệu từ Excel): uploaded, checked row by row (dry run),
    then applied all-or-nothing when the user confirms.

    The uploaded file lives under MEDIA_ROOT (never served publicly) only while the job is
    open; it is deleted when the job ends, keeping the report (row, column, reason).
    """

    kind = models.CharField(_("kind of data"), max_length=10, choices=ImportKind.choices)
    org_unit = models.ForeignKey(
        "registry.OrgUnit",
        verbose_name=_("unit"),
        on_delete=models.PROTECT,
        related_name="import_jobs",
    )
    school_year = models.ForeignKey(
        "registry.SchoolYear",
        verbose_name=_("school year"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    token = models.CharField(max_length=32, unique=True, editable=False, default=new_token)
    file = models.FileField(_("file"), upload_to=upload_to, max_length=255, blank=True)
    original_name = models.CharField(_("file name"), max_length=255, blank=True)
    size = models.PositiveBigIntegerField(_("size in bytes"), default=0)
    language = models.CharField(max_length=8, default="vi")
    status = models.CharField(
        _("status"), max_length=10, choices=ImportStatus.choices, default=ImportStatus.UPLOADED
    )
    sheet_name = models.CharField(_("sheet"), max_length=64, blank=True)
    header_row = models.PositiveIntegerField(_("header row"), default=0)
    total_rows = models.PositiveIntegerField(_("rows"), default=0)
    processed_rows = models.PositiveIntegerField(_("rows processed"), default=0)
    errors = models.JSONField(_("errors"), default=list, blank=True)
    error_count = models.PositiveIntegerField(_("rows with errors"), default=0)
    message = models.TextField(_("message"), blank=True)
    created_count = models.PositiveIntegerField(_("to create"), default=0)
    updated_count = models.PositiveIntegerField(_("to update"), default=0)
    unchanged_count = models.PositiveIntegerField(_("unchanged"), default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    applied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("imported by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("uploaded at"), default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)
    validated_at = models.DateTimeField(_("checked at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    # Set while a process works on the job (and refreshed with the progress), so that a
    # re-delivered task does not run it twice; a stale claim may be taken over.
    claimed_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("import")
        verbose_name_plural = _("imports")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["org_unit", "created_at"], name="importjob_unit_idx")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} – {self.original_name}"

    @property
    def audit_org_path(self) -> str:
        return self.org_unit.path

    @property
    def is_running(self) -> bool:
        return self.status in RUNNING_STATUSES

    @property
    def percent(self) -> int:
        if self.status in (ImportStatus.DONE, ImportStatus.VALIDATED, ImportStatus.INVALID):
            return 100
        if not self.total_rows:
            return 0
        return min(100, self.processed_rows * 100 // self.total_rows)
