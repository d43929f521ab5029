"""Online admission (tuyển sinh trực tuyến) to grades 1, 6 and 10: the tables.

A round is data: its kind, window, formula, priority bonuses, penalties, tie rule and quotas.
Applications carry ranked preferences; exam scores come in per subject; an assignment run
stores the engine's result for every application (a simulation until one run is published);
the published result is copied onto the application, where the parent confirms it.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from truongso.core.text import FoldedNameMixin
from truongso.registry.models import OrgUnit, SchoolYear, Student


class RoundKind(models.TextChoices):
    GRADE1 = "grade1", _("Grade 1 (by residence zone)")
    GRADE6 = "grade6", _("Grade 6 (by residence zone)")
    GRADE10 = "grade10", _("Grade 10 (by exam)")


class RoundStatus(models.TextChoices):
    DRAFT = "draft", _("Being prepared")
    OPEN = "open", _("Registration open")
    CLOSED = "closed", _("Registration closed")
    PUBLISHED = "published", _("Results published")
    FINISHED = "finished", _("Finished")


class TieRule(models.TextChoices):
    ADMIT_ALL = "admit_all", _("Admit everyone tied at the cut-off")
    TIEBREAK = "tiebreak", _("Break ties by secondary criteria")


class AdmissionRound(models.Model):
    """One admission round (đợt tuyển sinh) organised by a Sở or Phòng for its schools.

    ``formula`` is ``{"subjects": [{"code": "toan", "name": "Toán", "weight": 1}, ...],
    "max_score": 10}``; the admission score is the weighted sum plus the single highest
    priority bonus (``priority_bonus``, e.g. ``{"1": "2.0", "2": "1.5", "3": "1.0"}``) plus
    encouragement points (Hanoi 2025; 2024 doubled Math and Literature). ``penalties`` are the
    extra points needed at each preference (``["0", "1", "2"]`` for NV1..NV3).
    """

    organiser = models.ForeignKey(
        OrgUnit, verbose_name=_("organiser"), on_delete=models.PROTECT, related_name="+"
    )
    school_year = models.ForeignKey(
        SchoolYear,
        verbose_name=_("school year of entry"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=16, choices=RoundKind.choices)
    status = models.CharField(
        _("status"), max_length=16, choices=RoundStatus.choices, default=RoundStatus.DRAFT
    )
    # A second round takes the places released by the first (unconfirmed).
    previous_round = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="next_rounds"
    )
    registration_opens = models.DateTimeField(_("registration opens"))
    registration_closes = models.DateTimeField(_("registration closes"))
    results_publish_at = models.DateTimeField(_("results published at"), null=True, blank=True)
    confirmation_deadline = models.DateTimeField(_("confirmation deadline"), null=True, blank=True)
    preferences_max = models.PositiveSmallIntegerField(_("number of preferences"), default=3)
    formula = models.JSONField(_("admission score formula"), default=dict, blank=True)
    priority_bonus = models.JSONField(_("priority bonus by group"), default=dict, blank=True)
    encouragement_max = models.DecimalField(
        _("maximum encouragement points"), max_digits=4, decimal_places=2, default=0
    )
    exclude_on_zero = models.BooleanField(_("a zero in any exam excludes"), default=True)
    penalties = models.JSONField(_("extra points needed per preference"), default=list)
    tie_rule = models.CharField(
        _("tie rule"), max_length=16, choices=TieRule.choices, default=TieRule.ADMIT_ALL
    )
    zone_rules = models.BooleanField(_("preferences limited to the home zone"), default=False)
    # Grades 1 and 6: the birth year admitted (children born in it).
    birth_year = models.PositiveSmallIntegerField(_("birth year"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("admission round")
        verbose_name_plural = _("admission rounds")
        ordering = ["-registration_opens"]

    def __str__(self) -> str:
        return self.name


class RoundSchool(models.Model):
    """A school taking part in a round, with its quota (chỉ tiêu) and zone (tuyến/khu vực)."""

    round = models.ForeignKey(AdmissionRound, on_delete=models.CASCADE, related_name="schools")
    school = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="+")
    quota = models.PositiveIntegerField(_("quota"))
    zone = models.CharField(_("zone"), max_length=20, blank=True)
    is_open = models.BooleanField(_("accepting applications"), default=True)

    class Meta:
        verbose_name = _("school in a round")
        verbose_name_plural = _("schools in a round")
        constraints = [
            models.UniqueConstraint(fields=["round", "school"], name="roundschool_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.round_id}:{self.school_id}"


class EnrolmentCode(models.Model):
    """Mã tuyển sinh for grades 1 and 6: handed to parents of the children of a zone."""

    round = models.ForeignKey(AdmissionRound, on_delete=models.CASCADE, related_name="codes")
    code = models.CharField(_("enrolment code"), max_length=16)
    child_name = models.CharField(_("child's name"), max_length=100)
    birth_date = models.DateField(_("birth date"))
    learner_id = models.CharField(_("learner ID"), max_length=10, blank=True)
    zone = models.CharField(_("zone"), max_length=20, blank=True)
    school = models.ForeignKey(
        OrgUnit, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["round", "code"], name="enrolmentcode_unique"),
        ]

    def __str__(self) -> str:
        return self.code


class ApplicationStatus(models.TextChoices):
    SUBMITTED = "submitted", _("Submitted")
    ACCEPTED = "accepted", _("Checked")
    RETURNED = "returned", _("Returned for correction")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class ConfirmationStatus(models.TextChoices):
    NONE = "", _("No result yet")
    PENDING = "pending", _("Waiting for confirmation")
    CONFIRMED = "confirmed", _("Enrolment confirmed")
    DECLINED = "declined", _("Declined")
    RELEASED = "released", _("Place released (not confirmed in time)")


class Application(FoldedNameMixin):
    """Hồ sơ đăng ký tuyển sinh: one per learner and round."""

    round = models.ForeignKey(AdmissionRound, on_delete=models.PROTECT, related_name="applications")
    code = models.CharField(_("application code"), max_length=12, unique=True)
    # 10-digit Ministry learner ID; empty for a grade-1 child without one (enrolment code then).
    learner_id = models.CharField(_("learner ID"), max_length=10, blank=True)
    enrolment_code = models.ForeignKey(
        EnrolmentCode, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    full_name = models.CharField(_("full name"), max_length=100)
    search_name = models.CharField(max_length=100, editable=False, db_index=True)
    birth_date = models.DateField(_("birth date"))
    gender = models.CharField(_("gender"), max_length=1)
    current_school = models.ForeignKey(
        OrgUnit, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    guardian_name = models.CharField(_("parent or guardian"), max_length=100)
    phone = models.CharField(_("registered phone"), max_length=10, db_index=True)
    address = models.CharField(_("residence"), max_length=255, blank=True)
    zone = models.CharField(_("zone"), max_length=20, blank=True)
    priority_group = models.CharField(_("priority group"), max_length=8, blank=True)
    encouragement = models.DecimalField(
        _("encouragement points"), max_digits=4, decimal_places=2, default=0
    )
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=ApplicationStatus.choices,
        default=ApplicationStatus.SUBMITTED,
    )
    review_note = models.CharField(_("note from the reviewer"), max_length=500, blank=True)
    # Filled when the exam scores are in: the admission score and, if excluded, why.
    admission_score = models.DecimalField(max_digits=5, decimal_places=2, null=True, blank=True)
    excluded_reason = models.CharField(max_length=255, blank=True)
    # The published result, and the parent's answer.
    admitted_school = models.ForeignKey(
        OrgUnit, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    admitted_preference = models.PositiveSmallIntegerField(null=True, blank=True)
    result_reason = models.CharField(max_length=255, blank=True)
    confirmation = models.CharField(
        max_length=16, choices=ConfirmationStatus.choices, default="", blank=True
    )
    confirmed_at = models.DateTimeField(null=True, blank=True)
    student = models.ForeignKey(
        Student, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    submitted_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("application")
        verbose_name_plural = _("applications")
        ordering = ["round_id", "code"]
        constraints = [
            models.UniqueConstraint(
                fields=["round", "learner_id"],
                condition=~Q(learner_id=""),
                name="application_one_per_learner",
            ),
            models.UniqueConstraint(
                fields=["round", "enrolment_code"],
                condition=Q(enrolment_code__isnull=False),
                name="application_one_per_code",
            ),
        ]
        indexes = [models.Index(fields=["round", "admitted_school"])]

    def __str__(self) -> str:
        return self.code


class Preference(models.Model):
    """Nguyện vọng: the school an applicant ranks at position ``rank`` (1 = NV1)."""

    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="preferences"
    )
    rank = models.PositiveSmallIntegerField(_("preference"))
    school = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["application_id", "rank"]
        constraints = [
            models.UniqueConstraint(fields=["application", "rank"], name="preference_rank"),
            models.UniqueConstraint(fields=["application", "school"], name="preference_school"),
        ]

    def __str__(self) -> str:
        return f"{self.application_id} NV{self.rank}"


class ApplicationDocument(models.Model):
    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="documents")
    kind = models.CharField(_("document"), max_length=40)
    file = models.FileField(upload_to="admissions/documents/%Y/")
    file_name = models.CharField(max_length=255)
    uploaded_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.file_name


class ExamScore(models.Model):
    """A subject score of the entrance exam (điểm thi), out of the formula's ``max_score``."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="scores")
    subject = models.CharField(_("subject"), max_length=20)
    score = models.DecimalField(_("score"), max_digits=4, decimal_places=2)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["application", "subject"], name="examscore_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.application_id} {self.subject} {self.score}"


