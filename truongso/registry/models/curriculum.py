from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from truongso.registry.reference import GRADE_CHOICES, AssessmentType


class Subject(models.Model):
    """A subject or educational activity of the 2018 general-education programme."""

    code = models.CharField(_("code"), max_length=20, unique=True)
    name = models.CharField(_("name"), max_length=120)
    name_en = models.CharField(_("English name"), max_length=120, blank=True)

    class Meta:
        verbose_name = _("subject")
        verbose_name_plural = _("subjects")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class GradeSubject(models.Model):
    """A subject as taught in one grade: periods per year and how it is assessed.

    The periods per year decide the number of regular assessments per semester under
    Thông tư 22/2021, Art. 6.2.b (≤35 → 2, ≤70 → 3, more → 4), so they are data here.
    """

    grade = models.PositiveSmallIntegerField(_("grade"), choices=GRADE_CHOICES)
    subject = models.ForeignKey(
        Subject, verbose_name=_("subject"), on_delete=models.PROTECT, related_name="grade_subjects"
    )
    periods_per_year = models.PositiveSmallIntegerField(_("periods per year"))
    assessment_type = models.CharField(
        _("assessment type"), max_length=20, choices=AssessmentType.choices
    )
    is_elective = models.BooleanField(_("elective"), default=False)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("subject of a grade")
        verbose_name_plural = _("subjects of grades")
        ordering = ["grade", "order", "subject__code"]
        constraints = [
            models.UniqueConstraint(fields=["grade", "subject"], name="gradesubject_unique"),
            models.CheckConstraint(
                condition=models.Q(periods_per_year__gt=0), name="gradesubject_periods_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.subject} ({self.grade})"

    @property
    def regular_assessments(self) -> int:
        """Regular assessments per semester (Thông tư 22/2021/TT-BGDĐT, Art. 6.2.b)."""
        if self.periods_per_year <= 35:
            return 2
        if self.periods_per_year <= 70:
            return 3
        return 4
