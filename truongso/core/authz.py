"""The one authorization layer: roles granted on org-tree nodes, scoped querysets, checks.

A role is granted on a node of the org tree (Bộ → Sở → Phòng → Trường) and covers the
node's whole subtree. Each role carries a set of permissions and a *reach*:

* ``SUBTREE`` — every object under the grant's node (officers, principals, clerks ...);
* ``CLASSES`` / ``HOMEROOM`` — only the classes the teacher teaches / leads, in the school
  of the grant;
* ``FAMILY`` — a parent's own children; ``SELF`` — a student's own record.

Parent and student reach come from the guardian/student links themselves, not from grants,
so they follow a child who changes school. Apps register a :class:`ScopeRule` per model;
views, API views, exports and commands call :func:`scope`, :func:`check` or :func:`can`
and never filter by hand.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, TypeVar

from django.apps import apps
from django.core.exceptions import PermissionDenied
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

M = TypeVar("M", bound=models.Model)
NOTHING = Q(pk__in=[])


class Role(models.TextChoices):
    MINISTRY_OFFICER = "ministry_officer", _("Ministry officer")
    DEPARTMENT_OFFICER = "department_officer", _("Department officer")
    BUREAU_OFFICER = "bureau_officer", _("Bureau officer")
    PRINCIPAL = "principal", _("Principal")
    VICE_PRINCIPAL = "vice_principal", _("Vice-principal")
    TEACHER = "teacher", _("Teacher")
    HOMEROOM_TEACHER = "homeroom_teacher", _("Homeroom teacher")
    ACCOUNTANT = "accountant", _("Accountant")
    CLERK = "clerk", _("Clerk")
    PARENT = "parent", _("Parent")
    STUDENT = "student", _("Student")
    GRADE_INSPECTOR = "grade_inspector", _("Grade inspector")


class Perm(StrEnum):
    ORG_VIEW = "org.view"
    ORG_MANAGE = "org.manage"
    CALENDAR_MANAGE = "calendar.manage"
    CURRICULUM_MANAGE = "curriculum.manage"
    CLASS_VIEW = "class.view"
    CLASS_MANAGE = "class.manage"
    STAFF_VIEW = "staff.view"
    STAFF_MANAGE = "staff.manage"
    # Students currently in reach (lists, rosters, exports) ...
    STUDENT_VIEW = "student.view"
    # ... and their whole record, also after they left the school (profile, history).
    STUDENT_RECORD = "student.record"
    STUDENT_EDIT = "student.edit"
    ENROLMENT_MANAGE = "enrolment.manage"
    REGISTER_VIEW = "register.view"
    DATA_IMPORT = "data.import"
    DATA_EXPORT = "data.export"
    AUDIT_VIEW = "audit.view"
    ROLE_MANAGE = "role.manage"
    # Gradebook: individual scores and results; entering subject scores (the teacher of the
    # class and subject); conduct, absences and comments (homeroom); deadlines, closing and
    # approving late changes (school leaders); aggregates without individual scores.
    GRADE_VIEW = "grade.view"
    GRADE_ENTER = "grade.enter"
    CONDUCT_ENTER = "conduct.enter"
    GRADE_MANAGE = "grade.manage"
    GRADE_STATS = "grade.stats"
    # Fees and payments: invoices and payments of students in reach (parents: their children's);
    # fee set-up, invoicing, reconciliation and refunds (the accountant); collection figures
    # without individual payers (officers, school leaders).
    PAYMENT_VIEW = "payment.view"
    PAYMENT_MANAGE = "payment.manage"
    PAYMENT_STATS = "payment.stats"
    # Admissions: applications in reach (a school: those naming it; the organiser: all);
    # checking and correcting them (schools and organisers); rounds, exam scores, assignment
    # runs and publication (the organising Sở/Phòng). Parents act through their verified phone.
    ADMISSION_VIEW = "admission.view"
    ADMISSION_REVIEW = "admission.review"
    ADMISSION_MANAGE = "admission.manage"
    # Report cards (học bạ số): reading issued cards (leaders, clerks, homeroom, families);
    # the homeroom teacher signing her class's cards; the principal signing the school's
    # batch with the seal, correcting and revoking.
    REPORTCARD_VIEW = "reportcard.view"
    REPORTCARD_SIGN = "reportcard.sign"
    REPORTCARD_ISSUE = "reportcard.issue"


class Reach(StrEnum):
    SUBTREE = "subtree"
    CLASSES = "classes"
    HOMEROOM = "homeroom"
    FAMILY = "family"
    SELF = "self"


P = Perm
_OFFICER = frozenset(
    {
        P.ORG_VIEW,
        P.ORG_MANAGE,
        P.CLASS_VIEW,
        P.STAFF_VIEW,
        P.STAFF_MANAGE,
        P.STUDENT_VIEW,
        P.STUDENT_RECORD,
        P.ENROLMENT_MANAGE,
        P.REGISTER_VIEW,
        P.DATA_IMPORT,
        P.DATA_EXPORT,
        P.AUDIT_VIEW,
        P.ROLE_MANAGE,
        P.GRADE_STATS,
        P.PAYMENT_STATS,
        P.ADMISSION_VIEW,
        P.ADMISSION_REVIEW,
        P.ADMISSION_MANAGE,
    }
)
_SCHOOL_LEAD = frozenset(
    {
        P.ORG_VIEW,
        P.CLASS_VIEW,
        P.CLASS_MANAGE,
        P.STAFF_VIEW,
        P.STAFF_MANAGE,
        P.STUDENT_VIEW,
        P.STUDENT_RECORD,
        P.STUDENT_EDIT,
        P.ENROLMENT_MANAGE,
        P.REGISTER_VIEW,
        P.DATA_IMPORT,
        P.DATA_EXPORT,
        P.AUDIT_VIEW,
        P.GRADE_VIEW,
        P.GRADE_MANAGE,
        P.GRADE_STATS,
        P.PAYMENT_VIEW,
        P.PAYMENT_STATS,
        P.REPORTCARD_VIEW,
        P.ADMISSION_VIEW,
        P.ADMISSION_REVIEW,
    }
)
_OWN_GRADES = frozenset(
    {P.STUDENT_VIEW, P.STUDENT_RECORD, P.GRADE_VIEW, P.PAYMENT_VIEW, P.REPORTCARD_VIEW}
)


@dataclass(frozen=True)
class RolePolicy:
    reach: Reach
    perms: frozenset[Perm]
    # Org-unit kinds the role may be granted on (empty: not granted, derived from links).
    kinds: frozenset[str]


ROLE_POLICIES: dict[str, RolePolicy] = {
    Role.MINISTRY_OFFICER: RolePolicy(
        Reach.SUBTREE, _OFFICER | {P.CALENDAR_MANAGE, P.CURRICULUM_MANAGE}, frozenset({"ministry"})
    ),
    Role.DEPARTMENT_OFFICER: RolePolicy(
        Reach.SUBTREE, _OFFICER | {P.CALENDAR_MANAGE}, frozenset({"department"})
    ),
    Role.BUREAU_OFFICER: RolePolicy(Reach.SUBTREE, _OFFICER, frozenset({"bureau"})),
    Role.PRINCIPAL: RolePolicy(
        Reach.SUBTREE,
        _SCHOOL_LEAD | {P.ORG_MANAGE, P.ROLE_MANAGE, P.REPORTCARD_ISSUE},
        frozenset({"school"}),
    ),
    Role.VICE_PRINCIPAL: RolePolicy(Reach.SUBTREE, _SCHOOL_LEAD, frozenset({"school"})),
    Role.CLERK: RolePolicy(
        Reach.SUBTREE,
        frozenset(
            {
                P.ORG_VIEW,
                P.CLASS_VIEW,
                P.CLASS_MANAGE,
                P.STAFF_VIEW,
                P.STUDENT_VIEW,
                P.STUDENT_RECORD,
                P.STUDENT_EDIT,
                P.ENROLMENT_MANAGE,
                P.REGISTER_VIEW,
                P.DATA_IMPORT,
                P.DATA_EXPORT,
                P.REPORTCARD_VIEW,
            }
        ),
        frozenset({"school"}),
    ),
    Role.ACCOUNTANT: RolePolicy(
        Reach.SUBTREE,
        frozenset(
            {
                P.ORG_VIEW,
                P.CLASS_VIEW,
                P.STUDENT_VIEW,
                P.STUDENT_RECORD,
                P.PAYMENT_VIEW,
                P.PAYMENT_MANAGE,
                P.PAYMENT_STATS,
            }
        ),
        frozenset({"school"}),
    ),
    Role.TEACHER: RolePolicy(
        Reach.CLASSES,
        frozenset(
            {
                P.ORG_VIEW,
                P.CLASS_VIEW,
                P.STUDENT_VIEW,
                P.STUDENT_RECORD,
                P.GRADE_VIEW,
                P.GRADE_ENTER,
            }
        ),
        frozenset({"school"}),
    ),
    Role.HOMEROOM_TEACHER: RolePolicy(
        Reach.HOMEROOM,
        frozenset(
            {
                P.ORG_VIEW,
                P.CLASS_VIEW,
                P.STUDENT_VIEW,
                P.STUDENT_RECORD,
                P.STUDENT_EDIT,
                P.GRADE_VIEW,
                P.CONDUCT_ENTER,
                P.REPORTCARD_VIEW,
                P.REPORTCARD_SIGN,
            }
        ),
        frozenset({"school"}),
    ),
    Role.PARENT: RolePolicy(Reach.FAMILY, _OWN_GRADES, frozenset()),
    Role.STUDENT: RolePolicy(Reach.SELF, _OWN_GRADES, frozenset()),
    # Officers see aggregates only; an officer who must read individual scores (an inspection)
    # is granted this role explicitly, on the units concerned.
    Role.GRADE_INSPECTOR: RolePolicy(
        Reach.SUBTREE,
        frozenset(
            {
                P.ORG_VIEW,
                P.CLASS_VIEW,
                P.STUDENT_VIEW,
                P.STUDENT_RECORD,
                P.GRADE_VIEW,
                P.GRADE_STATS,
            }
        ),
        frozenset({"ministry", "department", "bureau", "school"}),
    ),
}

# Roles whose holders must pass a TOTP second factor before any page or API call.
SECOND_FACTOR_ROLES = frozenset(
    {
        Role.MINISTRY_OFFICER,
        Role.DEPARTMENT_OFFICER,
        Role.BUREAU_OFFICER,
        Role.PRINCIPAL,
        Role.GRADE_INSPECTOR,
    }
)


class _System:
    """The actor of management commands and background jobs started by the system itself.

    It passes every check (like a superuser) and is recorded as "system" in the audit log.
    Views never use it: they pass ``request.user``.
    """

    is_authenticated = True
    is_active = True
    is_superuser = True
    pk = None
    username = "system"

    def __str__(self) -> str:
        return "system"


SYSTEM: Any = _System()


@dataclass(frozen=True)
class Grant:
    role: str
    org_unit_id: int | None
    org_path: str

    @property
    def policy(self) -> RolePolicy:
        return ROLE_POLICIES[self.role]


class ScopeRule:
    """How one model is filtered for each reach. Apps subclass it and :func:`register` it.

    Every method returns a ``Q`` on the registered model; the default is "nothing".
    ``school_paths`` are the org paths of the schools the limited grants were made on.
    """

    def subtree(self, paths: list[str]) -> Q:
        return NOTHING

    def classes(self, user: Any, school_paths: list[str]) -> Q:
        return NOTHING

    def homeroom(self, user: Any, school_paths: list[str]) -> Q:
        return NOTHING

    def family(self, user: Any) -> Q:
        return NOTHING

    def self_(self, user: Any) -> Q:
        return NOTHING


_rules: dict[tuple[type[models.Model], Perm | None], ScopeRule] = {}


def register(
    model: type[models.Model], rule: ScopeRule, perms: Iterable[Perm] | None = None
) -> None:
    """Register how ``model`` is scoped; ``perms`` limits the rule to those permissions
    (e.g. former students are visible to their old school for reading, not for editing)."""
    keys: list[Perm | None] = list(perms) if perms is not None else [None]
    for perm in keys:
        _rules[(model, perm)] = rule


def path_q(field: str, paths: Iterable[str]) -> Q:
    """``field`` starts with any of ``paths`` (materialised org paths like ``/1/4/17/``)."""
    q = NOTHING
    for path in _outermost(paths):
        q |= Q(**{f"{field}__startswith": path})
    return q


def _outermost(paths: Iterable[str]) -> list[str]:
    kept: list[str] = []
    for path in sorted(set(paths), key=len):
        if not any(path.startswith(outer) for outer in kept):
            kept.append(path)
    return kept


def _derived_grants(user: Any) -> list[Grant]:
    derived = []
    for role, model_label, field in (
        (Role.PARENT, "registry.Guardian", "user"),
        (Role.STUDENT, "registry.Student", "user"),
    ):
        if apps.get_model(model_label).objects.filter(**{field: user}).exists():
            derived.append(Grant(role=role, org_unit_id=None, org_path=""))
    return derived


def grants(user: Any) -> list[Grant]:
    """The user's active grants, loaded once per request (cached on the user object)."""
    if user is None or user is SYSTEM or not getattr(user, "is_authenticated", False):
        return []
    cached: list[Grant] | None = getattr(user, "_truongso_grants", None)
    if cached is not None:
        return cached
    assignment = apps.get_model("accounts", "RoleAssignment")
    now = timezone.now()
    rows = (
        assignment.objects.filter(user=user, org_unit__is_active=True)
        .filter(Q(valid_until__isnull=True) | Q(valid_until__gt=now))
        .values_list("role", "org_unit_id", "org_unit__path")
    )
    loaded = [Grant(role=r, org_unit_id=o, org_path=p) for r, o, p in rows if r in ROLE_POLICIES]
    loaded += _derived_grants(user)
    user._truongso_grants = loaded
    return loaded


