"""Enrolment pages: class change, transfer between schools, leaving, return, transfer inbox."""

from __future__ import annotations

import datetime as dt
import re
from types import SimpleNamespace

import pytest
from django.urls import reverse

from truongso.accounts.services import role_grant
from truongso.core.authz import SYSTEM, Role
from truongso.core.models import AuditEntry
from truongso.registry.models import (
    EnrolmentEvent,
    Placement,
    RegisterEntry,
    Student,
    TransferRequest,
)
from truongso.registry.services import classes, enrolment
from truongso.testing.live import client_login
from truongso.testing.world import make_user

pytestmark = pytest.mark.usefixtures("registry_consistent")

DAY = dt.date(2025, 11, 3)


@pytest.fixture
def school_b(world):
    """School B (same bureau as A) with a grade-6 class and its principal."""
    class_b = classes.class_create(
        actor=SYSTEM, school=world.school_b, school_year=world.year, grade=6, name="6B1"
    )
    principal = make_user("principal_b", "Hiệu trưởng Quỳnh Hải")
    role_grant(
        actor=SYSTEM, user=principal, role=Role.PRINCIPAL, org_unit=world.school_b, check=False
    )
    return SimpleNamespace(school_class=class_b, principal=principal)


def url(name, student):
    return reverse(f"registry:{name}", args=[student.pk])


def state(student):
    """Everything an enrolment action may change about one student."""
    student = Student.objects.get(pk=student.pk)
    return (
        student.school_id,
        student.status,
        list(Placement.objects.filter(student=student).values_list("school_class_id", "end_date")),
        EnrolmentEvent.objects.filter(student=student).count(),
        list(RegisterEntry.objects.filter(student=student).values_list("school_id", "left_on")),
        TransferRequest.objects.filter(student=student).count(),
    )


# --- Class change -------------------------------------------------------------------------


def test_class_change_offers_same_school_and_year_only(client, world):
    client_login(client, world.clerk)
    html = client.get(url("student_class_change", world.students["binh"])).content.decode()
    options = re.findall(r'<option value="\d+"[^>]*>([^<]+)</option>', html)
    assert options == ["6A2 (2025–2026)"]  # not 6A1 (current), not 6C (school C)


def test_class_change_moves_the_student(client, world):
    binh = world.students["binh"]
    client_login(client, world.clerk)
    response = client.post(
        url("student_class_change", binh),
        {"to_class": world.class_6a2.pk, "date": "2025-11-03", "reason": "Cân đối sĩ số"},
    )
    assert response.status_code == 302
    current = Placement.objects.get(student=binh, end_date__isnull=True)
    assert current.school_class == world.class_6a2 and current.start_date == DAY
    event = EnrolmentEvent.objects.filter(student=binh).latest("id")
    assert (event.kind, event.reason, event.created_by) == (
        "class_change",
        "Cân đối sĩ số",
        world.clerk,
    )
    page = client.get(response.url).content.decode()
    assert "đã chuyển sang lớp 6A2" in page


def test_class_change_bad_date_is_a_field_error(client, world):
    binh = world.students["binh"]
    before = state(binh)
    client_login(client, world.clerk)
    response = client.post(
        url("student_class_change", binh), {"to_class": world.class_6a2.pk, "date": "2025-02-30"}
    )
    assert response.status_code == 200
    assert "invalid-feedback" in response.content.decode()
    early = client.post(
        url("student_class_change", binh), {"to_class": world.class_6a2.pk, "date": "2025-09-01"}
    )
    assert "sớm hơn ngày học sinh vào lớp hiện tại" in early.content.decode()
    assert state(binh) == before


@pytest.mark.parametrize(
    ("role", "status"),
    [("teacher", 403), ("homeroom", 404), ("parent", 404), ("principal_c", 404), ("bureau", 200)],
)
def test_class_change_permissions(client, world, role, status):
    binh = world.students["binh"]
    before = state(binh)
    client_login(client, world.users[role])
    assert client.get(url("student_class_change", binh)).status_code == status
    if status != 200:
        post = client.post(
            url("student_class_change", binh),
            {"to_class": world.class_6a2.pk, "date": "2025-11-03"},
        )
        assert post.status_code == status
        assert state(binh) == before


