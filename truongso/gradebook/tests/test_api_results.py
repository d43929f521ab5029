"""The homeroom sheet, class and student results and school summaries through the API:
exact values, computed before closing and official after, and query counts that do not grow
with the number of students."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from truongso.core.authz import SYSTEM
from truongso.gradebook.models import StudentTerm
from truongso.gradebook.services.cells import CellChange, scores_save
from truongso.gradebook.services.periods import period_close
from truongso.gradebook.tests import api_world
from truongso.gradebook.tests.api_world import GB
from truongso.gradebook.tests.yearbook import admit
from truongso.registry.models import Subject
from truongso.registry.tests.api_support import api_clients

pytestmark = pytest.mark.usefixtures("registry_consistent")


@pytest.fixture
def api(world, monkeypatch):
    api_world.extend(world)
    return api_clients(world, monkeypatch)


def homeroom_url(world, semester=1):
    return f"{GB}/classes/{world.class_6a1.pk}/semesters/{semester}/homeroom/"


def results_url(world, period=1):
    return f"{GB}/classes/{world.class_6a1.pk}/results/?period={period}"


def summary_url(world, period=1):
    return f"{GB}/schools/{world.school_a.pk}/summary/?period={period}"


def close(world, semester=1):
    period_close(
        actor=world.principal,
        school=world.school_a,
        year=world.year,
        semester=semester,
        allow_incomplete=True,
    )


# The homeroom sheet ---------------------------------------------------------------------------
def test_homeroom_sheet_columns_and_rows(world, api):
    body = api("gvcn").get(homeroom_url(world)).json()
    assert body["class"]["name"] == "6A1"
    assert (body["editable"], body["locked"], body["lock_reason"], body["closed"]) == (
        True,
        False,
        None,
        False,
    )
    assert [c["code"] for c in body["columns"]] == [
        "conduct",
        "absences_excused",
        "absences_unexcused",
        "comment",
    ]
    assert body["columns"][0]["choices"] == ["tot", "kha", "dat", "chua_dat"]
    assert body["columns"][0]["choice_names"] == {
        "tot": "Tốt",
        "kha": "Khá",
        "dat": "Đạt",
        "chua_dat": "Chưa đạt",
    }
    assert [row["full_name"] for row in body["rows"]] == ["Đỗ Thị Bình", "Nguyễn Văn An"]
    assert body["rows"][1]["cells"] == {
        "conduct": "",
        "absences_excused": "",
        "absences_unexcused": "",
        "comment": "",
    }
    assert api("principal").get(homeroom_url(world)).json()["editable"] is False


def test_homeroom_save_and_its_errors(world, api):
    an, binh = world.students["an"], world.students["binh"]
    url = homeroom_url(world)
    saved = api("gvcn").post(
        url,
        {
            "changes": [
                {"student": an.pk, "code": "conduct", "old": "", "new": "khá"},
                {"student": an.pk, "code": "absences_excused", "old": "", "new": "03"},
                {"student": binh.pk, "code": "comment", "old": "", "new": "Ngoan, chăm chỉ"},
            ]
        },
    )
    assert saved.status_code == 200, saved.json()
    assert saved.json()["cells"] == [
        {"student": an.pk, "code": "conduct", "value": "kha"},
        {"student": an.pk, "code": "absences_excused", "value": "3"},
        {"student": binh.pk, "code": "comment", "value": "Ngoan, chăm chỉ"},
    ]
    term = StudentTerm.objects.get(student=an, semester=1)
    assert (term.conduct, term.absences_excused) == ("kha", 3)
    refused = api("gvcn").post(
        url,
        {
            "changes": [
                {"student": an.pk, "code": "conduct", "old": "kha", "new": "Giỏi"},
                {"student": binh.pk, "code": "absences_unexcused", "old": "", "new": "2,5"},
            ]
        },
    )
    assert refused.status_code == 400
    assert [(e["code"], e["message"]) for e in refused.json()["cells"]] == [
        ("conduct", "Rèn luyện chỉ nhận Tốt, Khá, Đạt hoặc Chưa đạt (không nhận “Giỏi”)."),
        ("absences_unexcused", "Số buổi nghỉ là số nguyên từ 0 đến 250 (“2,5”)."),
    ]
    conflict = api("gvcn").post(
        url, {"changes": [{"student": an.pk, "code": "conduct", "old": "", "new": "Tốt"}]}
    )
    assert conflict.status_code == 409
    assert conflict.json()["cells"][0]["current"] == "kha"
    assert StudentTerm.objects.get(student=an, semester=1).conduct == "kha"


# Class results --------------------------------------------------------------------------------
def test_class_results_computed_then_official(world, api):
    api_world.fill(world.class_6a1)
    toan = Subject.objects.get(code="TOAN")
    binh = world.students["binh"]
    scores_save(
        actor=SYSTEM,
        school_class=world.class_6a1,
        subject=toan,
        semester=1,
        changes=[CellChange(binh.pk, "ck", "8", "")],
    )
    body = api("principal").get(results_url(world)).json()
    assert (body["period"], body["official"], body["computed_at"]) == (1, False, None)
    assert [s["code"] for s in body["subjects"]][:3] == ["NV", "TOAN", "NN1"]
    binh_row, an_row = body["rows"]  # in name order: "Đỗ" sorts as "Do"
    assert an_row | {"subjects": None} == {
        "student": world.students["an"].pk,
        "learner_id": "3407000001",
        "full_name": "Nguyễn Văn An",
        "learning": "tot",
        "learning_name": "Tốt",
        "conduct": "tot",
        "conduct_name": "Tốt",
        "award": "",
        "award_name": "",
        "decision": "",
        "decision_name": "",
        "absences": 0,
        "subjects": None,
    }
    assert an_row["subjects"]["TOAN"] == {"average": "8.0", "mark": None, "test": None}
    assert an_row["subjects"]["GDTC"] == {"average": None, "mark": "Đ", "test": None}
    assert (binh_row["learning"], binh_row["learning_name"]) == (None, "Chưa đủ điểm")
    assert binh_row["subjects"]["TOAN"] == {"average": None, "mark": None, "test": None}
    close(world)
    official = api("principal").get(results_url(world)).json()
    assert official["official"] is True and official["computed_at"]
    assert official["rows"][1]["learning"] == "tot"
    assert official["rows"][0]["learning"] is None
    assert official["rows"][1]["subjects"]["TOAN"]["average"] == "8.0"


def test_class_results_period_is_required_and_checked(world, api):
    client = api("principal")
    for query in ("", "?period=3", "?period=I"):
        response = client.get(f"{GB}/classes/{world.class_6a1.pk}/results/{query}")
        assert response.status_code == 400
        assert list(response.json()) == ["period"]


def test_year_results_with_award_and_decision(world, api):
    api_world.fill(world.class_6a1, value="9.5")
    api_world.fill(world.class_6a1, semester=2, value="9")
    body = api("gvcn").get(results_url(world, 0)).json()
    row = body["rows"][1]
    assert (row["learning"], row["conduct"]) == ("tot", "tot")
    assert (row["award"], row["award_name"]) == ("xuat_sac", "Học sinh Xuất sắc")
    assert (row["decision"], row["decision_name"]) == ("promoted", "Lên lớp")
    assert row["subjects"]["TOAN"]["average"] == "9.2"  # (9.5 + 2·9) / 3 = 9.17


# A student's results ------------------------------------------------------------------------
def test_parent_reads_the_official_results_of_the_child(world, api):
    assert api("parent").get(f"{GB}/students/{world.students['an'].pk}/results/").json() == {
        "student": {
            "id": world.students["an"].pk,
            "identifier": "3407000001",
            "full_name": "Nguyễn Văn An",
        },
        "results": [],
    }
    api_world.fill(world.class_6a1)
    close(world)
    body = api("parent").get(f"{GB}/students/{world.students['an'].pk}/results/").json()
    [result] = body["results"]
    assert result["school_year"] == {"id": world.year.pk, "code": "2025-2026"}
    assert result["class"] == {"id": world.class_6a1.pk, "name": "6A1", "grade": 6}
    assert (result["period"], result["learning"], result["learning_name"]) == (1, "tot", "Tốt")
    assert result["subjects"]["TOAN"] == {"average": "8.0", "mark": None, "test": None}
    sibling = api("parent").get(f"{GB}/students/{world.students['binh'].pk}/results/")
    assert sibling.status_code == 404


# School summaries -----------------------------------------------------------------------------
def test_summary_counts_levels_and_distributions(world, api):
    api_world.fill(world.class_6a1)
    body = api("bureau").get(summary_url(world)).json()
    assert body["school"]["id"] == world.school_a.pk
    assert body["school_year"]["code"] == "2025-2026"
    assert (body["period"], body["official"]) == (1, False)
    # 6A1: an and binh complete (Tốt); 6A2: chi with nothing entered.
    assert body["total"]["students"] == 3
    assert body["total"]["learning"] == [
        {"code": "tot", "name": "Tốt", "count": 2, "percent": "66.7"},
        {"code": "", "name": "Chưa đủ điểm", "count": 1, "percent": "33.3"},
    ]
    assert body["total"]["decisions"] == []
    assert [g["grade"] for g in body["grades"]] == [6]
    toan = next(s for s in body["subjects"] if s["code"] == "TOAN")
    assert toan["name"] == "Toán" and toan["count"] == 2
    assert [b["count"] for b in toan["bins"]] == [0, 0, 0, 0, 0, 2]
    assert toan["bins"][-1] == {"low": "8.0", "high": "10.0", "count": 2, "percent": "100.0"}
    assert "Nguyễn Văn An" not in str(body)
    close(world)
    official = api("bureau").get(summary_url(world)).json()
    assert official["official"] is True
    assert official["total"]["learning"] == body["total"]["learning"]


def test_summary_filters(world, api):
    client = api("bureau")
    assert client.get(f"{GB}/schools/{world.school_a.pk}/summary/").status_code == 400
    other_year = client.get(summary_url(world) + "&year=999999")
    assert other_year.status_code == 400 and list(other_year.json()) == ["year"]
    same = client.get(summary_url(world) + f"&year={world.year.pk}")
    assert same.status_code == 200


# Query counts -----------------------------------------------------------------------------------
def queries(client, url):
    client.get(url)  # the first request of a token also records its use
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def more_pupils(world, count):
    return [admit(world.class_6a1, f"Học Sinh Thêm {chr(65 + n)}").pk for n in range(count)]


@pytest.mark.parametrize("closed", [False, True])
def test_reads_do_not_grow_with_the_number_of_students(world, api, closed):
    api_world.fill(world.class_6a1)
    client = api("principal")
    an = world.students["an"]
    urls = [
        homeroom_url(world),
        results_url(world),
        summary_url(world),
        f"{GB}/students/{an.pk}/results/",
    ]
    pupils = more_pupils(world, 8)
    api_world.fill(world.class_6a1, value="7", pupils=pupils)
    if closed:
        close(world)
    small = {url: queries(client, url) for url in urls}
    api_world.fill(world.class_6a1, semester=2)  # unrelated rows do not matter either
    pupils = more_pupils(world, 12)
    if not closed:
        api_world.fill(world.class_6a1, value="6", pupils=pupils)
    assert {url: queries(client, url) for url in urls} == small
