"""Year-end services: lists, re-tests, summer training, repeating, finalising, permissions."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from truongso.core.authz import SYSTEM
from truongso.core.models import AuditEntry
from truongso.gradebook.late_changes import late_change_request
from truongso.gradebook.models import TermResult
from truongso.gradebook.services import yearend
from truongso.gradebook.tests.yearbook import Pupil, admit, fill_year, primary_school
from truongso.registry.models import Subject
from truongso.workflow.models import RequestStatus
from truongso.workflow.services import approval_decide

pytestmark = pytest.mark.usefixtures("registry_consistent")


@pytest.fixture
def year_6a1(world):
    """6A1 at the end of the year: one pupil for each year-end outcome."""
    cls = world.class_6a1
    pupils = {
        "an": (world.students["an"], Pupil()),  # Tốt, Học sinh Giỏi
        "binh": (world.students["binh"], Pupil(scores={"TOAN": "3", "NV": "4"})),  # re-test
        "cuong": (admit(cls, "Lê Văn Cường", "M"), Pupil(conduct=("Khá", "Chưa đạt"))),
        "dao": (admit(cls, "Phạm Thị Đào"), Pupil(absences=(30, 20))),  # 50 sessions
        "em": (admit(cls, "Trịnh Văn Em", "M"), Pupil(default="9.5")),  # Xuất sắc
        "giang": (
            admit(cls, "Mai Thu Giang"),
            Pupil(scores={"TOAN": "4", "GDTC": "CĐ", "AN": "CĐ"}, conduct=("Đạt", "Chưa đạt")),
        ),
    }
    fill_year(cls, dict(pupils.values()), world.principal)
    return {key: student for key, (student, _p) in pupils.items()}


def year_row(student):
    return TermResult.objects.get(student=student, period=TermResult.YEAR)


def lists_of(world):
    rows = TermResult.objects.filter(school_class=world.class_6a1, period=0).select_related(
        "school_class", "student"
    )
    return yearend.YearLists.of(yearend.year_rows(rows))


def names(rows):
    return sorted(r.result.student.full_name for r in rows)


def test_lists_after_closing(world, year_6a1):
    lists = lists_of(world)
    # Art. 15 sets no limit of absences for awards: Đào repeats, yet is a Học sinh Giỏi.
    assert sorted((r.result.student.full_name, r.result.award) for r in lists.awards) == [
        ("Nguyễn Văn An", "gioi"),
        ("Phạm Thị Đào", "gioi"),
        ("Trịnh Văn Em", "xuat_sac"),
    ]
    assert names(lists.promoted) == ["Nguyễn Văn An", "Trịnh Văn Em"]
    assert names(lists.retest) == ["Mai Thu Giang", "Đỗ Thị Bình"]
    retests = {r.result.student.full_name: r.eligible for r in lists.retest}
    assert retests == {"Đỗ Thị Bình": ["NV", "TOAN"], "Mai Thu Giang": ["AN", "GDTC", "TOAN"]}
    assert names(lists.summer) == ["Lê Văn Cường", "Mai Thu Giang"]
    assert names(lists.repeat) == ["Phạm Thị Đào"]
    dao = year_row(year_6a1["dao"])
    assert (dao.absences, dao.decision, dao.learning) == (50, "repeat", "tot")
    assert year_row(year_6a1["giang"]).decision == "retest_summer"


def test_retest_raises_a_student_to_promoted(world, year_6a1):
    binh = year_6a1["binh"]
    yearend.retest_save(
        actor=world.principal, student=binh, year=world.year, values={"TOAN": "6", "NV": "5,5"}
    )
    row = year_row(binh)
    assert row.retests == {"TOAN": "6", "NV": "5.5"} and row.decision == "retest"
    entry = AuditEntry.objects.get(action="gradebook.retest")
    assert entry.actor == world.principal and entry.after == {"retests": row.retests}
    counts = yearend.year_finalise(
        actor=world.principal, school=world.school_a, year=world.year, allow_incomplete=True
    )
    row.refresh_from_db()
    assert row.decision == "promoted"
    assert row.learning == "chua_dat"  # the year's result stays; the re-tests decide
    assert yearend.year_row(yearend.Engines()(row.school_class), row).learning_after == "kha"
    # binh and cuong (no summer result) ... : cuong, giang and dao (absences) repeat.
    assert counts == {"promoted": 1, "repeat": 2}
    assert year_row(year_6a1["dao"]).decision == "repeat"


def test_failed_retest_means_repeating(world, year_6a1):
    binh = year_6a1["binh"]
    yearend.retest_save(
        actor=world.vice, student=binh, year=world.year, values={"TOAN": "3", "NV": "4.5"}
    )
    yearend.summer_conduct_save(
        actor=world.vice, student=year_6a1["cuong"], year=world.year, value="Đạt"
    )
    with pytest.raises(ValidationError) as caught:  # giang has nothing recorded yet
        yearend.year_finalise(actor=world.principal, school=world.school_a, year=world.year)
    assert caught.value.code == "incomplete"
    assert year_row(binh).decision == "retest"
    yearend.year_finalise(
        actor=world.principal, school=world.school_a, year=world.year, allow_incomplete=True
    )
    assert year_row(binh).decision == "repeat"
    assert year_row(year_6a1["cuong"]).decision == "promoted"  # summer training passed
    assert year_row(year_6a1["giang"]).decision == "repeat"
    names_repeating = names(lists_of(world).repeat)
    assert names_repeating == ["Mai Thu Giang", "Phạm Thị Đào", "Đỗ Thị Bình"]
    with pytest.raises(ValidationError):  # final: no more re-tests
        yearend.retest_save(
            actor=world.principal, student=binh, year=world.year, values={"TOAN": "9"}
        )


def test_summer_training_and_retest_both_needed(world, year_6a1):
    giang = year_6a1["giang"]
    yearend.retest_save(
        actor=world.principal,
        student=giang,
        year=world.year,
        values={"TOAN": "5", "GDTC": "Đ", "AN": "đ"},
    )
    yearend.summer_conduct_save(actor=world.principal, student=giang, year=world.year, value="CĐ")
    yearend.year_finalise(
        actor=world.principal, school=world.school_a, year=world.year, allow_incomplete=True
    )
    assert year_row(giang).decision == "repeat"  # learning passes, conduct still Chưa đạt


def test_retest_values_are_cleaned_like_end_of_term_scores(world, year_6a1):
    binh = year_6a1["binh"]
    with pytest.raises(ValidationError) as caught:
        yearend.retest_save(
            actor=world.principal,
            student=binh,
            year=world.year,
            values={"TOAN": "6.25", "NV": "11", "KHTN": "9"},
        )
    errors = caught.value.message_dict
    assert set(errors) == {"TOAN", "NV", "KHTN"}
    assert "một chữ số thập phân" in errors["TOAN"][0]
    assert year_row(binh).retests == {}
    with pytest.raises(ValidationError):  # an is promoted: no re-test at all
        yearend.retest_save(
            actor=world.principal, student=world.students["an"], year=world.year, values={}
        )
    with pytest.raises(ValidationError) as caught:
        yearend.summer_conduct_save(
            actor=world.principal, student=year_6a1["cuong"], year=world.year, value="Giỏi"
        )
    assert "summer_conduct" in caught.value.message_dict


@pytest.mark.parametrize(
    "who", ["teacher", "homeroom", "parent", "student", "bureau", "principal_c"]
)
def test_others_cannot_record_year_end_results(world, year_6a1, who):
    actor = world.users[who]
    binh, cuong = year_6a1["binh"], year_6a1["cuong"]
    with pytest.raises(PermissionDenied):
        yearend.retest_save(actor=actor, student=binh, year=world.year, values={"TOAN": "9"})
    with pytest.raises(PermissionDenied):
        yearend.summer_conduct_save(actor=actor, student=cuong, year=world.year, value="Tốt")
    with pytest.raises(PermissionDenied):
        yearend.year_finalise(
            actor=actor, school=world.school_a, year=world.year, allow_incomplete=True
        )
    assert year_row(binh).retests == {} and year_row(cuong).summer_conduct == ""
    assert year_row(binh).decision == "retest"
    assert not AuditEntry.objects.filter(action__startswith="gradebook.retest").exists()
    assert not AuditEntry.objects.filter(action="gradebook.year_finalise").exists()


def test_nothing_before_semester_two_closes(world):
    an = world.students["an"]
    fill_year(world.class_6a1, {an: Pupil()}, world.principal, close=1)
    with pytest.raises(ValidationError):
        yearend.retest_save(actor=world.principal, student=an, year=world.year, values={})
    with pytest.raises(ValidationError):
        yearend.year_finalise(actor=world.principal, school=world.school_a, year=world.year)


def test_an_approved_late_change_keeps_the_final_decision(world, year_6a1):
    binh = year_6a1["binh"]
    yearend.retest_save(
        actor=world.principal, student=binh, year=world.year, values={"TOAN": "7", "NV": "6"}
    )
    yearend.year_finalise(
        actor=world.principal, school=world.school_a, year=world.year, allow_incomplete=True
    )
    assert year_row(binh).decision == "promoted"
    # A re-marked end-of-term paper (still below 5 for the year) is approved afterwards.
    request = late_change_request(
        actor=world.teacher,
        school_class=world.class_6a1,
        semester=2,
        student=binh,
        subject=Subject.objects.get(code="TOAN"),
        cells={"ck": ("3", "4")},
        reason="Chấm phúc khảo",
    )
    approval_decide(actor=world.principal, request=request, decision=RequestStatus.APPROVED)
    row = year_row(binh)
    assert row.subjects["TOAN"] == {"average": "3.2"}  # (3·4 + 2·3 + 3·4) / 9 = 3.33; year 3.2
    assert (row.decision, row.retests) == ("promoted", {"TOAN": "7", "NV": "6"})


def test_primary_summer_review(world):
    school, class_1a = primary_school(world)
    good, weak, weaker = (admit(class_1a, name) for name in ("Hà An", "Lò Bình", "Vi Chi"))
    pupils = {
        good: Pupil(mark="HTT"),
        weak: Pupil(mark="HTT", scores={"TOAN": "CHT"}),
        weaker: Pupil(mark="HT", test="4"),
    }
    fill_year(class_1a, pupils, SYSTEM)
    rows = {r.student_id: r for r in TermResult.objects.filter(school_class=class_1a, period=0)}
    assert [(rows[p.pk].learning, rows[p.pk].decision) for p in (good, weak, weaker)] == [
        ("htxs", "promoted"),
        ("cht", "summer"),
        ("cht", "summer"),
    ]
    listed = yearend.YearLists.of(
        yearend.year_rows(
            TermResult.objects.filter(school_class=class_1a, period=0).select_related(
                "school_class", "student"
            )
        )
    )
    assert sorted(r.result.student.full_name for r in listed.summer) == ["Lò Bình", "Vi Chi"]
    assert listed.retest == []
    with pytest.raises(ValidationError):  # primary pupils have no re-test of subjects
        yearend.retest_save(actor=SYSTEM, student=weak, year=world.year, values={"TOAN": "HT"})
    with pytest.raises(ValidationError):
        yearend.summer_review_save(actor=SYSTEM, student=weak, year=world.year, result="htt")
    yearend.summer_review_save(actor=SYSTEM, student=weak, year=world.year, result="ht")
    yearend.summer_review_save(actor=SYSTEM, student=weaker, year=world.year, result="cht")
    with pytest.raises(PermissionDenied):  # school A's principal does not lead this school
        yearend.summer_review_save(
            actor=world.principal, student=weaker, year=world.year, result="ht"
        )
    counts = yearend.year_finalise(actor=SYSTEM, school=school, year=world.year)
    assert counts == {"promoted": 1, "repeat": 1}
    assert TermResult.objects.get(student=weak, period=0).decision == "promoted"
    assert TermResult.objects.get(student=weaker, period=0).decision == "repeat"
    assert TermResult.objects.get(student=good, period=0).decision == "promoted"
