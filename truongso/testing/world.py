"""A small but complete education system for tests, built with the real services.

Bộ GD&ĐT → Sở GD&ĐT Thái Bình → Phòng GD&ĐT Quỳnh Phụ → THCS An Bài (school A) and
THCS Quỳnh Hải (school B); Phòng GD&ĐT Đông Hưng → THCS Đông Hợp (school C).
One named user per role, on school A unless the name says otherwise:

* ``ministry``, ``department``, ``bureau`` (Quỳnh Phụ), ``other_bureau`` (Đông Hưng)
* ``principal``, ``vice``, ``clerk``, ``accountant`` of school A; ``principal_c`` of school C
* ``teacher`` teaches Toán in 6A1; ``homeroom`` leads 6A2 and teaches nothing
* ``parent`` of ``an`` (6A1); ``student`` is ``an``'s own login
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from truongso.accounts.models import User
from truongso.accounts.services import role_grant, user_create
from truongso.core.authz import SYSTEM, Role
from truongso.registry.models import (
    Guardian,
    OrgUnit,
    SchoolClass,
    SchoolYear,
    Staff,
    Student,
    Subject,
)
from truongso.registry.reference import OrgKind, SchoolLevel
from truongso.registry.services import classes, org, staff, students
from truongso.registry.services.calendar import school_year_create

PASSWORD = "Mat-khau-thu-2026"
YEAR_START = dt.date(2025, 9, 5)


@dataclass
class World:
    ministry_unit: OrgUnit
    department_unit: OrgUnit
    bureau_unit: OrgUnit
    other_bureau_unit: OrgUnit
    school_a: OrgUnit
    school_b: OrgUnit
    school_c: OrgUnit
    year: SchoolYear
    class_6a1: SchoolClass
    class_6a2: SchoolClass
    class_c: SchoolClass
    users: dict[str, User] = field(default_factory=dict)
    students: dict[str, Student] = field(default_factory=dict)
    staff: dict[str, Staff] = field(default_factory=dict)

    def __getattr__(self, name: str) -> Any:
        users = self.__dict__.get("users", {})
        if name in users:
            return users[name]
        raise AttributeError(name)


def make_user(username: str, full_name: str) -> User:
    return user_create(
        username=username, password=PASSWORD, full_name=full_name, validate=False, actor=SYSTEM
    )


def _school(parent: OrgUnit, code: str, name: str) -> OrgUnit:
    return org.org_unit_create(
        actor=SYSTEM,
        kind=OrgKind.SCHOOL,
        code=code,
        name=name,
        parent=parent,
        level=SchoolLevel.LOWER_SECONDARY,
    )


def _pupil(school_class: SchoolClass, learner_id: str, name: str, gender: str = "F") -> Student:
    return students.student_admit(
        actor=SYSTEM,
        school_class=school_class,
        admitted_on=YEAR_START,
        data={
            "learner_id": learner_id,
            "full_name": name,
            "birth_date": "12/03/2014",
            "gender": gender,
            "ethnicity": "01",
            "birthplace": "Thái Bình",
        },
    )


def build_world() -> World:
    ministry = org.org_unit_create(
        actor=SYSTEM,
        kind=OrgKind.MINISTRY,
        code="BGDDT",
        name="Bộ Giáo dục và Đào tạo",
        parent=None,
    )
    department = org.org_unit_create(
        actor=SYSTEM, kind=OrgKind.DEPARTMENT, code="34", name="Sở GD&ĐT Thái Bình", parent=ministry
    )
    bureau = org.org_unit_create(
        actor=SYSTEM,
        kind=OrgKind.BUREAU,
        code="3407",
        name="Phòng GD&ĐT Quỳnh Phụ",
        parent=department,
    )
    other_bureau = org.org_unit_create(
        actor=SYSTEM,
        kind=OrgKind.BUREAU,
        code="3402",
        name="Phòng GD&ĐT Đông Hưng",
        parent=department,
    )
    school_a = _school(bureau, "34070001", "Trường THCS An Bài")
    school_b = _school(bureau, "34070002", "Trường THCS Quỳnh Hải")
    school_c = _school(other_bureau, "34020001", "Trường THCS Đông Hợp")
    year = school_year_create(
        actor=SYSTEM,
        code="2025-2026",
        make_current=True,
        semesters=(
            (YEAR_START, dt.date(2026, 1, 17)),
            (dt.date(2026, 1, 19), dt.date(2026, 5, 31)),
        ),
    )
    teacher_staff = staff.staff_create(
        actor=SYSTEM, org_unit=school_a, data={"full_name": "Trần Thị Hoa", "gender": "F"}
    )
    homeroom_staff = staff.staff_create(
        actor=SYSTEM, org_unit=school_a, data={"full_name": "Lê Văn Bình", "gender": "M"}
    )
    c_staff = staff.staff_create(
        actor=SYSTEM, org_unit=school_c, data={"full_name": "Phạm Văn Cường", "gender": "M"}
    )
    class_6a1 = classes.class_create(
        actor=SYSTEM, school=school_a, school_year=year, grade=6, name="6A1"
    )
    class_6a2 = classes.class_create(
        actor=SYSTEM,
        school=school_a,
        school_year=year,
        grade=6,
        name="6A2",
        homeroom_teacher=homeroom_staff,
    )
    class_c = classes.class_create(
        actor=SYSTEM,
        school=school_c,
        school_year=year,
        grade=6,
        name="6C",
        homeroom_teacher=c_staff,
    )
    classes.teaching_assign(
        actor=SYSTEM,
        school_class=class_6a1,
        subject=Subject.objects.get(code="TOAN"),
        staff=teacher_staff,
    )
    world = World(
        ministry,
        department,
        bureau,
        other_bureau,
        school_a,
        school_b,
        school_c,
        year,
        class_6a1,
        class_6a2,
        class_c,
    )
    world.staff = {"teacher": teacher_staff, "homeroom": homeroom_staff, "c": c_staff}
    world.students = {
        "an": _pupil(class_6a1, "3407000001", "Nguyễn Văn An", "M"),
        "binh": _pupil(class_6a1, "3407000002", "Đỗ Thị Bình"),
        "chi": _pupil(class_6a2, "3407000003", "Hoàng Thị Chi"),
        "dung": _pupil(class_c, "3402000001", "Vũ Tiến Dũng", "M"),
    }
    grants = [
        ("ministry", "Cán bộ Bộ", Role.MINISTRY_OFFICER, ministry),
        ("department", "Chuyên viên Sở", Role.DEPARTMENT_OFFICER, department),
        ("bureau", "Chuyên viên Phòng Quỳnh Phụ", Role.BUREAU_OFFICER, bureau),
        ("other_bureau", "Chuyên viên Phòng Đông Hưng", Role.BUREAU_OFFICER, other_bureau),
        ("principal", "Hiệu trưởng An Bài", Role.PRINCIPAL, school_a),
        ("vice", "Phó hiệu trưởng An Bài", Role.VICE_PRINCIPAL, school_a),
        ("clerk", "Văn thư An Bài", Role.CLERK, school_a),
        ("accountant", "Kế toán An Bài", Role.ACCOUNTANT, school_a),
        ("teacher", "Trần Thị Hoa", Role.TEACHER, school_a),
        ("homeroom", "Lê Văn Bình", Role.HOMEROOM_TEACHER, school_a),
        ("principal_c", "Hiệu trưởng Đông Hợp", Role.PRINCIPAL, school_c),
    ]
    for username, name, role, unit in grants:
        user = make_user(username, name)
        role_grant(actor=SYSTEM, user=user, role=role, org_unit=unit, check=False)
        world.users[username] = user
    Staff.objects.filter(pk=teacher_staff.pk).update(user=world.users["teacher"])
    Staff.objects.filter(pk=homeroom_staff.pk).update(user=world.users["homeroom"])
    parent = make_user("parent", "Nguyễn Văn Cha")
    students.guardian_link(
        actor=SYSTEM,
        student=world.students["an"],
        relation="father",
        is_primary=True,
        data={"full_name": "Nguyễn Văn Cha", "phone": "0912345678"},
    )
    Guardian.objects.filter(phone="0912345678").update(user=parent)
    world.users["parent"] = parent
    student_user = make_user("student", "Nguyễn Văn An")
    Student.objects.filter(pk=world.students["an"].pk).update(user=student_user)
    world.users["student"] = student_user
    world.users["nobody"] = make_user("nobody", "Không có vai trò")
    return world
