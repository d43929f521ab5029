"""The demo district: the invariants of the services, one working login per role."""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter
from io import StringIO
from pathlib import Path

import pytest
from django.contrib.auth import authenticate
from django.core.cache import cache
from django.core.management import CommandError, call_command
from django.db import transaction
from django.db.models import F
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from truongso.accounts.models import RoleAssignment, User
from truongso.core import authz
from truongso.core.authz import ROLE_POLICIES, Perm, Role
from truongso.registry.demo.accounts import DEMO_ACCOUNTS
from truongso.registry.demo.names import SURNAMES
from truongso.registry.integrity import enrolment_problems
from truongso.registry.models import (
    EnrolmentEvent,
    GradeSubject,
    Guardian,
    OrgUnit,
    Placement,
    RegisterEntry,
    SchoolClass,
    Staff,
    Student,
    StudentGuardian,
    StudentStatus,
    TeachingAssignment,
)
from truongso.registry.reference import SchoolLevel
from truongso.registry.validators import validate_citizen_id

ADMISSIONS = {"admitted", "transfer_in", "returned"}


def seed(tmp_path: Path | None = None, **options: object) -> str:
    out = StringIO()
    if tmp_path is not None:
        options["logins_json"] = tmp_path / "logins.json"
    call_command("seed_demo", stdout=out, **options)
    return out.getvalue()


@pytest.fixture
def district(db, tmp_path):
    cache.clear()
    seed(tmp_path)
    return json.loads((tmp_path / "logins.json").read_text(encoding="utf-8"))


def test_org_tree_has_every_level_under_the_right_parent(district):
    department = OrgUnit.objects.get(code="34")
    bureau = OrgUnit.objects.get(code="3407")
    assert department.name == "Sở GD&ĐT Thái Bình"
    assert department.parent == OrgUnit.objects.get(kind="ministry", code="BGDDT")
    assert bureau.name == "Phòng GD&ĐT Quỳnh Phụ" and bureau.parent == department
    levels = dict(OrgUnit.objects.filter(kind="school").values_list("level", "parent__code"))
    assert levels == {
        SchoolLevel.PRESCHOOL: "3407",
        SchoolLevel.PRIMARY: "3407",
        SchoolLevel.LOWER_SECONDARY: "3407",
        SchoolLevel.MULTI_LEVEL: "3407",
        SchoolLevel.UPPER_SECONDARY: "34",
        SchoolLevel.CONTINUING: "34",
    }
    years = set(SchoolClass.objects.values_list("school_year__code", flat=True))
    assert years == {"2024-2025", "2025-2026"}


def test_every_studying_student_has_one_open_placement_in_the_current_class(district):
    assert enrolment_problems() == []
    studying = dict(
        Student.objects.filter(status=StudentStatus.STUDYING).values_list("pk", "current_class")
    )
    assert 700 <= len(studying) <= 900
    open_rows = list(
        Placement.objects.filter(end_date__isnull=True).values_list("student", "school_class")
    )
    assert len(open_rows) == len(studying)
    assert dict(open_rows) == studying
    assert not Placement.objects.filter(
        end_date__isnull=True, school_class__school_year__is_current=False
    ).exists()
    mismatched = Student.objects.exclude(current_class__school=F("school"))
    assert not mismatched.filter(status=StudentStatus.STUDYING).exists()
    gone = Student.objects.exclude(status=StudentStatus.STUDYING)
    assert sorted(gone.values_list("status", flat=True)) == ["left", "transferred"]
    assert not Placement.objects.filter(student__in=gone, end_date__isnull=True).exists()


def test_every_student_was_admitted_and_has_a_register_line_at_the_school(district):
    admitted = set(
        EnrolmentEvent.objects.filter(kind__in=ADMISSIONS).values_list("student", "school")
    )
    open_lines = set(
        RegisterEntry.objects.filter(left_on__isnull=True).values_list("student", "school")
    )
    for pk, school in Student.objects.filter(status="studying").values_list("pk", "school"):
        assert (pk, school) in admitted
        assert (pk, school) in open_lines
    closed = RegisterEntry.objects.filter(left_on__isnull=False)
    assert sorted(closed.values_list("leave_kind", flat=True)) == [
        "left",
        "transfer_out",
        "transfer_out",
        "transfer_out",
    ]


def test_register_numbers_run_one_to_n_per_school_in_admission_order(district):
    for school in OrgUnit.objects.filter(kind="school"):
        lines = list(
            RegisterEntry.objects.filter(school=school)
            .order_by("number")
            .values_list("number", "admitted_on")
        )
        assert [number for number, _ in lines] == list(range(1, len(lines) + 1))
        dates = [day for _, day in lines]
        assert dates == sorted(dates), school.name


