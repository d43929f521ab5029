from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from truongso.core.text import FoldedNameMixin
from truongso.registry.reference import GRADE_CHOICES, Employment, Gender, Position


class Staff(FoldedNameMixin):
    """A teacher or staff member working at a school or an education office."""

    org_unit = models.ForeignKey(
        "registry.OrgUnit",
        verbose_name=_("workplace"),
        on_delete=models.PROTECT,
        related_name="staff",
    )
    staff_code = models.CharField(
        _("Ministry staff ID"), max_length=20, unique=True, null=True, blank=True
    )
    full_name = models.CharField(_("full name"), max_length=100)
    search_name = models.CharField(max_length=100, editable=False, db_index=True)
    birth_date = models.DateField(_("birth date"), null=True, blank=True)
    gender = models.CharField(_("gender"), max_length=1, choices=Gender.choices, blank=True)
    citizen_id = models.CharField(
        _("citizen ID"), max_length=12, unique=True, null=True, blank=True
    )
    phone = models.CharField(_("phone"), max_length=10, blank=True)
    email = models.EmailField(_("email"), blank=True)
    position = models.CharField(
        _("position"), max_length=20, choices=Position.choices, default=Position.TEACHER
    )
    employment = models.CharField(
        _("employment"), max_length=10, choices=Employment.choices, blank=True
    )
    main_subject = models.ForeignKey(
        "registry.Subject",
        verbose_name=_("main subject"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    is_active = models.BooleanField(_("working"), default=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("account"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="staff_profile",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("staff member")
        verbose_name_plural = _("staff")
        ordering = ["org_unit", "search_name"]

    def __str__(self) -> str:
        return self.full_name

    @property
    def audit_org_path(self) -> str:
        return self.org_unit.path


class SchoolClass(models.Model):
    """A class (lớp) of one school in one school year, with its homeroom teacher."""

    school = models.ForeignKey(
        "registry.OrgUnit",
        verbose_name=_("school"),
        on_delete=models.PROTECT,
        related_name="classes",
        limit_choices_to={"kind": "school"},
    )
    school_year = models.ForeignKey(
        "registry.SchoolYear",
        verbose_name=_("school year"),
        on_delete=models.PROTECT,
        related_name="classes",
    )
    grade = models.PositiveSmallIntegerField(_("grade"), choices=GRADE_CHOICES)
    name = models.CharField(_("class name"), max_length=20)
    homeroom_teacher = models.ForeignKey(
        Staff,
        verbose_name=_("homeroom teacher"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="homeroom_classes",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("class")
        verbose_name_plural = _("classes")
        ordering = ["school", "grade", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["school", "school_year", "name"], name="schoolclass_unique_name"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def audit_org_path(self) -> str:
        return self.school.path


class TeachingAssignment(models.Model):
    """Phân công giảng dạy: who teaches which subject to which class (whole year or a semester)."""

    staff = models.ForeignKey(
        Staff, verbose_name=_("teacher"), on_delete=models.CASCADE, related_name="assignments"
    )
    school_class = models.ForeignKey(
        SchoolClass, verbose_name=_("class"), on_delete=models.CASCADE, related_name="assignments"
    )
    subject = models.ForeignKey(
        "registry.Subject", verbose_name=_("subject"), on_delete=models.PROTECT, related_name="+"
    )
    semester = models.PositiveSmallIntegerField(
        _("semester"),
        null=True,
        blank=True,
        choices=[(1, "I"), (2, "II")],
        help_text=_("Empty for the whole year."),
    )
    periods_per_week = models.DecimalField(
        _("periods per week"), max_digits=4, decimal_places=1, null=True, blank=True
    )

    class Meta:
        verbose_name = _("teaching assignment")
        verbose_name_plural = _("teaching assignments")
        constraints = [
            models.UniqueConstraint(
                fields=["school_class", "subject", "semester"],
                condition=models.Q(semester__isnull=False),
                name="assignment_one_teacher_semester",
            ),
            models.UniqueConstraint(
                fields=["school_class", "subject"],
                condition=models.Q(semester__isnull=True),
                name="assignment_one_teacher_year",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.staff} – {self.subject} – {self.school_class}"

    @property
    def audit_org_path(self) -> str:
        return self.school_class.school.path
