"""Summaries: bins and Vietnamese numbers; district, school and class summaries from the
stored results (constant queries) or live for an open class; officers see no names."""

from __future__ import annotations

import pytest
from django.utils import translation

from truongso.gradebook import stats
from truongso.gradebook.tests.yearbook import Pupil, admit, enter_semester, fill_year
from truongso.testing.live import client_login

pytestmark = pytest.mark.usefixtures("registry_consistent")

HOME = "/gradebook/results/"


@pytest.mark.parametrize(
    ("tenths", "index"),
    [
        (0, 0),
        (19, 0),
        (20, 1),
        (34, 1),
        (35, 2),
        (49, 2),
        (50, 3),
        (64, 3),
        (65, 4),
        (79, 4),
        (80, 5),
        (100, 5),
    ],
)
def test_score_bins(tenths, index):
    assert stats.bin_of(tenths) == index


def test_vietnamese_numbers():
    with translation.override("vi"):
        assert [stats.bin_label(i) for i in range(6)] == [
            "0–<2",
            "2–<3,5",
            "3,5–<5",
            "5–<6,5",
            "6,5–<8",
            "8–10",
        ]
        assert stats.vn_int(1234567) == "1.234.567"
        assert stats.vn_percent(456, 1000) == "45,6%"
        assert stats.vn_percent(1, 3) == "33,3%"
        assert stats.vn_percent(2, 3) == "66,7%"
        assert stats.vn_percent(0, 0) == "—"


@pytest.fixture
def closed_schools(world):
    """School A: 6A1 (an Tốt, binh Chưa đạt) and 6A2 (chi Khá), year closed; school C too."""
    fill_year(world.class_6a2, {world.students["chi"]: Pupil(default="7")}, None, close=0)
    fill_year(
        world.class_6a1,
        {
            world.students["an"]: Pupil(),
            world.students["binh"]: Pupil(scores={"TOAN": "3", "NV": "4"}),
        },
        world.principal,
    )
    fill_year(world.class_c, {world.students["dung"]: Pupil(default="9.5")}, world.principal_c)


def page(client, user, query=""):
    client_login(client, user)
    return client.get(HOME + query)


def test_bureau_sees_its_district_by_school_without_names(client, world, closed_schools):
    response = page(client, world.bureau, "?period=0")
    assert response.status_code == 200
    summary = response.context["summary"]
    assert summary.unit == world.bureau_unit
    assert (summary.tally.total, dict(summary.tally.learning)) == (
        3,
        {"tot": 1, "chua_dat": 1, "kha": 1},
    )
    assert dict(summary.tally.decisions) == {"promoted": 2, "retest": 1}
    assert [(g.name, g.tally.total) for g in summary.groups] == [
        ("Trường THCS An Bài", 3),
        ("Trường THCS Quỳnh Hải", 0),
    ]
    assert (summary.closed_count, summary.school_count) == (1, 2)
    toan = next(h for h in response.context["histograms"] if h.code == "TOAN")
    assert toan.counts == [0, 1, 0, 0, 1, 1]  # 3.0, 7.0, 8.0
    page_text = response.content.decode()
    for student in world.students.values():
        assert student.full_name not in page_text
    assert "66,7%" in page_text  # promotion rate 2 of 3
    assert f"/gradebook/classes/{world.class_6a1.pk}/results/" not in page_text
    assert "<svg" in page_text and "Bảng số liệu" in page_text


def test_department_groups_by_bureau(client, world, closed_schools):
    summary = page(client, world.department, "?period=0").context["summary"]
    assert [(g.name, g.tally.total) for g in summary.groups] == [
        ("Phòng GD&ĐT Quỳnh Phụ", 3),
        ("Phòng GD&ĐT Đông Hưng", 1),
    ] or sorted((g.name, g.tally.total) for g in summary.groups) == [
        ("Phòng GD&ĐT Quỳnh Phụ", 3),
        ("Phòng GD&ĐT Đông Hưng", 1),
    ]
    assert summary.tally.total == 4 and summary.tally.awards["xuat_sac"] == 1


