"""The org, class, staff and curriculum endpoints: filters, writes through the services,
and bad input answered with a 400 naming the field (nothing written)."""

from __future__ import annotations

import pytest

from truongso.core.models import AuditEntry
from truongso.registry.models import OrgUnit, SchoolClass, Staff, Subject, TeachingAssignment
from truongso.registry.tests.api_support import API, api_clients, fingerprint, ids


@pytest.fixture
def api(world, monkeypatch):
    return api_clients(world, monkeypatch)


def test_org_unit_filters(world, api):
    client = api("department")
    schools = client.get(f"{API}/org-units/", {"kind": "school"})
    assert ids(schools) == {world.school_a.pk, world.school_b.pk, world.school_c.pk}
    assert ids(client.get(f"{API}/org-units/", {"parent": world.bureau_unit.pk})) == {
        world.school_a.pk,
        world.school_b.pk,
    }
    assert ids(client.get(f"{API}/org-units/", {"q": "quynh"})) == {
        world.bureau_unit.pk,
        world.school_b.pk,
    }
    assert ids(client.get(f"{API}/org-units/", {"q": "3402"})) == {
        world.other_bureau_unit.pk,
        world.school_c.pk,
    }
    assert ids(client.get(f"{API}/org-units/", {"level": "thpt"})) == set()
    unit = client.get(f"{API}/org-units/{world.school_a.pk}/").json()
    assert unit["parent"] == {
        "id": world.bureau_unit.pk,
        "code": "3407",
        "name": "Phòng GD&ĐT Quỳnh Phụ",
    }
    assert (unit["kind"], unit["level"], unit["grade_from"], unit["grade_to"]) == (
        "school",
        "thcs",
        6,
        9,
    )


def test_org_unit_create_and_update(world, api):
    client = api("bureau")
    created = client.post(
        f"{API}/org-units/",
        {
            "kind": "school",
            "code": "34070099",
            "name": "Trường THCS  Quỳnh Mỹ",
            "parent": world.bureau_unit.pk,
            "level": "thcs",
            "email": "thcsquynhmy@example.edu.vn",
        },
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert (body["name"], body["grade_from"], body["grade_to"]) == ("Trường THCS Quỳnh Mỹ", 6, 9)
    unit = OrgUnit.objects.get(pk=body["id"])
    assert unit.path == f"{world.bureau_unit.path}{unit.pk}/"
    assert AuditEntry.objects.filter(action="org_unit.create", actor=world.bureau).count() == 1
    changed = client.patch(f"{API}/org-units/{unit.pk}/", {"phone": "02273800000"})
    assert changed.status_code == 200
    assert changed.json()["phone"] == "02273800000"
    assert changed.json()["name"] == "Trường THCS Quỳnh Mỹ"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"kind": "galaxy"}, "kind"),
        ({"code": "34070001"}, "code"),
        ({"code": ""}, "code"),
        ({"level": ""}, "level"),
        ({"kind": "bureau"}, "parent"),
        ({"parent": None}, "parent"),
        ({"parent": "x"}, "parent"),
        ({"grade_from": 13}, "grade_from"),
        ({"grade_from": 9, "grade_to": 6}, "grade_to"),
        ({"email": "not-an-email"}, "email"),
        ({"name": "T" * 300}, "name"),
    ],
)
def test_org_unit_create_bad_input(world, api, body, field):
    good = {
        "kind": "school",
        "code": "34070098",
        "name": "Trường THCS Mới",
        "parent": world.bureau_unit.pk,
        "level": "thcs",
    }
    before = fingerprint()
    response = api("bureau").post(f"{API}/org-units/", {**good, **body})
    assert response.status_code in (400, 403), response.content
    if response.status_code == 400:
        assert field in response.json(), response.json()
    else:  # only an administrator creates the ministry node
        assert field == "parent"
    assert fingerprint() == before


def test_org_unit_update_refuses_structural_fields(world, api):
    client = api("principal")
    response = client.patch(f"{API}/org-units/{world.school_a.pk}/", {"level": "khong_co"})
    assert response.status_code == 400
    assert list(response.json()) == ["level"]
    # Unknown keys (code, parent) are ignored by the input: the code never changes here.
    response = client.patch(f"{API}/org-units/{world.school_a.pk}/", {"code": "X1"})
    assert response.status_code == 200
    assert response.json()["code"] == "34070001"


