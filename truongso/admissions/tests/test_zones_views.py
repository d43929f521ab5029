"""A placement by zone (grades 1 and 6) on the department's pages in its own terms: per school
quota, admitted, in zone, by lottery, over quota, fill rate; no cut-offs; the lottery rule in
one sentence with its key; the schools of quota 0 that refused their own zone as a warning.
Exam runs keep their layout (tests/test_rounds_views.py)."""

from __future__ import annotations

import io

import openpyxl
import pytest
from django.urls import reverse

from truongso.admissions.models import AssignmentRun, RoundSchool
from truongso.admissions.services import runs, zones
from truongso.admissions.tests.rounds_world import english  # noqa: F401
from truongso.admissions.tests.test_rounds_views import login
from truongso.admissions.tests.test_zones_run import child, grade1

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


@pytest.fixture
def zone_round(world):
    """A: quota 2, zone Z1, three children of its zone (one over quota); B: quota 2, zone Z2,
    one child of its zone; C: quota 0, zone Z3: its one child is refused and goes on to B,
    where she takes the place left, by lottery."""
    r = grade1(world, zone_rules=False, quotas=(2, 2, 0))
    a, b, c = world.school_a, world.school_b, world.school_c
    child(r, "TS0001", [a], "Z1")
    child(r, "TS0002", [a], "Z1")
    child(r, "TS0003", [a], "Z1")
    child(r, "TS0004", [b], "Z2")
    child(r, "TS0005", [c, b], "Z3")
    return r


def test_run_page_shows_a_zone_run_in_its_own_terms(client, world, zone_round):
    run = zones.zone_run_create(actor=world.department, round=zone_round, label="Tuyến 1")
    login(client, world.department)
    page = client.get(reverse("admission_rounds:run", args=[run.pk]))
    html = page.content.decode()
    assert page.status_code == 200
    assert '<svg id="zone"' in html and '<svg id="fill"' in html
    assert '<svg id="cutoffs"' not in html
    assert "Cut-off" not in html and "Needed at NV1/NV2/NV3" not in html
    assert "Penalties" not in html
    assert "Placement by zone" in html
    assert f"SHA-256 of “{zone_round.pk}:&lt;application code&gt;”" in html
    key = zones.lottery_key(zone_round.pk, "TS0005")
    assert f'<code title="{key}">{key[:12]}…</code>' in html
    # A: quota 2, 3 admitted all in zone, 1 over quota, fill 150 %
    assert (
        '<td class="text-end">2</td><td class="text-end">3</td>\n'
        '    <td class="text-end">3</td><td class="text-end">0</td><td class="text-end">1</td>\n'
        '    <td class="text-end">150.0 %</td>'
    ) in html
    assert 'id="refusing"' in html
    assert "Trường THCS Đông Hợp: 1 child of its zone refused" in html


def test_no_warning_without_refusals(client, world, zone_round):
    RoundSchool.objects.filter(round=zone_round, school=world.school_c).update(quota=1)
    run = zones.zone_run_create(actor=world.department, round=zone_round)
    assert run.summary["in_zone_refused"] == 0
    login(client, world.department)
    html = client.get(reverse("admission_rounds:run", args=[run.pk])).content.decode()
    assert 'id="refusing"' not in html


def test_runs_page_and_compare_for_zone_runs(client, world, zone_round):
    login(client, world.department)
    url = reverse("admission_rounds:runs", args=[zone_round.pk])
    html = client.get(url).content.decode()
    assert 'name="penalties"' not in html and 'name="tie_rule"' not in html
    assert client.post(url, {"label": "Một"}).status_code == 302
    post = {"label": "C có chỉ tiêu", f"quota_{world.school_c.pk}": "1"}
    assert client.post(url, post).status_code == 302
    one = AssignmentRun.objects.get(label="Một")
    two = AssignmentRun.objects.get(label="C có chỉ tiêu")
    html = client.get(url).content.decode()
    assert html.count("Placement by zone") == 2
    assert "Tie rule" not in html
    page = client.get(reverse("admission_rounds:compare", args=[one.pk]), {"with": two.pk})
    html = page.content.decode()
    assert page.status_code == 200
    assert '<svg id="compare-admitted"' in html and '<svg id="compare-cutoffs"' not in html
    assert "Cut-off" not in html
    row = html[html.index("Trường THCS Đông Hợp</td>") :].split("</tr>")[0]
    # C: quota 0 → 1, admitted 0 → 1 (its own child), refused 1 → 0
    assert row.count('<td class="text-end">') == 6
    assert "0 → 1" in row and "1 → 0" in row


