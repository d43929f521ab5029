"""After publication: the parent confirms (or declines) the place, the student enters the
receiving school's registry, and unconfirmed places are released into a second round.

* ``application_confirm`` / ``application_decline``: by the parent through the verified phone
  (``ParentPhone``), or by someone who may review the application (a parent who comes to the
  school in person); only while the result is visible and before the confirmation deadline.
* ``application_handover``: the confirmed applicant becomes a student of the admitting school
  (registry services only; the learner ID is kept, a child without one gets the school's
  temporary code), in the entry-grade class of the round's school year with the fewest
  pupils. Idempotent: ``Application.student`` records it. When the school has no class of
  that grade yet, the hand-over waits; ``handovers_pending_run`` retries them.
* ``round_release_unconfirmed``: after the deadline, places still waiting are released and a
  second round (``previous_round``) is created as a draft with, per school, the places not
  confirmed. Idempotent: running it again returns the same second round.

Parents get a text message (services/notify.py): a receipt of the confirmation, in its own
transaction, and a notice of the release, sent by the notices task queued after it.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from truongso.admissions.models import (
    AdmissionRound,
    Application,
    ApplicationStatus,
    ConfirmationStatus,
    RoundKind,
    RoundSchool,
    RoundStatus,
)
from truongso.admissions.services.notify import notice_confirmed_send
from truongso.admissions.services.runs import results_visible
from truongso.admissions.tasks import notify_schedule
from truongso.core import authz
from truongso.core.audit import audit_record
from truongso.core.authz import Perm
from truongso.registry.cleaning import clean_guardian_data, clean_student_data
from truongso.registry.models import (
    EventKind,
    SchoolClass,
    SchoolYear,
    Student,
    StudentStatus,
)
from truongso.registry.reference import Relation
from truongso.registry.services import bulk, enrolment

log = logging.getLogger(__name__)

ENTRY_GRADE = {RoundKind.GRADE1: 1, RoundKind.GRADE6: 6, RoundKind.GRADE10: 10}
# Last grade of the level a learner leaves when admitted to the next one.
LEAVING_GRADE = {RoundKind.GRADE6: 5, RoundKind.GRADE10: 9}
WAITING = ("", ConfirmationStatus.PENDING)
SECOND_ROUND_DAYS = 7


@dataclass(frozen=True)
class ParentPhone:
    """The parent acting through a phone verified by OTP (no user account).

    Passes no permission check; the services compare ``phone`` with the application's."""

    phone: str
    pk: None = None
    is_authenticated: bool = False
    is_active: bool = False
    is_superuser: bool = False

    @property
    def username(self) -> str:
        return f"phone:{self.phone}"

    def __str__(self) -> str:
        return self.username


def can_answer(actor: Any, application: Application) -> bool:
    """The registered phone, or a reviewer of the application (at the school, in person)."""
    if isinstance(actor, ParentPhone):
        return bool(actor.phone) and actor.phone == application.phone
    if not getattr(actor, "is_authenticated", False):
        return False
    school = application.admitted_school
    if school is not None and authz.can(actor, Perm.ADMISSION_REVIEW, school.path):
        return True
    return authz.can(actor, Perm.ADMISSION_MANAGE, application.round.organiser.path)


def _answerable(application: Application, now: dt.datetime) -> None:
    round_ = application.round
    if not results_visible(round_, now) or application.admitted_school_id is None:
        raise ValidationError(
            _("There is no place to confirm for application %(code)s.") % {"code": application.code}
        )
    if application.status == ApplicationStatus.WITHDRAWN:
        raise ValidationError(_("Application %(code)s was withdrawn.") % {"code": application.code})
    if round_.confirmation_deadline is not None and now > round_.confirmation_deadline:
        raise ValidationError(
            _("The confirmation deadline (%(when)s) has passed.")
            % {"when": _local(round_.confirmation_deadline)}
        )


def _local(value: dt.datetime) -> str:
    return timezone.localtime(value).strftime("%H:%M %d/%m/%Y")


def _locked(application: Application) -> Application:
    return (
        Application.objects.select_for_update(of=("self",))
        .select_related("round__organiser", "admitted_school")
        .get(pk=application.pk)
    )


