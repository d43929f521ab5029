"""The API authorization matrix: every role of the test world × every resource.

Lists show exactly the expected rows; a record outside the caller's reach answers 404 on
read and on every write, and a refused write (403/404/400) changes nothing at all.
"""

from __future__ import annotations

from typing import Any

import pytest

from truongso.core.authz import SYSTEM
from truongso.registry.models import Subject
from truongso.registry.services.enrolment import transfer_request
from truongso.registry.tests.api_support import API, ROLES, api_clients, fingerprint, ids


@pytest.fixture
def api(world, monkeypatch):
    return api_clients(world, monkeypatch)


ALL_UNITS = {"ministry", "department", "bureau", "other_bureau", "a", "b", "c"}
OFFICE_A = {"bureau", "a", "b"}
ORG_UNITS = {
    "ministry": ALL_UNITS,
    "department": ALL_UNITS - {"ministry"},
    "bureau": OFFICE_A,
    "other_bureau": {"other_bureau", "c"},
    "principal": {"a"},
    "vice": {"a"},
    "clerk": {"a"},
    "accountant": {"a"},
    "teacher": {"a"},
    "homeroom": {"a"},
    "parent": set(),
    "student": set(),
    "principal_c": {"c"},
    "nobody": set(),
}
CLASSES_A = {"6a1", "6a2"}
CLASSES = {
    "ministry": CLASSES_A | {"6c"},
    "department": CLASSES_A | {"6c"},
    "bureau": CLASSES_A,
    "other_bureau": {"6c"},
    "principal": CLASSES_A,
    "vice": CLASSES_A,
    "clerk": CLASSES_A,
    "accountant": CLASSES_A,
    "teacher": {"6a1"},
    "homeroom": {"6a2"},
    "parent": set(),
    "student": set(),
    "principal_c": {"6c"},
    "nobody": set(),
}
STAFF_A = {"teacher", "homeroom"}
STAFF = {
    "ministry": STAFF_A | {"c"},
    "department": STAFF_A | {"c"},
    "bureau": STAFF_A,
    "other_bureau": {"c"},
    "principal": STAFF_A,
    "vice": STAFF_A,
    "clerk": STAFF_A,
    "accountant": set(),
    "teacher": set(),
    "homeroom": set(),
    "parent": set(),
    "student": set(),
    "principal_c": {"c"},
    "nobody": set(),
}
SCHOOL_A = {"an", "binh", "chi"}
STUDENTS = {
    "ministry": SCHOOL_A | {"dung"},
    "department": SCHOOL_A | {"dung"},
    "bureau": SCHOOL_A,
    "other_bureau": {"dung"},
    "principal": SCHOOL_A,
    "vice": SCHOOL_A,
    "clerk": SCHOOL_A,
    "accountant": SCHOOL_A,
    "teacher": {"an", "binh"},
    "homeroom": {"chi"},
    "parent": {"an"},
    "student": {"an"},
    "principal_c": {"dung"},
    "nobody": set(),
}
ASSIGNMENT_VISIBLE = {"ministry", "department", "bureau", "principal", "vice", "clerk"}
ASSIGNMENT_VISIBLE |= {"accountant", "teacher"}
# A transfer of "binh" from school A to school C: both ends and their offices see it.
TRANSFER_VISIBLE = {"ministry", "department", "bureau", "other_bureau", "principal", "vice"}
TRANSFER_VISIBLE |= {"clerk", "principal_c"}


def units(world: Any) -> dict[str, int]:
    return {
        "ministry": world.ministry_unit.pk,
        "department": world.department_unit.pk,
        "bureau": world.bureau_unit.pk,
        "other_bureau": world.other_bureau_unit.pk,
        "a": world.school_a.pk,
        "b": world.school_b.pk,
        "c": world.school_c.pk,
    }


def classes(world: Any) -> dict[str, int]:
    return {"6a1": world.class_6a1.pk, "6a2": world.class_6a2.pk, "6c": world.class_c.pk}


