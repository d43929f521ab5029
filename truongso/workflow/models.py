"""One approval mechanism for every kind of request that needs a decision.

A request (a late grade change, later a teaching plan, a learning resource or a public
service application) is submitted on an org unit, decided by someone holding the kind's
permission over that unit, and applied by the kind's handler in the same transaction as
the decision. Every step is audited.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class RequestStatus(models.TextChoices):
    SUBMITTED = "submitted", _("Waiting for a decision")
    RETURNED = "returned", _("Returned for changes")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    WITHDRAWN = "withdrawn", _("Withdrawn")


OPEN_STATUSES = (RequestStatus.SUBMITTED, RequestStatus.RETURNED)


class ApprovalRequest(models.Model):
    kind = models.CharField(_("kind"), max_length=64, db_index=True)
    org_unit = models.ForeignKey(
        "registry.OrgUnit",
        verbose_name=_("decided at"),
        on_delete=models.PROTECT,
        related_name="approval_requests",
    )
    target_type = models.CharField(max_length=64)
    target_id = models.CharField(max_length=64)
    title = models.CharField(_("title"), max_length=255)
    payload = models.JSONField(_("what is asked"), default=dict)
    reason = models.TextField(_("reason"))
    status = models.CharField(
        _("status"), max_length=12, choices=RequestStatus.choices, default=RequestStatus.SUBMITTED
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requested by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="approval_requests",
    )
    requested_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    due_at = models.DateTimeField(_("decide by"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_note = models.TextField(_("decision note"), blank=True)

    class Meta:
        verbose_name = _("approval request")
        verbose_name_plural = _("approval requests")
        ordering = ["-requested_at", "-id"]
        indexes = [
            models.Index(fields=["target_type", "target_id"], name="approval_target_idx"),
            models.Index(fields=["org_unit", "status"], name="approval_unit_status_idx"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def audit_org_path(self) -> str:
        return self.org_unit.path

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES


class ApprovalComment(models.Model):
    request = models.ForeignKey(ApprovalRequest, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    text = models.TextField(_("comment"))
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("comment")
        verbose_name_plural = _("comments")

    def __str__(self) -> str:
        return self.text[:60]
