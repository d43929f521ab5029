"""The enrolment-code page: upload issues codes, a bad file shows row messages and saves
nothing, the .xlsx download is audited, other users and grade-10 rounds are refused."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from truongso.admissions.models import EnrolmentCode
from truongso.admissions.tests.rounds_world import make_round
from truongso.admissions.tests.test_zones_run import grade1
from truongso.core.models import AuditEntry
from truongso.testing.live import client_login

pytestmark = pytest.mark.django_db

CSV = "Name,Birth date,Zone\nNguyễn Văn An,01/03/2020,Z1\n".encode()


def login(client, user):
    client.cookies["truongso_language"] = "en"
    client_login(client, user)


def test_upload_then_download(client, world):
    r = grade1(world, zone_rules=True)
    login(client, world.department)
    url = reverse("admission_rounds:codes", args=[r.pk])
    assert client.get(url).status_code == 200
    page = client.post(url, {"file": SimpleUploadedFile("ds.csv", CSV)}, follow=True)
    assert "1 enrolment code issued." in page.content.decode()
    assert EnrolmentCode.objects.filter(round=r).count() == 1
    xlsx = client.get(reverse("admission_rounds:codes_xlsx", args=[r.pk]))
    assert xlsx.status_code == 200
    assert xlsx["Content-Disposition"] == f'attachment; filename="ma-tuyen-sinh-{r.pk}.xlsx"'
    assert AuditEntry.objects.filter(object_type="admissions.enrolment_codes").count() == 1


def test_bad_file_shows_rows_and_saves_nothing(client, world):
    r = grade1(world, zone_rules=True)
    login(client, world.department)
    bad = b"Name,Birth date,Zone\nAn,2020-13-40,Z1\n"
    page = client.post(
        reverse("admission_rounds:codes", args=[r.pk]), {"file": SimpleUploadedFile("a.csv", bad)}
    )
    assert page.status_code == 400
    assert "Row 2, birth date: not a date (dd/mm/yyyy)." in page.content.decode()
    assert EnrolmentCode.objects.count() == 0


def test_refused_for_others_and_grade10(client, world):
    r = grade1(world, zone_rules=True)
    login(client, world.principal)
    url = reverse("admission_rounds:codes", args=[r.pk])
    assert client.post(url, {"file": SimpleUploadedFile("ds.csv", CSV)}).status_code in (403, 404)
    assert client.get(reverse("admission_rounds:codes_xlsx", args=[r.pk])).status_code in (
        403,
        404,
    )
    login(client, world.department)
    r10 = make_round(world)
    assert client.get(reverse("admission_rounds:codes", args=[r10.pk])).status_code == 404
    assert EnrolmentCode.objects.count() == 0
    assert not AuditEntry.objects.filter(object_type="admissions.enrolment_codes").exists()


def test_runs_page_places_a_grade1_round_by_zone(client, world):
    from truongso.admissions.models import AssignmentRun
    from truongso.admissions.tests.test_zones_run import child

    r = grade1(world, zone_rules=True)
    child(r, "TS0001", [world.school_a], "Z1")
    login(client, world.department)
    page = client.post(
        reverse("admission_rounds:runs", args=[r.pk]),
        {"label": "Tuyến", "penalties": "0 1 2", "tie_rule": "admit_all"},
    )
    run = AssignmentRun.objects.get(round=r)
    assert page.status_code == 302
    assert (run.label, run.params["method"], run.admitted) == ("Tuyến", "zone", 1)
    assert client.get(reverse("admission_rounds:run", args=[run.pk])).status_code == 200
