"""The electronic gradebook (sổ điểm điện tử).

One ``SubjectTerm`` row holds a student's entries in one subject for one semester: its
``cells`` map column codes ("tx1", "gk", "ck" under Thông tư 22; "gk", "ck", "kt_ck" under
Thông tư 27) to the value as entered ("8.5", "Đ", "HTT"). Which columns exist and how they
are computed is decided by the assessment scheme of the school year and level, which is
data (``AssessmentScheme``), interpreted by a rule engine (``gradebook.rules``).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Engine(models.TextChoices):
    TT22 = "tt22", _("Circular 22/2021 (lower and upper secondary)")
    TT27 = "tt27", _("Circular 27/2020 (primary)")


class AssessmentScheme(models.Model):
    """A set of assessment rules: the circular's engine and its parameters (weights, number
    of regular assessments, thresholds, rounding). A new circular is a new scheme."""

    code = models.CharField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=255)
    circular = models.CharField(_("legal basis"), max_length=255)
    engine = models.CharField(_("rule engine"), max_length=8, choices=Engine.choices)
    params = models.JSONField(_("parameters"), default=dict)

    class Meta:
        verbose_name = _("assessment scheme")
        verbose_name_plural = _("assessment schemes")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class SchemeUse(models.Model):
    """Which scheme applies to a school level in a school year."""

    school_year = models.ForeignKey(
        "registry.SchoolYear", on_delete=models.CASCADE, related_name="scheme_uses"
    )
    level = models.CharField(_("school level"), max_length=16)
    scheme = models.ForeignKey(AssessmentScheme, on_delete=models.PROTECT, related_name="uses")

    class Meta:
        verbose_name = _("scheme in use")
        verbose_name_plural = _("schemes in use")
        constraints = [
            models.UniqueConstraint(fields=["school_year", "level"], name="schemeuse_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.school_year} {self.level}: {self.scheme}"


class SubjectTerm(models.Model):
    """A student's gradebook row in one subject and semester (the cells of the row)."""

    student = models.ForeignKey(
        "registry.Student", on_delete=models.PROTECT, related_name="subject_terms"
    )
    school_class = models.ForeignKey(
        "registry.SchoolClass", on_delete=models.PROTECT, related_name="subject_terms"
    )
    subject = models.ForeignKey("registry.Subject", on_delete=models.PROTECT, related_name="+")
    school_year = models.ForeignKey(
        "registry.SchoolYear", on_delete=models.PROTECT, related_name="+"
    )
    semester = models.PositiveSmallIntegerField(_("semester"), choices=[(1, "I"), (2, "II")])
    cells = models.JSONField(_("entries"), default=dict)
    comment = models.TextField(_("teacher's comment"), blank=True)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("gradebook row")
        verbose_name_plural = _("gradebook rows")
        constraints = [
            models.UniqueConstraint(
                fields=["student", "subject", "school_year", "semester"],
                name="subjectterm_unique",
            ),
        ]
        indexes = [
            models.Index(
                fields=["school_class", "subject", "semester"], name="subjectterm_grid_idx"
            )
        ]

    def __str__(self) -> str:
        return f"{self.student} – {self.subject} – HK{self.semester}"

    @property
    def audit_org_path(self) -> str:
        return self.school_class.school.path


