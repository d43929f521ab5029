"""Reads of the core pages: the role-aware home page and the audit-log viewer.

Core imports no domain app: the home page reads registry tables by model label
(``apps.get_model``) and always through :mod:`truongso.core.authz`. Every panel costs a
fixed number of queries, whatever the size of the user's subtree.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.db.models import Count, Q, QuerySet
from django.http import Http404
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from truongso.core import authz
from truongso.core.authz import Perm, Role
from truongso.core.models import AuditEntry

# (label, app model, permission, url name): apps add their entries in AppConfig.ready();
# the home page shows them as quick links for users holding the permission.
CARDS: list[tuple[Any, str, Perm, str]] = []
OFFICER_ROLES = frozenset({Role.MINISTRY_OFFICER, Role.DEPARTMENT_OFFICER, Role.BUREAU_OFFICER})
SCHOOL_ROLES = frozenset({Role.PRINCIPAL, Role.VICE_PRINCIPAL, Role.CLERK, Role.ACCOUNTANT})
TEACHING_ROLES = frozenset({Role.TEACHER, Role.HOMEROOM_TEACHER})
OFFICER_SCHOOL_ROWS = 20
STUDYING = "studying"


def add_card(label: Any, model_label: str, perm: Perm, url_name: str) -> None:
    CARDS.append((label, model_label, perm, url_name))


def _model(label: str) -> Any:
    return apps.get_model(label)


# --- Home page -----------------------------------------------------------------------------


@dataclass
class Figures:
    schools: int = 0
    classes: int = 0
    students: int = 0
    staff: int = 0
    pending_transfers: int | None = None


@dataclass
class SchoolPanel:
    school: Any
    figures: Figures


@dataclass
class Dashboard:
    roles: list[str]
    officer: Figures | None = None
    officer_schools: list[Any] = field(default_factory=list)
    officer_school_total: int = 0
    schools: list[SchoolPanel] = field(default_factory=list)
    my_classes: list[Any] = field(default_factory=list)
    children: list[Any] = field(default_factory=list)
    own: Any = None
    links: list[dict[str, str]] = field(default_factory=list)

    @property
    def is_empty(self) -> bool:
        return not (self.officer or self.schools or self.my_classes or self.children or self.own)


def _current_year() -> Any:
    return _model("registry.SchoolYear").objects.filter(is_current=True).first()


def _officer_panel(user: Any, year: Any, board: Dashboard) -> None:
    schools = authz.scope(
        user, Perm.ORG_VIEW, _model("registry.OrgUnit").objects.filter(kind="school")
    ).filter(is_active=True)
    classes = authz.scope(user, Perm.CLASS_VIEW, _model("registry.SchoolClass").objects.all())
    students = authz.scope(
        user, Perm.STUDENT_VIEW, _model("registry.Student").objects.filter(status=STUDYING)
    )
    staff = authz.scope(user, Perm.STAFF_VIEW, _model("registry.Staff").objects.all())
    board.officer = Figures(
        schools=schools.count(),
        classes=classes.filter(school_year=year).count() if year else 0,
        students=students.count(),
        staff=staff.filter(is_active=True).count(),
    )
    board.officer_school_total = board.officer.schools
    board.officer_schools = list(
        schools.annotate(studying=Count("students", filter=Q(students__status=STUDYING)))
        .select_related("parent")
        .order_by("search_name", "pk")[:OFFICER_SCHOOL_ROWS]
    )


def _grouped(queryset: QuerySet[Any], key: str) -> dict[int, int]:
    return dict(queryset.values_list(key).annotate(n=Count("pk")).values_list(key, "n"))


def _school_panels(user: Any, year: Any, board: Dashboard) -> None:
    ids = sorted(
        {g.org_unit_id for g in authz.grants(user) if g.role in SCHOOL_ROLES and g.org_unit_id}
    )
    schools = authz.scope(
        user, Perm.ORG_VIEW, _model("registry.OrgUnit").objects.filter(pk__in=ids)
    ).order_by("search_name")
    classes = _model("registry.SchoolClass").objects.filter(school_id__in=ids, school_year=year)
    students = _model("registry.Student").objects.filter(school_id__in=ids, status=STUDYING)
    staff = _model("registry.Staff").objects.filter(org_unit_id__in=ids, is_active=True)
    counts = {
        "classes": _grouped(classes, "school_id") if year else {},
        "students": _grouped(students, "school_id"),
        "staff": _grouped(staff, "org_unit_id"),
    }
    transfers: dict[int, int] | None = None
    if authz.has_any(user, Perm.ENROLMENT_MANAGE):
        pending = authz.scope(
            user,
            Perm.ENROLMENT_MANAGE,
            _model("registry.TransferRequest").objects.filter(
                status="pending", to_school_id__in=ids
            ),
        )
        transfers = _grouped(pending, "to_school_id")
    for school in schools:
        figures = Figures(
            classes=counts["classes"].get(school.pk, 0),
            students=counts["students"].get(school.pk, 0),
            staff=counts["staff"].get(school.pk, 0),
            pending_transfers=None if transfers is None else transfers.get(school.pk, 0),
        )
        board.schools.append(SchoolPanel(school, figures))


def _my_classes(user: Any, year: Any) -> list[Any]:
    """Lớp của tôi: classes of this year the user leads or teaches, with their size."""
    school_class = _model("registry.SchoolClass")
    assignment = _model("registry.TeachingAssignment")
    mine = Q(homeroom_teacher__user=user) | Q(
        pk__in=assignment.objects.filter(staff__user=user).values("school_class")
    )
    classes = authz.scope(user, Perm.CLASS_VIEW, school_class.objects.filter(mine))
    rows = list(
        classes.filter(school_year=year)
        .select_related("school", "homeroom_teacher")
        .annotate(size=Count("current_students", filter=Q(current_students__status=STUDYING)))
        .order_by("grade", "name")
    )
    subjects: dict[int, list[str]] = {}
    taught = assignment.objects.filter(staff__user=user, school_class__in=[c.pk for c in rows])
    for class_id, name in taught.values_list("school_class_id", "subject__name"):
        subjects.setdefault(class_id, []).append(name)
    for row in rows:
        row.is_homeroom = (
            row.homeroom_teacher is not None and row.homeroom_teacher.user_id == user.pk
        )
        row.subjects_taught = sorted(subjects.get(row.pk, []))
    return rows


def _children(user: Any) -> list[Any]:
    """Con của tôi: the students linked to the user as guardian."""
    student = _model("registry.Student")
    links = _model("registry.StudentGuardian").objects.filter(guardian__user=user)
    mine = student.objects.filter(pk__in=links.values("student_id"))
    return list(
        authz.scope(user, Perm.STUDENT_VIEW, mine)
        .select_related("school", "current_class__homeroom_teacher")
        .order_by("birth_date", "pk")
    )


def _own_record(user: Any) -> Any:
    student = _model("registry.Student")
    return (
        authz.scope(user, Perm.STUDENT_VIEW, student.objects.filter(user=user))
        .select_related("school", "current_class__homeroom_teacher")
        .first()
    )


# Quick links beyond the apps' cards: (label, url name, permission or None).
EXTRA_LINKS: list[tuple[Any, str, Perm | None]] = [
    (_("Audit log"), "core:audit_list", Perm.AUDIT_VIEW),
    (_("Roles"), "accounts:role_list", Perm.ROLE_MANAGE),
    (_("School years"), "registry:year_list", None),
    (_("Curriculum"), "registry:curriculum", None),
]


FAMILY_ROLES = frozenset({Role.PARENT, Role.STUDENT})


def _links(user: Any, roles: set[str]) -> list[dict[str, str]]:
    """Staff and officers get quick links; families get their cards instead."""
    if not getattr(user, "is_superuser", False) and roles <= FAMILY_ROLES:
        return []
    entries = [(label, url_name, perm) for label, _m, perm, url_name in CARDS]
    links: list[dict[str, str]] = []
    seen: set[str] = set()
    for label, url_name, perm in [*entries, *EXTRA_LINKS]:
        if url_name in seen or (perm is not None and not authz.has_any(user, perm)):
            continue
        try:
            url = reverse(url_name)
        except NoReverseMatch:
            continue
        seen.add(url_name)
        links.append({"label": str(label), "url": url})
    return links


def dashboard_for(user: Any) -> Dashboard:
    """What the user sees first, by role: an officer's subtree, a school's figures, a
    teacher's classes, a parent's children, a student's own class."""
    roles = authz.roles(user)
    board = Dashboard(roles=sorted(roles))
    year = _current_year() if roles else None
    if roles & OFFICER_ROLES:
        _officer_panel(user, year, board)
    if roles & SCHOOL_ROLES:
        _school_panels(user, year, board)
    has_staff = _model("registry.Staff").objects.filter(user=user).exists() if roles else False
    if year is not None and (roles & TEACHING_ROLES or has_staff):
        board.my_classes = _my_classes(user, year)
    if Role.PARENT in roles:
        board.children = _children(user)
    if Role.STUDENT in roles:
        board.own = _own_record(user)
    board.links = _links(user, roles)
    return board


