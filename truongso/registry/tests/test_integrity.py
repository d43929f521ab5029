from __future__ import annotations

import datetime as dt

from django.core.management import call_command

from truongso.registry.integrity import enrolment_problems
from truongso.registry.models import Placement, Student
from truongso.registry.services import enrolment


def test_world_is_consistent(world):
    assert enrolment_problems() == []
    call_command("check_registry")


def test_consistent_after_transfer_class_change_and_exit(world):
    an, binh, chi = (world.students[k] for k in ("an", "binh", "chi"))
    enrolment.class_change(
        actor=world.principal, student=an, to_class=world.class_6a2, date=dt.date(2025, 10, 1)
    )
    request = enrolment.transfer_request(
        actor=world.principal,
        student=binh,
        to_school=world.school_c,
        date=dt.date(2025, 11, 3),
        reason="Chuyển nơi ở",
    )
    enrolment.transfer_accept(actor=world.principal_c, request=request, to_class=world.class_c)
    enrolment.student_exit(
        actor=world.principal,
        student=chi,
        kind="left",
        date=dt.date(2025, 12, 1),
        reason="Hoàn cảnh gia đình",
    )
    assert enrolment_problems() == []
    an.refresh_from_db()
    assert an.current_class == world.class_6a2


def test_detects_a_broken_row(world):
    an = world.students["an"]
    Placement.objects.filter(student=an).update(end_date=dt.date(2025, 10, 1))
    problems = enrolment_problems()
    assert f"student {an.pk}: 0 open placements" in problems
    Student.objects.filter(pk=an.pk).update(current_class=None)