class StudentTerm(models.Model):
    """The homeroom teacher's record of a student's semester: conduct, absences, comment
    and, under Thông tư 27, the ratings of qualities and competences."""

    student = models.ForeignKey(
        "registry.Student", on_delete=models.PROTECT, related_name="student_terms"
    )
    school_class = models.ForeignKey(
        "registry.SchoolClass", on_delete=models.PROTECT, related_name="student_terms"
    )
    school_year = models.ForeignKey(
        "registry.SchoolYear", on_delete=models.PROTECT, related_name="+"
    )
    semester = models.PositiveSmallIntegerField(_("semester"), choices=[(1, "I"), (2, "II")])
    conduct = models.CharField(_("conduct"), max_length=10, blank=True)
    absences_excused = models.PositiveSmallIntegerField(_("absences with leave"), default=0)
    absences_unexcused = models.PositiveSmallIntegerField(_("absences without leave"), default=0)
    qualities = models.JSONField(_("qualities and competences"), default=dict, blank=True)
    comment = models.TextField(_("homeroom teacher's comment"), blank=True)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("semester record")
        verbose_name_plural = _("semester records")
        constraints = [
            models.UniqueConstraint(
                fields=["student", "school_year", "semester"], name="studentterm_unique"
            ),
        ]
        indexes = [models.Index(fields=["school_class", "semester"], name="studentterm_class_idx")]

    def __str__(self) -> str:
        return f"{self.student} – HK{self.semester}"

    @property
    def audit_org_path(self) -> str:
        return self.school_class.school.path


class GradingPeriod(models.Model):
    """A school's semester in the gradebook: entry deadlines per column group and closing.

    After a group's deadline teachers can no longer change those columns; after the
    principal closes the semester, official results are stored and any change needs a
    reason and the principal's approval.
    """

    school = models.ForeignKey(
        "registry.OrgUnit", on_delete=models.PROTECT, related_name="grading_periods"
    )
    school_year = models.ForeignKey(
        "registry.SchoolYear", on_delete=models.PROTECT, related_name="+"
    )
    semester = models.PositiveSmallIntegerField(_("semester"), choices=[(1, "I"), (2, "II")])
    deadlines = models.JSONField(_("entry deadlines"), default=dict, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("grading period")
        verbose_name_plural = _("grading periods")
        constraints = [
            models.UniqueConstraint(
                fields=["school", "school_year", "semester"], name="gradingperiod_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.school} {self.school_year} HK{self.semester}"

    @property
    def audit_org_path(self) -> str:
        return self.school.path

    @property
    def is_closed(self) -> bool:
        return self.closed_at is not None


class TermResult(models.Model):
    """Official results stored when a semester closes (period 1 or 2) and for the year
    (period 0), with the year-end decisions: promotion, re-tests, summer training."""

    YEAR = 0

    student = models.ForeignKey(
        "registry.Student", on_delete=models.PROTECT, related_name="term_results"
    )
    school_class = models.ForeignKey(
        "registry.SchoolClass", on_delete=models.PROTECT, related_name="term_results"
    )
    school_year = models.ForeignKey(
        "registry.SchoolYear", on_delete=models.PROTECT, related_name="+"
    )
    period = models.PositiveSmallIntegerField(
        _("period"), choices=[(0, _("Whole year")), (1, "I"), (2, "II")]
    )
    learning = models.CharField(_("learning result"), max_length=10, blank=True)
    conduct = models.CharField(_("conduct"), max_length=10, blank=True)
    award = models.CharField(_("award"), max_length=12, blank=True)
    decision = models.CharField(_("year-end decision"), max_length=16, blank=True)
    subjects = models.JSONField(_("subject results"), default=dict)
    absences = models.PositiveSmallIntegerField(_("absences"), default=0)
    retests = models.JSONField(_("re-test results"), default=dict, blank=True)
    summer_conduct = models.CharField(_("conduct after summer training"), max_length=10, blank=True)
    computed_at = models.DateTimeField(_("computed at"))

    class Meta:
        verbose_name = _("official result")
        verbose_name_plural = _("official results")
        constraints = [
            models.UniqueConstraint(
                fields=["student", "school_year", "period"], name="termresult_unique"
            ),
        ]
        indexes = [models.Index(fields=["school_class", "period"], name="termresult_class_idx")]

    def __str__(self) -> str:
        return f"{self.student} {self.school_year} {self.period}"

    @property
    def audit_org_path(self) -> str:
        return self.school_class.school.path
