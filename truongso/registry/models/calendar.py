from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class SchoolYear(models.Model):
    """A school year such as 2025–2026, the same nationwide; semesters carry the dates."""

    code = models.CharField(_("code"), max_length=9, unique=True, help_text="2025-2026")
    start_date = models.DateField(_("start date"))
    end_date = models.DateField(_("end date"))
    is_current = models.BooleanField(_("current year"), default=False)

    class Meta:
        verbose_name = _("school year")
        verbose_name_plural = _("school years")
        ordering = ["-start_date"]
        constraints = [
            models.UniqueConstraint(
                fields=["is_current"],
                condition=models.Q(is_current=True),
                name="schoolyear_one_current",
            ),
            models.CheckConstraint(
                condition=models.Q(end_date__gt=models.F("start_date")),
                name="schoolyear_dates_ordered",
            ),
        ]

    def __str__(self) -> str:
        return self.code.replace("-", "–")


class Semester(models.Model):
    school_year = models.ForeignKey(
        SchoolYear,
        verbose_name=_("school year"),
        on_delete=models.CASCADE,
        related_name="semesters",
    )
    number = models.PositiveSmallIntegerField(_("semester"), choices=[(1, "I"), (2, "II")])
    start_date = models.DateField(_("start date"))
    end_date = models.DateField(_("end date"))

    class Meta:
        verbose_name = _("semester")
        verbose_name_plural = _("semesters")
        ordering = ["school_year", "number"]
        constraints = [
            models.UniqueConstraint(fields=["school_year", "number"], name="semester_unique"),
            models.CheckConstraint(
                condition=models.Q(end_date__gt=models.F("start_date")),
                name="semester_dates_ordered",
            ),
        ]

    def __str__(self) -> str:
        return f"{_('Semester')} {'I' if self.number == 1 else 'II'} {self.school_year}"
