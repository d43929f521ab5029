"""The students API: list, search, filters, pagination, profile, admission, corrections,
enrolment changes, and every kind of bad input answered with a 400 naming the field."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from truongso.core.authz import SYSTEM
from truongso.core.models import AuditEntry
from truongso.registry.cleaning import clean_student_data
from truongso.registry.models import Student, StudentStatus, TransferRequest
from truongso.registry.services.bulk import Admission, students_admit_bulk
from truongso.registry.tests.api_support import API, api_clients, fingerprint, ids

pytestmark = pytest.mark.usefixtures("registry_consistent")

STUDENTS = f"{API}/students/"


@pytest.fixture
def api(world, monkeypatch):
    return api_clients(world, monkeypatch)


def url(student, suffix=""):
    return f"{STUDENTS}{student.pk}/{suffix}"


def add_pupils(world, count):
    """``count`` more pupils of class 6A1, admitted by the bulk path imports use."""
    admissions = [
        Admission(
            school_class=world.class_6a1,
            admitted_on=dt.date(2025, 9, 5),
            data=clean_student_data(
                {
                    "learner_id": f"34079{n:05d}",
                    "full_name": f"Học Sinh Số {chr(65 + n % 26)}",
                    "birth_date": "01/01/2014",
                    "gender": "F",
                }
            ),
        )
        for n in range(count)
    ]
    students_admit_bulk(actor=SYSTEM, school=world.school_a, admissions=admissions)


def test_list_row_has_identity_school_and_class(world, api):
    body = api("principal").get(STUDENTS, {"q": "nguyen van an"}).json()
    an = world.students["an"]
    assert body["count"] == 1
    assert body["results"] == [
        {
            "id": an.pk,
            "identifier": "3407000001",
            "learner_id": "3407000001",
            "temp_code": None,
            "full_name": "Nguyễn Văn An",
            "birth_date": "2014-03-12",
            "gender": "M",
            "ethnicity": "01",
            "ethnicity_name": "Kinh",
            "school": {"id": world.school_a.pk, "code": "34070001", "name": "Trường THCS An Bài"},
            "current_class": {"id": world.class_6a1.pk, "name": "6A1", "grade": 6},
            "status": "studying",
        }
    ]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("nguyen van an", {"an"}),
        ("NGUYỄN VĂN AN", {"an"}),
        ("do thi binh", {"binh"}),
        ("thi", {"binh", "chi"}),
        ("3407000", {"an", "binh", "chi"}),
        ("3407000003", {"chi"}),
        ("không có ai", set()),
    ],
)
def test_search_ignores_diacritics_and_matches_id_prefixes(world, api, query, expected):
    found = ids(api("principal").get(STUDENTS, {"q": query}))
    assert found == {world.students[key].pk for key in expected}


def test_filters_by_school_class_grade_and_status(world, api):
    client = api("ministry")
    pk = {key: s.pk for key, s in world.students.items()}
    assert ids(client.get(STUDENTS, {"school": world.school_c.pk})) == {pk["dung"]}
    assert ids(client.get(STUDENTS, {"class": world.class_6a2.pk})) == {pk["chi"]}
    assert ids(client.get(STUDENTS, {"grade": 6})) == set(pk.values())
    assert ids(client.get(STUDENTS, {"grade": 7})) == set()
    exited = client.post(
        url(world.students["binh"], "exit/"), {"kind": "left", "date": "01/10/2025"}
    )
    assert exited.status_code == 400  # not an ISO date
    client.post(url(world.students["binh"], "exit/"), {"kind": "left", "date": "2025-10-01"})
    assert ids(client.get(STUDENTS)) == {pk["an"], pk["chi"], pk["dung"]}
    assert ids(client.get(STUDENTS, {"status": "left"})) == {pk["binh"]}
    assert ids(client.get(STUDENTS, {"status": "all"})) == set(pk.values())


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"school": "abc"}, "school"),
        ({"school": 10**30}, "school"),
        ({"school": -4}, "school"),
        ({"class": "6A1"}, "class"),
        ({"grade": 13}, "grade"),
        ({"status": "expelled"}, "status"),
        ({"q": "x" * 101}, "q"),
    ],
)
def test_bad_filters_answer_400_naming_the_parameter(world, api, params, field):
    response = api("principal").get(STUDENTS, params)
    assert response.status_code == 400
    assert list(response.json()) == [field]


def test_filter_by_a_school_out_of_reach_is_unknown(world, api):
    response = api("principal").get(STUDENTS, {"school": world.school_c.pk})
    assert response.status_code == 400
    assert response.json() == {
        "school": [f"Không có bản ghi nào mang mã {world.school_c.pk} mà bạn được xem."]
    }


def test_pages_are_capped_at_200_and_bad_pages_never_fail(world, api):
    add_pupils(world, 205)
    client = api("principal")
    body = client.get(STUDENTS, {"page_size": 100000}).json()
    assert body["count"] == 208
    assert len(body["results"]) == 200
    assert "page=2" in body["next"]
    assert len(client.get(STUDENTS, {"page_size": 2}).json()["results"]) == 2
    assert len(client.get(STUDENTS, {"page_size": "lots"}).json()["results"]) == 50
    assert len(client.get(STUDENTS, {"page_size": -1}).json()["results"]) == 50
    for page in ("999999999999999999999999", "0", "-1", "abc", "1e400"):
        response = client.get(STUDENTS, {"page": page})
        assert response.status_code == 404, page
        assert response.json() == {"detail": "Trang không hợp lệ."}
    assert client.get(STUDENTS, {"page": "last"}).json()["previous"] is not None


def count_queries(client, path, params):
    with CaptureQueriesContext(connection) as queries:
        assert client.get(path, params).status_code == 200
    return len(queries)


@pytest.mark.parametrize("username", ["principal", "teacher", "bureau", "parent"])
def test_student_list_runs_one_query_per_page_whatever_its_length(world, api, username):
    client = api(username)
    client.get(f"{API}/me/")  # the token's first use records its date once
    small = count_queries(client, STUDENTS, {"page_size": 200})
    add_pupils(world, 205)
    large = count_queries(client, STUDENTS, {"page_size": 200})
    # token, grants (role rows, guardian link, student link), count, the page itself
    assert small == large == 6


@pytest.mark.parametrize(
    "resource",
    ["org-units", "classes", "staff", "teaching-assignments", "transfers", "school-years"],
)
def test_other_lists_run_a_constant_number_of_queries(world, api, resource):
    client = api("ministry")
    client.get(f"{API}/me/")
    small = count_queries(client, f"{API}/{resource}/", {})
    add_pupils(world, 30)
    for n in range(3):
        client.post(
            f"{API}/classes/",
            {
                "school": world.school_b.pk,
                "school_year": world.year.pk,
                "grade": 7,
                "name": f"7B{n}",
            },
        )
    assert count_queries(client, f"{API}/{resource}/", {}) == small


def test_profile_has_guardians_and_current_placement(world, api):
    body = api("parent").get(url(world.students["an"])).json()
    assert body["guardians"] == [
        {
            "id": body["guardians"][0]["id"],
            "guardian_id": body["guardians"][0]["guardian_id"],
            "full_name": "Nguyễn Văn Cha",
            "relation": "father",
            "is_primary": True,
            "phone": "0912345678",
            "email": "",
        }
    ]
    assert body["current_placement"] == {
        "school_class": {"id": world.class_6a1.pk, "name": "6A1", "grade": 6},
        "school": {"id": world.school_a.pk, "code": "34070001", "name": "Trường THCS An Bài"},
        "school_year": {"id": world.year.pk, "code": "2025-2026"},
        "start_date": "2025-09-05",
        "end_date": None,
    }
    assert body["birthplace"] == "Thái Bình"
    assert body["nationality"] == "Việt Nam"


NEW_PUPIL = {
    "admitted_on": "2025-09-05",
    "full_name": "  Phạm   Minh Khang ",
    "birth_date": "2014-02-01",
    "gender": "M",
    "ethnicity": "06",
    "birthplace": "Quỳnh Phụ, Thái Bình",
}


def test_admission_without_learner_id_gets_a_temporary_code_then_the_real_id(world, api):
    client = api("clerk")
    created = client.post(STUDENTS, {**NEW_PUPIL, "class": world.class_6a2.pk})
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["full_name"] == "Phạm Minh Khang"
    assert body["learner_id"] is None
    assert body["temp_code"] == body["identifier"] == "TS34070001-00001"
    assert body["ethnicity_name"] == "Mường"
    assert body["current_class"]["name"] == "6A2"
    assert ids(client.get(STUDENTS, {"q": "TS3407"})) == {body["id"]}
    student = Student.objects.get(pk=body["id"])
    assigned = client.post(url(student, "learner-id/"), {"learner_id": "3407123456"})
    assert assigned.status_code == 200
    assert assigned.json()["identifier"] == "3407123456"
    again = client.post(url(student, "learner-id/"), {"learner_id": "3407123457"})
    assert again.status_code == 400
    assert again.json() == {"learner_id": ["Học sinh này đã có mã định danh."]}
    history = client.get(url(student, "history/")).json()
    assert [e["kind"] for e in history["events"]] == ["admitted"]
    assert [(r["number"], r["admitted_class_name"]) for r in history["register_entries"]] == [
        (4, "6A2")
    ]


@pytest.mark.parametrize(
    ("changes", "errors"),
    [
        ({"full_name": "<script>alert(1)</script>"}, {"full_name"}),
        ({"full_name": "Robert'); DROP TABLE students;--"}, {"full_name"}),
        ({"full_name": "A" * 101}, {"full_name"}),
        ({"full_name": 12345}, {"full_name"}),
        ({"full_name": None}, {"full_name"}),
        ({"full_name": ["An"]}, {"full_name"}),
        ({"birth_date": "31/02/2014"}, {"birth_date"}),
        ({"birth_date": "2014-02-30"}, {"birth_date"}),
        ({"birth_date": "1900-01-01"}, {"birth_date"}),
        ({"birth_date": "2030-01-01"}, {"birth_date"}),
        ({"gender": "X"}, {"gender"}),
        ({"ethnicity": "99"}, {"ethnicity"}),
        ({"learner_id": "12345"}, {"learner_id"}),
        ({"learner_id": "3407000001"}, {"learner_id"}),
        ({"citizen_id": "0340"}, {"citizen_id"}),
        ({"birthplace": "x" * 300}, {"birthplace"}),
        ({"class": "6A1"}, {"class"}),
        ({"class": True}, {"class"}),
        ({"class": 10**30}, {"class"}),
        ({"class": None}, {"class"}),
        ({"admitted_on": "2019-01-01"}, {"admitted_on"}),
        ({"full_name": "", "gender": "", "birth_date": ""}, {"full_name", "gender", "birth_date"}),
    ],
)
def test_admission_bad_input_answers_400_with_field_messages(world, api, changes, errors):
    client = api("principal")
    before = fingerprint()
    body = {**NEW_PUPIL, "class": world.class_6a1.pk, **changes}
    response = client.post(STUDENTS, body)
    assert response.status_code == 400, response.content
    assert set(response.json()) == errors
    for messages in response.json().values():
        assert messages and all(isinstance(m, str) and m for m in messages)
    assert fingerprint() == before


def test_messages_are_vietnamese_by_default_and_english_on_request(world, api):
    client = api("principal")
    body = {**NEW_PUPIL, "class": world.class_6a1.pk, "gender": "X"}
    assert client.post(STUDENTS, body).json() == {
        "gender": ["“X” không phải là một lựa chọn hợp lệ."]
    }
    english = client.post(STUDENTS, body, HTTP_ACCEPT_LANGUAGE="en").json()
    assert english == {"gender": ['"X" is not a valid choice.']}
    # Checked by the service (registry.cleaning) once the shape of the input is right.
    body = {**NEW_PUPIL, "class": world.class_6a1.pk, "learner_id": "123"}
    assert client.post(STUDENTS, body).json() == {
        "learner_id": ["Mã định danh học sinh phải gồm đúng 10 chữ số (nhận được 123)."]
    }
    english = client.post(STUDENTS, body, HTTP_ACCEPT_LANGUAGE="en").json()
    assert english == {"learner_id": ["Learner ID must be exactly 10 digits (got 123)."]}
    missing = client.post(STUDENTS, {}).json()
    assert missing["full_name"] == ["Trường này là bắt buộc."]


@pytest.mark.parametrize(
    ("raw", "content_type"),
    [
        ('{"full_name": ', "application/json"),
        ("[1, 2, 3]", "application/json"),
        ('"just a string"', "application/json"),
        ("full_name=An", "application/x-www-form-urlencoded"),
        ("\xff\xfe", "application/json"),
    ],
)
def test_malformed_bodies_never_fail(world, api, raw, content_type):
    response = api("principal").generic("POST", STUDENTS, raw, content_type=content_type)
    assert response.status_code in (400, 415)
    assert response.json()


def test_learner_id_never_changes_and_corrections_are_audited(world, api):
    client = api("homeroom")
    chi = world.students["chi"]
    changed = client.patch(url(chi), {"learner_id": "3407999999"})
    assert changed.status_code == 400
    assert changed.json() == {
        "learner_id": ["Mã định danh học sinh đã cấp thì không được thay đổi."]
    }
    corrected = client.patch(url(chi), {"current_address": "Thôn Đông, xã An Bài"})
    assert corrected.status_code == 200
    assert corrected.json()["current_address"] == "Thôn Đông, xã An Bài"
    assert corrected.json()["learner_id"] == "3407000003"
    entry = AuditEntry.objects.get(action="student.update", object_id=str(chi.pk))
    assert entry.actor == world.homeroom
    assert entry.after == {"current_address": "Thôn Đông, xã An Bài"}


def test_guardian_link_and_duplicate(world, api):
    client = api("vice")
    binh = world.students["binh"]
    mother = {"full_name": "Đỗ Thị Mai", "phone": "0987 654 321", "relation": "mother"}
    linked = client.post(url(binh, "guardians/"), {**mother, "is_primary": True})
    assert linked.status_code == 201, linked.content
    assert linked.json()["full_name"] == "Đỗ Thị Mai"
    assert linked.json()["phone"] == "0987654321"
    again = client.post(url(binh, "guardians/"), mother)
    assert again.status_code == 400
    assert again.json() == {"non_field_errors": ["Người này đã được liên kết với học sinh."]}
    bad = client.post(url(binh, "guardians/"), {**mother, "relation": "uncle", "phone": "12"})
    assert set(bad.json()) == {"relation"}


def test_class_change_exit_and_history(world, api):
    client = api("clerk")
    an = world.students["an"]
    moved = client.post(
        url(an, "class-change/"), {"class": world.class_6a2.pk, "date": "2025-10-01"}
    )
    assert moved.status_code == 200
    assert moved.json()["current_class"]["name"] == "6A2"
    same = client.post(
        url(an, "class-change/"), {"class": world.class_6a2.pk, "date": "2025-10-02"}
    )
    assert same.status_code == 400
    assert list(same.json()) == ["class"]
    early = client.post(
        url(an, "class-change/"), {"class": world.class_6a1.pk, "date": "2025-09-01"}
    )
    assert early.status_code == 400
    assert list(early.json()) == ["date"]
    left = client.post(
        url(an, "exit/"), {"kind": "transfer_out", "date": "2025-12-01", "reason": "Theo bố mẹ"}
    )
    assert left.status_code == 400
    assert list(left.json()) == ["other_school_name"]
    left = client.post(
        url(an, "exit/"),
        {"kind": "transfer_out", "date": "2025-12-01", "other_school_name": "THCS Hà Nội"},
    )
    assert left.status_code == 200
    assert left.json()["status"] == StudentStatus.TRANSFERRED
    assert left.json()["current_class"] is None
    history = client.get(url(an, "history/")).json()
    assert [(e["kind"], e["date"]) for e in history["events"]] == [
        ("transfer_out", "2025-12-01"),
        ("class_change", "2025-10-01"),
        ("admitted", "2025-09-05"),
    ]
    assert history["register_entries"][0]["left_on"] == "2025-12-01"
    assert history["register_entries"][0]["leave_kind"] == "transfer_out"


def test_transfer_request_from_the_profile(world, api):
    client = api("principal")
    sent = client.post(
        url(world.students["binh"], "transfer/"),
        {"to_school": world.school_c.pk, "date": "2025-11-01", "reason": "Gia đình chuyển nhà"},
    )
    assert sent.status_code == 201, sent.content
    body = sent.json()
    assert body["status"] == "pending"
    assert body["to_school"]["code"] == "34020001"
    assert TransferRequest.objects.get(pk=body["id"]).requested_by == world.principal
    twice = client.post(
        url(world.students["binh"], "transfer/"),
        {"to_school": world.school_b.pk, "date": "2025-11-01", "reason": "Lần hai"},
    )
    assert twice.status_code == 400
    assert list(twice.json()) == ["non_field_errors"]
    to_self = client.post(
        url(world.students["an"], "transfer/"),
        {"to_school": world.school_a.pk, "date": "2025-11-01", "reason": "x"},
    )
    assert to_self.json() == {"to_school": ["Hãy chọn một trường khác đang hoạt động."]}