# --- Audit log ----------------------------------------------------------------------------


def day_start(day: dt.date) -> dt.datetime:
    """Midnight of a calendar day in the current (Vietnamese) time zone, as an aware time."""
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def audit_entries(
    user: Any,
    *,
    action: str = "",
    object_type: str = "",
    actor: str = "",
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
) -> QuerySet[AuditEntry]:
    """Audit entries in the user's reach: a school's for its principal, a subtree's for an
    officer; filtered by action (code or its beginning), object type, actor and local dates."""
    entries = authz.scope(user, Perm.AUDIT_VIEW, AuditEntry.objects.all())
    if action:
        entries = entries.filter(Q(action=action) | Q(action__startswith=f"{action}."))
    if object_type:
        entries = entries.filter(object_type__istartswith=object_type.strip())
    if actor:
        entries = entries.filter(actor_name__iexact=actor.strip())
    if date_from:
        entries = entries.filter(at__gte=day_start(date_from))
    if date_to:
        entries = entries.filter(at__lt=day_start(date_to + dt.timedelta(days=1)))
    return entries.order_by("-at", "-id")


def audit_entry(user: Any, pk: int) -> AuditEntry:
    entry = authz.scope(user, Perm.AUDIT_VIEW, AuditEntry.objects.filter(pk=pk)).first()
    if entry is None:
        raise Http404
    return entry


@dataclass(frozen=True)
class Change:
    field: str
    before: str
    after: str
    changed: bool


def _shown(value: Any, present: bool) -> str:
    if not present or value is None or value == "":
        return "—"
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False)


def audit_changes(entry: AuditEntry) -> list[Change]:
    """Before and after side by side, one row per field, changed fields marked."""
    before = entry.before if isinstance(entry.before, dict) else {}
    after = entry.after if isinstance(entry.after, dict) else {}
    keys = list(dict.fromkeys([*before, *after]))
    return [
        Change(
            field=key,
            before=_shown(before.get(key), key in before),
            after=_shown(after.get(key), key in after),
            changed=(key in before) != (key in after) or before.get(key) != after.get(key),
        )
        for key in keys
    ]
