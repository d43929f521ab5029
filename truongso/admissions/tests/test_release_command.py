"""The release command and task: after the deadline, once, as the system."""

from __future__ import annotations

import datetime as dt
from io import StringIO
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from truongso.admissions import tasks
from truongso.admissions.models import AdmissionRound, Application, ConfirmationStatus
from truongso.admissions.tests.results_helpers import DEADLINE, Published, published_round
from truongso.core.models import AuditEntry

pytestmark = pytest.mark.django_db


@pytest.fixture
def pub(world: Any) -> Published:
    return published_round(world)


def test_command_releases_once(pub: Published) -> None:
    out = StringIO()
    call_command("admission_release", stdout=out)
    assert out.getvalue().splitlines() == [
        "Tuyển sinh lớp 6 năm học 2025-2026: xác nhận 0, từ chối 0, hết hạn 3; "
        f"đợt 2 #{pub.round.pk + 1} với 3 chỉ tiêu.",
        "Chuyển vào sổ đăng bộ: 0.",
    ]
    again = StringIO()
    call_command("admission_release", stdout=again)
    assert again.getvalue().splitlines() == ["Chuyển vào sổ đăng bộ: 0."]
    assert AdmissionRound.objects.filter(previous_round=pub.round).count() == 1
    entry = AuditEntry.objects.get(action="admission.release")
    assert entry.after is not None
    assert (entry.actor_name, entry.after["released"]) == ("system", 3)


def test_command_refuses_a_round_before_its_deadline(pub: Published) -> None:
    pub.round.confirmation_deadline = timezone.now() + dt.timedelta(days=1)
    pub.round.save()
    with pytest.raises(CommandError, match=r"Chưa hết hạn xác nhận nhập học\."):
        call_command("admission_release", "--round", str(pub.round.pk), stdout=StringIO())
    with pytest.raises(CommandError, match=r"Không có đợt tuyển sinh 999999\."):
        call_command("admission_release", "--round", "999999", stdout=StringIO())
    assert Application.objects.filter(confirmation=ConfirmationStatus.RELEASED).count() == 0


def test_task_is_idempotent(pub: Published) -> None:
    assert tasks.release_due_task() == 1
    assert tasks.release_due_task() == 0
    assert Application.objects.filter(confirmation=ConfirmationStatus.RELEASED).count() == 3


def test_schedule_queues_the_task_after_the_deadline(
    pub: Published, monkeypatch: Any, django_capture_on_commit_callbacks: Any
) -> None:
    calls: list[dict[str, Any]] = []
    monkeypatch.setattr(tasks.release_due_task, "apply_async", lambda **kw: calls.append(kw))
    with django_capture_on_commit_callbacks(execute=True):
        tasks.release_schedule(pub.round)
    assert calls == [{"eta": DEADLINE + dt.timedelta(minutes=1)}]