def application_confirm(
    *, actor: Any, application: Application, now: dt.datetime | None = None
) -> Application:
    """Confirm the admitted place (xác nhận nhập học) and hand the student over to the
    school's registry. Confirming again changes nothing."""
    now = now or timezone.now()
    if not can_answer(actor, application):
        raise PermissionDenied(_("You cannot answer for this application."))
    with transaction.atomic():
        application = _locked(application)
        if application.confirmation == ConfirmationStatus.CONFIRMED:
            return application
        _answerable(application, now)
        if application.confirmation not in WAITING:
            raise ValidationError(
                _("Application %(code)s can no longer be confirmed (%(state)s).")
                % {"code": application.code, "state": application.get_confirmation_display()}
            )
        application.confirmation = ConfirmationStatus.CONFIRMED
        application.confirmed_at = now
        application.save(update_fields=["confirmation", "confirmed_at", "updated_at"])
        audit_record(
            actor=actor,
            action="admission.confirm",
            obj=application,
            org_path=application.admitted_school.path if application.admitted_school else "",
            before={"confirmation": ""},
            after={
                "confirmation": ConfirmationStatus.CONFIRMED,
                "school": application.admitted_school.code if application.admitted_school else None,
                "preference": application.admitted_preference,
            },
        )
        application_handover(application=application)
        notice_confirmed_send(application=application, at=now)
    return application


def application_decline(
    *, actor: Any, application: Application, now: dt.datetime | None = None
) -> Application:
    """Decline the place (không nhập học): it goes to the second round."""
    now = now or timezone.now()
    if not can_answer(actor, application):
        raise PermissionDenied(_("You cannot answer for this application."))
    with transaction.atomic():
        application = _locked(application)
        if application.confirmation == ConfirmationStatus.DECLINED:
            return application
        _answerable(application, now)
        if application.confirmation not in WAITING:
            raise ValidationError(
                _("Application %(code)s can no longer be declined (%(state)s).")
                % {"code": application.code, "state": application.get_confirmation_display()}
            )
        application.confirmation = ConfirmationStatus.DECLINED
        application.confirmed_at = now
        application.save(update_fields=["confirmation", "confirmed_at", "updated_at"])
        audit_record(
            actor=actor,
            action="admission.decline",
            obj=application,
            org_path=application.admitted_school.path if application.admitted_school else "",
            before={"confirmation": ""},
            after={"confirmation": ConfirmationStatus.DECLINED},
        )
    return application


# -- hand-over to the registry -------------------------------------------------------------


def _school_year(round_: AdmissionRound) -> SchoolYear | None:
    if round_.school_year_id is not None:
        return round_.school_year
    return SchoolYear.objects.filter(is_current=True).first()


def intake_class(application: Application) -> SchoolClass | None:
    """The entry-grade class of the admitting school with the fewest pupils (then by name)."""
    year = _school_year(application.round)
    if year is None or application.admitted_school_id is None:
        return None
    return (
        SchoolClass.objects.filter(
            school_id=application.admitted_school_id,
            school_year=year,
            grade=ENTRY_GRADE[RoundKind(application.round.kind)],
        )
        .annotate(pupils=Count("current_students"))
        .select_related("school", "school_year")
        .order_by("pupils", "name", "pk")
        .first()
    )


def _admitted_on(school_class: SchoolClass, confirmed_at: dt.datetime | None) -> dt.date:
    """The day the pupil starts: the confirmation day, but not before the school year's first
    day (confirmations come in summer) nor after its last (a late one, e.g. in the demo, whose
    calendar stays on one year)."""
    year = school_class.school_year
    day = timezone.localdate(confirmed_at) if confirmed_at else timezone.localdate()
    return min(max(day, year.start_date), year.end_date)


def _student_data(application: Application) -> dict[str, Any]:
    return clean_student_data(
        {
            "learner_id": application.learner_id or None,
            "full_name": application.full_name,
            "birth_date": application.birth_date,
            "gender": application.gender,
            "current_address": application.address,
        }
    )


def _guardian(application: Application) -> list[bulk.GuardianInput]:
    if not application.guardian_name.strip():
        return []
    data = clean_guardian_data({"full_name": application.guardian_name, "phone": application.phone})
    return [bulk.GuardianInput(relation=Relation.GUARDIAN, data=data, is_primary=True)]


