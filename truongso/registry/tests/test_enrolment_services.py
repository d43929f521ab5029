"""Enrolment services: class change, transfers, leaving, return, promotion; denied paths."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation

from truongso.core.authz import SYSTEM
from truongso.core.models import AuditEntry
from truongso.registry.integrity import enrolment_problems
from truongso.registry.models import (
    EnrolmentEvent,
    Placement,
    RegisterEntry,
    Student,
    TransferRequest,
)
from truongso.registry.services import classes, enrolment
from truongso.registry.services.calendar import school_year_create

NOV = dt.date(2025, 11, 3)


@pytest.fixture(autouse=True)
def _vietnamese():
    with translation.override("vi"):
        yield


def counts() -> dict[str, int]:
    models = (Student, Placement, EnrolmentEvent, RegisterEntry, TransferRequest, AuditEntry)
    return {model.__name__: model.objects.count() for model in models}


def state(student):
    student = Student.objects.get(pk=student.pk)
    return (
        student.school_id,
        student.status,
        student.current_class_id,
        list(Placement.objects.filter(student=student).values_list("school_class_id", "end_date")),
        list(RegisterEntry.objects.filter(student=student).values_list("school_id", "left_on")),
        list(TransferRequest.objects.filter(student=student).values_list("status", flat=True)),
    )


def history(student) -> list[tuple[str, str]]:
    return [
        (event.kind, event.school.code)
        for event in EnrolmentEvent.objects.filter(student=student).select_related("school")
    ]


# --- Class change -------------------------------------------------------------------------


def test_class_change(world):
    an = world.students["an"]
    enrolment.class_change(
        actor=world.clerk, student=an, to_class=world.class_6a2, date=NOV, reason="Cân đối sĩ số"
    )
    an.refresh_from_db()
    assert an.current_class == world.class_6a2
    placements = list(
        Placement.objects.filter(student=an)
        .order_by("start_date")
        .values_list("school_class__name", "end_date")
    )
    assert placements == [("6A1", NOV), ("6A2", None)]
    assert history(an) == [("admitted", "34070001"), ("class_change", "34070001")]
    audit = AuditEntry.objects.get(action="enrolment.class_change")
    assert audit.actor == world.clerk
    assert audit.after == {
        "date": "2025-11-03",
        "school": "34070001",
        "class": "6A2",
        "other_school": None,
        "reason": "Cân đối sĩ số",
    }
    assert RegisterEntry.objects.filter(student=an).count() == 1  # same school: no new line
    assert enrolment_problems() == []


def test_class_change_refusals_write_nothing(world):
    an = world.students["an"]
    before = counts()
    with pytest.raises(ValidationError) as same:
        enrolment.class_change(actor=world.clerk, student=an, to_class=world.class_6a1, date=NOV)
    assert same.value.message_dict == {"to_class": ["Học sinh đã ở lớp này."]}
    with pytest.raises(ValidationError):
        enrolment.class_change(
            actor=world.clerk, student=an, to_class=world.class_6a2, date=dt.date(2025, 9, 1)
        )
    assert counts() == before
    assert state(an)[2] == world.class_6a1.pk


@pytest.mark.parametrize("role", ["principal_c", "teacher", "homeroom", "parent", "nobody"])
def test_class_change_denied(world, role):
    an = world.students["an"]
    before, rows = state(an), counts()
    with pytest.raises(PermissionDenied):
        enrolment.class_change(
            actor=world.users[role], student=an, to_class=world.class_6a2, date=NOV
        )
    assert (state(an), counts()) == (before, rows)


# --- Transfers ----------------------------------------------------------------------------


def request_transfer(world, student=None, actor=None, to_school=None):
    return enrolment.transfer_request(
        actor=actor or world.principal,
        student=student or world.students["an"],
        to_school=to_school or world.school_c,
        date=NOV,
        reason="Gia đình chuyển nơi ở",
    )


def test_transfer_accepted_keeps_the_id_and_the_history(world):
    an = world.students["an"]
    request = request_transfer(world)
    assert (request.status, request.requested_by) == ("pending", world.principal)
    assert state(an)[0] == world.school_a.pk  # still at A until the receiver accepts
    student = enrolment.transfer_accept(
        actor=world.principal_c, request=request, to_class=world.class_c
    )
    assert (student.pk, student.learner_id) == (an.pk, "3407000001")
    an.refresh_from_db()
    assert (an.school, an.status, an.current_class) == (world.school_c, "studying", world.class_c)
    assert history(an) == [
        ("admitted", "34070001"),
        ("transfer_out", "34070001"),
        ("transfer_in", "34020001"),
    ]
    lines = list(RegisterEntry.objects.filter(student=an).order_by("pk"))
    assert [(line.school.code, line.left_on, line.leave_kind) for line in lines] == [
        ("34070001", NOV, "transfer_out"),
        ("34020001", None, ""),
    ]
    assert (lines[1].number, lines[1].from_school_name, lines[1].admission_kind) == (
        2,
        "Trường THCS An Bài",
        "transfer_in",
    )
    request.refresh_from_db()
    assert (request.status, request.target_class, request.decided_by) == (
        "accepted",
        world.class_c,
        world.principal_c,
    )
    actions = set(
        AuditEntry.objects.filter(object_id__in=[str(an.pk), str(request.pk)]).values_list(
            "action", flat=True
        )
    )
    assert {
        "transfer.request",
        "transfer.accept",
        "enrolment.transfer_out",
        "enrolment.transfer_in",
    } <= actions
    assert enrolment_problems() == []


def test_second_pending_transfer_is_refused(world):
    an = world.students["an"]
    request_transfer(world)
    before = counts()
    with pytest.raises(ValidationError) as refused:
        request_transfer(world, to_school=world.school_b)
    assert refused.value.messages == [
        "Học sinh này đã có một đề nghị chuyển trường đang chờ xử lý."
    ]
    assert counts() == before
    assert TransferRequest.objects.filter(student=an, status="pending").count() == 1


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"to_school": "own"}, "to_school"),
        ({"to_school": "bureau"}, "to_school"),
        ({"reason": "   "}, "reason"),
    ],
)
def test_transfer_request_validation(world, kwargs, field):
    target = {"own": world.school_a, "bureau": world.bureau_unit}.get(kwargs.get("to_school"))
    before = counts()
    with pytest.raises(ValidationError) as refused:
        enrolment.transfer_request(
            actor=world.principal,
            student=world.students["an"],
            to_school=target or world.school_c,
            date=NOV,
            reason=kwargs.get("reason", "Chuyển nhà"),
        )
    assert list(refused.value.message_dict) == [field]
    assert counts() == before


def test_transfer_declined_and_cancelled(world):
    an = world.students["an"]
    request = request_transfer(world)
    enrolment.transfer_decline(actor=world.principal_c, request=request, note="Hết chỉ tiêu")
    request.refresh_from_db()
    assert (request.status, request.decision_note, request.decided_by) == (
        "rejected",
        "Hết chỉ tiêu",
        world.principal_c,
    )
    assert AuditEntry.objects.filter(action="transfer.rejected").count() == 1
    second = request_transfer(world)  # a refused request no longer blocks a new one
    enrolment.transfer_decline(actor=world.principal, request=second, note="", cancel=True)
    second.refresh_from_db()
    assert second.status == "cancelled"
    an.refresh_from_db()
    assert (an.school, an.current_class) == (world.school_a, world.class_6a1)
    before = counts()
    with pytest.raises(ValidationError):
        enrolment.transfer_accept(actor=world.principal_c, request=second, to_class=world.class_c)
    assert counts() == before
    assert enrolment_problems() == []


@pytest.mark.parametrize(
    "role", ["principal_c", "teacher", "homeroom", "parent", "other_bureau", "nobody"]
)
def test_transfer_request_denied(world, role):
    before, rows = state(world.students["an"]), counts()
    with pytest.raises(PermissionDenied):
        request_transfer(world, actor=world.users[role])
    assert (state(world.students["an"]), rows) == (before, counts())


@pytest.mark.parametrize("role", ["principal", "teacher", "parent", "bureau", "nobody"])
def test_only_the_receiving_school_accepts_or_refuses(world, role):
    an = world.students["an"]
    request = request_transfer(world)
    before, rows = state(an), counts()
    with pytest.raises(PermissionDenied):
        enrolment.transfer_accept(actor=world.users[role], request=request, to_class=world.class_c)
    with pytest.raises(PermissionDenied):
        enrolment.transfer_decline(actor=world.users[role], request=request, note="x")
    assert (state(an), counts()) == (before, rows)


def test_only_the_sending_school_cancels(world):
    an = world.students["an"]
    request = request_transfer(world)
    before, rows = state(an), counts()
    for actor in (world.principal_c, world.teacher, world.parent):
        with pytest.raises(PermissionDenied):
            enrolment.transfer_decline(actor=actor, request=request, note="x", cancel=True)
    assert (state(an), counts()) == (before, rows)


def test_accept_into_a_class_of_another_school_is_refused(world):
    an = world.students["an"]
    request = request_transfer(world)
    before = state(an), counts()
    with pytest.raises(ValidationError) as refused:
        enrolment.transfer_accept(
            actor=world.principal_c, request=request, to_class=world.class_6a1
        )
    assert list(refused.value.message_dict) == ["to_class"]
    assert (state(an), counts()) == before


# --- Leaving and returning ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "status", "extra"),
    [
        ("left", "left", {"reason": "Hoàn cảnh khó khăn"}),
        ("graduated", "graduated", {}),
        ("transfer_out", "transferred", {"other_school_name": "Trường Quốc tế Hà Nội"}),
    ],
)
def test_exit(world, kind, status, extra):
    binh = world.students["binh"]
    enrolment.student_exit(actor=world.clerk, student=binh, kind=kind, date=NOV, **extra)
    binh.refresh_from_db()
    assert (binh.status, binh.current_class, binh.school) == (status, None, world.school_a)
    line = RegisterEntry.objects.get(student=binh)
    assert (line.left_on, line.leave_kind) == (NOV, kind)
    assert Placement.objects.get(student=binh).end_date == NOV
    assert history(binh)[-1] == (kind, "34070001")
    assert AuditEntry.objects.filter(action=f"enrolment.{kind}", actor=world.clerk).count() == 1
    assert enrolment_problems() == []


def test_exit_refusals_write_nothing(world):
    binh = world.students["binh"]
    before = state(binh), counts()
    with pytest.raises(ValidationError) as nameless:
        enrolment.student_exit(actor=world.clerk, student=binh, kind="transfer_out", date=NOV)
    assert list(nameless.value.message_dict) == ["other_school_name"]
    with pytest.raises(ValidationError) as unknown:
        enrolment.student_exit(actor=world.clerk, student=binh, kind="expelled", date=NOV)
    assert list(unknown.value.message_dict) == ["kind"]
    assert (state(binh), counts()) == before
    enrolment.student_exit(actor=world.clerk, student=binh, kind="left", date=NOV)
    with pytest.raises(ValidationError):  # not studying any more
        enrolment.student_exit(actor=world.clerk, student=binh, kind="left", date=NOV)


@pytest.mark.parametrize(
    "role", ["principal_c", "teacher", "homeroom", "parent", "student", "nobody"]
)
def test_exit_denied(world, role):
    binh = world.students["binh"]
    before = state(binh), counts()
    with pytest.raises(PermissionDenied):
        enrolment.student_exit(actor=world.users[role], student=binh, kind="left", date=NOV)
    assert (state(binh), counts()) == before


def test_return_opens_a_new_register_line(world):
    binh = world.students["binh"]
    enrolment.student_exit(actor=world.clerk, student=binh, kind="left", date=NOV)
    enrolment.student_return(
        actor=world.clerk, student=binh, to_class=world.class_6a2, date=dt.date(2026, 1, 5)
    )
    binh.refresh_from_db()
    assert (binh.status, binh.current_class) == ("studying", world.class_6a2)
    lines = list(RegisterEntry.objects.filter(student=binh).order_by("number"))
    assert [(line.number, line.left_on, line.admission_kind) for line in lines] == [
        (2, NOV, "admitted"),
        (4, None, "returned"),
    ]
    assert history(binh)[-1] == ("returned", "34070001")
    assert enrolment_problems() == []


def test_return_refused_and_denied(world):
    binh = world.students["binh"]
    with pytest.raises(ValidationError):  # still studying
        enrolment.student_return(
            actor=world.clerk, student=binh, to_class=world.class_6a2, date=NOV
        )
    enrolment.student_exit(actor=world.clerk, student=binh, kind="left", date=NOV)
    before = state(binh), counts()
    for actor in (world.principal_c, world.teacher, world.parent, world.users["nobody"]):
        with pytest.raises(PermissionDenied):
            enrolment.student_return(actor=actor, student=binh, to_class=world.class_6a2, date=NOV)
    assert (state(binh), counts()) == before


# --- Promotion ----------------------------------------------------------------------------


@pytest.fixture
def next_year(world):
    year = school_year_create(
        actor=SYSTEM,
        code="2026-2027",
        semesters=(
            (dt.date(2026, 9, 5), dt.date(2027, 1, 16)),
            (dt.date(2027, 1, 18), dt.date(2027, 5, 31)),
        ),
    )
    make = classes.class_create
    return {
        "7A1": make(actor=SYSTEM, school=world.school_a, school_year=year, grade=7, name="7A1"),
        "6A1": make(actor=SYSTEM, school=world.school_a, school_year=year, grade=6, name="6A1"),
        "7C": make(actor=SYSTEM, school=world.school_c, school_year=year, grade=7, name="7C"),
    }


def test_class_promote(world, next_year):
    an, binh = world.students["an"], world.students["binh"]
    moved = enrolment.class_promote(
        actor=world.principal,
        from_class=world.class_6a1,
        to_class=next_year["7A1"],
        students=[an, binh],
        date=dt.date(2026, 8, 20),
    )
    assert moved == 2
    for student in (an, binh):
        student.refresh_from_db()
        assert student.current_class == next_year["7A1"]
        assert history(student)[-1] == ("promoted", "34070001")
        assert RegisterEntry.objects.filter(student=student).count() == 1  # same school
    assert enrolment_problems() == []


def test_repeating_the_grade(world, next_year):
    an = world.students["an"]
    enrolment.class_promote(
        actor=world.principal,
        from_class=world.class_6a1,
        to_class=next_year["6A1"],
        students=[an],
        date=dt.date(2026, 8, 20),
        repeat=True,
    )
    an.refresh_from_db()
    assert an.current_class == next_year["6A1"]
    assert history(an)[-1] == ("repeated", "34070001")


def test_promotion_refusals_write_nothing(world, next_year):
    an, chi = world.students["an"], world.students["chi"]
    before = counts()
    cases = [
        dict(to_class=next_year["6A1"], students=[an]),  # not grade 7
        dict(to_class=world.class_6a2, students=[an]),  # not a later year
        dict(to_class=next_year["7C"], students=[an]),  # another school
        dict(to_class=next_year["7A1"], students=[an, chi]),  # Chi is not in 6A1
    ]
    for case in cases:
        with pytest.raises(ValidationError):
            enrolment.class_promote(
                actor=world.principal,
                from_class=world.class_6a1,
                date=dt.date(2026, 8, 20),
                **case,
            )
    assert counts() == before
    an.refresh_from_db()
    assert an.current_class == world.class_6a1


@pytest.mark.parametrize("role", ["principal_c", "teacher", "homeroom", "parent", "nobody"])
def test_promotion_denied(world, next_year, role):
    an = world.students["an"]
    before = state(an), counts()
    with pytest.raises(PermissionDenied):
        enrolment.class_promote(
            actor=world.users[role],
            from_class=world.class_6a1,
            to_class=next_year["7A1"],
            students=[an],
            date=dt.date(2026, 8, 20),
        )
    assert (state(an), counts()) == before
