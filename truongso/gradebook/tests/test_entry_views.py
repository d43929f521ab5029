"""The entry pages: my gradebooks, the grid for every role, the JSON save (success, errors
at cells, conflicts, locks, garbage) and the plain form path, a row's history."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.urls import reverse
from django.utils import timezone

from truongso.core.authz import SYSTEM
from truongso.core.models import AuditEntry
from truongso.gradebook.models import SubjectTerm
from truongso.gradebook.services.cells import CellChange, scores_save
from truongso.gradebook.services.periods import deadlines_set
from truongso.registry.models import Subject
from truongso.registry.services import classes
from truongso.registry.tests.test_org_views import login

pytestmark = pytest.mark.usefixtures("registry_consistent")
HOME = reverse("gradebook:home")


def grid_url(world, name="grid", semester=1, subject="TOAN", school_class=None):
    school_class = school_class or world.class_6a1
    return reverse(f"gradebook:{name}", args=[school_class.pk, subject, semester])


def post_json(client, url, data):
    body = data if isinstance(data, str | bytes) else json.dumps(data)
    return client.post(url, body, content_type="application/json")


def cell(world, key, code, new, old=""):
    return {"student": world.students[key].pk, "code": code, "old": old, "new": new}


def cells_of(world, key, semester=1):
    row = SubjectTerm.objects.filter(student=world.students[key], semester=semester).first()
    return row.cells if row else None


def enter(world, key, values, semester=1):
    scores_save(
        actor=SYSTEM,
        school_class=world.class_6a1,
        subject=Subject.objects.get(code="TOAN"),
        semester=semester,
        changes=[CellChange(world.students[key].pk, c, "", v) for c, v in values.items()],
    )


# My gradebooks -------------------------------------------------------------------------
def test_teacher_home_lists_her_class_subject_with_completeness(
    client, world, django_assert_max_num_queries
):
    enter(world, "an", {"tx1": "8", "tx2": "7", "gk": "6"})
    login(client, world.teacher)
    with django_assert_max_num_queries(16):
        response = client.get(HOME, {"semester": "1"})
    [card] = response.context["cards"]
    assert (card.school_class, card.subject.code) == (world.class_6a1, "TOAN")
    assert (card.completeness.filled, card.completeness.expected) == (3, 12)  # 2 pupils × 6
    assert card.completeness.percent == 25
    html = response.content.decode()
    assert "Sổ điểm của tôi" in html and grid_url(world) in html
    assert response.context["overviews"] == []


def test_homeroom_teacher_home_shows_her_class(client, world):
    login(client, world.homeroom)
    response = client.get(HOME, {"semester": "1"})
    [card] = response.context["cards"]
    assert (card.school_class, card.subject) == (world.class_6a2, None)
    assert (card.completeness.filled, card.completeness.expected) == (0, 1)
    assert reverse("gradebook:homeroom", args=[world.class_6a2.pk, 1]) in response.content.decode()


def test_principal_home_shows_each_class_subject_with_its_teacher(
    client, world, django_assert_max_num_queries
):
    enter(world, "an", {"tx1": "8", "tx2": "7", "tx3": "9", "tx4": "9", "gk": "6", "ck": "7"})
    login(client, world.principal)
    with django_assert_max_num_queries(22):
        response = client.get(HOME, {"semester": "1"})
    [overview] = response.context["overviews"]
    assert overview.school == world.school_a
    [grade6] = overview.tables
    assert [r.school_class.name for r in grade6.rows] == ["6A1", "6A2"]
    codes = [s.code for s in grade6.subjects]
    math = grade6.rows[0].cells[codes.index("TOAN")]
    assert (math.teacher, math.completeness.filled, math.completeness.expected) == (
        "Trần Thị Hoa",
        6,
        12,
    )
    assert grade6.rows[1].cells[codes.index("TOAN")].teacher == ""  # nobody teaches 6A2 maths
    [line] = overview.teachers
    assert (line.name, line.assignments, line.completeness.percent) == ("Trần Thị Hoa", 1, 50)
    html = response.content.decode()
    assert reverse("gradebook:period", args=[world.school_a.pk, world.year.pk, 1]) in html


def test_home_query_count_does_not_grow_with_classes(client, world, django_assert_max_num_queries):
    for name in ("6A3", "6A4", "6A5"):
        classes.class_create(
            actor=SYSTEM, school=world.school_a, school_year=world.year, grade=6, name=name
        )
    login(client, world.principal)
    with django_assert_max_num_queries(22):
        response = client.get(HOME, {"semester": "1"})
    assert len(response.context["overviews"][0].tables[0].rows) == 5


def test_parent_and_student_are_sent_to_the_childs_page(client, world):
    report = reverse("gradebook:student_report", kwargs={"pk": world.students["an"].pk})
    for who in ("parent", "student"):
        login(client, world.users[who])
        response = client.get(HOME)
        assert (response.status_code, response["Location"]) == (302, report)


@pytest.mark.parametrize("who", ["bureau", "clerk", "accountant", "nobody"])
def test_home_refused_without_grade_rights(client, world, who):
    login(client, world.users[who])
    assert client.get(HOME).status_code == 403


def test_home_garbage_semester_is_ignored(client, world):
    login(client, world.teacher)
    assert client.get(HOME, {"semester": "99x"}).status_code == 200


# The grid for each role ----------------------------------------------------------------
def test_teacher_sees_an_editable_grid(client, world, django_assert_max_num_queries):
    enter(world, "an", {"tx1": "6", "tx2": "8", "tx3": "7.5", "tx4": "7", "gk": "5", "ck": "10"})
    login(client, world.teacher)
    with django_assert_max_num_queries(24):
        response = client.get(grid_url(world))
    assert response.status_code == 200
    table = response.context["table"]
    assert table.editable is True
    assert [c.code for c in table.columns] == ["tx1", "tx2", "tx3", "tx4", "gk", "ck", "comment"]
    assert [r.student.full_name for r in table.rows] == ["Đỗ Thị Bình", "Nguyễn Văn An"]
    an = table.rows[1]
    assert [c.value for c in an.cells] == ["6", "8", "7.5", "7", "5", "10", ""]
    assert an.outcome == "7.6"  # 68.5 / 9 = 7.61
    html = response.content.decode()
    assert f'name="c:{world.students["an"].pk}:tx3"' in html
    assert 'inputmode="decimal"' in html and 'id="grid-config"' in html
    config = response.context["config"]
    assert config["outcome"] == {
        "type": "average",
        "weights": {"tx1": 1, "tx2": 1, "tx3": 1, "tx4": 1, "gk": 2, "ck": 3},
    }
    assert "một chữ số thập phân" in config["messages"]["one_decimal"]
    assert config["messages"]["saved_at"] == "Đã lưu lúc {time}"


@pytest.mark.parametrize("who", ["principal", "vice", "homeroom"])
def test_readers_see_a_read_only_grid(client, world, who):
    enter(world, "an", {"tx1": "9"})
    if who == "homeroom":
        classes.class_update(
            actor=SYSTEM,
            school_class=world.class_6a1,
            name="6A1",
            homeroom_teacher=world.staff["homeroom"],
        )
    login(client, world.users[who])
    response = client.get(grid_url(world))
    assert response.status_code == 200
    assert response.context["table"].editable is False
    html = response.content.decode()
    assert "grid-input" not in html and ">9<" in html
    assert 'id="grid-save"' not in html


@pytest.mark.parametrize(
    "who", ["homeroom", "parent", "student", "bureau", "principal_c", "clerk", "nobody"]
)
def test_others_get_404_for_the_grid(client, world, who):
    login(client, world.users[who])
    assert client.get(grid_url(world)).status_code == 404


def test_teacher_of_another_class_or_subject_gets_404(client, world):
    login(client, world.teacher)
    assert client.get(grid_url(world, subject="NV")).status_code == 404
    assert client.get(grid_url(world, school_class=world.class_6a2)).status_code == 404
    assert client.get(grid_url(world, semester=3)).status_code == 404
    assert client.get(grid_url(world, subject="NOPE")).status_code == 404
    missing = reverse("gradebook:grid", args=[999999, "TOAN", 1])
    assert client.get(missing).status_code == 404


def test_officer_never_sees_individual_scores(client, world):
    enter(world, "an", {"tx1": "9"})
    login(client, world.bureau)
    assert client.get(grid_url(world)).status_code == 404
    assert client.get(grid_url(world, "grid_export")).status_code == 404
    response = post_json(client, grid_url(world, "grid_save"), [cell(world, "an", "tx1", "1")])
    assert response.status_code == 404 and "9" not in response.content.decode()


# The JSON save ---------------------------------------------------------------------------
def test_json_save_returns_the_stored_values_and_results(client, world):
    login(client, world.teacher)
    changes = [
        cell(world, "an", code, value)
        for code, value in zip(
            ["tx1", "tx2", "tx3", "tx4", "gk", "ck"], ["6", "8", "7,5", "7", "5", "10"], strict=True
        )
    ] + [cell(world, "an", "comment", "  Chăm   chỉ ")]
    response = post_json(client, grid_url(world, "grid_save"), changes)
    assert response.status_code == 200
    data = response.json()
    assert data["saved"] == 7
    an = world.students["an"].pk
    values = {(c["student"], c["code"]): c["value"] for c in data["cells"]}
    assert values[(an, "tx3")] == "7.5" and values[(an, "comment")] == "Chăm chỉ"
    assert data["outcomes"] == {str(an): "7.6"}
    assert cells_of(world, "an") == {
        "tx1": "6",
        "tx2": "8",
        "tx3": "7.5",
        "tx4": "7",
        "gk": "5",
        "ck": "10",
    }
    assert AuditEntry.objects.filter(action="score.update", actor=world.teacher).count() == 1


def test_json_save_shows_each_bad_cell_and_saves_nothing(client, world):
    login(client, world.teacher)
    response = post_json(
        client,
        grid_url(world, "grid_save"),
        [
            cell(world, "an", "tx1", "8"),
            cell(world, "an", "tx2", "8.25"),
            cell(world, "an", "gk", "11"),
            cell(world, "binh", "ck", "giỏi"),
        ],
    )
    assert response.status_code == 400
    errors = {(e["student"], e["code"]): e["message"] for e in response.json()["errors"]}
    an, binh = world.students["an"].pk, world.students["binh"].pk
    assert set(errors) == {(an, "tx2"), (an, "gk"), (binh, "ck")}
    assert errors[(an, "tx2")] == "Điểm chỉ có tối đa một chữ số thập phân (8.25)."
    assert errors[(an, "gk")] == "Cột GK chỉ nhận điểm từ 0 đến 10 (11)."
    assert "không nhận “giỏi”" in errors[(binh, "ck")]
    assert not SubjectTerm.objects.exists()


def test_json_save_conflict_returns_the_other_writers_value(client, world):
    enter(world, "an", {"tx1": "7"})
    scores_save(
        actor=SYSTEM,
        school_class=world.class_6a1,
        subject=Subject.objects.get(code="TOAN"),
        semester=1,
        changes=[CellChange(world.students["an"].pk, "tx1", "7", "8")],
    )
    login(client, world.teacher)
    response = post_json(
        client,
        grid_url(world, "grid_save"),
        [cell(world, "an", "tx1", "9", old="7"), cell(world, "binh", "tx1", "5")],
    )
    assert response.status_code == 400
    [conflict] = response.json()["errors"]
    assert (conflict["code"], conflict["current"]) == ("tx1", "8")
    assert "Người khác vừa sửa ô này" in conflict["message"]
    assert cells_of(world, "an") == {"tx1": "8"} and cells_of(world, "binh") is None


def test_json_save_after_the_deadline_is_refused_at_the_cell(client, world):
    deadlines_set(
        actor=world.principal,
        school=world.school_a,
        year=world.year,
        semester=1,
        deadlines={"tx": timezone.now() - dt.timedelta(minutes=5)},
    )
    login(client, world.teacher)
    response = post_json(client, grid_url(world, "grid_save"), [cell(world, "an", "tx1", "8")])
    assert response.status_code == 400
    [error] = response.json()["errors"]
    assert error["code"] == "tx1" and "đã khoá" in error["message"]
    assert not SubjectTerm.objects.exists()
    page = client.get(grid_url(world))
    table = page.context["table"]
    assert table.columns[0].locked and not table.columns[4].locked
    assert table.rows[0].cells[0].readonly and not table.rows[0].cells[4].readonly
    assert table.rows[0].request_url.endswith("/request/")
    assert "Đề nghị sửa điểm" in page.content.decode()


@pytest.mark.parametrize(
    ("body", "status", "fragment"),
    [
        ("{not json", 400, "không phải JSON"),
        ('"text"', 400, "không phải danh sách ô"),
        ("[1, 2]", 400, "mục 1"),
        ('[{"student": "x", "code": "tx1", "old": "", "new": "8"}]', 400, "học sinh"),
        ('[{"student": true, "code": "tx1", "old": "", "new": "8"}]', 400, "học sinh"),
        ('[{"student": 5, "code": 7, "old": "", "new": "8"}]', 400, "cột"),
        ('[{"student": 5, "code": "tx1", "old": "", "new": 8.5}]', 400, "dạng chữ"),
        ('{"changes": null}', 400, "không phải danh sách ô"),
    ],
)
def test_json_save_garbage_is_refused_in_vietnamese(client, world, body, status, fragment):
    login(client, world.teacher)
    response = post_json(client, grid_url(world, "grid_save"), body)
    assert response.status_code == status
    assert fragment in response.json()["error"]
    assert not SubjectTerm.objects.exists()


def test_json_save_unknown_student_and_column_are_cell_errors(client, world):
    login(client, world.teacher)
    response = post_json(
        client,
        grid_url(world, "grid_save"),
        [
            {"student": world.students["chi"].pk, "code": "tx1", "old": "", "new": "8"},
            {"student": 987654, "code": "tx1", "old": "", "new": "8"},
            cell(world, "an", "tx9", "8"),
        ],
    )
    assert response.status_code == 400
    messages = [e["message"] for e in response.json()["errors"]]
    assert messages[:2] == ["Học sinh này không thuộc lớp trong học kì này."] * 2
    assert messages[2] == "Không có cột tx9."
    assert not SubjectTerm.objects.exists()


def test_json_save_huge_payloads_are_refused(client, world):
    login(client, world.teacher)
    many = [cell(world, "an", "tx1", "8")] * 3001
    response = post_json(client, grid_url(world, "grid_save"), many)
    assert response.status_code == 413
    assert "ít ô hơn" in response.json()["error"]
    big = json.dumps([cell(world, "an", "comment", "x" * 1_100_000)])
    response = post_json(client, grid_url(world, "grid_save"), big)
    assert response.status_code == 413
    long_value = [cell(world, "an", "comment", "x" * 5000)]
    assert post_json(client, grid_url(world, "grid_save"), long_value).status_code == 400
    assert not SubjectTerm.objects.exists()


def test_json_save_permissions(client, world):
    payload = [cell(world, "an", "tx1", "8")]
    login(client, world.principal)
    response = post_json(client, grid_url(world, "grid_save"), payload)
    assert response.status_code == 403
    assert "chỉ được xem" in response.json()["error"]
    for who in ("parent", "student", "principal_c", "homeroom"):
        login(client, world.users[who])
        assert post_json(client, grid_url(world, "grid_save"), payload).status_code == 404
    client.logout()
    assert post_json(client, grid_url(world, "grid_save"), payload).status_code == 302
    assert client.get(grid_url(world, "grid_save")).status_code in (302, 405)
    assert not SubjectTerm.objects.exists()


def test_json_save_needs_the_csrf_token(world):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    login(client, world.teacher)
    response = post_json(client, grid_url(world, "grid_save"), [cell(world, "an", "tx1", "8")])
    assert response.status_code == 403
    assert not SubjectTerm.objects.exists()


# The form path (no JavaScript) -----------------------------------------------------------
def form_data(world, values, olds=None):
    data = {}
    for (key, code), value in values.items():
        pk = world.students[key].pk
        data[f"c:{pk}:{code}"] = value
        data[f"o:{pk}:{code}"] = (olds or {}).get((key, code), "")
    return data


def test_form_post_saves_only_the_changed_cells(client, world):
    enter(world, "binh", {"tx1": "9"})
    login(client, world.teacher)
    data = form_data(
        world,
        {("an", "tx1"): "8,5", ("an", "tx2"): "", ("binh", "tx1"): "9", ("an", "comment"): "Tốt"},
        {("binh", "tx1"): "9"},
    )
    response = client.post(grid_url(world), data, follow=True)
    assert response.redirect_chain[-1][0] == grid_url(world)
    assert "Đã lưu 2 ô." in response.content.decode()
    row = SubjectTerm.objects.get(student=world.students["an"])
    assert (row.cells, row.comment) == ({"tx1": "8.5"}, "Tốt")
    assert AuditEntry.objects.filter(action="score.update", actor=world.teacher).count() == 1


def test_form_post_with_errors_shows_them_and_keeps_what_was_typed(client, world):
    login(client, world.teacher)
    data = form_data(world, {("an", "tx1"): "8", ("an", "tx2"): "abc", ("binh", "gk"): "10.5"})
    response = client.post(grid_url(world), data)
    assert response.status_code == 400
    html = response.content.decode()
    assert "Chưa lưu gì" in html
    assert "Cột TX2 chỉ nhận số từ 0 đến 10, không nhận “abc”." in html
    assert 'value="abc"' in html and 'aria-invalid="true"' in html
    assert not SubjectTerm.objects.exists()


def test_form_post_without_changes_and_by_readers(client, world):
    login(client, world.teacher)
    response = client.post(grid_url(world), {"garbage": "1", "c:x:tx1": "5"}, follow=True)
    assert "Không có thay đổi nào cần lưu." in response.content.decode()
    login(client, world.principal)
    assert client.post(grid_url(world), form_data(world, {("an", "tx1"): "8"})).status_code == 403
    login(client, world.parent)
    assert client.post(grid_url(world), form_data(world, {("an", "tx1"): "8"})).status_code == 404
    assert not SubjectTerm.objects.exists()


# A row's history ---------------------------------------------------------------------------
def test_history_lists_every_change_of_the_row(client, world):
    login(client, world.teacher)
    post_json(client, grid_url(world, "grid_save"), [cell(world, "an", "tx1", "7")])
    post_json(client, grid_url(world, "grid_save"), [cell(world, "an", "tx1", "8", old="7")])
    url = reverse(
        "gradebook:cell_history", args=[world.class_6a1.pk, "TOAN", 1, world.students["an"].pk]
    )
    assert url in client.get(grid_url(world)).content.decode()
    response = client.get(url)
    lines = response.context["history"].lines
    assert [(line.actor, line.changes) for line in lines] == [
        ("teacher", [("TX1", "", "7")]),
        ("teacher", [("TX1", "7", "8")]),
    ]
    login(client, world.principal)
    assert client.get(url).status_code == 200
    for who in ("parent", "principal_c", "homeroom"):
        login(client, world.users[who])
        assert client.get(url).status_code == 404
    login(client, world.teacher)
    chi = reverse(
        "gradebook:cell_history", args=[world.class_6a1.pk, "TOAN", 1, world.students["chi"].pk]
    )
    assert client.get(chi).status_code == 404  # not in this class


def test_a_parent_of_two_chooses_the_child(client, world):
    from truongso.registry.services import students

    students.guardian_link(
        actor=SYSTEM,
        student=world.students["chi"],
        relation="father",
        is_primary=True,
        data={"full_name": "Nguyễn Văn Cha", "phone": "0912345678"},
    )
    login(client, world.parent)
    response = client.get(HOME)
    assert response.status_code == 200
    assert [c.full_name for c, _url in response.context["children"]] == [
        "Hoàng Thị Chi",
        "Nguyễn Văn An",
    ]
    html = response.content.decode()
    for key in ("an", "chi"):
        assert reverse("gradebook:student_report", kwargs={"pk": world.students[key].pk}) in html


def test_grid_query_count_does_not_grow_with_students(client, world, django_assert_max_num_queries):
    from truongso.gradebook.tests.yearbook import admit

    for name in [
        "Anh",
        "Bảo",
        "Cường",
        "Dung",
        "Giang",
        "Hà",
        "Khoa",
        "Lan",
        "Minh",
        "Nga",
        "Phúc",
        "Quân",
    ]:
        pupil = admit(world.class_6a1, f"Trần Văn {name}")
        scores_save(
            actor=SYSTEM,
            school_class=world.class_6a1,
            subject=Subject.objects.get(code="TOAN"),
            semester=1,
            changes=[CellChange(pupil.pk, "tx1", "", "7")],
        )
    login(client, world.teacher)
    with django_assert_max_num_queries(24):
        response = client.get(grid_url(world))
    assert len(response.context["table"].rows) == 14