class AssignmentRun(models.Model):
    """One run of the engine on a round: a simulation, or the published one.

    ``params`` holds what the run used (quotas by school id, penalties, tie rule), so runs
    with different settings can be compared side by side; ``summary`` the cut-off, fill and
    ties per school.
    """

    round = models.ForeignKey(AdmissionRound, on_delete=models.CASCADE, related_name="runs")
    label = models.CharField(_("label"), max_length=100)
    params = models.JSONField(default=dict)
    summary = models.JSONField(default=dict)
    applicants = models.PositiveIntegerField(default=0)
    admitted = models.PositiveIntegerField(default=0)
    duration_ms = models.PositiveIntegerField(default=0)
    is_published = models.BooleanField(default=False)
    published_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["round"], condition=Q(is_published=True), name="run_one_published"
            ),
        ]

    def __str__(self) -> str:
        return self.label

    @property
    def is_zone(self) -> bool:
        """A placement by zone (grades 1 and 6, services/zones.py), not an exam run."""
        return bool((self.params or {}).get("method") == "zone")


class RunReason(models.TextChoices):
    """Where an application ended in a run (the engine's ``Reason``; zone runs use the same)."""

    ADMITTED = "admitted", pgettext_lazy("admissions", "Admitted")
    EXCLUDED = "excluded", _("Excluded (a missing score or a zero)")
    NO_PREFERENCES = "no_preferences", _("No preference registered")
    NO_PLACE = "no_place", _("Not admitted")


