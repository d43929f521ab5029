"""The department's round pages: list, create, edit, schools, scores, runs, comparison,
publication, statistics; who may see and do what; query counts on the lists."""

from __future__ import annotations

import io

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from truongso.admissions.models import (
    AdmissionRound,
    Application,
    AssignmentRun,
    RoundSchool,
    RoundStatus,
)
from truongso.admissions.services import runs
from truongso.admissions.tests.rounds_world import apply, english, make_round  # noqa: F401
from truongso.testing.live import client_login


def login(client, user):
    """Pages in English (the msgids); the Vietnamese pages are the default elsewhere."""
    client.cookies["truongso_language"] = "en"
    client_login(client, user)


pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


@pytest.fixture
def round10(world):
    r = make_round(world, quotas=(2, 1, 1))
    a, b, c = world.school_a, world.school_b, world.school_c
    apply(r, "HS0001", [a], score="27")
    apply(r, "HS0002", [a, b], score="26")
    apply(r, "HS0003", [a, b], score="25")
    apply(r, "HS0004", [b], score="24.5")
    apply(r, "HS0007", [c], score="22")
    return r


def test_list_visible_to_officers_and_participating_schools(client, world, round10):
    login(client, world.department)
    page = client.get(reverse("admission_rounds:list"))
    assert page.status_code == 200
    assert round10.name in page.content.decode()
    assert reverse("admission_rounds:create") in page.content.decode()
    login(client, world.principal)
    page = client.get(reverse("admission_rounds:list"))
    assert round10.name in page.content.decode()
    assert reverse("admission_rounds:create") not in page.content.decode()
    login(client, world.parent)
    assert client.get(reverse("admission_rounds:list")).status_code == 403


def test_list_query_count_does_not_grow(client, world, round10, django_assert_max_num_queries):
    login(client, world.department)
    for i in range(5):
        AdmissionRound.objects.create(
            organiser=world.department_unit,
            name=f"Đợt {i}",
            kind="grade10",
            registration_opens=round10.registration_opens,
            registration_closes=round10.registration_closes,
        )
    with django_assert_max_num_queries(12):
        assert client.get(reverse("admission_rounds:list")).status_code == 200


def test_create_and_edit_through_the_form(client, world):
    login(client, world.department)
    data = {
        "organiser": world.department_unit.pk,
        "name": "Lớp 10 năm 2026",
        "kind": "grade10",
        "registration_opens": "2026-05-01T08:00",
        "registration_closes": "2026-05-15T17:00",
        "preferences_max": "3",
        "subjects": "toan | Toán | 2\nvan | Ngữ văn | 2\nanh | Tiếng Anh | 1",
        "max_score": "10",
        "priority_bonus": "1: 2,0; 2: 1,5; 3: 1",
        "encouragement_max": "0",
        "exclude_on_zero": "on",
        "penalties": "0; 2; 1",
        "tie_rule": "admit_all",
    }
    page = client.post(reverse("admission_rounds:create"), data)
    assert page.status_code == 400
    assert "penalties never decrease" in page.content.decode()
    assert not AdmissionRound.objects.exists()
    data["penalties"] = "0; 1; 2"
    page = client.post(reverse("admission_rounds:create"), data)
    r = AdmissionRound.objects.get()
    assert page.status_code == 302
    assert r.formula["subjects"][0] == {"code": "toan", "name": "Toán", "weight": "2"}
    assert r.priority_bonus == {"1": "2.0", "2": "1.5", "3": "1"}
    # opens at 08:00 in Hà Nội = 01:00 UTC
    assert r.registration_opens.isoformat() == "2026-05-01T01:00:00+00:00"
    # an open round: the same rules sent back are fine, the name changes
    RoundSchool.objects.create(round=r, school=world.school_a, quota=10)
    r.status = RoundStatus.OPEN
    r.save()
    data["name"] = "Lớp 10 — đợt 1"
    page = client.post(reverse("admission_rounds:edit", args=[r.pk]), data)
    assert page.status_code == 302
    r.refresh_from_db()
    assert r.name == "Lớp 10 — đợt 1"
    data["penalties"] = "0; 0; 0"  # read-only once open: ignored (tests/test_rounds_edit.py)
    page = client.post(reverse("admission_rounds:edit", args=[r.pk]), data)
    assert page.status_code == 302
    r.refresh_from_db()
    assert r.penalties == ["0", "1", "2"]
    login(client, world.principal)
    assert client.get(reverse("admission_rounds:edit", args=[r.pk])).status_code == 403
    assert client.get(reverse("admission_rounds:create")).status_code == 403