def by_key(world: Any, resource: str) -> dict[str, int]:
    if resource == "org-units":
        return units(world)
    if resource == "classes":
        return classes(world)
    if resource == "staff":
        return {key: member.pk for key, member in world.staff.items()}
    return {key: student.pk for key, student in world.students.items()}


MATRIX = [("org-units", ORG_UNITS), ("classes", CLASSES), ("staff", STAFF), ("students", STUDENTS)]


@pytest.mark.parametrize("username", ROLES)
@pytest.mark.parametrize(("resource", "expected"), MATRIX, ids=[m[0] for m in MATRIX])
def test_list_and_retrieve(world, api, username, resource, expected):
    keys = by_key(world, resource)
    client = api(username)
    listed = client.get(f"{API}/{resource}/", {"page_size": 200})
    assert listed.status_code == 200
    assert ids(listed) == {keys[k] for k in expected[username]}
    for key, pk in keys.items():
        status = client.get(f"{API}/{resource}/{pk}/").status_code
        assert status == (200 if key in expected[username] else 404), (key, status)


@pytest.mark.parametrize("username", ROLES)
def test_teaching_assignments(world, api, username):
    client = api(username)
    listed = client.get(f"{API}/teaching-assignments/")
    assert listed.status_code == 200
    assert len(ids(listed)) == (1 if username in ASSIGNMENT_VISIBLE else 0)


@pytest.mark.parametrize("username", ROLES)
def test_transfers(world, api, username):
    sent = transfer_request(
        actor=SYSTEM,
        student=world.students["binh"],
        to_school=world.school_c,
        date=world.year.start_date.replace(month=11),
        reason="Gia đình chuyển nhà",
    )
    client = api(username)
    assert ids(client.get(f"{API}/transfers/")) == (
        {sent.pk} if username in TRANSFER_VISIBLE else set()
    )
    expected = 200 if username in TRANSFER_VISIBLE else 404
    assert client.get(f"{API}/transfers/{sent.pk}/").status_code == expected


@pytest.mark.parametrize("username", ROLES)
def test_reference_lists_are_open_to_every_user(world, api, username):
    client = api(username)
    years = client.get(f"{API}/school-years/").json()
    assert [y["code"] for y in years] == ["2025-2026"]
    assert len(client.get(f"{API}/subjects/").json()) == Subject.objects.count()
    assert client.get(f"{API}/grade-subjects/", {"grade": 6}).status_code == 200


# --- Writes -------------------------------------------------------------------------------

STUDENT_EDIT = {"principal", "vice", "clerk"}
ORG_MANAGE_A = {"ministry", "department", "bureau", "principal"}
CLASS_MANAGE_A = {"principal", "vice", "clerk"}
STAFF_MANAGE_A = {"ministry", "department", "bureau", "principal", "vice"}
ENROLMENT_A = {"ministry", "department", "bureau", "principal", "vice", "clerk"}


def expect_write(response: Any, allowed: bool, visible: bool, ok: int, before: Any) -> None:
    expected = ok if allowed else (403 if visible else 404)
    assert response.status_code == expected, response.content
    if not allowed:
        assert fingerprint() == before


def seen(username: str, table: dict[str, set[str]], key: str) -> bool:
    return key in table[username]


@pytest.mark.parametrize("username", ROLES)
def test_student_update(world, api, username):
    before = fingerprint()
    response = api(username).patch(
        f"{API}/students/{world.students['an'].pk}/", {"birthplace": "Hà Nội"}
    )
    allowed = username in STUDENT_EDIT
    expect_write(response, allowed, seen(username, STUDENTS, "an"), 200, before)
    if allowed:
        assert response.json()["birthplace"] == "Hà Nội"


@pytest.mark.parametrize("username", ROLES)
def test_org_unit_update(world, api, username):
    before = fingerprint()
    response = api(username).patch(
        f"{API}/org-units/{world.school_a.pk}/", {"address": "Xã An Bài"}
    )
    allowed = username in ORG_MANAGE_A
    expect_write(response, allowed, seen(username, ORG_UNITS, "a"), 200, before)


