"""The grid API: reading a subject's gradebook, saving cells (canonical values, validation,
locks, conflicts between two clients), several subjects at once, query counts."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from truongso.core.authz import SYSTEM
from truongso.gradebook.models import SubjectTerm
from truongso.gradebook.services.periods import deadlines_set
from truongso.gradebook.tests import api_world
from truongso.gradebook.tests.api_world import GB, fingerprint, grid_url
from truongso.registry.models import Subject
from truongso.registry.services import classes
from truongso.registry.tests.api_support import api_clients, bearer_client

pytestmark = pytest.mark.usefixtures("registry_consistent")


@pytest.fixture
def api(world, monkeypatch):
    api_world.extend(world)
    return api_clients(world, monkeypatch)


def change(student, code, new, old=""):
    return {"student": student.pk, "code": code, "old": old, "new": new}


def cells(world, key, code="TOAN", semester=1):
    row = SubjectTerm.objects.filter(
        student=world.students[key], subject__code=code, semester=semester
    ).first()
    return row.cells if row else {}


def test_grid_has_columns_rows_and_flags(world, api):
    an, binh = world.students["an"], world.students["binh"]
    api("teacher").post(
        grid_url(world.class_6a1),
        {
            "changes": [
                change(an, c, v)
                for c, v in zip(
                    ["tx1", "tx2", "tx3", "tx4", "gk", "ck"],
                    ["6", "8", "7,5", "7", "5", "10"],
                    strict=True,
                )
            ]
        },
    )
    body = api("teacher").get(grid_url(world.class_6a1)).json()
    assert body["class"] == {"id": world.class_6a1.pk, "name": "6A1", "grade": 6}
    assert body["subject"]["code"] == "TOAN" and body["semester"] == 1
    assert (body["editable"], body["closed"]) == (True, False)
    assert [c["code"] for c in body["columns"]] == ["tx1", "tx2", "tx3", "tx4", "gk", "ck"]
    assert body["columns"][0] == {
        "code": "tx1",
        "label": "TX1",
        "kind": "score",
        "group": "tx",
        "choices": [],
        "locked": False,
        "lock_reason": None,
    }
    rows = {row["full_name"]: row for row in body["rows"]}
    assert rows["Nguyễn Văn An"] == {
        "student": an.pk,
        "learner_id": "3407000001",
        "full_name": "Nguyễn Văn An",
        "in_class": True,
        "cells": {"tx1": "6", "tx2": "8", "tx3": "7.5", "tx4": "7", "gk": "5", "ck": "10"},
        "comment": "",
        "average": "7.6",  # (6 + 8 + 7.5 + 7 + 2·5 + 3·10) / 9 = 7.61
        "mark": None,
    }
    assert rows["Đỗ Thị Bình"]["average"] is None  # nothing entered: not computable yet
    assert rows["Đỗ Thị Bình"]["student"] == binh.pk


def test_comment_subject_grid_has_marks(world, api):
    classes.teaching_assign(
        actor=SYSTEM,
        school_class=world.class_6a1,
        subject=Subject.objects.get(code="GDTC"),
        staff=world.staff["teacher"],
    )
    body = api("teacher").get(grid_url(world.class_6a1, "GDTC")).json()
    assert {c["kind"] for c in body["columns"]} == {"mark"}
    assert body["columns"][0]["choices"] == ["Đ", "CĐ"]
    an = world.students["an"]
    saved = api("teacher").post(
        grid_url(world.class_6a1, "GDTC"),
        {"changes": [change(an, c["code"], "d") for c in body["columns"]]},
    )
    assert saved.status_code == 200
    assert {c["value"] for c in saved.json()["cells"]} == {"Đ"}
    assert saved.json()["rows"][0]["mark"] == "Đ"


def test_save_answers_canonical_values_and_the_new_average(world, api):
    an = world.students["an"]
    response = api("teacher").post(
        grid_url(world.class_6a1),
        {
            "changes": [
                change(an, "tx1", "8,5"),
                change(an, "tx2", " 9 "),
                change(an, "comment", "  Tiến bộ   rõ  "),
            ]
        },
    )
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["changed"] == 3
    assert body["cells"] == [
        {"student": an.pk, "code": "tx1", "value": "8.5"},
        {"student": an.pk, "code": "tx2", "value": "9"},
        {"student": an.pk, "code": "comment", "value": "Tiến bộ rõ"},
    ]
    assert [row["student"] for row in body["rows"]] == [an.pk]
    assert body["rows"][0]["average"] is None
    assert cells(world, "an") == {"tx1": "8.5", "tx2": "9"}


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("8.25", "Điểm chỉ có tối đa một chữ số thập phân (8.25)."),
        ("11", "Cột GK chỉ nhận điểm từ 0 đến 10 (11)."),
        ("-1", "Cột GK chỉ nhận số từ 0 đến 10, không nhận “-1”."),
        ("tám", "Cột GK chỉ nhận số từ 0 đến 10, không nhận “tám”."),
        ("Đ", "Cột GK chỉ nhận số từ 0 đến 10, không nhận “Đ”."),
    ],
)
def test_invalid_cells_are_named_and_nothing_is_saved(world, api, value, message):
    an, binh = world.students["an"], world.students["binh"]
    before = fingerprint()
    response = api("teacher").post(
        grid_url(world.class_6a1),
        {"changes": [change(an, "tx1", "7"), change(binh, "gk", value)]},
    )
    assert response.status_code == 400
    body = response.json()
    assert body["detail"] == "Chưa lưu gì: có 1 ô cần xem lại."
    [error] = body["cells"]
    assert (error["student"], error["code"]) == (binh.pk, "gk")
    assert error["message"] == message
    assert "current" not in error
    assert fingerprint() == before


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "changes"),
        ({"changes": []}, "changes"),
        ({"changes": "tx1=8"}, "changes"),
        ({"changes": [{"student": "an", "code": "tx1", "old": "", "new": "8"}]}, "changes"),
        ({"changes": [{"student": 1, "code": "tx1", "new": "8"}]}, "changes"),
        ({"changes": [{"student": 10**30, "code": "tx1", "old": "", "new": "8"}]}, "changes"),
    ],
)
def test_malformed_bodies_answer_400_by_field(world, api, body, field):
    response = api("teacher").post(grid_url(world.class_6a1), body, format="json")
    assert response.status_code == 400
    assert field in response.json()


def test_unknown_columns_and_students_outside_the_class(world, api):
    an, chi, dung = world.students["an"], world.students["chi"], world.students["dung"]
    response = api("teacher").post(
        grid_url(world.class_6a1),
        {
            "changes": [
                change(an, "tx9", "8"),
                change(chi, "tx1", "8"),  # 6A2
                change(dung, "tx1", "8"),  # another school
                {"student": 987654, "code": "tx1", "old": "", "new": "8"},
                change(an, "tx1", "8"),
                change(an, "tx1", "9"),
            ]
        },
    )
    assert response.status_code == 400
    messages = [(e["student"], e["code"], e["message"]) for e in response.json()["cells"]]
    assert messages == [
        (an.pk, "tx9", "Không có cột tx9."),
        (chi.pk, "tx1", "Học sinh này không thuộc lớp trong học kì này."),
        (dung.pk, "tx1", "Học sinh này không thuộc lớp trong học kì này."),
        (987654, "tx1", "Học sinh này không thuộc lớp trong học kì này."),
        (an.pk, "tx1", "Một ô được gửi hai lần."),
    ]
    assert not SubjectTerm.objects.exists()


def test_two_clients_the_second_sees_the_conflict(world, api):
    an, binh = world.students["an"], world.students["binh"]
    first, second = bearer_client(world.teacher), bearer_client(world.teacher)
    url = grid_url(world.class_6a1)
    assert first.post(url, {"changes": [change(an, "tx1", "7")]}).status_code == 200
    # Both open the grid showing 7; the first changes it to 8 ...
    assert first.post(url, {"changes": [change(an, "tx1", "8", old="7")]}).status_code == 200
    # ... the second, still seeing 7, types 9 (and a new score for Bình): refused whole.
    before = fingerprint()
    response = second.post(
        url, {"changes": [change(an, "tx1", "9", old="7"), change(binh, "tx1", "6")]}
    )
    assert response.status_code == 409
    [conflict] = response.json()["cells"]
    assert conflict["student"] == an.pk and conflict["code"] == "tx1"
    assert conflict["current"] == "8"
    assert (
        conflict["message"] == "Người khác vừa sửa ô này (hiện là “8”); hãy kiểm tra rồi nhập lại."
    )
    assert fingerprint() == before
    # Typing the same value someone else saved is not a conflict.
    same = second.post(url, {"changes": [change(an, "tx1", "8", old="7")]})
    assert same.status_code == 200 and same.json()["changed"] == 0


def test_a_column_locked_at_its_deadline(world, api):
    deadlines_set(
        actor=world.principal,
        school=world.school_a,
        year=world.year,
        semester=1,
        deadlines={"tx": dt.datetime(2025, 10, 1, 10, 0, tzinfo=dt.UTC)},
    )
    grid = api("teacher").get(grid_url(world.class_6a1)).json()
    locks = {c["code"]: (c["locked"], c["lock_reason"]) for c in grid["columns"]}
    assert locks["tx1"] == (
        True,
        "Cột này đã khoá lúc 17:00 01/10/2025; hãy gửi đề nghị sửa điểm kèm lý do.",
    )
    assert locks["gk"] == (False, None)
    an = world.students["an"]
    response = api("teacher").post(
        grid_url(world.class_6a1), {"changes": [change(an, "tx1", "8"), change(an, "gk", "7")]}
    )
    assert response.status_code == 400
    assert [e["code"] for e in response.json()["cells"]] == ["tx1"]
    assert not SubjectTerm.objects.exists()
    ok = api("teacher").post(grid_url(world.class_6a1), {"changes": [change(an, "gk", "7")]})
    assert ok.status_code == 200


def test_guessed_ids_codes_and_semesters_answer_404(world, api):
    client = api("teacher")
    for url in (
        f"{GB}/classes/999999/subjects/TOAN/semesters/1/",
        f"{GB}/classes/{world.class_c.pk}/subjects/TOAN/semesters/1/",
        grid_url(world.class_6a1, "XYZ"),
        grid_url(world.class_6a1, "VL"),  # physics is not a grade-6 subject
        grid_url(world.class_6a1, "TOAN", 3),
        grid_url(world.class_6a1, "TOAN", 0),
    ):
        assert client.get(url).status_code == 404, url
        assert (
            client.post(url, {"changes": [change(world.students["an"], "tx1", "8")]}).status_code
            == 404
        )
    assert not SubjectTerm.objects.exists()


# Several subjects at once ---------------------------------------------------------------------
def scores_url(world, semester=1):
    return f"{GB}/classes/{world.class_6a1.pk}/semesters/{semester}/scores/"


def assign_all(world):
    """``teacher`` teaches every subject of 6A1 (as a class teacher might)."""
    for code in ("NV", "NN1", "GDTC"):
        classes.teaching_assign(
            actor=SYSTEM,
            school_class=world.class_6a1,
            subject=Subject.objects.get(code=code),
            staff=world.staff["teacher"],
        )


def test_several_subjects_in_one_request(world, api):
    assign_all(world)
    an = world.students["an"]
    response = api("teacher").post(
        scores_url(world),
        {
            "changes": [
                {**change(an, "tx1", "8,5"), "subject": "TOAN"},
                {**change(an, "tx1", "7"), "subject": "NV"},
                {**change(an, "gk", "đ"), "subject": "GDTC"},
            ]
        },
    )
    assert response.status_code == 200, response.json()
    assert response.json() == {
        "changed": 3,
        "cells": [
            {"subject": "TOAN", "student": an.pk, "code": "tx1", "value": "8.5"},
            {"subject": "NV", "student": an.pk, "code": "tx1", "value": "7"},
            {"subject": "GDTC", "student": an.pk, "code": "gk", "value": "Đ"},
        ],
    }
    assert cells(world, "an", "NV") == {"tx1": "7"}


def test_several_subjects_all_or_nothing(world, api):
    assign_all(world)
    an = world.students["an"]
    before = fingerprint()
    response = api("teacher").post(
        scores_url(world),
        {
            "changes": [
                {**change(an, "tx1", "8"), "subject": "TOAN"},
                {**change(an, "tx1", "12"), "subject": "NV"},
                {**change(an, "gk", "8"), "subject": "GDTC"},
            ]
        },
    )
    assert response.status_code == 400
    errors = [(e["subject"], e["code"]) for e in response.json()["cells"]]
    assert errors == [("NV", "tx1"), ("GDTC", "gk")]
    assert fingerprint() == before  # TOAN, valid on its own, was not saved either


def test_several_subjects_a_conflict_in_one_refuses_all(world, api):
    assign_all(world)
    an = world.students["an"]
    api("teacher").post(
        scores_url(world), {"changes": [{**change(an, "tx1", "6"), "subject": "NV"}]}
    )
    before = fingerprint()
    response = api("teacher").post(
        scores_url(world),
        {
            "changes": [
                {**change(an, "tx1", "8"), "subject": "TOAN"},
                {**change(an, "tx1", "9"), "subject": "NV"},  # saw "", now "6"
            ]
        },
    )
    assert response.status_code == 409
    assert response.json()["cells"][0] | {"message": ""} == {
        "student": an.pk,
        "subject": "NV",
        "code": "tx1",
        "message": "",
        "current": "6",
    }
    assert fingerprint() == before


def test_several_subjects_one_not_taught_is_forbidden(world, api):
    an = world.students["an"]
    before = fingerprint()
    response = api("teacher").post(
        scores_url(world),
        {
            "changes": [
                {**change(an, "tx1", "8"), "subject": "TOAN"},
                {**change(an, "tx1", "8"), "subject": "NV"},  # taught by "other"
            ]
        },
    )
    assert response.status_code == 403
    assert fingerprint() == before


def test_several_subjects_unknown_code(world, api):
    an = world.students["an"]
    response = api("teacher").post(
        scores_url(world), {"changes": [{**change(an, "tx1", "8"), "subject": "XYZ"}]}
    )
    assert response.status_code == 400
    assert response.json() == {"changes": ["Mã môn không có: XYZ."]}


# Query counts -------------------------------------------------------------------------------
def add_pupils(world, count):
    from truongso.gradebook.tests.yearbook import admit

    return [admit(world.class_6a1, f"Học Sinh Thêm {chr(65 + n)}").pk for n in range(count)]


def count_queries(client, url):
    client.get(url)  # the first request of a token also records its use
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_grid_queries_do_not_grow_with_the_class(world, api):
    client = api("teacher")
    api_world.fill(world.class_6a1)
    small = count_queries(client, grid_url(world.class_6a1))
    api_world.fill(world.class_6a1, value="7", pupils=add_pupils(world, 10))
    assert count_queries(client, grid_url(world.class_6a1)) == small
    assert small <= 18


def count_post(client, url, body):
    with CaptureQueriesContext(connection) as queries:
        response = client.post(url, body)
    assert response.status_code == 200, response.json()
    return len(queries)


def test_saving_costs_one_write_per_row(world, api):
    """Whatever the number of rows, the save itself reads a fixed number of times (the
    audit entries do not read each student, class or subject back)."""
    client = api("teacher")
    client.get(grid_url(world.class_6a1))  # the token's first use is recorded once
    first = [world.students["an"].pk, world.students["binh"].pk]
    url = grid_url(world.class_6a1, semester=2)

    def body(pupils, code, new):
        return {"changes": [{"student": pk, "code": code, "old": "", "new": new} for pk in pupils]}

    two_new = count_post(client, url, body(first, "tx1", "8"))
    two_updated = count_post(client, url, body(first, "tx2", "7"))
    more = add_pupils(world, 10)
    twelve_new = count_post(client, grid_url(world.class_6a1), body(first + more, "tx1", "8"))
    twelve_updated = count_post(client, url, body(first + more, "tx3", "6"))
    assert twelve_new - two_new == 10
    assert twelve_updated - two_updated == 10
