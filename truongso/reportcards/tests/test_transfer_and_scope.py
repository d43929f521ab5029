"""Cards travel with the learner; who sees which card; the transfer zip; query counts."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import zipfile

import pytest
from django.http import Http404
from django.urls import reverse

from truongso.core.authz import SYSTEM
from truongso.registry.services import enrolment
from truongso.registry.tests.test_org_views import login
from truongso.reportcards import selectors
from truongso.reportcards.models import ReportCard
from truongso.reportcards.services.batches import batch_execute, batch_start


@pytest.fixture
def issued(keyed):
    w = keyed
    for actor, where in (
        (w.homeroom, {"school_class": w.class_6a2}),
        (w.principal, {"school": w.school_a}),
    ):
        batch_execute(batch_id=batch_start(actor=actor, school_year=w.year, **where).pk)
    return ReportCard.objects.get(student=w.students["chi"])


@pytest.mark.parametrize(
    ("who", "sees"),
    [
        ("principal", True),
        ("vice", True),
        ("clerk", True),
        ("homeroom", True),
        ("teacher", False),
        ("accountant", False),
        ("parent", False),  # parent of an, not of chi
        ("student", False),
        ("principal_c", False),
        ("bureau", False),
        ("nobody", False),
    ],
)
def test_who_sees_a_card(issued, who, sees):
    from truongso.accounts.models import User

    user = User.objects.get(username=who)
    assert selectors.cards(user).filter(pk=issued.pk).exists() is sees
    if not sees:
        with pytest.raises(Http404):
            selectors.card_for(user, issued.pk)


def test_cards_travel_with_the_learner(issued, keyed):
    w = keyed
    chi = w.students["chi"]
    other = w.users["principal_c"]
    assert not selectors.cards(other).filter(pk=issued.pk).exists()
    request = enrolment.transfer_request(
        actor=SYSTEM,
        student=chi,
        to_school=w.school_c,
        date=dt.date(2026, 5, 20),
        reason="Chuyển nhà",
    )
    assert selectors.cards(other).filter(pk=issued.pk).exists()  # while the transfer waits
    enrolment.transfer_accept(actor=SYSTEM, request=request, to_class=w.class_c)
    assert selectors.cards(other).filter(pk=issued.pk).exists()
    assert selectors.cards(w.principal).filter(pk=issued.pk).exists()  # the issuing school keeps it


def test_transfer_zip_holds_the_issued_files(client, issued, keyed):
    w = keyed
    login(client, w.principal)
    response = client.get(reverse("reportcards:student_zip", args=[w.students["chi"].pk]))
    assert response["Content-Type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    manifest = json.loads(archive.read("manifest.json"))
    assert manifest["learner_id"] == "3407000003"
    [entry] = manifest["cards"]
    assert entry["file"] == "hoc-ba-3407000003-2025-2026-v1.pdf"
    body = archive.read(entry["file"])
    assert hashlib.sha256(body).hexdigest() == issued.sha256 == entry["sha256"]
    assert entry["verify_url"] == f"http://127.0.0.1:8000/verify/{issued.verify_code}/"
    assert "README.txt" in archive.namelist()
    from truongso.core.models import AuditEntry

    assert AuditEntry.objects.filter(action="export", object_type="reportcards.zip").count() == 1


def test_parent_reaches_own_child_only(client, issued, keyed):
    w = keyed
    login(client, w.parent)
    assert client.get(reverse("reportcards:card_detail", args=[issued.pk])).status_code == 404
    assert client.get(reverse("reportcards:card_pdf", args=[issued.pk])).status_code == 404
    assert (
        client.get(reverse("reportcards:student_zip", args=[issued.student_id])).status_code == 404
    )
    response = client.get(f"/api/v1/reportcards/students/{issued.student_id}/cards/")
    assert response.status_code == 404


def test_api_student_cards(client, issued, keyed):
    login(client, keyed.principal)
    rows = client.get(f"/api/v1/reportcards/students/{issued.student_id}/cards/").json()
    assert [(r["school_year"], r["version"], r["status"], r["sha256"]) for r in rows] == [
        ("2025-2026", 1, "issued", issued.sha256)
    ]


def test_class_page_queries_do_not_grow(client, keyed, django_assert_num_queries):
    w = keyed
    url = reverse("reportcards:class_detail", args=[w.class_6a1.pk])
    login(client, w.principal)
    with django_assert_num_queries(QUERIES_CLASS):
        client.get(url)
    batch_execute(
        batch_id=batch_start(actor=w.homeroom, school_year=w.year, school_class=w.class_6a2).pk
    )
    with django_assert_num_queries(QUERIES_CLASS):
        client.get(reverse("reportcards:class_detail", args=[w.class_6a2.pk]))


def test_school_page_queries(client, keyed, django_assert_num_queries):
    w = keyed
    login(client, w.principal)
    with django_assert_num_queries(QUERIES_SCHOOL):
        response = client.get(reverse("reportcards:school_year", args=[w.school_a.pk, w.year.pk]))
    rows = {r.school_class.name: r.students for r in response.context["page"].classes}
    assert rows == {"6A1": 2, "6A2": 1}


# Whatever the number of students and cards (sessions, OTP, grants, menu included).
QUERIES_CLASS = 13
QUERIES_SCHOOL = 16