def test_grade_one_pupils_keep_temporary_codes_and_others_have_learner_ids(district):
    pupils = Student.objects.all()
    for student in pupils:
        new_pupil = student.register_entries.filter(
            admitted_grade=1, admitted_on__gte=dt.date(2025, 8, 1)
        ).exists()
        if new_pupil:
            assert student.learner_id is None
            assert student.temp_code.startswith(
                f"TS{student.register_entries.first().school.code}-"
            )
        else:
            assert student.temp_code is None
            assert len(student.learner_id) == 10 and student.learner_id.isdigit()
    assert pupils.filter(learner_id__isnull=True).count() > 20


def test_people_look_vietnamese_and_identifiers_are_valid(district):
    surnames = {name for name, _ in SURNAMES}
    students = list(Student.objects.all())
    assert all(s.full_name.split()[0] in surnames for s in students)
    assert sum(any(ord(ch) > 127 for ch in s.full_name) for s in students) > len(students) * 0.8
    assert Counter(s.ethnicity for s in students).most_common(1)[0][0] == "01"
    with_ids = [s for s in students if s.citizen_id]
    assert len(with_ids) > len(students) // 2
    for student in with_ids:
        validate_citizen_id(
            student.citizen_id, birth_date=student.birth_date, gender=student.gender
        )
        assert student.citizen_id.startswith("034")
    for student in students:
        grade = student.current_class.grade if student.current_class else None
        if grade is not None:
            assert 2025 - 6 - grade <= student.birth_date.year <= 2025 - 5 - grade
    for staff in Staff.objects.exclude(citizen_id=None):
        validate_citizen_id(staff.citizen_id, birth_date=staff.birth_date, gender=staff.gender)
    phones = list(Guardian.objects.exclude(phone="").values_list("phone", flat=True))
    assert len(phones) == len(set(phones))
    assert all(len(p) == 10 and p.startswith("0") for p in phones)


def test_guardians_are_linked_and_siblings_share_parents(district):
    assert not Student.objects.filter(guardian_links__isnull=True).exists()
    assert not Guardian.objects.filter(student_links__isnull=True).exists()
    families = Counter(StudentGuardian.objects.values_list("guardian", flat=True))
    assert sum(1 for count in families.values() if count >= 2) >= 20
    primaries = Counter(
        StudentGuardian.objects.filter(is_primary=True).values_list("student", flat=True)
    )
    assert set(primaries.values()) == {1} and len(primaries) == Student.objects.count()


def test_classes_have_homeroom_teachers_and_assignments_cover_the_curriculum(district):
    compulsory: dict[int, set[str]] = {}
    for grade, code in GradeSubject.objects.filter(is_elective=False).values_list(
        "grade", "subject__code"
    ):
        compulsory.setdefault(grade, set()).add(code)
    classes = SchoolClass.objects.select_related("homeroom_teacher", "school")
    assert classes.filter(school_year__is_current=True).count() >= 30
    for school_class in classes:
        teacher = school_class.homeroom_teacher
        assert teacher is not None and teacher.org_unit_id == school_class.school_id
        taught = set(
            TeachingAssignment.objects.filter(school_class=school_class).values_list(
                "subject__code", flat=True
            )
        )
        assert compulsory[school_class.grade] <= taught, school_class
        if school_class.grade >= 10:
            assert len(taught - compulsory[school_class.grade]) == 4
    foreign = TeachingAssignment.objects.exclude(staff__org_unit=F("school_class__school"))
    assert not foreign.exists()
    positions = Counter(
        Staff.objects.filter(org_unit__code="34070003").values_list("position", flat=True)
    )
    assert positions["hieu_truong"] == 1 and positions["ke_toan"] == 1
    assert positions["van_thu"] == 1 and positions["giao_vien"] >= 10


def test_logins_file_lists_every_role_once_with_exactly_four_keys(district):
    assert [row["role"] for row in district] == [str(a.role) for a in DEMO_ACCOUNTS]
    assert {row["role"] for row in district} == set(ROLE_POLICIES)
    for row in district:
        assert set(row) == {"role", "username", "password", "org"}
        user = authenticate(username=row["username"], password=row["password"])
        assert user is not None and user.username == row["username"]
    orgs = {row["username"]: row["org"] for row in district}
    assert orgs["phong.canbo"] == "Phòng GD&ĐT Quỳnh Phụ"
    assert orgs["so.canbo"] == "Sở GD&ĐT Thái Bình"
    assert orgs["bo.canbo"] == "Bộ Giáo dục và Đào tạo"
    assert orgs["hieutruong"] == orgs["giaovien"] == "Trường THCS An Bài"