def test_principal_sees_classes_with_links(client, world, closed_schools):
    response = page(client, world.principal, "?period=0")
    summary = response.context["summary"]
    assert summary.unit == world.school_a and summary.individual
    assert [(g.name, g.tally.total, g.tally.promoted) for g in summary.groups] == [
        ("6A1", 2, 1),
        ("6A2", 1, 1),
    ]
    assert f"/gradebook/classes/{world.class_6a1.pk}/results/" in response.content.decode()


def test_a_class_summary_is_live_while_open(client, world):
    enter_semester(world.class_6a1, 1, {world.students["an"]: Pupil(scores={"TOAN": "5"})})
    response = page(client, world.principal, f"?class={world.class_6a1.pk}&period=1")
    summary = response.context["summary"]
    assert not summary.official
    assert dict(summary.tally.learning) == {"kha": 1, "": 1}
    assert summary.tally.scores["TOAN"] == [0, 0, 0, 1, 0, 0]
    assert "Chưa đủ điểm" in response.content.decode()


@pytest.mark.parametrize(
    ("who", "query", "status"),
    [
        ("teacher", "", 403),
        ("homeroom", "", 403),
        ("parent", "", 403),
        ("other_bureau", "?unit={bureau}", 404),
        ("principal_c", "?unit={school_a}", 404),
        ("principal", "?unit={bureau}", 404),
        ("principal_c", "?class={class_6a1}", 404),
        ("bureau", "?class={class_6a1}", 200),  # a class's counts are aggregates too
        ("ministry", "", 200),
    ],
)
def test_who_sees_which_summary(client, world, who, query, status):
    query = query.format(
        bureau=world.bureau_unit.pk, school_a=world.school_a.pk, class_6a1=world.class_6a1.pk
    )
    assert page(client, world.users[who], query).status_code == status


def test_district_queries_do_not_grow_with_students(client, world, django_assert_max_num_queries):
    """Đông Hưng (7 students) costs no more queries than Quỳnh Phụ (3 students)."""
    fill_year(world.class_6a1, {world.students["an"]: Pupil()}, world.principal)
    names = ("Lê Thị Hằng", "Vũ Thu Lan", "Phan Văn Khôi", "Hồ Thị Nga", "Tạ Văn Phú", "Đinh Minh")
    many = {world.students["dung"]: Pupil(), **{admit(world.class_c, n): Pupil() for n in names}}
    fill_year(world.class_c, many, world.principal_c)
    client_login(client, world.bureau)
    with django_assert_max_num_queries(40) as small:
        assert client.get(HOME + "?period=0").context["summary"].tally.total == 3
    client_login(client, world.department)
    with django_assert_max_num_queries(40) as whole:
        assert client.get(HOME + "?period=0").context["summary"].tally.total == 10
    client_login(client, world.other_bureau)
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = client.get(HOME + "?period=0")
    assert response.context["summary"].tally.total == 7
    assert len(whole.captured_queries) <= len(small.captured_queries) + 2


def test_primary_pupils_count_in_learning_but_have_no_conduct(client, world):
    from truongso.core.authz import SYSTEM
    from truongso.gradebook.tests.yearbook import primary_school

    _school, class_1a = primary_school(world)
    fill_year(class_1a, {admit(class_1a, "Hà An"): Pupil(mark="HTT")}, SYSTEM)
    fill_year(world.class_6a1, {world.students["an"]: Pupil()}, world.principal)
    client_login(client, world.bureau)
    year = client.get(HOME + "?period=0").context["summary"].tally
    assert (year.total, dict(year.learning), dict(year.conduct)) == (
        4,
        {"htxs": 1, "tot": 1, "": 2},  # binh (6A1) and chi (6A2) have no entries
        {"tot": 1, "": 2},
    )
    first = client.get(HOME + "?period=1").context["summary"].tally
    assert (first.total, dict(first.learning)) == (4, {"tot": 1, "": 2})