class RunResult(models.Model):
    run = models.ForeignKey(AssignmentRun, on_delete=models.CASCADE, related_name="results")
    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="+")
    school = models.ForeignKey(
        OrgUnit, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    preference = models.PositiveSmallIntegerField(null=True, blank=True)
    reason = models.CharField(max_length=32, blank=True, choices=RunReason.choices)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["run", "application"], name="runresult_unique"),
        ]
        indexes = [models.Index(fields=["run", "school"])]

    def __str__(self) -> str:
        return f"{self.run_id}:{self.application_id}"


class PhoneChallenge(models.Model):
    """A one-time code sent to a phone (OTP); only its hash is kept."""

    phone = models.CharField(max_length=10, db_index=True)
    purpose = models.CharField(max_length=32)
    code_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    attempts = models.PositiveSmallIntegerField(default=0)
    used_at = models.DateTimeField(null=True, blank=True)
    remote_addr = models.GenericIPAddressField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.phone} {self.purpose}"


class SmsMessage(models.Model):
    """Outbox of text messages, whatever the backend (console, file, a gateway)."""

    phone = models.CharField(max_length=10)
    text = models.CharField(max_length=480)
    backend = models.CharField(max_length=32)
    status = models.CharField(max_length=16, default="sent")
    error = models.CharField(max_length=255, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.phone}: {self.text[:30]}"


class NoticeKind(models.TextChoices):
    """What a text message to the parent is about (one of each per application, at most)."""

    RESULT = "result", _("Result of the application")
    REMINDER = "reminder", _("Reminder to confirm enrolment")
    RELEASED = "released", _("Unconfirmed place released")
    CONFIRMED = "confirmed", _("Receipt of the enrolment confirmation")


class ParentNotice(models.Model):
    """Thông báo cho phụ huynh: the durable record that one kind of text message was sent for
    an application. The unique (application, kind) pair, written in the same transaction as
    the outbox row, is what makes every notice go out once, however often the task, the
    command or the release runs."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="notices")
    kind = models.CharField(_("notice"), max_length=16, choices=NoticeKind.choices)
    message = models.OneToOneField(
        SmsMessage, null=True, on_delete=models.SET_NULL, related_name="notice"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("notice to the parent")
        verbose_name_plural = _("notices to parents")
        constraints = [
            models.UniqueConstraint(fields=["application", "kind"], name="parentnotice_once"),
        ]

    def __str__(self) -> str:
        return f"{self.application_id} {self.kind}"