def _move_known(
    student: Student, school_class: SchoolClass, date: dt.date, application: Application
) -> Student:
    """A learner already in the registry keeps her record and learner ID: she leaves her
    school (graduated from the level, or transferred) and is admitted to the new one."""
    actor = authz.SYSTEM
    student = Student.objects.select_for_update(of=("self",)).get(pk=student.pk)
    school = school_class.school
    if student.school_id == school.pk and student.status == StudentStatus.STUDYING:
        return student  # already there
    previous = student.school
    date = max(date, _open_since(student))
    if student.status == StudentStatus.STUDYING and previous is not None:
        leaving = LEAVING_GRADE.get(RoundKind(application.round.kind))
        grade = student.current_class.grade if student.current_class else None
        graduated = leaving is not None and grade == leaving
        enrolment.student_exit(
            actor=actor,
            student=student,
            kind=EventKind.GRADUATED if graduated else EventKind.TRANSFER_OUT,
            date=date,
            reason=_("Admitted to %(school)s") % {"school": school.name},
            other_school_name=school.name,
        )
        student.refresh_from_db()
    student.school = school
    student.status = StudentStatus.STUDYING
    student.save(update_fields=["school", "status", "updated_at"])
    enrolment.place(
        actor=actor,
        student=student,
        school_class=school_class,
        date=date,
        kind=EventKind.ADMITTED,
        other_school=previous,
        decision_no=application.code,
    )
    return student


def _open_since(student: Student) -> dt.date:
    from truongso.registry.models import Placement

    placement = Placement.objects.filter(student=student, end_date__isnull=True).first()
    return placement.start_date if placement else dt.date.min


def application_handover(*, application: Application) -> Student | None:
    """Create (or move) the confirmed applicant's student record in the admitting school.

    Runs as the system inside a savepoint: a refusal by the registry (no class yet, a date
    outside the year) leaves the confirmation in place and the hand-over pending."""
    if application.student_id is not None:
        return application.student
    if application.confirmation != ConfirmationStatus.CONFIRMED:
        return None
    school_class = intake_class(application)
    if school_class is None:
        log.info("admission %s: no intake class yet, hand-over pending", application.code)
        return None
    date = _admitted_on(school_class, application.confirmed_at)
    try:
        with transaction.atomic():
            known = (
                Student.objects.filter(learner_id=application.learner_id).first()
                if application.learner_id
                else None
            )
            if known is not None:
                student = _move_known(known, school_class, date, application)
            else:
                admission = bulk.Admission(
                    school_class=school_class,
                    data=_student_data(application),
                    admitted_on=date,
                    kind=EventKind.ADMITTED,
                    from_school_name=(
                        application.current_school.name if application.current_school else ""
                    ),
                    decision_no=application.code,
                    guardians=_guardian(application),
                )
                student = bulk.students_admit_bulk(
                    actor=authz.SYSTEM, school=school_class.school, admissions=[admission]
                )[0]
            application.student = student
            application.save(update_fields=["student", "updated_at"])
            audit_record(
                actor=authz.SYSTEM,
                action="admission.handover",
                obj=application,
                org_path=school_class.school.path,
                after={
                    "student": student.pk,
                    "identifier": student.identifier,
                    "class": school_class.name,
                    "date": date.isoformat(),
                },
            )
    except ValidationError as exc:
        log.warning("admission %s: hand-over refused: %s", application.code, exc.messages)
        return None
    return student


def handovers_pending_run(*, round_: AdmissionRound | None = None) -> int:
    """Retry the hand-over of confirmed applicants without a student record yet."""
    pending = Application.objects.filter(
        confirmation=ConfirmationStatus.CONFIRMED, student__isnull=True
    ).select_related("round", "admitted_school", "current_school")
    if round_ is not None:
        pending = pending.filter(round=round_)
    done = 0
    for application in pending.order_by("pk"):
        with transaction.atomic():
            locked = _locked(application)
            if application_handover(application=locked) is not None:
                done += 1
    return done


# -- release at the deadline and second round ---------------------------------------------


def _places_left(round_: AdmissionRound) -> dict[int, int]:
    """Per school of the round: quota minus confirmed places (never below zero)."""
    confirmed = dict(
        Application.objects.filter(round=round_, confirmation=ConfirmationStatus.CONFIRMED)
        .values_list("admitted_school")
        .annotate(n=Count("pk"))
        .values_list("admitted_school", "n")
    )
    return {
        rs.school_id: max(rs.quota - confirmed.get(rs.school_id, 0), 0)
        for rs in RoundSchool.objects.filter(round=round_)
    }