# --- Transfer between schools -------------------------------------------------------------


def test_directory_search_is_a_fragment_of_public_school_names(client, world, school_b):
    an = world.students["an"]
    client_login(client, world.principal)
    response = client.get(
        url("student_transfer", an), {"q": "quynh hai"}, headers={"HX-Request": "true"}
    )
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="directory"')
    assert "Trường THCS Quỳnh Hải" in html and "34070002" in html
    assert "An Bài" not in html  # the student's own school is not offered
    by_code = client.get(url("student_transfer", an), {"q": "3402"}).content.decode()
    assert "Trường THCS Đông Hợp" in by_code  # the directory is national


def transfer_to_b(client, world, school_b, **extra):
    data = {"to_school": world.school_b.pk, "date": "2025-11-03", "reason": "Gia đình chuyển nhà"}
    data.update(extra)
    return client.post(url("student_transfer", world.students["an"]), data)


def test_full_transfer_keeps_id_and_history(client, world, school_b):
    an = world.students["an"]
    client_login(client, world.principal)
    response = transfer_to_b(client, world, school_b)
    assert response.status_code == 302
    transfer = TransferRequest.objects.get(student=an)
    assert (transfer.status, transfer.from_school, transfer.to_school) == (
        "pending",
        world.school_a,
        world.school_b,
    )
    profile = client.get(url("student_detail", an)).content.decode()
    assert "đang chờ trường nhận tiếp nhận" in profile
    assert url("student_transfer", an) not in profile  # no second request while one waits
    outbox = client.get("/transfers/").content.decode()
    assert "Nguyễn Văn An" in outbox and "Hủy đề nghị" in outbox

    client_login(client, school_b.principal)
    inbox = client.get("/transfers/").content.decode()
    assert "Nguyễn Văn An" in inbox and "6B1" in inbox
    assert client.get(url("student_detail", an)).status_code == 200  # incoming: visible
    accepted = client.post(
        f"/transfers/{transfer.pk}/accept/",
        {"to_class": school_b.school_class.pk, "date": "2025-11-10"},
    )
    assert accepted.status_code == 302 and accepted.url == url("student_detail", an)
    an.refresh_from_db()
    assert (an.school, an.status, an.learner_id) == (world.school_b, "studying", "3407000001")
    lines = list(RegisterEntry.objects.filter(student=an).order_by("admitted_on"))
    assert [(line.school, line.left_on) for line in lines] == [
        (world.school_a, dt.date(2025, 11, 10)),
        (world.school_b, None),
    ]
    assert lines[1].from_school_name == "Trường THCS An Bài"
    kinds = list(EnrolmentEvent.objects.filter(student=an).values_list("kind", flat=True))
    assert kinds == ["admitted", "transfer_out", "transfer_in"]
    page = client.get(url("student_detail", an)).content.decode()
    assert "3407000001" in page and "Nhập học" in page and "Chuyển đến" in page
    # The old school still reads the former student, but can no longer move him.
    client_login(client, world.principal)
    old = client.get(url("student_detail", an)).content.decode()
    assert "Nguyễn Văn An" in old and url("student_transfer", an) not in old
    assert client.get(url("student_exit", an)).status_code == 403


def test_transfer_form_errors(client, world, school_b):
    an = world.students["an"]
    before = state(an)
    client_login(client, world.principal)
    missing = client.post(url("student_transfer", an), {"date": "2025-11-03", "reason": ""})
    html = missing.content.decode()
    assert "Hãy tìm và chọn trường nhận." in html
    own = transfer_to_b(client, world, school_b, to_school=world.school_a.pk)
    assert own.status_code == 200
    assert "Hãy chọn một trường khác đang hoạt động." in own.content.decode()
    assert state(an) == before