def test_each_role_account_has_its_grant_and_sees_its_part(district):
    school = OrgUnit.objects.get(name="Trường THCS An Bài")
    expected = {
        "bo.canbo": {(Role.MINISTRY_OFFICER, "BGDDT")},
        "so.canbo": {(Role.DEPARTMENT_OFFICER, "34")},
        "phong.canbo": {(Role.BUREAU_OFFICER, "3407")},
        "hieutruong": {(Role.PRINCIPAL, school.code)},
        "phohieutruong": {(Role.VICE_PRINCIPAL, school.code)},
        "giaovien": {(Role.TEACHER, school.code)},
        "gvcn": {(Role.HOMEROOM_TEACHER, school.code), (Role.TEACHER, school.code)},
        "ketoan": {(Role.ACCOUNTANT, school.code)},
        "vanthu": {(Role.CLERK, school.code)},
        "phuhuynh": set(),
        "hocsinh": set(),
        "thanhtra": {(Role.GRADE_INSPECTOR, "3407")},
    }
    for username, grants in expected.items():
        rows = RoleAssignment.objects.filter(user__username=username)
        assert set(rows.values_list("role", "org_unit__code")) == grants, username
    totp_users = set(
        TOTPDevice.objects.filter(confirmed=True).values_list("user__username", flat=True)
    )
    assert totp_users == {"bo.canbo", "so.canbo", "phong.canbo", "hieutruong", "thanhtra"}

    def visible(username: str) -> set[int]:
        user = User.objects.get(username=username)
        return set(
            authz.scope(user, Perm.STUDENT_VIEW, Student.objects.all()).values_list("pk", flat=True)
        )

    parent_children = visible("phuhuynh")
    assert len(parent_children) == 2
    assert len({Student.objects.get(pk=pk).school_id for pk in parent_children}) == 2
    me = Student.objects.get(user__username="hocsinh")
    assert visible("hocsinh") == {me.pk} and me.pk in parent_children
    taught = visible("giaovien")
    assert me.pk in taught and 30 <= len(taught) < Student.objects.filter(school=school).count()
    homeroom = visible("gvcn")
    assert me.current_class.homeroom_teacher.user.username == "gvcn" and me.pk in homeroom
    assert visible("phong.canbo") == set(
        authz.scope(
            User.objects.get(username="so.canbo"),
            Perm.STUDENT_VIEW,
            Student.objects.filter(school__parent__code="3407"),
        ).values_list("pk", flat=True)
    )


def test_demo_principal_logs_in_with_the_shown_code(client, district, settings):
    settings.DEMO_MODE = True
    login = {"username": "hieutruong", "password": "trong-dong-2026"}
    response = client.post("/accounts/login/", login)
    assert response.status_code == 302 and response.url.startswith("/accounts/otp/")
    page = client.get(response.url)
    device = TOTPDevice.objects.get(user__username="hieutruong")
    code = f"{totp(device.bin_key, step=device.step, digits=device.digits):06d}"
    assert code in page.content.decode()
    assert client.post(response.url, {"token": code}).status_code == 302
    assert client.get("/").status_code == 200


def test_demo_logins_table_stars_and_explains_every_second_factor_role(district):
    out = StringIO()
    call_command("demo_logins", stdout=out)
    text = out.getvalue()
    usernames = {row["username"] for row in district}
    starred = [
        name
        for line in text.splitlines()
        if " * " in line
        for name in line.split()
        if name in usernames
    ]
    assert starred == ["bo.canbo", "so.canbo", "phong.canbo", "hieutruong", "thanhtra"]
    assert "cán bộ kiểm tra sổ điểm và hiệu trưởng nhập thêm mã" in text
    assert "the grade inspector and the principal also enter a TOTP code" in text


def test_if_empty_does_nothing_the_second_time_but_writes_the_logins(db, tmp_path):
    seed()
    counts = {m: m.objects.count() for m in (OrgUnit, Student, Staff, User, EnrolmentEvent)}
    output = seed(tmp_path, if_empty=True)
    assert "nothing seeded" in output
    assert {m: m.objects.count() for m in counts} == counts
    rows = json.loads((tmp_path / "logins.json").read_text(encoding="utf-8"))
    assert [row["username"] for row in rows] == [a.username for a in DEMO_ACCOUNTS]
    with pytest.raises(CommandError, match="already has org units"):
        seed()
    assert {m: m.objects.count() for m in counts} == counts


def test_bad_sizes_are_refused(db):
    with pytest.raises(CommandError, match="--schools"):
        seed(schools=3)
    with pytest.raises(CommandError, match="--students"):
        seed(students=10)
    assert not OrgUnit.objects.exists()


def _signature(seed_value: int) -> list[tuple[object, ...]]:
    """The people built with ``seed_value``, then the database is rolled back."""
    point = transaction.savepoint()
    seed(seed=seed_value, students=200)
    people = list(
        Student.objects.order_by("search_name", "birth_date", "learner_id").values_list(
            "full_name",
            "birth_date",
            "learner_id",
            "temp_code",
            "citizen_id",
            "current_class__name",
        )
    )
    people += list(Staff.objects.order_by("search_name", "phone").values_list("full_name", "phone"))
    transaction.savepoint_rollback(point)
    return people


def test_the_same_seed_builds_the_same_district(db):
    first = _signature(7)
    assert not OrgUnit.objects.exists()
    assert _signature(7) == first
    assert _signature(8) != first
