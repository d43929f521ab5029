"""Releasing unconfirmed places from the round page and the API: the organiser only, after
the deadline, once; the rounds link to each other."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from truongso.admissions.models import AdmissionRound, Application, ConfirmationStatus, RoundStatus
from truongso.admissions.tests.results_helpers import Published, published_round
from truongso.core.models import AuditEntry
from truongso.testing.live import client_login

pytestmark = pytest.mark.django_db


@pytest.fixture
def pub(world: Any) -> Published:
    return published_round(world)


def client_for(user: Any) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="vi")
    client_login(client, user)
    return client


def released() -> int:
    return Application.objects.filter(confirmation=ConfirmationStatus.RELEASED).count()


def test_organiser_releases_from_the_round_page(world: Any, pub: Published) -> None:
    client = client_for(world.bureau)
    page = client.get(reverse("admission_rounds:detail", args=[pub.round.pk])).content.decode()
    assert "Giải phóng chỗ chưa xác nhận, tạo đợt 2" in page
    response = client.post(reverse("admission_rounds:release", args=[pub.round.pk]))
    second = AdmissionRound.objects.get(previous_round=pub.round)
    assert response.status_code == 302
    assert response["Location"] == reverse("admission_rounds:detail", args=[second.pk])
    assert (second.status, released()) == (RoundStatus.DRAFT, 3)
    assert AdmissionRound.objects.get(pk=pub.round.pk).status == RoundStatus.FINISHED
    page = client.get(response["Location"]).content.decode()
    assert "đã được tạo để chuẩn bị" in page
    assert f'Đợt 2 của <a href="{reverse("admission_rounds:detail", args=[pub.round.pk])}">' in page
    first = client.get(reverse("admission_rounds:detail", args=[pub.round.pk])).content.decode()
    assert "Chỗ học còn lại chuyển sang" in first and second.name in first
    assert "Giải phóng chỗ chưa xác nhận" not in first  # finished: nothing more to release
    client.post(reverse("admission_rounds:release", args=[pub.round.pk]))
    assert AdmissionRound.objects.filter(previous_round=pub.round).count() == 1
    assert AuditEntry.objects.filter(action="admission.release").count() == 1


def test_no_release_before_the_deadline_nor_by_a_school(world: Any, pub: Published) -> None:
    pub.round.confirmation_deadline = timezone.now() + dt.timedelta(days=1)
    pub.round.save(update_fields=["confirmation_deadline"])
    client = client_for(world.bureau)
    page = client.get(reverse("admission_rounds:detail", args=[pub.round.pk])).content.decode()
    assert "Giải phóng chỗ chưa xác nhận" not in page
    response = client.post(reverse("admission_rounds:release", args=[pub.round.pk]), follow=True)
    assert "Chưa hết hạn xác nhận nhập học." in response.content.decode()
    pub.round.confirmation_deadline = timezone.now() - dt.timedelta(days=1)
    pub.round.save(update_fields=["confirmation_deadline"])
    principal = client_for(world.principal)
    assert (
        principal.post(reverse("admission_rounds:release", args=[pub.round.pk])).status_code == 403
    )
    assert released() == 0
    assert not AdmissionRound.objects.filter(previous_round=pub.round).exists()


def test_release_through_the_api(world: Any, pub: Published) -> None:
    api = f"/api/v1/admissions/rounds/{pub.round.pk}/release/"
    assert client_for(world.principal).post(api).status_code == 403
    assert released() == 0
    client = client_for(world.bureau)
    body = client.post(api).json()
    second = AdmissionRound.objects.get(previous_round=pub.round)
    assert (body["id"], body["status"], body["name"]) == (second.pk, "draft", second.name)
    assert released() == 3
    assert client.post(api).json()["id"] == second.pk  # again: the same round, nothing changed
    assert released() == 3