def forget(user: Any) -> None:
    """Drop the cached grants after a grant or link changes within the same request."""
    if hasattr(user, "_truongso_grants"):
        del user._truongso_grants


def roles(user: Any) -> set[str]:
    return {g.role for g in grants(user)}


def scope_q(user: Any, perm: Perm, model: type[models.Model]) -> Q | None:
    """The filter for ``model`` objects ``user`` may ``perm``; ``None`` means everything."""
    if getattr(user, "is_superuser", False) and user.is_active:
        return None
    rule = _rules.get((model, perm)) or _rules.get((model, None))
    if rule is None:
        raise LookupError(f"No authz scope rule registered for {model._meta.label}")
    relevant = [g for g in grants(user) if perm in g.policy.perms]
    q = NOTHING
    subtree = [g.org_path for g in relevant if g.policy.reach == Reach.SUBTREE]
    if subtree:
        q |= rule.subtree(_outermost(subtree))
    for reach, method in ((Reach.CLASSES, rule.classes), (Reach.HOMEROOM, rule.homeroom)):
        paths = [g.org_path for g in relevant if g.policy.reach == reach]
        if paths:
            q |= method(user, paths)
    if any(g.policy.reach == Reach.FAMILY for g in relevant):
        q |= rule.family(user)
    if any(g.policy.reach == Reach.SELF for g in relevant):
        q |= rule.self_(user)
    return q