def test_classes_filter_create_update_and_roster(world, api):
    client = api("clerk")
    assert ids(client.get(f"{API}/classes/", {"grade": 6})) == {
        world.class_6a1.pk,
        world.class_6a2.pk,
    }
    assert ids(client.get(f"{API}/classes/", {"school_year": world.year.pk})) == {
        world.class_6a1.pk,
        world.class_6a2.pk,
    }
    listed = {c["name"]: c for c in client.get(f"{API}/classes/").json()["results"]}
    assert listed["6A1"]["size"] == 2
    assert listed["6A2"]["homeroom_teacher"] == {
        "id": world.staff["homeroom"].pk,
        "full_name": "Lê Văn Bình",
    }
    created = client.post(
        f"{API}/classes/",
        {
            "school": world.school_a.pk,
            "school_year": world.year.pk,
            "grade": 7,
            "name": "7a1",
            "homeroom_teacher": world.staff["teacher"].pk,
        },
    )
    assert created.status_code == 201, created.content
    assert created.json()["name"] == "7A1"
    new_pk = created.json()["id"]
    put = client.put(f"{API}/classes/{new_pk}/", {"name": "7A2", "homeroom_teacher": None})
    assert put.status_code == 200
    assert put.json()["homeroom_teacher"] is None
    patched = client.patch(f"{API}/classes/{new_pk}/", {"name": "7A3"})
    assert (patched.json()["name"], patched.json()["homeroom_teacher"]) == ("7A3", None)
    assert client.put(f"{API}/classes/{new_pk}/", {}).json() == {
        "name": ["Trường này là bắt buộc."]
    }
    roster = client.get(f"{API}/classes/{world.class_6a1.pk}/students/").json()
    assert [s["full_name"] for s in roster["results"]] == ["Đỗ Thị Bình", "Nguyễn Văn An"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"grade": 10}, "grade"),
        ({"grade": "sáu"}, "grade"),
        ({"name": "6A1"}, "name"),
        ({"name": ""}, "name"),
        ({"school": "school_c"}, "school"),
        ({"school_year": 999999}, "school_year"),
        ({"homeroom_teacher": "staff_c"}, "homeroom_teacher"),
    ],
)
def test_class_create_bad_input(world, api, body, field):
    refs = {"school_c": world.school_c.pk, "staff_c": world.staff["c"].pk}
    body = {key: refs.get(value, value) for key, value in body.items()}
    good = {"school": world.school_a.pk, "school_year": world.year.pk, "grade": 6, "name": "6A5"}
    before = fingerprint()
    response = api("principal").post(f"{API}/classes/", {**good, **body})
    assert response.status_code == 400
    assert list(response.json()) == [field]
    assert fingerprint() == before


def test_homeroom_teacher_of_another_school_is_refused_by_the_service(world, api):
    # The ministry sees staff of school C, so the input is valid; the service refuses.
    response = api("ministry").patch(
        f"{API}/classes/{world.class_6a1.pk}/", {"homeroom_teacher": world.staff["c"].pk}
    )
    assert response.status_code == 403  # officers see classes but do not manage them
    response = api("principal").patch(
        f"{API}/classes/{world.class_6a1.pk}/", {"homeroom_teacher": world.staff["c"].pk}
    )
    assert response.status_code == 400
    assert list(response.json()) == ["homeroom_teacher"]


def test_staff_filters_create_and_update(world, api):
    client = api("principal")
    assert ids(client.get(f"{API}/staff/", {"q": "tran thi"})) == {world.staff["teacher"].pk}
    assert ids(client.get(f"{API}/staff/", {"position": "hieu_truong"})) == set()
    assert ids(client.get(f"{API}/staff/", {"org_unit": world.school_a.pk})) == {
        world.staff["teacher"].pk,
        world.staff["homeroom"].pk,
    }
    toan = Subject.objects.get(code="TOAN")
    created = client.post(
        f"{API}/staff/",
        {
            "org_unit": world.school_a.pk,
            "full_name": "Vũ Thị Lan",
            "gender": "F",
            "birth_date": "1990-05-20",
            "phone": "0912 000 111",
            "position": "giao_vien",
            "employment": "bien_che",
            "main_subject": toan.pk,
        },
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["phone"] == "0912000111"
    assert body["main_subject"]["code"] == "TOAN"
    changed = client.patch(f"{API}/staff/{body['id']}/", {"is_active": False})
    assert changed.json()["is_active"] is False
    assert ids(client.get(f"{API}/staff/")) == staff_of_school_a(world)
    assert body["id"] in ids(client.get(f"{API}/staff/", {"active": "false"}))
    assert len(ids(client.get(f"{API}/staff/", {"active": "all"}))) == 3


def staff_of_school_a(world):
    return {world.staff["teacher"].pk, world.staff["homeroom"].pk}


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"full_name": "12345"}, "full_name"),
        ({"birth_date": "2020-01-01"}, "birth_date"),
        ({"citizen_id": "abc"}, "citizen_id"),
        ({"phone": "12"}, "phone"),
        ({"email": "@@"}, "email"),
        ({"position": "king"}, "position"),
        ({"is_active": "maybe"}, "is_active"),
        ({"main_subject": 0}, "main_subject"),
    ],
)
def test_staff_update_bad_input(world, api, body, field):
    before = fingerprint()
    response = api("principal").patch(f"{API}/staff/{world.staff['teacher'].pk}/", body)
    assert response.status_code == 400, response.content
    assert list(response.json()) == [field]
    assert fingerprint() == before


