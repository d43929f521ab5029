"""Confirmation, decline, the registry hand-over and the release into a second round."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation

from truongso.admissions.models import (
    AdmissionRound,
    Application,
    ConfirmationStatus,
    RoundSchool,
    RoundStatus,
)
from truongso.admissions.services import confirm
from truongso.admissions.services.applications import application_correct
from truongso.admissions.services.confirm import ParentPhone
from truongso.admissions.tests.results_helpers import AFTER, DURING, Published, published_round
from truongso.core.authz import SYSTEM
from truongso.core.models import AuditEntry
from truongso.registry.models import (
    EnrolmentEvent,
    EventKind,
    RegisterEntry,
    SchoolClass,
    Student,
    StudentGuardian,
    StudentStatus,
)
from truongso.registry.services import classes

pytestmark = pytest.mark.django_db


@pytest.fixture
def pub(world: Any, registry_consistent: Any) -> Published:
    classes.class_create(
        actor=SYSTEM, school=world.school_b, school_year=world.year, grade=6, name="6B1"
    )
    return published_round(world)


def _fresh(app: Application) -> Application:
    return Application.objects.get(pk=app.pk)


def test_parent_confirms_and_new_pupil_enters_the_school_registry(
    world: Any, pub: Published
) -> None:
    lan = pub.apps["lan"]
    confirm.application_confirm(actor=ParentPhone("0987111222"), application=lan, now=DURING)
    lan = _fresh(lan)
    assert lan.confirmation == ConfirmationStatus.CONFIRMED
    assert lan.confirmed_at == DURING
    student = lan.student
    assert student is not None
    # 6A1 holds An and Bình, 6A2 only Chi: the intake class is the emptier one.
    assert student.current_class is not None
    assert (student.school, student.current_class.name) == (world.school_a, "6A2")
    assert (student.learner_id, student.temp_code) == (None, "TS34070001-00001")
    assert (student.full_name, student.birth_date, student.gender) == (
        "Trần Thị Lan",
        dt.date(2014, 5, 1),
        "F",
    )
    assert student.current_address == "Thôn Đông, An Bài"
    event = EnrolmentEvent.objects.get(student=student)
    assert (event.kind, event.date, event.decision_no) == (
        EventKind.ADMITTED,
        world.year.start_date,
        "TS25000002",
    )
    assert RegisterEntry.objects.get(student=student).admitted_class_name == "6A2"
    guardian = StudentGuardian.objects.get(student=student)
    assert (guardian.guardian.full_name, guardian.guardian.phone, guardian.is_primary) == (
        "Trần Văn Ba",
        "0987111222",
        True,
    )
    actions = list(
        AuditEntry.objects.filter(object_id=str(lan.pk), object_type="admissions.application")
        .order_by("pk")
        .values_list("action", "actor_name")
    )
    assert actions == [("admission.confirm", "phone:0987111222"), ("admission.handover", "system")]


def test_confirming_twice_changes_nothing(pub: Published) -> None:
    lan = pub.apps["lan"]
    parent = ParentPhone("0987111222")
    confirm.application_confirm(actor=parent, application=lan, now=DURING)
    confirm.application_confirm(actor=parent, application=lan, now=DURING)
    assert Student.objects.filter(full_name="Trần Thị Lan").count() == 1
    assert AuditEntry.objects.filter(action="admission.confirm").count() == 1


def test_known_learner_keeps_her_record_and_id(world: Any, pub: Published) -> None:
    an = world.students["an"]
    confirm.application_confirm(
        actor=ParentPhone("0912345678"), application=pub.apps["an"], now=DURING
    )
    app = _fresh(pub.apps["an"])
    assert app.student_id == an.pk
    an.refresh_from_db()
    assert an.current_class is not None
    assert (an.learner_id, an.school, an.current_class.name, an.status) == (
        "3407000001",
        world.school_b,
        "6B1",
        StudentStatus.STUDYING,
    )
    kinds = list(
        EnrolmentEvent.objects.filter(student=an).order_by("pk").values_list("kind", "school__code")
    )
    assert kinds == [
        (EventKind.ADMITTED, "34070001"),
        (EventKind.TRANSFER_OUT, "34070001"),
        (EventKind.ADMITTED, "34070002"),
    ]
    assert Student.objects.filter(learner_id="3407000001").count() == 1


def test_school_clerk_confirms_for_a_parent_in_person(world: Any, pub: Published) -> None:
    confirm.application_confirm(actor=world.principal, application=pub.apps["minh"], now=DURING)
    assert _fresh(pub.apps["minh"]).confirmation == ConfirmationStatus.CONFIRMED


@pytest.mark.parametrize(
    "who", ["other_phone", "principal_c", "teacher", "parent", "other_bureau", "anonymous"]
)
def test_others_cannot_confirm_and_nothing_changes(world: Any, pub: Published, who: str) -> None:
    from django.contrib.auth.models import AnonymousUser

    actor = {
        "other_phone": ParentPhone("0987333444"),
        "anonymous": AnonymousUser(),
    }.get(who) or getattr(world, who)
    with pytest.raises(PermissionDenied):
        confirm.application_confirm(actor=actor, application=pub.apps["lan"], now=DURING)
    with pytest.raises(PermissionDenied):
        confirm.application_decline(actor=actor, application=pub.apps["lan"], now=DURING)
    lan = _fresh(pub.apps["lan"])
    assert (lan.confirmation, lan.student_id) == (ConfirmationStatus.PENDING, None)
    assert not AuditEntry.objects.filter(action__startswith="admission.").exists()


def test_after_the_deadline_confirmation_is_refused(pub: Published) -> None:
    with pytest.raises(ValidationError) as exc:
        confirm.application_confirm(
            actor=ParentPhone("0987111222"), application=pub.apps["lan"], now=AFTER
        )
    assert exc.value.messages == ["Đã quá hạn xác nhận nhập học (17:00 15/07/2025)."]
    assert _fresh(pub.apps["lan"]).confirmation == ConfirmationStatus.PENDING


def test_before_publication_and_without_a_place_nothing_to_confirm(pub: Published) -> None:
    early = dt.datetime(2025, 6, 30, 23, 0, tzinfo=dt.UTC)
    with pytest.raises(ValidationError):
        confirm.application_confirm(
            actor=ParentPhone("0987111222"), application=pub.apps["lan"], now=early
        )
    with pytest.raises(ValidationError) as exc:
        confirm.application_confirm(
            actor=ParentPhone("0987555666"), application=pub.apps["hoa"], now=DURING
        )
    assert exc.value.messages == ["Hồ sơ TS25000004 không có chỗ trúng tuyển để xác nhận."]


def test_decline_then_confirm_is_refused(pub: Published) -> None:
    parent = ParentPhone("0987111222")
    confirm.application_decline(actor=parent, application=pub.apps["lan"], now=DURING)
    assert _fresh(pub.apps["lan"]).confirmation == ConfirmationStatus.DECLINED
    with pytest.raises(ValidationError):
        confirm.application_confirm(actor=parent, application=pub.apps["lan"], now=DURING)
    lan = _fresh(pub.apps["lan"])
    assert (lan.confirmation, lan.student_id) == (ConfirmationStatus.DECLINED, None)


def test_without_an_intake_class_the_handover_waits_then_completes(
    world: Any, pub: Published
) -> None:
    SchoolClass.objects.filter(school=world.school_b).delete()
    an = world.students["an"]
    confirm.application_confirm(
        actor=ParentPhone("0912345678"), application=pub.apps["an"], now=DURING
    )
    app = _fresh(pub.apps["an"])
    assert (app.confirmation, app.student_id) == (ConfirmationStatus.CONFIRMED, None)
    an.refresh_from_db()
    assert an.school == world.school_a
    assert confirm.handovers_pending_run() == 0
    classes.class_create(
        actor=SYSTEM, school=world.school_b, school_year=world.year, grade=6, name="6B2"
    )
    assert confirm.handovers_pending_run() == 1
    assert confirm.handovers_pending_run() == 0
    assert _fresh(pub.apps["an"]).student_id == an.pk


def test_release_creates_the_second_round_with_places_left(world: Any, pub: Published) -> None:
    confirm.application_confirm(
        actor=ParentPhone("0987111222"), application=pub.apps["lan"], now=DURING
    )
    confirm.application_decline(
        actor=ParentPhone("0912345678"), application=pub.apps["an"], now=DURING
    )
    second = confirm.round_release_unconfirmed(actor=world.bureau, round_=pub.round, now=AFTER)
    states = dict(Application.objects.filter(round=pub.round).values_list("code", "confirmation"))
    assert states == {
        "TS25000001": ConfirmationStatus.DECLINED,
        "TS25000002": ConfirmationStatus.CONFIRMED,
        "TS25000003": ConfirmationStatus.RELEASED,
        "TS25000004": "",
    }
    assert (second.previous_round, second.status, second.kind) == (
        pub.round,
        RoundStatus.DRAFT,
        "grade6",
    )
    assert second.name == "Tuyển sinh lớp 6 năm học 2025-2026 – đợt 2"
    quotas = dict(RoundSchool.objects.filter(round=second).values_list("school__code", "quota"))
    assert quotas == {"34070001": 1, "34070002": 1}
    pub.round.refresh_from_db()
    assert pub.round.status == RoundStatus.FINISHED
    entry = AuditEntry.objects.get(action="admission.release")
    assert entry.after is not None
    assert entry.after["released"] == 1
    # Again: the same second round, nothing new.
    again = confirm.round_release_unconfirmed(actor=world.bureau, round_=pub.round, now=AFTER)
    assert again.pk == second.pk
    assert AdmissionRound.objects.filter(previous_round=pub.round).count() == 1
    assert confirm.rounds_due_release(AFTER) == []


def test_release_refused_before_the_deadline_and_for_others(world: Any, pub: Published) -> None:
    with pytest.raises(ValidationError):
        confirm.round_release_unconfirmed(actor=world.bureau, round_=pub.round, now=DURING)
    for who in ("principal", "other_bureau"):
        with pytest.raises(PermissionDenied):
            confirm.round_release_unconfirmed(
                actor=getattr(world, who), round_=pub.round, now=AFTER
            )
    assert AdmissionRound.objects.count() == 1
    assert _fresh(pub.apps["lan"]).confirmation == ConfirmationStatus.PENDING
    assert [r.pk for r in confirm.rounds_due_release(AFTER)] == [pub.round.pk]


def _grade10_round(world: Any) -> tuple[Published, Any]:
    from truongso.registry.reference import OrgKind, SchoolLevel
    from truongso.registry.services import org, students

    thpt = org.org_unit_create(
        actor=SYSTEM,
        kind=OrgKind.SCHOOL,
        code="34000101",
        name="Trường THPT Quỳnh Côi",
        parent=world.department_unit,
        level=SchoolLevel.UPPER_SECONDARY,
    )
    classes.class_create(actor=SYSTEM, school=thpt, school_year=world.year, grade=10, name="10A1")
    nine = classes.class_create(
        actor=SYSTEM, school=world.school_a, school_year=world.year, grade=9, name="9A1"
    )
    pupil = students.student_admit(
        actor=SYSTEM,
        school_class=nine,
        admitted_on=world.year.start_date,
        data={
            "learner_id": "3407000099",
            "full_name": "Ngô Thị Mai",
            "birth_date": "02/02/2011",
            "gender": "F",
        },
    )
    pub = published_round(world)
    AdmissionRound.objects.filter(pk=pub.round.pk).update(
        kind="grade10", organiser=world.department_unit
    )
    RoundSchool.objects.create(round=pub.round, school=thpt, quota=2)
    Application.objects.filter(pk=pub.apps["lan"].pk).update(
        admitted_school=thpt, learner_id="3407000099", full_name="Ngô Thị Mai"
    )
    Application.objects.filter(pk=pub.apps["minh"].pk).update(
        admitted_school=thpt, learner_id="0100000001"
    )
    return pub, (thpt, pupil)


def test_grade10_learner_graduates_from_lower_secondary_and_keeps_her_id(
    world: Any, registry_consistent: Any
) -> None:
    pub, (thpt, mai) = _grade10_round(world)
    confirm.application_confirm(
        actor=ParentPhone("0987111222"), application=pub.apps["lan"], now=DURING
    )
    mai.refresh_from_db()
    assert _fresh(pub.apps["lan"]).student_id == mai.pk
    assert mai.current_class is not None
    assert (mai.school, mai.current_class.name, mai.learner_id) == (thpt, "10A1", "3407000099")
    kinds = list(
        EnrolmentEvent.objects.filter(student=mai)
        .order_by("pk")
        .values_list("kind", "school__code")
    )
    assert kinds == [
        (EventKind.ADMITTED, "34070001"),
        (EventKind.GRADUATED, "34070001"),
        (EventKind.ADMITTED, "34000101"),
    ]
    # A learner from outside the system: a new record under her Ministry learner ID.
    confirm.application_confirm(
        actor=ParentPhone("0987333444"), application=pub.apps["minh"], now=DURING
    )
    minh = _fresh(pub.apps["minh"]).student
    assert minh is not None
    assert (minh.learner_id, minh.temp_code, minh.school) == ("0100000001", None, thpt)


def test_after_publication_what_decided_the_place_cannot_be_corrected(world: Any) -> None:
    """The result, its explanation and the published run must keep telling one story: a
    reviewer still corrects a name or an address, not the zone, priority or encouragement."""
    pub = published_round(world)
    lan = pub.apps["lan"]
    with translation.override("en"), pytest.raises(ValidationError) as exc:
        application_correct(
            actor=world.bureau, application=lan, data={"zone": "QP2", "priority_group": ""}
        )
    assert exc.value.message_dict == {
        "zone": ["The results are published: this decided the result and cannot change."]
    }
    lan.refresh_from_db()
    assert lan.zone == ""
    fixed = application_correct(
        actor=world.bureau, application=lan, data={"address": "Thôn Tây, An Bài"}
    )
    assert fixed.address == "Thôn Tây, An Bài"
