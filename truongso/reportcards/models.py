"""Digital report cards (học bạ số): issued versions, signing batches, signing keys.

A ``ReportCard`` is one version of a student's học bạ for one school year. It is rendered
once, then signed in order by the homeroom teacher, the principal and the school's seal
(``stage`` counts the signatures applied); once sealed it is *issued* and never changes
again. A correction is a new version that ``supersedes`` the old one, with its reason
(DOMAIN.md, "Digital report card"). The public verification page finds a card by its short
``verify_code`` and compares an uploaded file with ``sha256`` of the issued PDF.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class CardStatus(models.TextChoices):
    SIGNING = "signing", _("Being signed")
    ISSUED = "issued", _("Valid")
    SUPERSEDED = "superseded", _("Superseded")
    REVOKED = "revoked", _("Revoked")


class Stage(models.IntegerChoices):
    """Signatures applied so far, in the order they are applied."""

    RENDERED = 0, _("Not signed yet")
    HOMEROOM = 1, _("Signed by the homeroom teacher")
    PRINCIPAL = 2, _("Signed by the principal")
    SEAL = 3, _("Sealed by the school")


class SignerRole(models.TextChoices):
    HOMEROOM = "homeroom", _("Homeroom teacher")
    PRINCIPAL = "principal", _("Principal")
    SEAL = "seal", _("School seal")


def card_upload_to(card: ReportCard, filename: str) -> str:
    return f"reportcards/{card.school_id}/{card.school_year_id}/{filename}"


class ReportCard(models.Model):
    student = models.ForeignKey(
        "registry.Student",
        verbose_name=_("student"),
        on_delete=models.PROTECT,
        related_name="report_cards",
    )
    school_year = models.ForeignKey(
        "registry.SchoolYear",
        verbose_name=_("school year"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    school = models.ForeignKey(
        "registry.OrgUnit", verbose_name=_("school"), on_delete=models.PROTECT, related_name="+"
    )
    school_class = models.ForeignKey(
        "registry.SchoolClass", verbose_name=_("class"), on_delete=models.PROTECT, related_name="+"
    )
    version = models.PositiveSmallIntegerField(_("version"), default=1)
    status = models.CharField(
        _("status"), max_length=12, choices=CardStatus.choices, default=CardStatus.SIGNING
    )
    stage = models.PositiveSmallIntegerField(_("stage"), choices=Stage.choices, default=0)
    verify_code = models.CharField(_("verification code"), max_length=12, unique=True)
    pdf = models.FileField(_("PDF"), upload_to=card_upload_to, max_length=255, blank=True)
    sha256 = models.CharField(_("SHA-256 of the issued PDF"), max_length=64, blank=True)
    # One entry per signature applied: {"role", "name", "certificate", "signed_at", "test"}.
    signers = models.JSONField(_("signers"), default=list, blank=True)
    supersedes = models.OneToOneField(
        "self",
        verbose_name=_("supersedes"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="superseded_by",
    )
    correction_reason = models.TextField(_("reason for the correction"), blank=True)
    revocation_reason = models.TextField(_("reason for the revocation"), blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    issued_at = models.DateTimeField(
        pgettext_lazy("report card", "issued at"), null=True, blank=True
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("report card")
        verbose_name_plural = _("report cards")
        ordering = ["school_year__start_date", "version"]
        constraints = [
            models.UniqueConstraint(
                fields=["student", "school_year", "version"], name="reportcard_version_unique"
            ),
        ]
        indexes = [
            models.Index(fields=["school_class", "status"], name="reportcard_class_idx"),
            models.Index(fields=["sha256"], name="reportcard_sha_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.student} {self.school_year} v{self.version}"

    @property
    def audit_org_path(self) -> str:
        return self.school.path

    @property
    def is_current(self) -> bool:
        return self.status in (CardStatus.SIGNING, CardStatus.ISSUED)

    @property
    def code_display(self) -> str:
        """The code as printed: two groups of five characters."""
        return f"{self.verify_code[:5]}-{self.verify_code[5:]}"


class BatchStage(models.TextChoices):
    HOMEROOM = "homeroom", _("Homeroom teacher signs the class")
    PRINCIPAL = "principal", _("Principal signs and seals")


class BatchStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


class IssueBatch(models.Model):
    """One signing pass over a class (homeroom stage) or a school (principal stage).

    Resumable: each card's signature is its own transaction and a stage already applied is
    skipped, so a batch killed half-way and started again never signs anybody twice.
    """

    school = models.ForeignKey("registry.OrgUnit", on_delete=models.PROTECT, related_name="+")
    school_year = models.ForeignKey(
        "registry.SchoolYear", on_delete=models.PROTECT, related_name="+"
    )
    school_class = models.ForeignKey(
        "registry.SchoolClass", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    stage = models.CharField(_("stage"), max_length=12, choices=BatchStage.choices)
    status = models.CharField(
        _("status"), max_length=12, choices=BatchStatus.choices, default=BatchStatus.QUEUED
    )
    total = models.PositiveIntegerField(default=0)
    done = models.PositiveIntegerField(default=0)
    signed_count = models.PositiveIntegerField(default=0)  # signatures applied by this batch
    skipped_count = models.PositiveIntegerField(default=0)  # not ready (earlier stage missing)
    error = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("signing batch")
        verbose_name_plural = _("signing batches")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.get_stage_display()} ({self.school_id}, {self.school_year_id})"

    @property
    def audit_org_path(self) -> str:
        return self.school.path

    @property
    def percent(self) -> int:
        return 100 if not self.total else min(100, self.done * 100 // self.total)

    @property
    def is_running(self) -> bool:
        return self.status in (BatchStatus.QUEUED, BatchStatus.RUNNING)


class KeyBackend(models.TextChoices):
    PKCS12 = "pkcs12", _("PKCS#12 file")
    PKCS11 = "pkcs11", _("PKCS#11 token")
    REMOTE = "remote", _("Remote signing service")


class SignerKey(models.Model):
    """Where a signer's key is: a PKCS#12 file, a token, or a remote signing service.

    Secrets (passphrase, PIN, service credentials) are never stored here: ``config`` names a
    file or an environment variable holding them (``passphrase_file``, ``pin_env`` ...), or,
    for test certificates only, the test CA's manifest (``keys.py``).
    """

    school = models.ForeignKey("registry.OrgUnit", on_delete=models.PROTECT, related_name="+")
    # The person who signs with it (none for the school's seal).
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    role = models.CharField(_("signs as"), max_length=12, choices=SignerRole.choices)
    backend = models.CharField(_("key storage"), max_length=8, choices=KeyBackend.choices)
    config = models.JSONField(_("configuration"), default=dict)
    certificate_subject = models.CharField(_("certificate"), max_length=255, blank=True)
    is_test = models.BooleanField(_("test certificate"), default=False)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("signing key")
        verbose_name_plural = _("signing keys")

    def __str__(self) -> str:
        return f"{self.get_role_display()}: {self.certificate_subject}"

    @property
    def audit_org_path(self) -> str:
        return self.school.path