def test_teaching_assignment_flow(world, api):
    client = api("vice")
    toan = Subject.objects.get(code="TOAN")
    van = Subject.objects.get(code="NV")
    listed = client.get(f"{API}/teaching-assignments/", {"class": world.class_6a1.pk}).json()
    assert [(a["staff"]["full_name"], a["subject"]["code"]) for a in listed["results"]] == [
        ("Trần Thị Hoa", "TOAN")
    ]
    created = client.post(
        f"{API}/teaching-assignments/",
        {
            "class": world.class_6a2.pk,
            "subject": van.pk,
            "staff": world.staff["homeroom"].pk,
            "semester": 1,
        },
    )
    assert created.status_code == 201, created.content
    assert created.json()["class"] == {"id": world.class_6a2.pk, "name": "6A2", "grade": 6}
    assert created.json()["semester"] == 1
    mine = client.get(f"{API}/teaching-assignments/", {"staff": world.staff["homeroom"].pk})
    assert ids(mine) == {created.json()["id"]}
    unknown_staff = client.post(
        f"{API}/teaching-assignments/",
        {"class": world.class_6a2.pk, "subject": toan.pk, "staff": 999999},
    )
    assert list(unknown_staff.json()) == ["staff"]
    primary_subject = client.post(
        f"{API}/teaching-assignments/",
        {
            "class": world.class_6a2.pk,
            "subject": Subject.objects.get(code="TV").pk,
            "staff": world.staff["homeroom"].pk,
        },
    )
    assert primary_subject.status_code == 400
    assert primary_subject.json() == {"subject": ["Môn này không được dạy ở khối 6."]}
    bad_semester = client.post(
        f"{API}/teaching-assignments/",
        {
            "class": world.class_6a2.pk,
            "subject": toan.pk,
            "staff": world.staff["homeroom"].pk,
            "semester": 3,
        },
    )
    assert list(bad_semester.json()) == ["semester"]
    assert client.delete(f"{API}/teaching-assignments/{created.json()['id']}/").status_code == 204
    assert not TeachingAssignment.objects.filter(pk=created.json()["id"]).exists()


def test_teacher_sees_her_assignments_but_cannot_assign(world, api):
    client = api("teacher")
    listed = client.get(f"{API}/teaching-assignments/").json()["results"]
    assert [a["class"]["name"] for a in listed] == ["6A1"]
    before = fingerprint()
    response = client.post(
        f"{API}/teaching-assignments/",
        {
            "class": world.class_6a1.pk,
            "subject": Subject.objects.get(code="NV").pk,
            "staff": world.staff["teacher"].pk,
        },
    )
    # The teacher does not see staff records, so the staff ID is unknown to her.
    assert response.status_code == 400
    assert list(response.json()) == ["staff"]
    assert fingerprint() == before


def test_reference_lists(world, api):
    client = api("teacher")
    years = client.get(f"{API}/school-years/").json()
    assert years == [
        {
            "id": world.year.pk,
            "code": "2025-2026",
            "start_date": "2025-09-05",
            "end_date": "2026-05-31",
            "is_current": True,
            "semesters": [
                {"number": 1, "start_date": "2025-09-05", "end_date": "2026-01-17"},
                {"number": 2, "start_date": "2026-01-19", "end_date": "2026-05-31"},
            ],
        }
    ]
    grade6 = client.get(f"{API}/grade-subjects/", {"grade": 6}).json()
    assert grade6 and {row["grade"] for row in grade6} == {6}
    toan = next(row for row in grade6 if row["subject"]["code"] == "TOAN")
    assert (toan["assessment_type"], toan["regular_assessments"]) == ("scored", 4)
    assert client.get(f"{API}/grade-subjects/", {"grade": 0}).status_code == 400
    subjects = client.get(f"{API}/subjects/").json()
    assert [s["code"] for s in subjects] == sorted(Subject.objects.values_list("code", flat=True))


def test_writes_on_read_only_lists_are_not_allowed(world, api):
    client = api("ministry")
    assert client.post(f"{API}/subjects/", {"code": "X"}).status_code == 405
    assert client.delete(f"{API}/classes/{world.class_6a1.pk}/").status_code == 405
    assert client.delete(f"{API}/students/{world.students['an'].pk}/").status_code == 405
    assert SchoolClass.objects.filter(pk=world.class_6a1.pk).exists()
    assert Staff.objects.count() == 3
