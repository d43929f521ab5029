"""The gradebook API's test world: the shared ``world`` plus the people the gradebook tells
apart, built with the real services.

* ``teacher`` teaches Toán in 6A1 (from the world); ``other`` teaches Ngữ văn in 6A1;
* ``gvcn`` is 6A1's homeroom teacher (the world's ``homeroom`` leads 6A2 only);
* ``inspector`` is an officer of Phòng GD&ĐT Quỳnh Phụ granted ``grade_inspector``;
* the world's ``bureau`` officer has aggregates only.
"""

from __future__ import annotations

from typing import Any

from truongso.accounts.services import role_grant
from truongso.core.authz import SYSTEM, Role
from truongso.core.models import AuditEntry
from truongso.gradebook.models import GradingPeriod, StudentTerm, SubjectTerm, TermResult
from truongso.gradebook.results import class_subjects
from truongso.gradebook.services.cells import (
    CellChange,
    scores_save,
    subject_columns,
    terms_save,
)
from truongso.registry.models import SchoolClass, Staff, Subject
from truongso.registry.services import classes, staff
from truongso.testing.world import make_user
from truongso.workflow.models import ApprovalRequest

GB = "/api/v1/gradebook"
ROLES = [
    "teacher",
    "other",
    "gvcn",
    "homeroom",
    "principal",
    "vice",
    "parent",
    "student",
    "bureau",
    "inspector",
    "principal_c",
    "other_bureau",
    "nobody",
]


def _staff_user(world: Any, username: str, name: str, role: str) -> tuple[Staff, Any]:
    member = staff.staff_create(
        actor=SYSTEM, org_unit=world.school_a, data={"full_name": name, "gender": "F"}
    )
    user = make_user(username, name)
    role_grant(actor=SYSTEM, user=user, role=role, org_unit=world.school_a, check=False)
    Staff.objects.filter(pk=member.pk).update(user=user)
    world.users[username] = user
    return member, user


def extend(world: Any) -> Any:
    """Add ``other``, ``gvcn`` and ``inspector`` to the world (see the module docstring)."""
    other, _user = _staff_user(world, "other", "Phạm Thị Ngọc", Role.TEACHER)
    classes.teaching_assign(
        actor=SYSTEM,
        school_class=world.class_6a1,
        subject=Subject.objects.get(code="NV"),
        staff=other,
    )
    gvcn, _user = _staff_user(world, "gvcn", "Ngô Thị Lan", Role.HOMEROOM_TEACHER)
    classes.class_update(
        actor=SYSTEM, school_class=world.class_6a1, name="6A1", homeroom_teacher=gvcn
    )
    world.class_6a1.refresh_from_db()
    inspector = make_user("inspector", "Thanh tra Phòng Quỳnh Phụ")
    for role in (Role.BUREAU_OFFICER, Role.GRADE_INSPECTOR):
        role_grant(actor=SYSTEM, user=inspector, role=role, org_unit=world.bureau_unit, check=False)
    world.users["inspector"] = inspector
    return world


def grid_url(school_class: SchoolClass, code: str = "TOAN", semester: int = 1) -> str:
    return f"{GB}/classes/{school_class.pk}/subjects/{code}/semesters/{semester}/"


def fill(
    school_class: SchoolClass,
    semester: int = 1,
    value: str = "8",
    conduct: str = "Tốt",
    pupils: list[int] | None = None,
) -> None:
    """Every column of every subject for every pupil of the class, and the conduct, entered
    as the system (imports and seeding do the same)."""
    if pupils is None:
        pupils = list(school_class.current_students.values_list("pk", flat=True))
    for code, spec in class_subjects(school_class).items():
        subject = Subject.objects.get(code=code)
        typed = value if spec.scored else "Đ"
        changes = [
            CellChange(pk, column.code, "", typed)
            for pk in pupils
            for column in subject_columns(school_class, subject, semester)
        ]
        scores_save(
            actor=SYSTEM,
            school_class=school_class,
            subject=subject,
            semester=semester,
            changes=changes,
        )
    terms_save(
        actor=SYSTEM,
        school_class=school_class,
        semester=semester,
        changes=[CellChange(pk, "conduct", "", conduct) for pk in pupils],
    )


WATCHED = [SubjectTerm, StudentTerm, TermResult, GradingPeriod, ApprovalRequest]


def fingerprint() -> dict[str, Any]:
    """Every gradebook and approval row, and the size of the audit log (tokens left out)."""
    state: dict[str, Any] = {
        model.__name__: sorted(map(repr, model.objects.values_list())) for model in WATCHED
    }
    state["audit"] = AuditEntry.objects.exclude(action__startswith="api_token").count()
    return state