@pytest.mark.parametrize("username", ROLES)
def test_class_update(world, api, username):
    before = fingerprint()
    response = api(username).patch(f"{API}/classes/{world.class_6a1.pk}/", {"name": "6A9"})
    allowed = username in CLASS_MANAGE_A
    expect_write(response, allowed, seen(username, CLASSES, "6a1"), 200, before)


@pytest.mark.parametrize("username", ROLES)
def test_staff_update(world, api, username):
    before = fingerprint()
    response = api(username).patch(
        f"{API}/staff/{world.staff['teacher'].pk}/", {"phone": "0987654321"}
    )
    allowed = username in STAFF_MANAGE_A
    expect_write(response, allowed, seen(username, STAFF, "teacher"), 200, before)


@pytest.mark.parametrize("username", ROLES)
def test_teaching_unassign(world, api, username):
    assignment = world.class_6a1.assignments.get()
    before = fingerprint()
    response = api(username).delete(f"{API}/teaching-assignments/{assignment.pk}/")
    allowed = username in CLASS_MANAGE_A
    expect_write(response, allowed, username in ASSIGNMENT_VISIBLE, 204, before)


# Student-level writes naming a class in the body: the student decides 404, then an unknown
# class is a 400 on the field, then the service decides 403.
CLASS_CHANGE = {
    **dict.fromkeys(ENROLMENT_A, 200),
    "accountant": 403,
    "teacher": 400,
    "parent": 400,
    "student": 400,
    **dict.fromkeys(["homeroom", "other_bureau", "principal_c", "nobody"], 404),
}
ADMISSION = {
    **dict.fromkeys(ENROLMENT_A, 201),
    **dict.fromkeys(["accountant", "teacher"], 403),
    **dict.fromkeys(["homeroom", "other_bureau", "principal_c", "parent", "student"], 400),
    "nobody": 400,
}


@pytest.mark.parametrize("username", ROLES)
def test_student_class_change(world, api, username):
    before = fingerprint()
    response = api(username).post(
        f"{API}/students/{world.students['an'].pk}/class-change/",
        {"class": world.class_6a2.pk, "date": "2025-10-01"},
    )
    assert response.status_code == CLASS_CHANGE[username], response.content
    if CLASS_CHANGE[username] == 200:
        assert response.json()["current_class"]["id"] == world.class_6a2.pk
    else:
        assert fingerprint() == before
    if CLASS_CHANGE[username] == 400:
        assert list(response.json()) == ["class"]


@pytest.mark.parametrize("username", ROLES)
def test_admission(world, api, username):
    before = fingerprint()
    response = api(username).post(
        f"{API}/students/",
        {
            "class": world.class_6a1.pk,
            "admitted_on": "2025-09-05",
            "full_name": "Phạm Minh Khang",
            "birth_date": "2014-02-01",
            "gender": "M",
        },
    )
    assert response.status_code == ADMISSION[username], response.content
    if ADMISSION[username] == 201:
        assert response.json()["current_class"]["id"] == world.class_6a1.pk
    else:
        assert fingerprint() == before
    if ADMISSION[username] == 400:
        assert list(response.json()) == ["class"]


STUDENT_WRITES = [
    ("patch", "", {"birthplace": "Hà Nội"}),
    ("post", "learner-id/", {"learner_id": "3407999999"}),
    ("post", "guardians/", {"full_name": "Nguyễn Thị Mẹ", "relation": "mother"}),
    ("post", "transfer/", {"to_school": "B", "date": "2025-11-01", "reason": "Chuyển nhà"}),
    ("post", "class-change/", {"class": "6A2", "date": "2025-11-01"}),
    ("post", "exit/", {"kind": "left", "date": "2025-11-01", "reason": "Ốm dài ngày"}),
]


@pytest.mark.parametrize(("method", "suffix", "body"), STUDENT_WRITES, ids=lambda v: str(v)[:12])
def test_guessed_student_ids_answer_404_and_change_nothing(world, api, method, suffix, body):
    """The principal of school C guesses the IDs of school A's students and classes."""
    refs = {"B": world.school_b.pk, "6A2": world.class_6a2.pk}
    body = {key: refs.get(value, value) for key, value in body.items()}
    client = api("principal_c")
    before = fingerprint()
    for student in ("an", "binh", "chi"):
        url = f"{API}/students/{world.students[student].pk}/{suffix}"
        response = getattr(client, method)(url, body)
        assert response.status_code == 404, (student, response.content)
        assert response.json() == {"detail": "Không tìm thấy."}
    assert client.get(f"{API}/students/{world.students['an'].pk}/history/").status_code == 404
    assert fingerprint() == before