def test_schools_page_sets_quotas(client, world, round10):
    login(client, world.department)
    url = reverse("admission_rounds:schools", args=[round10.pk])
    assert client.get(url).status_code == 200
    a, b, c = world.school_a.pk, world.school_b.pk, world.school_c.pk
    page = client.post(url, {f"take_{a}": "on", f"quota_{a}": "x", f"take_{b}": "on"})
    assert page.status_code == 400
    assert "is not a whole number" in page.content.decode()
    post = {f"take_{s}": "on" for s in (a, b, c)}
    post |= {f"quota_{a}": "5", f"quota_{b}": "3", f"quota_{c}": "4", f"open_{a}": "on"}
    assert client.post(url, post).status_code == 302
    assert dict(RoundSchool.objects.values_list("school_id", "quota")) == {a: 5, b: 3, c: 4}
    assert RoundSchool.objects.get(school_id=b).is_open is False


def test_scores_upload_page(client, world, round10):
    login(client, world.department)
    url = reverse("admission_rounds:scores", args=[round10.pk])
    bad = SimpleUploadedFile("d.csv", b"ma_ho_so,toan,van,anh\nHS0001,8,8,11\n")
    page = client.post(url, {"file": bad})
    assert page.status_code == 400
    assert "Row 2, column “anh”: 11 is outside 0–10." in page.content.decode()
    good = SimpleUploadedFile("d.csv", b"ma_ho_so,toan,van,anh\nHS0001,8,8,9\n")
    assert client.post(url, {"file": good}).status_code == 302
    assert str(Application.objects.get(code="HS0001").admission_score) == "25.00"
    login(client, world.principal)
    assert client.get(url).status_code == 403


def test_runs_compare_publish_and_stats(client, world, round10):
    login(client, world.department)
    url = reverse("admission_rounds:runs", args=[round10.pk])
    assert client.get(url).status_code == 200
    page = client.post(url, {"label": "Lần 1", "penalties": "0; 1; 2", "tie_rule": "admit_all"})
    first = AssignmentRun.objects.get(label="Lần 1")
    assert page.url == reverse("admission_rounds:run", args=[first.pk])
    post = {"label": "Không chênh", "penalties": "0; 0; 0", "tie_rule": "admit_all"}
    post[f"quota_{world.school_c.pk}"] = "0"
    client.post(url, post)
    second = AssignmentRun.objects.get(label="Không chênh")
    assert second.params["quotas"][str(world.school_c.pk)] == 0
    page = client.get(reverse("admission_rounds:run", args=[first.pk]))
    html = page.content.decode()
    assert '<svg id="cutoffs"' in html and '<svg id="fill"' in html
    assert 'data-value="26.0"' in html
    assert "HS0003" in html
    page = client.get(reverse("admission_rounds:compare", args=[first.pk]), {"with": second.pk})
    assert page.status_code == 200
    assert "3 applicants placed differently" in page.content.decode()
    # a principal sees the run but cannot publish
    login(client, world.principal)
    assert client.get(reverse("admission_rounds:run", args=[first.pk])).status_code == 200
    assert client.post(reverse("admission_rounds:publish", args=[first.pk])).status_code == 403
    assert client.post(url, {"penalties": "0; 1; 2", "tie_rule": "admit_all"}).status_code == 403
    login(client, world.department)
    page = client.post(reverse("admission_rounds:publish", args=[first.pk]), {"at": ""})
    assert page.status_code == 302
    round10.refresh_from_db()
    assert round10.status == RoundStatus.PUBLISHED
    assert runs.results_visible(round10)
    page = client.get(reverse("admission_rounds:stats", args=[round10.pk]))
    html = page.content.decode()
    assert '<svg id="ratio"' in html and '<svg id="confirmation"' in html
    xlsx = client.get(reverse("admission_rounds:stats_xlsx", args=[round10.pk]))
    book = openpyxl.load_workbook(io.BytesIO(xlsx.content))
    rows = list(book.worksheets[0].values)
    assert rows[0] == (
        "School code",
        "School",
        "Quota",
        "NV1",
        "NV2",
        "NV3",
        "Applicants per place (NV1)",
    )
    assert rows[2] == ("34070001", "Trường THCS An Bài", 2, 3, 0, 0, 1.5)
    assert list(book.worksheets[2].values)[2] == ("34070001", "Trường THCS An Bài", 26)


