from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from truongso.registry.reference import GRADE_CHOICES


class Placement(models.Model):
    """A student's membership of a class over a period; the open one is the current class."""

    student = models.ForeignKey(
        "registry.Student", on_delete=models.CASCADE, related_name="placements"
    )
    school_class = models.ForeignKey(
        "registry.SchoolClass",
        verbose_name=_("class"),
        on_delete=models.PROTECT,
        related_name="placements",
    )
    start_date = models.DateField(_("from"))
    end_date = models.DateField(_("until"), null=True, blank=True)

    class Meta:
        verbose_name = _("class placement")
        verbose_name_plural = _("class placements")
        ordering = ["student", "-start_date"]
        constraints = [
            models.UniqueConstraint(
                fields=["student"],
                condition=models.Q(end_date__isnull=True),
                name="placement_one_open_per_student",
            ),
        ]
        indexes = [models.Index(fields=["school_class", "end_date"], name="placement_class_idx")]

    def __str__(self) -> str:
        return f"{self.student} – {self.school_class}"


class EventKind(models.TextChoices):
    ADMITTED = "admitted", _("Admitted")
    TRANSFER_IN = "transfer_in", _("Transferred in")
    CLASS_CHANGE = "class_change", _("Changed class")
    PROMOTED = "promoted", _("Promoted to the next grade")
    REPEATED = "repeated", _("Repeating the grade")
    TRANSFER_OUT = "transfer_out", _("Transferred out")
    LEFT = "left", _("Left school")
    GRADUATED = "graduated", _("Graduated")
    RETURNED = "returned", _("Returned to school")


class EnrolmentEvent(models.Model):
    """One line of a student's enrolment history; never edited, only appended."""

    student = models.ForeignKey("registry.Student", on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(_("event"), max_length=16, choices=EventKind.choices)
    date = models.DateField(_("date"))
    school = models.ForeignKey(
        "registry.OrgUnit", verbose_name=_("school"), on_delete=models.PROTECT, related_name="+"
    )
    school_class = models.ForeignKey(
        "registry.SchoolClass",
        verbose_name=_("class"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    other_school = models.ForeignKey(
        "registry.OrgUnit",
        verbose_name=_("other school"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    other_school_name = models.CharField(
        _("other school (outside the system)"), max_length=255, blank=True
    )
    reason = models.CharField(_("reason"), max_length=255, blank=True)
    decision_no = models.CharField(_("decision number"), max_length=50, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("enrolment event")
        verbose_name_plural = _("enrolment history")
        ordering = ["student", "date", "id"]
        indexes = [models.Index(fields=["school", "date"], name="event_school_date_idx")]

    def __str__(self) -> str:
        return f"{self.date} {self.get_kind_display()} – {self.student}"


class RegisterEntry(models.Model):
    """A line of the school's enrolment register (sổ đăng bộ), numbered in admission order.

    Thông tư 32/2020/TT-BGDĐT, Art. 21 lists the register among a school's records; the
    number is allocated once per admission to the school and never reused.
    """

    school = models.ForeignKey(
        "registry.OrgUnit", on_delete=models.PROTECT, related_name="register_entries"
    )
    student = models.ForeignKey(
        "registry.Student", on_delete=models.PROTECT, related_name="register_entries"
    )
    number = models.PositiveIntegerField(_("register number"))
    admitted_on = models.DateField(_("admitted on"))
    admitted_grade = models.PositiveSmallIntegerField(
        _("grade on admission"), choices=GRADE_CHOICES
    )
    admitted_class_name = models.CharField(_("class on admission"), max_length=20, blank=True)
    admission_kind = models.CharField(_("admission"), max_length=16)
    from_school_name = models.CharField(_("from school"), max_length=255, blank=True)
    left_on = models.DateField(_("left on"), null=True, blank=True)
    leave_kind = models.CharField(_("leaving"), max_length=16, blank=True)
    leave_note = models.CharField(_("leaving note"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("enrolment register entry")
        verbose_name_plural = _("enrolment register")
        ordering = ["school", "number"]
        constraints = [
            models.UniqueConstraint(fields=["school", "number"], name="register_number_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.number} – {self.student}"


class TransferStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for the receiving school")
    ACCEPTED = "accepted", _("Accepted")
    REJECTED = "rejected", _("Refused")
    CANCELLED = "cancelled", _("Cancelled")


class TransferRequest(models.Model):
    """A transfer between two schools in the system: sent by one, accepted by the other."""

    student = models.ForeignKey(
        "registry.Student", on_delete=models.CASCADE, related_name="transfer_requests"
    )
    from_school = models.ForeignKey(
        "registry.OrgUnit",
        verbose_name=_("from school"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    to_school = models.ForeignKey(
        "registry.OrgUnit", verbose_name=_("to school"), on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(
        _("status"), max_length=10, choices=TransferStatus.choices, default=TransferStatus.PENDING
    )
    reason = models.CharField(_("reason"), max_length=255)
    requested_on = models.DateField(_("transfer date"))
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.CharField(_("note"), max_length=255, blank=True)
    target_class = models.ForeignKey(
        "registry.SchoolClass",
        verbose_name=_("class at the new school"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("transfer request")
        verbose_name_plural = _("transfer requests")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["student"],
                condition=models.Q(status="pending"),
                name="transfer_one_pending_per_student",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.student}: {self.from_school} → {self.to_school}"