def test_guessed_class_staff_unit_and_transfer_ids_answer_404(world, api):
    sent = transfer_request(
        actor=SYSTEM,
        student=world.students["an"],
        to_school=world.school_b,
        date=world.year.start_date.replace(month=11),
        reason="Chuyển nhà",
    )
    client = api("principal_c")
    before = fingerprint()
    class_url = f"{API}/classes/{world.class_6a1.pk}/"
    attempts = [
        client.get(class_url),
        client.get(f"{class_url}students/"),
        client.put(class_url, {"name": "6X"}),
        client.patch(class_url, {"name": "6X"}),
        client.get(f"{API}/staff/{world.staff['teacher'].pk}/"),
        client.patch(f"{API}/staff/{world.staff['teacher'].pk}/", {"phone": ""}),
        client.get(f"{API}/org-units/{world.school_a.pk}/"),
        client.patch(f"{API}/org-units/{world.school_a.pk}/", {"phone": "1"}),
        client.delete(f"{API}/teaching-assignments/{world.class_6a1.assignments.get().pk}/"),
        client.get(f"{API}/transfers/{sent.pk}/"),
        client.post(f"{API}/transfers/{sent.pk}/accept/", {"class": world.class_c.pk}),
        client.post(f"{API}/transfers/{sent.pk}/decline/", {"note": "x"}),
        client.post(f"{API}/transfers/{sent.pk}/cancel/", {"note": "x"}),
    ]
    assert [r.status_code for r in attempts] == [404] * len(attempts)
    assert fingerprint() == before


def test_unknown_and_huge_ids_answer_404(world, api):
    client = api("ministry")
    for pk in (999999, 2**63 - 1, 2**70):
        assert client.get(f"{API}/students/{pk}/").status_code == 404
        assert client.get(f"{API}/classes/{pk}/").status_code == 404
    assert client.get(f"{API}/students/abc/").status_code == 404
    assert client.get(f"{API}/students/-1/").status_code == 404


# --- Every other write endpoint × every role ------------------------------------------------


def _temp_code_pupil(world):
    from truongso.registry.services.students import student_admit

    return student_admit(
        actor=SYSTEM,
        school_class=world.class_6a1,
        admitted_on=world.year.start_date,
        data={"full_name": "Lò Thị Mai", "birth_date": "2014-06-01", "gender": "F"},
    )


def _pending(world):
    return transfer_request(
        actor=SYSTEM,
        student=world.students["binh"],
        to_school=world.school_c,
        date=world.year.start_date.replace(month=11),
        reason="Chuyển nhà",
    )


def _request(world, write):
    """(method, path, body) of one write, setting up what it needs."""
    an, binh = world.students["an"], world.students["binh"]
    if write == "org-unit-create":
        body = {"kind": "school", "code": "34070077", "name": "Trường THCS Mới"}
        return (
            "post",
            f"{API}/org-units/",
            {**body, "parent": world.bureau_unit.pk, "level": "thcs"},
        )
    if write == "class-create":
        body = {"school": world.school_a.pk, "school_year": world.year.pk, "grade": 7}
        return "post", f"{API}/classes/", {**body, "name": "7A1"}
    if write == "staff-create":
        return "post", f"{API}/staff/", {"org_unit": world.school_a.pk, "full_name": "Vũ Thị Lan"}
    if write == "assignment-create":
        body = {"class": world.class_6a2.pk, "staff": world.staff["homeroom"].pk}
        return "post", f"{API}/teaching-assignments/", {**body, "subject": _subject("NV")}
    if write == "guardian-link":
        body = {"full_name": "Nguyễn Thị Mẹ", "relation": "mother"}
        return "post", f"{API}/students/{an.pk}/guardians/", body
    if write == "learner-id":
        pupil = _temp_code_pupil(world)
        return "post", f"{API}/students/{pupil.pk}/learner-id/", {"learner_id": "3407555555"}
    if write == "exit":
        body = {"kind": "left", "date": "2025-11-01", "reason": "Ốm dài ngày"}
        return "post", f"{API}/students/{binh.pk}/exit/", body
    if write == "transfer-request":
        body = {"to_school": world.school_c.pk, "date": "2025-11-01", "reason": "Chuyển nhà"}
        return "post", f"{API}/students/{binh.pk}/transfer/", body
    sent = _pending(world)
    if write == "transfer-accept":
        return "post", f"{API}/transfers/{sent.pk}/accept/", {"class": world.class_c.pk}
    return "post", f"{API}/transfers/{sent.pk}/{write.removeprefix('transfer-')}/", {}