def test_second_pending_transfer_is_refused(client, world, school_b):
    an = world.students["an"]
    client_login(client, world.principal)
    transfer_to_b(client, world, school_b)
    second = transfer_to_b(client, world, school_b, to_school=world.school_c.pk)
    assert second.status_code == 200
    assert "Học sinh này đã có một đề nghị chuyển trường đang chờ xử lý." in second.content.decode()
    assert TransferRequest.objects.filter(student=an).count() == 1


def test_receiver_refuses_with_a_reason(client, world, school_b):
    an = world.students["an"]
    client_login(client, world.principal)
    transfer_to_b(client, world, school_b)
    transfer = TransferRequest.objects.get(student=an)
    client_login(client, school_b.principal)
    no_reason = client.post(f"/transfers/{transfer.pk}/decline/", {"note": ""})
    assert no_reason.status_code == 302
    transfer.refresh_from_db()
    assert transfer.status == "pending"
    client.post(f"/transfers/{transfer.pk}/decline/", {"note": "Hết chỉ tiêu lớp 6"})
    transfer.refresh_from_db()
    assert (transfer.status, transfer.decision_note) == ("rejected", "Hết chỉ tiêu lớp 6")
    an.refresh_from_db()
    assert an.school == world.school_a
    assert AuditEntry.objects.filter(action="transfer.rejected", actor=school_b.principal).exists()


def test_sender_cancels(client, world, school_b):
    an = world.students["an"]
    client_login(client, world.principal)
    transfer_to_b(client, world, school_b)
    transfer = TransferRequest.objects.get(student=an)
    response = client.post(f"/transfers/{transfer.pk}/cancel/", {"note": ""})
    assert response.status_code == 302
    transfer.refresh_from_db()
    assert transfer.status == "cancelled"
    assert "Đã hủy đề nghị chuyển trường." in client.get("/transfers/").content.decode()


def test_transfer_decisions_denied(client, world, school_b):
    an = world.students["an"]
    client_login(client, world.principal)
    transfer_to_b(client, world, school_b)
    transfer = TransferRequest.objects.get(student=an)
    before = state(an)
    accept = f"/transfers/{transfer.pk}/accept/"
    data = {"to_class": school_b.school_class.pk, "date": "2025-11-10"}
    # The sender may not accept or refuse for the receiver; the receiver may not cancel.
    assert client.post(accept, data).status_code == 403
    assert client.post(f"/transfers/{transfer.pk}/decline/", {"note": "x"}).status_code == 403
    client_login(client, school_b.principal)
    assert client.post(f"/transfers/{transfer.pk}/cancel/", {"note": "x"}).status_code == 403
    # Outsiders do not even see it.
    for role in ("principal_c", "other_bureau", "teacher", "parent", "nobody"):
        client_login(client, world.users[role])
        assert client.post(accept, data).status_code == 404, role
    assert client.get(accept).status_code == 405
    transfer.refresh_from_db()
    assert transfer.status == "pending"
    assert state(an) == before


def test_accept_into_a_class_of_another_school_is_refused(client, world, school_b):
    an = world.students["an"]
    client_login(client, world.principal)
    transfer_to_b(client, world, school_b)
    transfer = TransferRequest.objects.get(student=an)
    before = state(an)
    client_login(client, school_b.principal)
    response = client.post(
        f"/transfers/{transfer.pk}/accept/", {"to_class": world.class_6a1.pk, "date": "2025-11-10"}
    )
    assert response.status_code == 302 and response.url == "/transfers/"
    assert state(an) == before


@pytest.mark.parametrize("role", ["teacher", "homeroom", "parent", "student", "nobody"])
def test_transfer_inbox_is_for_enrolment_managers(client, world, role):
    client_login(client, world.users[role])
    assert client.get("/transfers/").status_code == 403


