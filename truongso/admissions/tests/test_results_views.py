"""The parent's result page (phone session) and the school's list of admitted students."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.http import HttpResponse
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from truongso.accounts.models import User
from truongso.admissions.models import Application, ConfirmationStatus
from truongso.admissions.parent_session import COOKIE, session_open
from truongso.admissions.tests.results_helpers import Published, published_round
from truongso.core.authz import SYSTEM
from truongso.core.models import AuditEntry
from truongso.registry.services import classes
from truongso.testing.live import client_login

pytestmark = pytest.mark.django_db


@pytest.fixture
def pub(world: Any, settings: Any) -> Published:
    settings.LANGUAGE_CODE = "en"
    classes.class_create(
        actor=SYSTEM, school=world.school_b, school_year=world.year, grade=6, name="6B1"
    )
    published = published_round(world)
    now = timezone.now()
    round_ = published.round
    round_.results_publish_at = now - dt.timedelta(days=1)
    round_.confirmation_deadline = now + dt.timedelta(days=7)
    round_.save()
    return published


def parent(phone: str) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    response = HttpResponse()
    session_open(response, phone)
    client.cookies[COOKIE] = response.cookies[COOKIE].value
    return client


def staff(username: str) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client_login(client, User.objects.get(username=username))
    return client


def test_not_admitted_parent_sees_why_not_her_first_choice(pub: Published) -> None:
    response = parent("0987555666").get(reverse("admissions_results:detail", args=["TS25000004"]))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Not admitted: your score was below the cut-off at every preference." in page
    assert (
        "NV1 Trường THCS An Bài: score 24.00 − penalty 0.00 = 24.00, below the cut-off 24.50 "
        "(needed 24.50 at this preference)." in page
    )
    assert (
        "NV2 Trường THCS Quỳnh Hải: score 24.00 − penalty 1.00 = 23.00, below the cut-off "
        "27.50 (needed 28.50 at this preference)." in page
    )
    assert "Confirm enrolment" not in page


def test_admitted_at_nv2_sees_result_explanation_and_confirms(pub: Published) -> None:
    client = parent("0987333444")
    url = reverse("admissions_results:detail", args=["TS25000003"])
    page = client.get(url).content.decode()
    assert "Admitted to Trường THCS An Bài at preference 2." in page
    assert "Why not my first choice?" in page
    assert (
        "NV1 Trường THCS Quỳnh Hải: score 25.50 − penalty 0.00 = 25.50, below the cut-off 27.50"
        in page
    )
    assert "NV2 Trường THCS An Bài: admitted (score 25.50 − penalty 1.00 = 24.50)." in page
    response = client.post(reverse("admissions_results:answer", args=["TS25000003", "confirm"]))
    assert response.status_code == 302
    minh = Application.objects.get(code="TS25000003")
    assert minh.confirmation == ConfirmationStatus.CONFIRMED
    page = client.get(url).content.decode()
    assert "Enrolment confirmed: Lê Văn Minh will study at Trường THCS An Bài." in page


def test_parent_declines(pub: Published) -> None:
    client = parent("0987111222")
    client.post(reverse("admissions_results:answer", args=["TS25000002", "decline"]))
    assert Application.objects.get(code="TS25000002").confirmation == ConfirmationStatus.DECLINED


def test_another_phone_or_no_session_sees_nothing_and_changes_nothing(pub: Published) -> None:
    url = reverse("admissions_results:detail", args=["TS25000002"])
    assert parent("0987333444").get(url).status_code == 404
    answer = reverse("admissions_results:answer", args=["TS25000002", "confirm"])
    assert parent("0987333444").post(answer).status_code == 404
    assert Client().post(answer).status_code == 403
    anonymous = Client().get(url)
    assert anonymous.status_code == 403
    assert (
        anonymous.context["login_url"] == "/admissions/phone/?next=/admissions/results/TS25000002/"
    )
    mine = Client().get(reverse("admissions_results:mine"))
    assert mine.status_code == 403
    assert Application.objects.get(code="TS25000002").confirmation == ConfirmationStatus.PENDING
    assert not AuditEntry.objects.filter(action__startswith="admission.").exists()


def test_before_publication_time_the_result_is_hidden(pub: Published) -> None:
    pub.round.results_publish_at = timezone.now() + dt.timedelta(hours=2)
    pub.round.save()
    page = parent("0987111222").get(reverse("admissions_results:detail", args=["TS25000002"]))
    text = page.content.decode()
    assert "Results will be published at" in text
    assert "Admitted" not in text
    assert (
        parent("0987111222")
        .post(reverse("admissions_results:answer", args=["TS25000002", "confirm"]))
        .status_code
        == 302
    )
    assert Application.objects.get(code="TS25000002").confirmation == ConfirmationStatus.PENDING


def test_my_results_lists_the_phone_applications(pub: Published) -> None:
    page = parent("0912345678").get(reverse("admissions_results:mine")).content.decode()
    assert "Nguyễn Văn An" in page
    assert "Admitted to Trường THCS Quỳnh Hải at preference 1." in page
    assert "Trần Thị Lan" not in page


def test_school_list_with_progress(
    world: Any, pub: Published, django_assert_num_queries: Any
) -> None:
    url = reverse("admissions_results:school", args=[pub.round.pk, world.school_a.pk])
    client = staff("principal")
    parent("0987111222").post(reverse("admissions_results:answer", args=["TS25000002", "confirm"]))
    with django_assert_num_queries(10):
        response = client.get(url)
    assert response.status_code == 200
    progress = response.context["progress"]
    assert (progress.admitted, progress.confirmed, progress.waiting, progress.percent) == (
        2,
        1,
        1,
        50,
    )
    # Confirmed after the (test) school year ended: in the registry from its last day.
    assert progress.handed_over == 1
    lan = Application.objects.select_related("student__current_class").get(code="TS25000002")
    assert lan.student is not None and lan.student.current_class is not None
    assert lan.student.current_class.name == "6A2"
    assert lan.student.events.get().date == world.year.end_date
    assert [a.code for a in response.context["page_obj"]] == ["TS25000003", "TS25000002"]
    with django_assert_num_queries(10):  # the same for one row as for two
        waiting = client.get(url, {"state": "waiting"})
    assert [a.code for a in waiting.context["page_obj"]] == ["TS25000003"]
    found = client.get(url, {"q": "tran thi"})
    assert [a.code for a in found.context["page_obj"]] == ["TS25000002"]
    rounds = client.get(reverse("admissions_results:schools")).content.decode()
    assert "Trường THCS An Bài" in rounds
    assert "Trường THCS Quỳnh Hải" not in rounds


def test_school_confirms_in_person(world: Any, pub: Published) -> None:
    url = reverse(
        "admissions_results:school_answer",
        args=[pub.round.pk, world.school_a.pk, "TS25000003", "confirm"],
    )
    assert staff("principal").post(url).status_code == 302
    assert Application.objects.get(code="TS25000003").confirmation == ConfirmationStatus.CONFIRMED


@pytest.mark.parametrize("who", ["principal_c", "teacher", "parent", "other_bureau"])
def test_others_cannot_read_or_answer_for_the_school(world: Any, pub: Published, who: str) -> None:
    client = staff(who)
    url = reverse("admissions_results:school", args=[pub.round.pk, world.school_a.pk])
    assert client.get(url).status_code == 403
    answer = reverse(
        "admissions_results:school_answer",
        args=[pub.round.pk, world.school_a.pk, "TS25000003", "confirm"],
    )
    assert client.post(answer).status_code == 403
    assert Application.objects.get(code="TS25000003").confirmation == ConfirmationStatus.PENDING


def test_result_page_in_vietnamese(pub: Published) -> None:
    client = parent("0987333444")
    client.cookies["truongso_language"] = "vi"
    page = client.get(reverse("admissions_results:detail", args=["TS25000003"])).content.decode()
    assert "Trúng tuyển vào Trường THCS An Bài theo nguyện vọng 2." in page
    assert "Vì sao không đỗ nguyện vọng 1?" in page
    assert "Xác nhận nhập học" in page


def test_school_exports_the_admitted_list(world: Any, pub: Published) -> None:
    import io

    from openpyxl import load_workbook

    url = reverse("admissions_results:school_export", args=[pub.round.pk, world.school_a.pk])
    response = staff("principal").get(url)
    assert response.status_code == 200
    assert response["Content-Disposition"] == (
        f'attachment; filename="trung-tuyen-34070001-{pub.round.pk}.xlsx"'
    )
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = [list(r) for r in sheet.iter_rows(min_row=4, values_only=True)]
    assert rows == [
        [
            1,
            "TS25000003",
            None,
            "Lê Văn Minh",
            "01/05/2014",
            25.5,
            2,
            "Waiting for confirmation",
            "Phụ huynh",
            "0987333444",
            None,
        ],
        [
            2,
            "TS25000002",
            None,
            "Trần Thị Lan",
            "01/05/2014",
            26.0,
            1,
            "Waiting for confirmation",
            "Trần Văn Ba",
            "0987111222",
            None,
        ],
    ]
    entry = AuditEntry.objects.get(action="export")
    assert (entry.actor_name, entry.object_type, entry.org_path) == (
        "principal",
        "admissions.admitted",
        world.school_a.path,
    )
    assert entry.after == {"rows": 2, "round": pub.round.pk, "school": world.school_a.pk}
    denied = staff("teacher").get(url)
    assert denied.status_code == 403
    assert AuditEntry.objects.filter(action="export").count() == 1