def test_zone_results_xlsx(client, world, zone_round):
    run = zones.zone_run_create(actor=world.department, round=zone_round)
    login(client, world.department)
    book = client.get(reverse("admission_rounds:run_xlsx", args=[run.pk]))
    rows = list(openpyxl.load_workbook(io.BytesIO(book.content)).worksheets[0].values)
    assert rows[0] == (
        "Application",
        "Name",
        "Zone",
        "School code",
        "Admitted to",
        "NV",
        "Placed by",
        "Lottery key",
        "Result",
    )
    by_code = {row[0]: row for row in rows[1:]}
    assert by_code["TS0001"] == (
        "TS0001",
        "Học sinh TS0001",
        "Z1",
        "34070001",
        "Trường THCS An Bài",
        1,
        "in zone",
        zones.lottery_key(zone_round.pk, "TS0001"),
        "Admitted",
    )
    assert by_code["TS0005"][3:8] == (
        "34070002",
        "Trường THCS Quỳnh Hải",
        2,
        "lottery",
        zones.lottery_key(zone_round.pk, "TS0005"),
    )
    # a school sees only its own applicants
    login(client, world.principal_c)
    book = client.get(reverse("admission_rounds:run_xlsx", args=[run.pk]))
    rows = list(openpyxl.load_workbook(io.BytesIO(book.content)).worksheets[0].values)
    assert [r[0] for r in rows[1:]] == ["TS0005"]


def test_stats_of_a_published_zone_round(client, world, zone_round, django_assert_max_num_queries):
    run = zones.zone_run_create(actor=world.department, round=zone_round)
    runs.run_publish(actor=world.department, run=run)
    login(client, world.department)
    with django_assert_max_num_queries(14):
        page = client.get(reverse("admission_rounds:stats", args=[zone_round.pk]))
    html = page.content.decode()
    assert '<svg id="zone"' in html and "Cut-off history" not in html
    assert "Placement by zone" in html
    xlsx = client.get(reverse("admission_rounds:stats_xlsx", args=[zone_round.pk]))
    book = openpyxl.load_workbook(io.BytesIO(xlsx.content))
    assert book.sheetnames[2] == "Placement by zone"
    rows = list(book.worksheets[2].values)
    assert rows[0][4:9] == (
        "Admitted",
        "In zone",
        "By lottery",
        "Over quota",
        "Children of the zone refused (quota 0)",
    )
    assert rows[1] == ("34020001", "Trường THCS Đông Hợp", "Z3", 0, 0, 0, 0, 0, 1, 0)
    assert rows[2] == ("34070001", "Trường THCS An Bài", "Z1", 2, 3, 3, 0, 1, 0, 1.5)
    assert rows[3] == ("34070002", "Trường THCS Quỳnh Hải", "Z2", 2, 2, 1, 1, 0, 0, 1)


def test_run_page_queries_do_not_grow_for_zone_runs(
    client, world, zone_round, django_assert_max_num_queries
):
    for i in range(40):
        child(zone_round, f"TS{100 + i:04d}", [world.school_a, world.school_b], "Z9")
    run = zones.zone_run_create(actor=world.department, round=zone_round)
    login(client, world.department)
    with django_assert_max_num_queries(16):
        page = client.get(reverse("admission_rounds:run", args=[run.pk]))
    assert page.content.decode().count("<tr>") >= 45
    for _ in range(3):  # more runs, the same queries
        zones.zone_run_create(actor=world.department, round=zone_round)
    with django_assert_max_num_queries(11):
        assert client.get(reverse("admission_rounds:runs", args=[zone_round.pk])).status_code == 200
