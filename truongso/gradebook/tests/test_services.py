"""Saving cells: permissions, validation, compare-and-set, locks, closing and late changes."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from truongso.core.authz import SYSTEM
from truongso.core.models import AuditEntry
from truongso.gradebook.errors import CellErrors
from truongso.gradebook.late_changes import late_change_request
from truongso.gradebook.models import StudentTerm, SubjectTerm, TermResult
from truongso.gradebook.results import class_results
from truongso.gradebook.services.cells import CellChange, scores_save, terms_save
from truongso.gradebook.services.periods import deadlines_set, period_close
from truongso.registry.models import Subject, TeachingAssignment
from truongso.workflow.models import RequestStatus
from truongso.workflow.services import approval_decide

pytestmark = pytest.mark.usefixtures("registry_consistent")


@pytest.fixture
def toan(db):
    return Subject.objects.get(code="TOAN")


def save(world, actor, student_key, toan, cells, semester=1, old=None):
    student = world.students[student_key]
    changes = [
        CellChange(student.pk, code, (old or {}).get(code, ""), value)
        for code, value in cells.items()
    ]
    return scores_save(
        actor=actor, school_class=world.class_6a1, subject=toan, semester=semester, changes=changes
    )


def row(world, key, toan, semester=1):
    return SubjectTerm.objects.get(student=world.students[key], subject=toan, semester=semester)


def test_teacher_enters_scores_and_they_are_audited(world, toan):
    n = save(
        world,
        world.teacher,
        "an",
        toan,
        {"tx1": "6", "tx2": "8", "tx3": "7,5", "tx4": "7", "gk": "5", "ck": "10"},
    )
    assert n == 6
    assert row(world, "an", toan).cells == {
        "tx1": "6",
        "tx2": "8",
        "tx3": "7.5",
        "tx4": "7",
        "gk": "5",
        "ck": "10",
    }
    entry = AuditEntry.objects.get(action="score.update")
    assert entry.actor == world.teacher and entry.before["ck"] == "" and entry.after["ck"] == "10"
    assert entry.org_path == world.school_a.path


@pytest.mark.parametrize("who", ["homeroom", "principal", "principal_c", "parent", "bureau"])
def test_others_cannot_enter_scores(world, toan, who):
    with pytest.raises(PermissionDenied):
        save(world, world.users[who], "an", toan, {"tx1": "9"})
    assert not SubjectTerm.objects.exists()


def test_teacher_of_another_subject_cannot_enter_maths(world, toan):
    TeachingAssignment.objects.filter(subject=toan).update(subject=Subject.objects.get(code="NV"))
    with pytest.raises(PermissionDenied):
        save(world, world.teacher, "an", toan, {"tx1": "9"})


def test_one_bad_cell_saves_nothing_and_names_each_cell(world, toan):
    with pytest.raises(CellErrors) as caught:
        save(world, world.teacher, "an", toan, {"tx1": "8", "tx2": "8.25", "gk": "11", "ck": "a"})
    messages = {e.code: e.message for e in caught.value.errors}
    assert set(messages) == {"tx2", "gk", "ck"}
    assert "một chữ số thập phân" in messages["tx2"]
    assert not SubjectTerm.objects.exists() and not AuditEntry.objects.filter(action="score.update")


def test_second_writer_sees_the_conflict_and_nothing_is_lost(world, toan):
    save(world, world.teacher, "an", toan, {"tx1": "7"})
    # Two people opened the grid when tx1 was 7: the first changes it to 8 ...
    save(world, world.teacher, "an", toan, {"tx1": "8"}, old={"tx1": "7"})
    # ... the second, still seeing 7, types 9: refused, told the current value.
    with pytest.raises(CellErrors) as caught:
        save(world, SYSTEM, "an", toan, {"tx1": "9", "tx2": "6"}, old={"tx1": "7"})
    [conflict] = caught.value.conflicts
    assert (conflict.code, conflict.current) == ("tx1", "8")
    assert row(world, "an", toan).cells == {"tx1": "8"}  # tx2 not saved either


def test_students_outside_the_class_are_refused(world, toan):
    with pytest.raises(CellErrors):
        save(world, world.teacher, "chi", toan, {"tx1": "8"})  # chi is in 6A2


def test_deadline_locks_a_column_group(world, toan):
    deadlines_set(
        actor=world.principal,
        school=world.school_a,
        year=world.year,
        semester=1,
        deadlines={"tx": timezone.now() - dt.timedelta(hours=1)},
    )
    with pytest.raises(CellErrors) as caught:
        save(world, world.teacher, "an", toan, {"tx1": "8", "gk": "7"})
    assert [e.code for e in caught.value.errors] == ["tx1"]
    save(world, world.teacher, "an", toan, {"gk": "7"})


def test_only_leaders_set_deadlines(world):
    with pytest.raises(PermissionDenied):
        deadlines_set(
            actor=world.teacher,
            school=world.school_a,
            year=world.year,
            semester=1,
            deadlines={"tx": timezone.now()},
        )


def fill_class(world, semester=1):
    """Complete entries for 6A1 (an, binh) in every subject, via the system actor."""
    from truongso.gradebook.results import class_subjects
    from truongso.gradebook.services.cells import subject_columns

    for code, spec in class_subjects(world.class_6a1).items():
        subject = Subject.objects.get(code=code)
        columns = subject_columns(world.class_6a1, subject, semester)
        value = "8" if spec.scored else "Đ"
        changes = [
            CellChange(world.students[k].pk, c.code, "", value)
            for k in ("an", "binh")
            for c in columns
        ]
        scores_save(
            actor=SYSTEM,
            school_class=world.class_6a1,
            subject=subject,
            semester=semester,
            changes=changes,
        )
    terms_save(
        actor=world.homeroom if world.class_6a1.homeroom_teacher else SYSTEM,
        school_class=world.class_6a1,
        semester=semester,
        changes=[CellChange(world.students[k].pk, "conduct", "", "Tốt") for k in ("an", "binh")],
    )


def test_results_of_a_complete_class(world):
    fill_class(world)
    results = {r.student.full_name: r.summary for r in class_results(world.class_6a1, 1)}
    assert results["Nguyễn Văn An"].learning == "tot"
    assert results["Nguyễn Văn An"].conduct == "tot"
    assert str(results["Nguyễn Văn An"].subjects["TOAN"].average) == "8.0"


def test_only_the_homeroom_teacher_records_conduct(world):
    an = world.students["an"]
    with pytest.raises(PermissionDenied):
        terms_save(
            actor=world.homeroom,
            school_class=world.class_6a1,
            semester=1,
            changes=[CellChange(an.pk, "conduct", "", "Tốt")],
        )
    chi = world.students["chi"]
    terms_save(
        actor=world.homeroom,
        school_class=world.class_6a2,
        semester=1,
        changes=[
            CellChange(chi.pk, "conduct", "", "Khá"),
            CellChange(chi.pk, "absences_excused", "", "3"),
        ],
    )
    term = StudentTerm.objects.get(student=chi)
    assert (term.conduct, term.absences_excused) == ("kha", 3)


def test_closing_stores_results_and_locks(world, toan):
    fill_class(world)
    with pytest.raises(ValidationError):  # 6A2 (chi) has no entries yet
        period_close(actor=world.principal, school=world.school_a, year=world.year, semester=1)
    with pytest.raises(PermissionDenied):
        period_close(
            actor=world.teacher,
            school=world.school_a,
            year=world.year,
            semester=1,
            allow_incomplete=True,
        )
    period_close(
        actor=world.principal,
        school=world.school_a,
        year=world.year,
        semester=1,
        allow_incomplete=True,
    )
    stored = TermResult.objects.get(student=world.students["an"], period=1)
    assert (stored.learning, stored.subjects["TOAN"]) == ("tot", {"average": "8.0"})
    assert TermResult.objects.get(student=world.students["chi"], period=1).learning == ""
    with pytest.raises(CellErrors) as caught:
        save(world, world.teacher, "an", toan, {"tx1": "9"}, old={"tx1": "8"})
    assert "khoá sổ" in caught.value.errors[0].message


def test_late_change_needs_the_principals_approval(world, toan):
    fill_class(world)
    period_close(
        actor=world.principal,
        school=world.school_a,
        year=world.year,
        semester=1,
        allow_incomplete=True,
    )
    an = world.students["an"]
    request = late_change_request(
        actor=world.teacher,
        school_class=world.class_6a1,
        semester=1,
        student=an,
        subject=toan,
        cells={"ck": ("8", "10")},
        reason="Chấm phúc khảo bài cuối kì",
    )
    assert row(world, "an", toan).cells["ck"] == "8"  # nothing changes before approval
    with pytest.raises(PermissionDenied):
        approval_decide(actor=world.teacher, request=request, decision=RequestStatus.APPROVED)
    approval_decide(actor=world.principal, request=request, decision=RequestStatus.APPROVED)
    assert row(world, "an", toan).cells["ck"] == "10"
    entry = AuditEntry.objects.filter(action="score.update").latest("id")
    assert entry.actor == world.principal and "phúc khảo" in entry.note
    stored = TermResult.objects.get(student=an, period=1)
    assert stored.subjects["TOAN"] == {"average": "8.7"}  # (8·4 + 2·8 + 3·10) / 9 = 8.67