def _subject(code):
    return Subject.objects.get(code=code).pk


def _expect(ok, *, allowed, forbidden=(), unknown_input=()):
    """Status by role: ``ok`` for allowed, 403 seen-but-not-allowed, 400 when an ID in the
    body is unknown to the caller, 404 when the record in the URL is."""
    table = {}
    for username in ROLES:
        if username in allowed:
            table[username] = ok
        elif username in forbidden:
            table[username] = 403
        elif username in unknown_input:
            table[username] = 400
        else:
            table[username] = 404
    return table


EVERYONE = set(ROLES)
SEES_6A1 = {"ministry", "department", "bureau", "principal", "vice", "clerk", "accountant"}
SEES_6A1 |= {"teacher"}
WRITES = {
    "org-unit-create": _expect(
        201, allowed={"ministry", "department", "bureau"}, unknown_input=EVERYONE
    ),
    "class-create": _expect(
        201,
        allowed=CLASS_MANAGE_A,
        forbidden={"ministry", "department", "bureau", "accountant", "teacher", "homeroom"},
        unknown_input=EVERYONE,
    ),
    "staff-create": _expect(
        201,
        allowed=STAFF_MANAGE_A,
        forbidden={"clerk", "accountant", "teacher", "homeroom"},
        unknown_input=EVERYONE,
    ),
    "assignment-create": _expect(
        201,
        allowed=CLASS_MANAGE_A,
        forbidden={"ministry", "department", "bureau"},
        unknown_input=EVERYONE,
    ),
    "guardian-link": _expect(
        201,
        allowed=STUDENT_EDIT,
        forbidden={"ministry", "department", "bureau", "accountant", "teacher", "parent"}
        | {"student"},
    ),
    "learner-id": _expect(
        200, allowed=STUDENT_EDIT, forbidden={"ministry", "department", "bureau"} | SEES_6A1
    ),
    "exit": _expect(200, allowed=ENROLMENT_A, forbidden={"accountant", "teacher"}),
    "transfer-request": _expect(201, allowed=ENROLMENT_A, forbidden={"accountant", "teacher"}),
    "transfer-accept": _expect(
        200,
        allowed={"ministry", "department", "other_bureau", "principal_c"},
        unknown_input={"bureau", "principal", "vice", "clerk"},
    ),
    "transfer-decline": _expect(
        200,
        allowed={"ministry", "department", "other_bureau", "principal_c"},
        forbidden={"bureau", "principal", "vice", "clerk"},
    ),
    "transfer-cancel": _expect(200, allowed=ENROLMENT_A, forbidden={"other_bureau", "principal_c"}),
}


@pytest.mark.parametrize("username", ROLES)
@pytest.mark.parametrize("write", sorted(WRITES))
def test_every_write_by_every_role(world, api, write, username):
    client = api(username)
    method, path, body = _request(world, write)
    before = fingerprint()
    response = getattr(client, method)(path, body)
    expected = WRITES[write][username]
    assert response.status_code == expected, response.content
    if expected >= 400:
        assert fingerprint() == before
    if expected == 400:  # only the IDs the caller cannot see are named
        assert set(response.json()) <= {"parent", "school", "org_unit", "class", "staff"}