def test_other_bureau_principal_sees_only_its_rounds(client, world, round10):
    other = AdmissionRound.objects.create(
        organiser=world.bureau_unit,
        name="Đợt của Quỳnh Phụ",
        kind="grade10",
        registration_opens=round10.registration_opens,
        registration_closes=round10.registration_closes,
    )
    login(client, world.principal_c)
    assert client.get(reverse("admission_rounds:detail", args=[other.pk])).status_code == 404
    assert client.get(reverse("admission_rounds:detail", args=[round10.pk])).status_code == 200


def test_run_detail_and_stats_queries_do_not_grow(
    client, world, round10, django_assert_max_num_queries
):
    for i in range(40):
        apply(round10, f"HS{100 + i:04d}", [world.school_a, world.school_b], score=f"{10 + i % 15}")
    run = runs.run_create(actor=world.department, round=round10)
    login(client, world.department)
    with django_assert_max_num_queries(16):
        page = client.get(reverse("admission_rounds:run", args=[run.pk]))
    assert page.status_code == 200
    assert page.content.decode().count("<tr>") >= 45
    with django_assert_max_num_queries(14):
        assert client.get(reverse("admission_rounds:stats", args=[round10.pk])).status_code == 200
    with django_assert_max_num_queries(14):
        assert client.get(reverse("admission_rounds:detail", args=[round10.pk])).status_code == 200


def test_score_sheet_and_results_downloads(client, world, round10):
    login(client, world.department)
    sheet = client.get(reverse("admission_rounds:score_sheet", args=[round10.pk]))
    rows = list(openpyxl.load_workbook(io.BytesIO(sheet.content)).worksheets[0].values)
    assert rows[0] == ("ma_ho_so", "toan", "van", "anh")
    assert [r[0] for r in rows[1:]] == ["HS0001", "HS0002", "HS0003", "HS0004", "HS0007"]
    run = runs.run_create(actor=world.department, round=round10)
    book = client.get(reverse("admission_rounds:run_xlsx", args=[run.pk]))
    rows = list(openpyxl.load_workbook(io.BytesIO(book.content)).worksheets[0].values)
    assert rows[1] == (
        "HS0001",
        "Học sinh HS0001",
        27,
        "34070001",
        "Trường THCS An Bài",
        1,
        "Admitted",
    )
    # HS0003 (25, NV2 school B: 25 − 1 < HS0004's 24.5 at NV1) has no place
    assert (rows[3][0], rows[3][6]) == ("HS0003", "Not admitted")
    assert len(rows) == 6
    # a school downloads only its own applicants
    login(client, world.principal_c)
    book = client.get(reverse("admission_rounds:run_xlsx", args=[run.pk]))
    rows = list(openpyxl.load_workbook(io.BytesIO(book.content)).worksheets[0].values)
    assert [r[0] for r in rows[1:]] == ["HS0007"]
    assert client.get(reverse("admission_rounds:score_sheet", args=[round10.pk])).status_code == 403


def test_run_page_in_vietnamese_words_and_numbers(client, world, round10):
    """No stored code on the page: results, the tie rule and scores as Vietnamese write them."""
    client_login(client, world.department)  # Vietnamese, the default
    run = runs.run_create(actor=world.department, round=round10, label="Lần 1")
    html = client.get(reverse("admission_rounds:run", args=[run.pk])).content.decode()
    assert "Lấy tất cả thí sinh bằng điểm chuẩn" in html  # not admit_all
    assert "admit_all" not in html
    assert ">Trúng tuyển</td>" in html and ">Không trúng tuyển</td>" in html
    assert ">admitted<" not in html and ">no_place<" not in html
    assert '<option value="no_place">Không trúng tuyển</option>' in html
    assert "26,00 / 27,00 / 28,00" in html  # school A: cut-off 26 and the marks at NV2, NV3
    assert "0 / 1 / 2" in html  # the penalties as entered
