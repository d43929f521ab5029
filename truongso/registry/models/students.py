from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from truongso.core.text import FoldedNameMixin
from truongso.registry.reference import ETHNIC_GROUPS, Gender, Relation


class StudentStatus(models.TextChoices):
    STUDYING = "studying", _("Studying")
    TRANSFERRED = "transferred", _("Transferred out")
    LEFT = "left", _("Left school")
    GRADUATED = "graduated", _("Graduated")


class Student(FoldedNameMixin):
    """A learner, identified nationwide by the Ministry learner ID.

    Thông tư 42/2021/TT-BGDĐT, Art. 10: the 10-digit learner ID is unique, created at first
    entry and never changed; it follows the learner on transfer. A new grade-1 pupil has a
    temporary code until the Ministry assigns the ID (``learner_id_assign``).
    """

    learner_id = models.CharField(
        _("learner ID"), max_length=10, unique=True, null=True, blank=True
    )
    temp_code = models.CharField(
        _("temporary code"), max_length=32, unique=True, null=True, blank=True
    )
    citizen_id = models.CharField(
        _("citizen ID"), max_length=12, unique=True, null=True, blank=True
    )
    full_name = models.CharField(_("full name"), max_length=100)
    search_name = models.CharField(max_length=100, editable=False, db_index=True)
    birth_date = models.DateField(_("birth date"))
    gender = models.CharField(_("gender"), max_length=1, choices=Gender.choices)
    ethnicity = models.CharField(_("ethnicity"), max_length=2, choices=ETHNIC_GROUPS, default="01")
    nationality = models.CharField(_("nationality"), max_length=50, default="Việt Nam")
    birthplace = models.CharField(_("birthplace"), max_length=255, blank=True)
    hometown = models.CharField(_("home town"), max_length=255, blank=True)
    permanent_address = models.CharField(_("permanent address"), max_length=255, blank=True)
    current_address = models.CharField(_("current address"), max_length=255, blank=True)
    school = models.ForeignKey(
        "registry.OrgUnit",
        verbose_name=_("current school"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="students",
    )
    # The class of the open placement, kept by the enrolment services so that lists,
    # rosters and teacher scopes filter on one indexed column instead of a subquery.
    current_class = models.ForeignKey(
        "registry.SchoolClass",
        verbose_name=_("current class"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="current_students",
    )
    status = models.CharField(
        _("status"), max_length=12, choices=StudentStatus.choices, default=StudentStatus.STUDYING
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("account"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="student_profile",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("student")
        verbose_name_plural = _("students")
        ordering = ["search_name", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(learner_id__isnull=False) | models.Q(temp_code__isnull=False),
                name="student_has_identifier",
            ),
        ]
        indexes = [models.Index(fields=["school", "status"], name="student_school_status_idx")]

    def __str__(self) -> str:
        return self.full_name

    @property
    def identifier(self) -> str:
        return self.learner_id or self.temp_code or ""

    @property
    def audit_org_path(self) -> str:
        return self.school.path if self.school is not None else ""


class Guardian(FoldedNameMixin):
    """A parent or legal guardian; one guardian may have several children in the system."""

    full_name = models.CharField(_("full name"), max_length=100)
    search_name = models.CharField(max_length=100, editable=False, db_index=True)
    phone = models.CharField(_("phone"), max_length=10, blank=True, db_index=True)
    email = models.EmailField(_("email"), blank=True)
    citizen_id = models.CharField(
        _("citizen ID"), max_length=12, unique=True, null=True, blank=True
    )
    birth_year = models.PositiveSmallIntegerField(_("birth year"), null=True, blank=True)
    occupation = models.CharField(_("occupation"), max_length=100, blank=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("account"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="guardian_profile",
    )
    students: models.ManyToManyField[Student, StudentGuardian] = models.ManyToManyField(
        Student, through="StudentGuardian", related_name="guardians", verbose_name=_("children")
    )

    class Meta:
        verbose_name = _("guardian")
        verbose_name_plural = _("guardians")
        ordering = ["search_name"]

    def __str__(self) -> str:
        return self.full_name


class StudentGuardian(models.Model):
    student = models.ForeignKey(Student, on_delete=models.CASCADE, related_name="guardian_links")
    guardian = models.ForeignKey(Guardian, on_delete=models.CASCADE, related_name="student_links")
    relation = models.CharField(_("relation"), max_length=12, choices=Relation.choices)
    is_primary = models.BooleanField(_("primary contact"), default=False)

    class Meta:
        verbose_name = _("guardian of a student")
        verbose_name_plural = _("guardians of students")
        constraints = [
            models.UniqueConstraint(fields=["student", "guardian"], name="studentguardian_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.guardian} ({self.get_relation_display()}) – {self.student}"

    @property
    def audit_org_path(self) -> str:
        return self.student.audit_org_path