def test_transfer_inbox_query_count_is_constant(
    client, world, school_b, django_assert_max_num_queries
):
    bureau = world.bureau  # sees both sides of transfers between A and B
    client_login(client, world.principal)
    transfer_to_b(client, world, school_b)
    client_login(client, bureau)
    with django_assert_max_num_queries(12) as few:
        client.get("/transfers/")
    for key in ("binh", "chi"):
        enrolment.transfer_request(
            actor=SYSTEM,
            student=world.students[key],
            to_school=world.school_b,
            date=DAY,
            reason="Chuyển nhà",
        )
    with django_assert_max_num_queries(len(few.captured_queries)):
        html = client.get("/transfers/").content.decode()
    assert html.count("/accept/") == 3


# --- Leaving and returning ----------------------------------------------------------------


def test_leave_and_return(client, world):
    binh = world.students["binh"]
    client_login(client, world.clerk)
    form = client.get(url("student_exit", binh)).content.decode()
    assert "btn-danger" in form and "Thôi học" in form
    response = client.post(
        url("student_exit", binh),
        {"kind": "left", "reason": "Hoàn cảnh khó khăn", "date": "2025-12-01"},
    )
    assert response.status_code == 302
    binh.refresh_from_db()
    assert binh.status == "left"
    line = RegisterEntry.objects.get(student=binh)
    assert (line.left_on, line.leave_kind, line.leave_note) == (
        dt.date(2025, 12, 1),
        "left",
        "Hoàn cảnh khó khăn",
    )
    profile = client.get(url("student_detail", binh)).content.decode()
    assert url("student_return", binh) in profile and url("student_exit", binh) not in profile
    assert client.get(url("student_exit", binh)).status_code == 302  # not studying: back
    back = client.post(
        url("student_return", binh), {"to_class": world.class_6a2.pk, "date": "2026-01-05"}
    )
    assert back.status_code == 302
    binh.refresh_from_db()
    assert binh.status == "studying"
    numbers = list(RegisterEntry.objects.filter(student=binh).values_list("number", flat=True))
    assert numbers == [2, 4]


def test_transfer_outside_needs_the_school_name(client, world):
    binh = world.students["binh"]
    before = state(binh)
    client_login(client, world.clerk)
    response = client.post(
        url("student_exit", binh), {"kind": "transfer_out", "reason": "", "date": "2025-12-01"}
    )
    html = response.content.decode()
    assert response.status_code == 200
    field_errors = re.findall(r'invalid-feedback d-block">([^<]*)<', html)
    assert len(field_errors) == 1
    assert state(binh) == before
    ok = client.post(
        url("student_exit", binh),
        {
            "kind": "transfer_out",
            "other_school_name": "Trường Quốc tế Hà Nội",
            "date": "2025-12-01",
        },
    )
    assert ok.status_code == 302
    binh.refresh_from_db()
    assert binh.status == "transferred"


def test_graduation_bad_kind_is_a_form_error(client, world):
    binh = world.students["binh"]
    before = state(binh)
    client_login(client, world.clerk)
    response = client.post(url("student_exit", binh), {"kind": "expelled", "date": "2025-12-01"})
    assert response.status_code == 200 and "invalid-feedback" in response.content.decode()
    assert state(binh) == before


@pytest.mark.parametrize(
    ("role", "status"),
    [("teacher", 403), ("parent", 403), ("student", 403), ("principal_c", 404), ("nobody", 404)],
)
def test_exit_denied(client, world, role, status):
    an = world.students["an"]
    before = state(an)
    client_login(client, world.users[role])
    response = client.post(url("student_exit", an), {"kind": "left", "date": "2025-12-01"})
    assert response.status_code == status
    assert state(an) == before


def test_return_denied_for_teacher(client, world):
    an = world.students["an"]
    enrolment.student_exit(actor=SYSTEM, student=an, kind="left", date=DAY, reason="Ốm")
    before = state(an)
    client_login(client, world.teacher)
    # The teacher no longer teaches him: the former student is out of her sight.
    assert (
        client.post(url("student_return", an), {"to_class": world.class_6a1.pk}).status_code == 404
    )
    client_login(client, world.parent)
    assert (
        client.post(url("student_return", an), {"to_class": world.class_6a1.pk}).status_code == 403
    )
    assert state(an) == before
