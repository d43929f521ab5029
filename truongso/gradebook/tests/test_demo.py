"""The demo gradebook: a school year of Trường THCS An Bài that runs end to end.

Semester I complete and closed with official results equal to the computed ones; semester
II mostly entered, with gaps and a locked column group; one late-change request that the
principal can approve; cells stored exactly as ``scores_save`` writes them. Also checks that
``classes_results`` (many classes at once) agrees with ``class_results`` on the whole school.
"""

from __future__ import annotations

from io import StringIO

import pytest
from django.contrib.auth import authenticate
from django.core.management import CommandError, call_command
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from truongso.accounts.models import User
from truongso.core.models import AuditEntry
from truongso.gradebook import demo
from truongso.gradebook.models import GradingPeriod, StudentTerm, SubjectTerm, TermResult
from truongso.gradebook.results import class_results, class_subjects, classes_results
from truongso.gradebook.schemes import engine_for_class
from truongso.gradebook.services.cells import subject_columns
from truongso.registry.demo.accounts import DEMO_ACCOUNTS
from truongso.registry.models import Subject
from truongso.registry.tests.api_support import bearer_client
from truongso.workflow.models import ApprovalRequest, RequestStatus
from truongso.workflow.services import approval_decide


@pytest.fixture
def school(db):
    call_command("seed_demo", verbosity=0)
    out = StringIO()
    call_command("seed_gradebook_demo", stdout=out)
    assert "Done:" in out.getvalue()
    found = demo.demo_school()
    assert found is not None
    return found


def test_it_is_the_demo_school_and_the_logins_still_work(school):
    assert school.school.name == "Trường THCS An Bài"
    assert [c.name for c in school.classes][:2] == ["6A1", "6A2"]
    for account in DEMO_ACCOUNTS:
        assert authenticate(username=account.username, password=account.password)


def test_semester_one_is_complete_and_closed_with_official_results(school):
    computed = classes_results(school.classes, 1)
    period = GradingPeriod.objects.get(school=school.school, semester=1)
    assert period.closed_by.username == "hieutruong"
    assert set(period.deadlines) == {"tx", "gk", "ck", "conduct"}
    stored = {
        (r.student_id, r.school_class_id): r
        for r in TermResult.objects.filter(school_class__in=school.classes, period=1)
    }
    count = 0
    for school_class in school.classes:
        for result in computed[school_class.pk]:
            official = stored.get((result.student.pk, school_class.pk))
            if official is None:  # counted in the other class of a pupil who changed class
                continue
            count += 1
            assert result.summary.learning is not None
            assert result.summary.conduct is not None
            assert official.learning == result.summary.learning
            assert official.subjects == {
                code: outcome.as_json() for code, outcome in result.summary.subjects.items()
            }
    assert count >= 150
    levels = {r.learning for r in stored.values()}
    assert {"tot", "kha", "dat"} <= levels  # a realistic spread, not one level


def test_cells_are_stored_as_the_grid_stores_them(school):
    checked = 0
    for school_class in school.classes[:3]:
        engine = engine_for_class(school_class)
        for code, spec in class_subjects(school_class).items():
            subject = Subject.objects.get(code=code)
            for semester in (1, 2):
                columns = {c.code: c for c in subject_columns(school_class, subject, semester)}
                rows = SubjectTerm.objects.filter(
                    school_class=school_class, subject=subject, semester=semester
                )
                for row in rows:
                    assert set(row.cells) <= set(columns)
                    if semester == 1:
                        assert set(row.cells) == set(columns)
                    for column_code, value in row.cells.items():
                        assert engine.clean(columns[column_code], value) == value
                        if not spec.scored:
                            assert value in ("Đ", "CĐ")
                    checked += 1
    assert checked > 500
    assert AuditEntry.objects.filter(action="score.update").count() == SubjectTerm.objects.count()
    assert StudentTerm.objects.filter(semester=1).exclude(conduct="").count() > 150


def test_semester_two_has_gaps_a_locked_group_and_open_ones(school):
    results = classes_results(school.classes, 2)
    missing = [r for rows in results.values() for r in rows if r.summary.learning is None]
    complete = [r for rows in results.values() for r in rows if r.summary.learning is not None]
    assert len(missing) >= 30 and len(complete) >= 100
    period = GradingPeriod.objects.get(school=school.school, semester=2)
    assert period.closed_at is None
    now = timezone.now()
    deadlines = {group: parse_datetime(when) for group, when in period.deadlines.items()}
    assert deadlines["tx"] < now < deadlines["gk"] < deadlines["ck"]
    # giaovien sees her semester II grid with the regular columns locked.
    request = ApprovalRequest.objects.get()
    grid = bearer_client(request.requested_by).get(
        f"/api/v1/gradebook/classes/{request.payload['class']}/subjects/TOAN/semesters/2/"
    )
    assert grid.status_code == 200
    locked = {c["code"]: c["locked"] for c in grid.json()["columns"]}
    assert locked["tx1"] is True and locked["gk"] is False and locked["ck"] is False
    assert grid.json()["editable"] is True


def test_the_waiting_request_can_be_approved_by_the_principal(school):
    request = ApprovalRequest.objects.get()
    assert request.status == RequestStatus.SUBMITTED
    assert request.requested_by.username == "giaovien"
    [(code, (old, new))] = request.payload["cells"].items()
    assert code == "ck" and float(new) == min(10.0, float(old) + 0.5)
    student_id = request.payload["student"]
    before = TermResult.objects.get(student_id=student_id, period=1).subjects["TOAN"]
    principal = User.objects.get(username="hieutruong")
    approval_decide(actor=principal, request=request, decision=RequestStatus.APPROVED)
    row = SubjectTerm.objects.get(
        student_id=student_id, subject_id=request.payload["subject"], semester=1
    )
    assert row.cells["ck"] == new
    after = TermResult.objects.get(student_id=student_id, period=1).subjects["TOAN"]
    computed = {r.student.pk: r for r in class_results(row.school_class, 1)}
    assert after == computed[student_id].summary.subjects["TOAN"].as_json()
    assert float(after["average"]) > float(before["average"])  # 3 × 0.5 more in the sum


@pytest.mark.parametrize("period", [1, 2, 0])
def test_many_classes_at_once_agree_with_one_class_at_a_time(school, period):
    bulk = classes_results(school.classes, period)
    for school_class in school.classes:
        one = class_results(school_class, period)
        assert [r.student.pk for r in bulk[school_class.pk]] == [r.student.pk for r in one]
        assert [r.summary for r in bulk[school_class.pk]] == [r.summary for r in one]
        assert [(r.absences, r.term) for r in bulk[school_class.pk]] == [
            (r.absences, r.term) for r in one
        ]


def test_the_command_runs_once_and_needs_the_district(db):
    with pytest.raises(CommandError, match="seed_demo"):
        call_command("seed_gradebook_demo", verbosity=0)
    out = StringIO()
    call_command("seed_gradebook_demo", "--if-empty", stdout=out)  # make demo, another database
    assert "nothing seeded" in out.getvalue()
    call_command("seed_demo", verbosity=0)
    call_command("seed_gradebook_demo", verbosity=0)
    rows = SubjectTerm.objects.count()
    with pytest.raises(CommandError, match="--if-empty"):
        call_command("seed_gradebook_demo", verbosity=0)
    out = StringIO()
    call_command("seed_gradebook_demo", "--if-empty", stdout=out)
    assert "nothing seeded" in out.getvalue()
    assert SubjectTerm.objects.count() == rows