def scope(user: Any, perm: Perm, queryset: models.QuerySet[M]) -> models.QuerySet[M]:
    """``queryset`` narrowed to what ``user`` may ``perm``. The only way lists are filtered."""
    q = scope_q(user, perm, queryset.model)
    return queryset if q is None else queryset.filter(q)


def check(user: Any, perm: Perm, obj: models.Model) -> bool:
    return scope(user, perm, type(obj)._default_manager.filter(pk=obj.pk)).exists()


def require(user: Any, perm: Perm, obj: models.Model) -> None:
    if not check(user, perm, obj):
        raise PermissionDenied(f"{perm} denied on {obj._meta.label} {obj.pk}")


def can(user: Any, perm: Perm, org_path: str) -> bool:
    """May ``user`` ``perm`` at the org node with ``org_path`` as a whole (subtree grants only).

    Used for actions on a node rather than on an object in it: creating a class in a
    school, importing a file into it, reading its enrolment register.
    """
    if getattr(user, "is_superuser", False) and user.is_active:
        return True
    return any(
        perm in g.policy.perms
        and g.policy.reach == Reach.SUBTREE
        and org_path.startswith(g.org_path)
        for g in grants(user)
    )


def can_grant(actor: Any, role: str, org_path: str, parent_path: str | None) -> bool:
    """May ``actor`` grant or revoke ``role`` on the node at ``org_path``?

    Roles that themselves manage roles (principal, officers) are granted and revoked from
    the node above, so a principal can neither make another principal nor remove her own
    grant; the other school roles are handled by the school's principal.
    """
    if getattr(actor, "is_superuser", False) and actor.is_active:
        return True
    policy = ROLE_POLICIES.get(role)
    if policy is None:
        return False
    if Perm.ROLE_MANAGE in policy.perms:
        return parent_path is not None and can(actor, Perm.ROLE_MANAGE, parent_path)
    return can(actor, Perm.ROLE_MANAGE, org_path)


def require_can(user: Any, perm: Perm, org_path: str) -> None:
    if not can(user, perm, org_path):
        raise PermissionDenied(f"{perm} denied at {org_path}")


def has_any(user: Any, perm: Perm) -> bool:
    """Whether any grant gives ``perm`` at all (for menus; never a substitute for scope)."""
    if getattr(user, "is_superuser", False) and user.is_active:
        return True
    return any(perm in g.policy.perms for g in grants(user))


def grant_roots(user: Any, perm: Perm) -> list[str]:
    """Org paths under which ``user`` holds ``perm`` with subtree reach (outermost first)."""
    return _outermost(
        g.org_path
        for g in grants(user)
        if perm in g.policy.perms and g.policy.reach == Reach.SUBTREE
    )


class AuditScope(ScopeRule):
    def subtree(self, paths: list[str]) -> Q:
        return path_q("org_path", paths)


def _register_core() -> None:
    from truongso.core.models import AuditEntry

    register(AuditEntry, AuditScope())
