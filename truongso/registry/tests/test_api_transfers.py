"""Transfers through the API: the sending school asks, the receiving school accepts or
refuses, the sending school may withdraw; the same record and learner ID move across."""

from __future__ import annotations

import pytest

from truongso.registry.models import Student, TransferRequest
from truongso.registry.tests.api_support import API, api_clients, fingerprint, ids

pytestmark = pytest.mark.usefixtures("registry_consistent")

TRANSFERS = f"{API}/transfers/"


@pytest.fixture
def api(world, monkeypatch):
    return api_clients(world, monkeypatch)


@pytest.fixture
def sent(world, api):
    """Principal of school A asks school C to take Bình."""
    response = api("principal").post(
        f"{API}/students/{world.students['binh'].pk}/transfer/",
        {"to_school": world.school_c.pk, "date": "2025-11-03", "reason": "Gia đình chuyển nhà"},
    )
    assert response.status_code == 201, response.content
    return TransferRequest.objects.get(pk=response.json()["id"])


def test_receiving_school_sees_the_waiting_transfer_and_the_student(world, api, sent):
    client = api("principal_c")
    assert ids(client.get(TRANSFERS, {"status": "pending"})) == {sent.pk}
    assert ids(client.get(TRANSFERS, {"status": "accepted"})) == set()
    row = client.get(f"{TRANSFERS}{sent.pk}/").json()
    assert row["student"] == {
        "id": world.students["binh"].pk,
        "identifier": "3407000002",
        "full_name": "Đỗ Thị Bình",
    }
    assert (row["from_school"]["code"], row["to_school"]["code"]) == ("34070001", "34020001")
    assert (row["status"], row["requested_on"], row["decided_at"]) == (
        "pending",
        "2025-11-03",
        None,
    )
    # The incoming student's profile is readable before the decision, not editable.
    binh = f"{API}/students/{world.students['binh'].pk}/"
    assert client.get(binh).status_code == 200
    assert client.patch(binh, {"birthplace": "Đông Hưng"}).status_code == 403


def test_accept_moves_the_same_student_with_the_same_id(world, api, sent):
    client = api("principal_c")
    accepted = client.post(f"{TRANSFERS}{sent.pk}/accept/", {"class": world.class_c.pk})
    assert accepted.status_code == 200, accepted.content
    assert accepted.json()["status"] == "accepted"
    assert accepted.json()["target_class"] == {"id": world.class_c.pk, "name": "6C", "grade": 6}
    binh = Student.objects.get(pk=world.students["binh"].pk)
    assert (binh.school_id, binh.current_class_id, binh.learner_id) == (
        world.school_c.pk,
        world.class_c.pk,
        "3407000002",
    )
    history = client.get(f"{API}/students/{binh.pk}/history/").json()
    assert [(e["kind"], e["school"]["code"]) for e in history["events"]] == [
        ("transfer_in", "34020001"),
        ("transfer_out", "34070001"),
        ("admitted", "34070001"),
    ]
    assert [r["school"]["code"] for r in history["register_entries"]] == ["34070001", "34020001"]
    again = client.post(f"{TRANSFERS}{sent.pk}/accept/", {"class": world.class_c.pk})
    assert again.status_code == 400
    assert again.json() == {"non_field_errors": ["Đề nghị chuyển trường này đã được xử lý."]}
    # School A keeps reading its former student through its register, no longer editing.
    assert api("principal").get(f"{API}/students/{binh.pk}/").status_code == 200
    school_a = {"school": world.school_a.pk}
    assert ids(api("principal").get(f"{API}/students/", school_a)) == {
        world.students["an"].pk,
        world.students["chi"].pk,
    }


def test_sending_school_cannot_accept_and_a_foreign_class_is_refused(world, api, sent):
    before = fingerprint()
    by_sender = api("principal").post(
        f"{TRANSFERS}{sent.pk}/accept/", {"class": world.class_6a1.pk}
    )
    assert by_sender.status_code == 403
    assert by_sender.json() == {
        "detail": "Bạn không có quyền quản lý học sinh tại Trường THCS Đông Hợp."
    }
    wrong_class = api("ministry").post(
        f"{TRANSFERS}{sent.pk}/accept/", {"class": world.class_6a1.pk, "date": "2025-11-04"}
    )
    assert wrong_class.status_code == 400
    assert list(wrong_class.json()) == ["class"]
    no_class = api("principal_c").post(f"{TRANSFERS}{sent.pk}/accept/", {})
    assert no_class.json() == {"class": ["Trường này là bắt buộc."]}
    assert fingerprint() == before


def test_decline_and_cancel(world, api, sent):
    assert api("principal").post(f"{TRANSFERS}{sent.pk}/decline/", {}).status_code == 403
    declined = api("principal_c").post(f"{TRANSFERS}{sent.pk}/decline/", {"note": "Hết chỗ"})
    assert declined.status_code == 200
    assert (declined.json()["status"], declined.json()["decision_note"]) == ("rejected", "Hết chỗ")
    assert declined.json()["decided_at"] is not None
    resent = api("clerk").post(
        f"{API}/students/{world.students['binh'].pk}/transfer/",
        {"to_school": world.school_b.pk, "date": "2025-11-10", "reason": "Gần nhà hơn"},
    )
    assert resent.status_code == 201
    assert api("principal_c").get(f"{TRANSFERS}{resent.json()['id']}/").status_code == 404
    cancelled = api("clerk").post(f"{TRANSFERS}{resent.json()['id']}/cancel/", {})
    assert cancelled.json()["status"] == "cancelled"
    listed = api("bureau").get(TRANSFERS).json()["results"]
    assert [(t["to_school"]["code"], t["status"]) for t in listed] == [
        ("34070002", "cancelled"),
        ("34020001", "rejected"),
    ]
