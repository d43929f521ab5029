"""Pages and the public verification, with the test client."""

from __future__ import annotations

import hashlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from truongso.registry.tests.test_org_views import login
from truongso.reportcards.models import CardStatus, ReportCard, Stage
from truongso.reportcards.services.batches import batch_execute, batch_start
from truongso.testing.world import PASSWORD


@pytest.fixture
def issued(keyed):
    w = keyed
    batch_execute(
        batch_id=batch_start(actor=w.homeroom, school_year=w.year, school_class=w.class_6a2).pk
    )
    batch_execute(batch_id=batch_start(actor=w.principal, school_year=w.year, school=w.school_a).pk)
    return ReportCard.objects.get(student=w.students["chi"])


def test_verify_page_shows_masked_data_only(client, issued):
    response = client.get(reverse("verify:card", args=[issued.verify_code]))
    body = response.content.decode()
    assert response.status_code == 200
    assert "H. T. C." in body
    for secret in ("Hoàng Thị Chi", "3407000003", "12/03/2014", "Thái Bình", "6A2"):
        assert secret not in body
    assert issued.sha256 in body
    assert "Giáo viên chủ nhiệm" in body or "Homeroom teacher" in body


def test_upload_the_issued_file_is_genuine(client, issued):
    with issued.pdf.open("rb") as handle:
        body = handle.read()
    response = client.post(
        reverse("verify:card", args=[issued.verify_code]),
        {"file": SimpleUploadedFile("hb.pdf", body, "application/pdf")},
    )
    check = response.context["check"]
    assert (check.matches, check.signatures_valid, check.genuine) == (True, True, True)
    tampered = body[:-600] + bytes([body[-600] ^ 1]) + body[-599:]
    response = client.post(
        reverse("verify:home"),
        {"file": SimpleUploadedFile("hb.pdf", tampered, "application/pdf")},
    )
    check = response.context["check"]
    assert check.genuine is False
    assert check.sha256 == hashlib.sha256(tampered).hexdigest()


def test_unknown_code_is_404(client, db):
    assert client.get(reverse("verify:card", args=["ZZZZZ99999"])).status_code == 404


def test_code_is_normalised(client, issued):
    typed = f"{issued.verify_code[:5].lower()}-{issued.verify_code[5:]}"
    response = client.get(reverse("verify:home"), {"code": typed})
    assert response.status_code == 302
    assert response["Location"] == reverse("verify:card", args=[issued.verify_code])


def test_api_verify(client, issued):
    response = client.get(f"/api/v1/reportcards/verify/{issued.verify_code}/")
    data = response.json()
    assert (data["status"], data["student"], data["sha256"]) == (
        "issued",
        "H. T. C.",
        issued.sha256,
    )
    assert "full_name" not in response.content.decode()
    with issued.pdf.open("rb") as handle:
        response = client.post(
            "/api/v1/reportcards/verify/",
            {"file": SimpleUploadedFile("hb.pdf", handle.read(), "application/pdf")},
        )
    assert response.json()["genuine"] is True
    assert response.json()["card"]["code"] == issued.code_display


def test_homeroom_pages(client, keyed):
    w = keyed
    login(client, w.homeroom)
    page = client.get(reverse("reportcards:class_detail", args=[w.class_6a2.pk]))
    assert page.status_code == 200
    assert page.context["page"].may_sign is True
    preview = client.get(
        reverse("reportcards:preview", args=[w.class_6a2.pk, w.students["chi"].pk])
    )
    assert preview["Content-Type"] == "application/pdf"
    # another class: out of reach
    assert client.get(reverse("reportcards:class_detail", args=[w.class_6a1.pk])).status_code == 404


def test_teacher_of_another_class_cannot_sign(client, keyed):
    w = keyed
    login(client, w.teacher)
    response = client.post(reverse("reportcards:class_detail", args=[w.class_6a2.pk]))
    assert response.status_code == 404
    login(client, w.principal)
    response = client.post(reverse("reportcards:class_detail", args=[w.class_6a2.pk]))
    assert response.status_code == 403
    assert not ReportCard.objects.exists()


def test_correction_supersedes(client, issued, keyed):
    w = keyed
    login(client, w.principal)
    response = client.post(
        reverse("reportcards:card_detail", args=[issued.pk]),
        {"action": "correct", "reason": "Sửa điểm môn Toán sau phúc khảo"},
    )
    new = ReportCard.objects.get(student=w.students["chi"], version=2)
    assert response.status_code == 302
    assert (new.status, new.stage, new.supersedes_id) == (
        CardStatus.SIGNING,
        Stage.RENDERED,
        issued.pk,
    )
    issued.refresh_from_db()
    assert issued.status == CardStatus.ISSUED  # until the correction is issued
    batch_execute(
        batch_id=batch_start(actor=w.homeroom, school_year=w.year, school_class=w.class_6a2).pk
    )
    batch_execute(batch_id=batch_start(actor=w.principal, school_year=w.year, school=w.school_a).pk)
    issued.refresh_from_db()
    new.refresh_from_db()
    assert (issued.status, new.status) == (CardStatus.SUPERSEDED, CardStatus.ISSUED)
    body = client.get(reverse("verify:card", args=[issued.verify_code])).content.decode()
    assert "Sửa điểm môn Toán sau phúc khảo" in body
    assert PASSWORD not in body


def test_revoked_card_says_so(client, issued, keyed):
    w = keyed
    login(client, w.principal)
    client.post(
        reverse("reportcards:card_detail", args=[issued.pk]),
        {"action": "revoke", "reason": "Phát hành nhầm học sinh đã chuyển đi"},
    )
    issued.refresh_from_db()
    assert issued.status == CardStatus.REVOKED
    client.logout()
    response = client.get(reverse("verify:card", args=[issued.verify_code]))
    assert response.context["card"].status == "revoked"
    assert "Phát hành nhầm" not in response.content.decode()  # the reason stays inside


def test_short_reason_is_refused_and_nothing_changes(client, issued, keyed):
    login(client, keyed.principal)
    response = client.post(
        reverse("reportcards:card_detail", args=[issued.pk]),
        {"action": "correct", "reason": "sai"},
    )
    assert response.status_code == 200
    assert "ít nhất 10 kí tự" in response.content.decode()
    assert ReportCard.objects.count() == 1


@pytest.mark.parametrize("who", ["vice", "clerk", "homeroom"])
def test_only_the_principal_corrects(client, issued, keyed, who):
    login(client, keyed.users[who])
    response = client.post(
        reverse("reportcards:card_detail", args=[issued.pk]),
        {"action": "correct", "reason": "Sửa điểm môn Toán sau phúc khảo"},
    )
    assert response.status_code == 403
    issued.refresh_from_db()
    assert (ReportCard.objects.count(), issued.status) == (1, CardStatus.ISSUED)
