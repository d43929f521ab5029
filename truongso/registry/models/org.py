from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from truongso.core.text import FoldedNameMixin
from truongso.registry.reference import LEVEL_GRADES, OrgKind, Ownership, SchoolLevel
from truongso.registry.validators import validate_org_code


class OrgUnit(FoldedNameMixin):
    """A node of the org tree: Bộ GD&ĐT → Sở GD&ĐT → Phòng GD&ĐT → Trường.

    ``path`` is the materialised path of primary keys (``/1/4/17/``); a subtree is a
    prefix match, which is how a grant on a Phòng covers all its schools. It is set by
    ``org_unit_create`` / ``org_unit_move`` and never edited by hand.
    """

    folded_source = "name"

    kind = models.CharField(_("kind"), max_length=16, choices=OrgKind.choices)
    code = models.CharField(
        _("Ministry code"), max_length=20, unique=True, validators=[validate_org_code]
    )
    name = models.CharField(_("name"), max_length=255)
    search_name = models.CharField(max_length=255, editable=False, db_index=True)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    path = models.CharField(max_length=255, editable=False, db_index=True)
    depth = models.PositiveSmallIntegerField(default=0, editable=False)
    level = models.CharField(
        _("school level"), max_length=16, choices=SchoolLevel.choices, blank=True
    )
    grade_from = models.PositiveSmallIntegerField(_("lowest grade"), null=True, blank=True)
    grade_to = models.PositiveSmallIntegerField(_("highest grade"), null=True, blank=True)
    ownership = models.CharField(
        _("ownership"), max_length=16, choices=Ownership.choices, blank=True
    )
    address = models.CharField(_("address"), max_length=255, blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    email = models.EmailField(_("email"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("organisation unit")
        verbose_name_plural = _("organisation units")
        ordering = ["path"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind="school") | models.Q(level=""),
                name="orgunit_level_only_for_schools",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def audit_org_path(self) -> str:
        return self.path

    @property
    def is_school(self) -> bool:
        return self.kind == OrgKind.SCHOOL

    @property
    def grades(self) -> list[int]:
        low, high = LEVEL_GRADES.get(self.level, (0, 0))
        low = self.grade_from or low
        high = self.grade_to or high
        return [g for g in range(low, high + 1) if g >= 1]