def round_release_unconfirmed(
    *, actor: Any, round_: AdmissionRound, now: dt.datetime | None = None
) -> AdmissionRound:
    """At the deadline: places not confirmed are released, the round is finished and a second
    round (draft) is created with, for each school, the places left (quota − confirmed).
    Running it again returns the same second round and changes nothing."""
    now = now or timezone.now()
    if not authz.can(actor, Perm.ADMISSION_MANAGE, round_.organiser.path):
        raise PermissionDenied(_("You cannot manage this admission round."))
    with transaction.atomic():
        round_ = AdmissionRound.objects.select_for_update().get(pk=round_.pk)
        existing = AdmissionRound.objects.filter(previous_round=round_).order_by("pk").first()
        if existing is not None:
            return existing
        if round_.status != RoundStatus.PUBLISHED:
            raise ValidationError(
                _("Only a round with published results can release places (%(name)s).")
                % {"name": round_.name}
            )
        if round_.confirmation_deadline is None or now <= round_.confirmation_deadline:
            raise ValidationError(_("The confirmation deadline has not passed yet."))
        waiting = Application.objects.filter(
            round=round_, admitted_school__isnull=False, confirmation__in=WAITING
        ).exclude(status=ApplicationStatus.WITHDRAWN)
        # Locked first: a confirmation racing the deadline either committed before (and is
        # not waiting any more) or waits for this transaction and then finds the place gone.
        released = list(waiting.select_for_update().order_by("pk").values_list("pk", flat=True))
        waiting.update(confirmation=ConfirmationStatus.RELEASED, updated_at=now)
        left = _places_left(round_)
        second = AdmissionRound.objects.create(
            organiser=round_.organiser,
            school_year=round_.school_year,
            name=_("%(name)s – second round") % {"name": round_.name},
            kind=round_.kind,
            status=RoundStatus.DRAFT,
            previous_round=round_,
            registration_opens=now,
            registration_closes=now + dt.timedelta(days=SECOND_ROUND_DAYS),
            preferences_max=round_.preferences_max,
            formula=round_.formula,
            priority_bonus=round_.priority_bonus,
            encouragement_max=round_.encouragement_max,
            exclude_on_zero=round_.exclude_on_zero,
            penalties=round_.penalties,
            tie_rule=round_.tie_rule,
            zone_rules=round_.zone_rules,
            birth_year=round_.birth_year,
            created_by=actor if getattr(actor, "pk", None) else None,
        )
        zones = dict(RoundSchool.objects.filter(round=round_).values_list("school_id", "zone"))
        RoundSchool.objects.bulk_create(
            RoundSchool(round=second, school_id=school, quota=places, zone=zones.get(school, ""))
            for school, places in sorted(left.items())
            if places > 0
        )
        round_.status = RoundStatus.FINISHED
        round_.save(update_fields=["status", "updated_at"])
        # The released places' parents are told by the notices task, after the commit.
        notify_schedule(round_)
        audit_record(
            actor=actor,
            action="admission.release",
            obj=round_,
            org_path=round_.organiser.path,
            before={"status": RoundStatus.PUBLISHED},
            after={
                "status": RoundStatus.FINISHED,
                "released": len(released),
                "applications": released[:1000],
                "second_round": second.pk,
                "places": {str(k): v for k, v in sorted(left.items())},
            },
        )
        audit_record(
            actor=actor,
            action="admission.round_create",
            obj=second,
            org_path=round_.organiser.path,
            after={"previous_round": round_.pk, "name": second.name},
        )
    return second


def rounds_due_release(now: dt.datetime | None = None) -> list[AdmissionRound]:
    now = now or timezone.now()
    return list(
        AdmissionRound.objects.filter(status=RoundStatus.PUBLISHED, confirmation_deadline__lt=now)
        .filter(~Q(next_rounds__isnull=False))
        .select_related("organiser")
    )


def release_due(now: dt.datetime | None = None) -> int:
    """For the command and the task: release every round past its deadline (as the system),
    then retry the pending hand-overs. Returns the number of second rounds created."""
    created = 0
    for round_ in rounds_due_release(now):
        round_release_unconfirmed(actor=authz.SYSTEM, round_=round_, now=now)
        created += 1
    handovers_pending_run()
    return created
