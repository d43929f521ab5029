"""Applications (hồ sơ đăng ký tuyển sinh): apply, edit, withdraw, documents, review.

The parent acts through the phone verified by OTP (:class:`PhoneActor`, recorded in the
audit log as ``phone:09...``): an application belongs to the phone it was registered with,
and only that phone may edit or withdraw it, only while the round's window is open.
Schools and the organiser check (accept), return for correction and correct, with
``ADMISSION_REVIEW`` on the application (the scope rule of ``authz_rules``).

Every refusal is a ``ValidationError`` whose messages name the field (``preferences`` with
"NV2 ..." for a preference) and nothing is saved; every write is audited.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from truongso.admissions.models import (
    AdmissionRound,
    Application,
    ApplicationDocument,
    ApplicationStatus,
    ConfirmationStatus,
    EnrolmentCode,
    Preference,
    RoundKind,
    RoundSchool,
    RoundStatus,
)
from truongso.core import audit, authz
from truongso.core.authz import Perm
from truongso.core.text import fold
from truongso.registry.cleaning import (
    clean_birth_date,
    clean_full_name,
    clean_gender,
    clean_learner_id,
    clean_text,
    collect,
)
from truongso.registry.models import OrgUnit, Student

# Codes read aloud and typed from paper: no 0/O, 1/I/L.
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_LENGTH = 10
DOCUMENT_MAX_BYTES = 5 * 1024 * 1024
DOCUMENTS_MAX = 10
DOCUMENT_KINDS = {
    b"%PDF-": ("pdf", "application/pdf"),
    b"\xff\xd8\xff": ("jpg", "image/jpeg"),
    b"\x89PNG\r\n\x1a\n": ("png", "image/png"),
}
# Fields a reviewer may correct (the phone and the preferences stay the parent's).
CORRECTABLE = (
    "full_name",
    "birth_date",
    "gender",
    "guardian_name",
    "address",
    "zone",
    "priority_group",
    "encouragement",
)
# What decided an application's place: fixed once its round's results are published, so the
# result, its explanation and the published run keep telling the same story.
DECIDING = ("zone", "priority_group", "encouragement")


@dataclass(frozen=True)
class PhoneActor:
    """The parent at the browser, known only by the phone verified by OTP."""

    phone: str
    pk: None = None
    is_authenticated: bool = False
    is_superuser: bool = False

    @property
    def username(self) -> str:
        return f"phone:{self.phone}"


def _org_path(r: AdmissionRound) -> str:
    return r.organiser.path


def window_is_open(r: AdmissionRound, now: dt.datetime | None = None) -> bool:
    now = now or timezone.now()
    return r.status == RoundStatus.OPEN and r.registration_opens <= now < r.registration_closes


def _require_window(r: AdmissionRound) -> None:
    if not window_is_open(r):
        raise ValidationError(
            {"__all__": [_("Registration for “%(round)s” is not open.") % {"round": r.name}]},
            code="window_closed",
        )


def code_new() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


# --- Cleaning -------------------------------------------------------------------------------


def _clean_encouragement(value: Any, r: AdmissionRound) -> Decimal:
    raw = str(value if value not in (None, "") else "0").strip().replace(",", ".")
    try:
        points = Decimal(raw)
    except InvalidOperation:
        raise ValidationError(_("“%(v)s” is not a number.") % {"v": raw[:20]}) from None
    if not 0 <= points <= r.encouragement_max or points.as_tuple().exponent < -2:  # type: ignore[operator]
        raise ValidationError(
            _("Encouragement points must be between 0 and %(max)s.")
            % {"max": format(Decimal(r.encouragement_max).normalize(), "f")}
        )
    return points


def _clean_priority(value: Any, r: AdmissionRound) -> str:
    group = str(value or "").strip()
    if group and group not in (r.priority_bonus or {}):
        raise ValidationError(
            _("Unknown priority group “%(v)s” (this round has: %(groups)s).")
            % {"v": group[:8], "groups": ", ".join(sorted(r.priority_bonus or {})) or "—"}
        )
    return group


def _clean_school(value: Any) -> OrgUnit | None:
    if value in (None, ""):
        return None
    school = (
        OrgUnit.objects.filter(pk=str(value), kind="school").first()
        if str(value).isdigit()
        else None
    )
    if school is None:
        raise ValidationError(_("Unknown school."))
    return school


def round_zones(r: AdmissionRound) -> list[str]:
    """The zones (tuyến, khu vực) of a round's schools, as the organiser spelt them."""
    zones = RoundSchool.objects.filter(round=r).exclude(zone="").values_list("zone", flat=True)
    return sorted(set(zones))


def _clean_zone(value: Any, r: AdmissionRound) -> str:
    """One of the round's zones (any case); empty in a round without zones, where it plays
    no part. A zone the round does not have would silently lose the in-zone rights."""
    text = clean_text(value, max_length=20)
    if not text:
        return ""
    zones = round_zones(r)
    if not zones:
        return ""
    match = next((z for z in zones if z.casefold() == text.casefold()), None)
    if match is None:
        raise ValidationError(
            _("Zone “%(zone)s” is not one of this round's zones (%(zones)s).")
            % {"zone": text, "zones": ", ".join(zones)},
            code="zone",
        )
    return match


def _person_cleaners(data: Mapping[str, Any], r: AdmissionRound) -> dict[str, Any]:
    return {
        "full_name": lambda: clean_full_name(data.get("full_name")),
        "birth_date": lambda: clean_birth_date(data.get("birth_date"), min_age=5, max_age=20),
        "gender": lambda: clean_gender(data.get("gender")),
        "guardian_name": lambda: clean_full_name(data.get("guardian_name")),
        "address": lambda: clean_text(data.get("address"), max_length=255),
        "zone": lambda: _clean_zone(data.get("zone"), r),
        "priority_group": lambda: _clean_priority(data.get("priority_group"), r),
        "encouragement": lambda: _clean_encouragement(data.get("encouragement"), r),
    }


def _clean_identity(data: Mapping[str, Any], r: AdmissionRound) -> dict[str, Any]:
    """Learner ID (10 digits) or, for grade 1 only, the enrolment code handed to parents."""
    learner_id = clean_learner_id(data.get("learner_id")) or ""
    code_text = clean_text(data.get("enrolment_code"), max_length=16).upper()
    enrolment_code = None
    if code_text:
        enrolment_code = EnrolmentCode.objects.filter(round=r, code=code_text).first()
        if enrolment_code is None:
            raise ValidationError(
                _("Enrolment code %(code)s does not belong to this round.") % {"code": code_text}
            )
    if not learner_id and (r.kind != RoundKind.GRADE1 or enrolment_code is None):
        raise ValidationError(_("The learner ID (10 digits) is required."), code="required")
    return {"learner_id": learner_id, "enrolment_code": enrolment_code}


def _registry_check(cleaned: Mapping[str, Any]) -> dict[str, list[str]]:
    """A learner ID known to the registry must be that child's (name and birth date)."""
    learner_id = cleaned.get("learner_id")
    if not learner_id or "full_name" not in cleaned or "birth_date" not in cleaned:
        return {}
    student = (
        Student.objects.filter(learner_id=learner_id)
        .only("search_name", "birth_date", "school_id")
        .first()
    )
    if student is None:
        return {}
    if (
        student.search_name != fold(cleaned["full_name"])
        or student.birth_date != cleaned["birth_date"]
    ):
        return {
            "learner_id": [
                _(
                    "Learner ID %(id)s belongs to another child in the education database "
                    "(the name or the birth date differ)."
                )
                % {"id": learner_id}
            ]
        }
    return {}


def _birth_check(cleaned: Mapping[str, Any], r: AdmissionRound) -> dict[str, list[str]]:
    """Grades 1 and 6 admit the children born in the round's year; a grade-1 enrolment code
    is for one child, whose birth date it carries."""
    born = cleaned.get("birth_date")
    if born is None:
        return {}
    if r.birth_year and born.year != r.birth_year:
        return {
            "birth_date": [
                _("This round admits children born in %(year)d.") % {"year": r.birth_year}
            ]
        }
    code = cleaned.get("enrolment_code")
    if code is not None and code.birth_date != born:
        return {
            "birth_date": [
                _("The birth date differs from the one of enrolment code %(code)s.")
                % {"code": code.code}
            ]
        }
    return {}


def clean_application(
    data: Mapping[str, Any], r: AdmissionRound, *, learner_id: str | None = None
) -> dict[str, Any]:
    """Every field at once, errors keyed by field; ``learner_id`` given: an existing
    application's (kept, not read from ``data``), still checked against the registry."""
    cleaners = _person_cleaners(data, r)
    cleaners["current_school"] = lambda: _clean_school(data.get("current_school"))
    errors: dict[str, list[str]] = {}
    cleaned: dict[str, Any] = {}
    if learner_id is None:
        try:
            cleaned.update(_clean_identity(data, r))
        except ValidationError as exc:
            errors["learner_id"] = exc.messages
    try:
        collect(cleaners, into=cleaned)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    errors.update(_registry_check({**cleaned, "learner_id": cleaned.get("learner_id", learner_id)}))
    errors.update(_birth_check(cleaned, r))
    if errors:
        raise ValidationError(errors)
    return cleaned


class _SchoolNames(dict[int, str]):
    """School names for the messages, read only when there is something to refuse."""

    def __init__(self, by_id: Mapping[str, RoundSchool]) -> None:
        super().__init__()
        self.ids = [int(v) for v in by_id]

    def __missing__(self, key: int) -> str:
        self.update(OrgUnit.objects.filter(pk__in=self.ids).values_list("pk", "name"))
        return self.get(key, "")


def clean_preferences(raw: Sequence[Any], r: AdmissionRound, *, zone: str) -> list[RoundSchool]:
    """Ranked schools: open schools of the round, no repeats, no gap, 1..preferences_max.

    With zone rules on (Hanoi: NV1 and NV2 in the home zone), NV1 and NV2 must be schools of
    the applicant's zone; NV3 may be any open school of the round.
    """
    values = [str(v).strip() for v in raw]
    while values and not values[-1]:
        values.pop()
    problems: list[str] = []
    if not values:
        raise ValidationError({"preferences": [_("Choose at least one school (NV1).")]})
    if len(values) > r.preferences_max:
        problems.append(_("At most %(n)d preferences in this round.") % {"n": r.preferences_max})
    # Only the schools named, without building model instances: this runs on every submit.
    wanted = {v for v in values if v.isdigit()}
    by_id = {
        str(school_id): RoundSchool(
            id=pk, round=r, school_id=school_id, is_open=is_open, zone=zone, quota=0
        )
        for pk, school_id, is_open, zone in RoundSchool.objects.filter(
            round=r, school_id__in=wanted
        ).values_list("pk", "school_id", "is_open", "zone")
    }
    names = _SchoolNames(by_id)
    chosen: list[RoundSchool] = []
    seen: set[str] = set()
    for rank, value in enumerate(values[: r.preferences_max], start=1):
        label = f"NV{rank}"
        rs = by_id.get(value)
        if not value:
            problems.append(_("%(nv)s is empty but a later preference is filled.") % {"nv": label})
        elif rs is None:
            problems.append(_("%(nv)s: the school is not part of this round.") % {"nv": label})
        elif not rs.is_open:
            problems.append(
                _("%(nv)s: %(school)s is not accepting applications.")
                % {"nv": label, "school": names[rs.school_id]}
            )
        elif value in seen:
            problems.append(
                _("%(nv)s: %(school)s is already chosen at an earlier preference.")
                % {"nv": label, "school": names[rs.school_id]}
            )
        elif r.zone_rules and rank <= 2 and rs.zone != zone:
            problems.append(
                _("%(nv)s: %(school)s is not in your zone (%(zone)s); NV1 and NV2 must be.")
                % {"nv": label, "school": names[rs.school_id], "zone": zone or "—"}
            )
        else:
            chosen.append(rs)
        seen.add(value)
    if problems:
        raise ValidationError({"preferences": problems})
    return chosen


# --- Parent actions -------------------------------------------------------------------------


def _preferences_save(
    application: Application, chosen: Sequence[RoundSchool], *, new: bool = False
) -> None:
    if not new:
        Preference.objects.filter(application=application).delete()
    Preference.objects.bulk_create(
        Preference(application=application, rank=rank, school_id=rs.school_id)
        for rank, rs in enumerate(chosen, start=1)
    )


def _audit_view(
    application: Application, chosen: Sequence[RoundSchool] | None = None
) -> dict[str, Any]:
    data = audit.snapshot(
        application,
        (
            "learner_id",
            "full_name",
            "birth_date",
            "gender",
            "guardian_name",
            "phone",
            "address",
            "zone",
            "priority_group",
            "encouragement",
            "status",
            "review_note",
            "current_school",
        ),
    )
    data["preferences"] = (
        [rs.school_id for rs in chosen]
        if chosen is not None
        else list(application.preferences.order_by("rank").values_list("school_id", flat=True))
    )
    return data


def _earlier_rounds(r: AdmissionRound) -> list[int]:
    """The rounds this one follows (``previous_round``, then its own, ...): a second round
    takes the places released by the first."""
    ids: list[int] = []
    pk = r.previous_round_id
    while pk is not None and pk not in ids:
        ids.append(pk)
        pk = AdmissionRound.objects.filter(pk=pk).values_list("previous_round_id", flat=True)[0]
    return ids


def _confirmed_earlier(r: AdmissionRound, learner_id: str) -> ValidationError | None:
    """A learner who confirmed her place in an earlier round of the chain holds it: the
    second round is for the places she did not take, not for a second choice."""
    earlier = _earlier_rounds(r)
    if not learner_id or not earlier:
        return None
    held = (
        Application.objects.filter(
            round_id__in=earlier,
            learner_id=learner_id,
            confirmation=ConfirmationStatus.CONFIRMED,
        )
        .select_related("round", "admitted_school")
        .first()
    )
    if held is None:
        return None
    return ValidationError(
        {
            "learner_id": [
                _(
                    "Learner ID %(id)s has already confirmed enrolment at %(school)s in "
                    "%(round)s, so cannot apply in this round."
                )
                % {
                    "id": learner_id,
                    "school": held.admitted_school.name if held.admitted_school else "",
                    "round": held.round.name,
                }
            ]
        },
        code="confirmed_earlier",
    )


def _duplicate(r: AdmissionRound, cleaned: Mapping[str, Any]) -> ValidationError | None:
    held = _confirmed_earlier(r, cleaned["learner_id"])
    if held is not None:
        return held
    qs = Application.objects.filter(round=r)
    if cleaned["learner_id"] and qs.filter(learner_id=cleaned["learner_id"]).exists():
        return ValidationError(
            {
                "learner_id": [
                    _("An application for learner ID %(id)s already exists in this round.")
                    % {"id": cleaned["learner_id"]}
                ]
            },
            code="duplicate",
        )
    if cleaned["enrolment_code"] and qs.filter(enrolment_code=cleaned["enrolment_code"]).exists():
        return ValidationError(
            {"learner_id": [_("An application with this enrolment code already exists.")]},
            code="duplicate",
        )
    return None


def application_apply(
    *, round: AdmissionRound, phone: str, data: Mapping[str, Any], preferences: Sequence[Any]
) -> Application:
    """Register one learner in ``round`` for the verified ``phone``; returns it with its code."""
    _require_window(round)
    errors: dict[str, list[str]] = {}
    cleaned: dict[str, Any] = {}
    try:
        cleaned = clean_application(data, round)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    chosen: list[RoundSchool] = []
    try:
        chosen = clean_preferences(preferences, round, zone=cleaned.get("zone", ""))
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)
    duplicate = _duplicate(round, cleaned)
    if duplicate is not None:
        raise duplicate
    actor = PhoneActor(phone)
    for _attempt in range(5):
        try:
            with transaction.atomic():
                application = Application(round=round, code=code_new(), phone=phone, **cleaned)
                application.save(force_insert=True)
                _preferences_save(application, chosen, new=True)
                audit.audit_record(
                    actor=actor,
                    action="admission.apply",
                    obj=application,
                    org_path=_org_path(round),
                    after=_audit_view(application, chosen),
                )
            return application
        except IntegrityError:
            duplicate = _duplicate(round, cleaned)
            if duplicate is not None:
                raise duplicate from None
    raise RuntimeError("no free application code after 5 tries")


def _require_owner(application: Application, phone: str) -> None:
    if application.phone != phone:
        raise PermissionDenied("application of another phone")


def _require_editable(application: Application) -> None:
    if application.status == ApplicationStatus.WITHDRAWN:
        raise ValidationError({"__all__": [_("This application was withdrawn.")]}, code="withdrawn")
    _require_window(application.round)


def application_update(
    *, application: Application, phone: str, data: Mapping[str, Any], preferences: Sequence[Any]
) -> Application:
    """The parent edits the application (not the learner ID) until the window closes.

    An application returned for correction goes back to "submitted".
    """
    _require_owner(application, phone)
    _require_editable(application)
    r = application.round
    errors: dict[str, list[str]] = {}
    cleaned: dict[str, Any] = {}
    try:
        cleaned = clean_application(data, r, learner_id=application.learner_id)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    chosen: list[RoundSchool] = []
    try:
        chosen = clean_preferences(preferences, r, zone=cleaned.get("zone", ""))
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        locked = Application.objects.select_for_update().get(pk=application.pk)
        _require_editable(locked)
        before = _audit_view(locked)
        for name, value in cleaned.items():
            setattr(locked, name, value)
        if locked.status == ApplicationStatus.RETURNED:
            locked.status = ApplicationStatus.SUBMITTED
        locked.save()
        _preferences_save(locked, chosen)
        after = _audit_view(locked, chosen)
        old, new = audit.diff(before, after)
        if new:
            audit.audit_record(
                actor=PhoneActor(phone),
                action="admission.update",
                obj=locked,
                org_path=_org_path(r),
                before=old,
                after=new,
            )
    return locked


def application_withdraw(*, application: Application, phone: str) -> Application:
    _require_owner(application, phone)
    with transaction.atomic():
        locked = Application.objects.select_for_update().get(pk=application.pk)
        _require_editable(locked)
        before = audit.snapshot(locked, ["status"])
        locked.status = ApplicationStatus.WITHDRAWN
        locked.save(update_fields=["status", "updated_at"])
        audit.audit_update(
            actor=PhoneActor(phone),
            obj=locked,
            before=before,
            action="admission.withdraw",
            org_path=_org_path(locked.round),
        )
    return locked


def _document_type(upload: UploadedFile) -> tuple[str, str] | None:
    upload.seek(0)
    head = upload.read(8)
    upload.seek(0)
    for magic, kind in DOCUMENT_KINDS.items():
        if head.startswith(magic):
            return kind
    return None


def document_add(
    *, application: Application, phone: str, kind: str, upload: UploadedFile
) -> ApplicationDocument:
    """Attach a scan (PDF, JPEG or PNG, at most 5 MB), recognised by its content."""
    _require_owner(application, phone)
    _require_editable(application)
    problems = []
    label = clean_text(kind, max_length=40) or _("Document")
    if (upload.size or 0) > DOCUMENT_MAX_BYTES:
        problems.append(
            _("%(name)s is %(mb).1f MB; at most 5 MB.")
            % {"name": upload.name, "mb": (upload.size or 0) / 1024 / 1024}
        )
    elif _document_type(upload) is None:
        problems.append(_("%(name)s is not a PDF, JPEG or PNG file.") % {"name": upload.name})
    if application.documents.count() >= DOCUMENTS_MAX:
        problems.append(_("At most %(n)d documents per application.") % {"n": DOCUMENTS_MAX})
    if problems:
        raise ValidationError({"file": problems})
    extension = _document_type(upload)[0]  # type: ignore[index]
    with transaction.atomic():
        document = ApplicationDocument(
            application=application, kind=label, file_name=str(upload.name)[:255]
        )
        document.file.save(f"{application.code}-{code_new()}.{extension}", upload, save=False)
        document.save()
        audit.audit_record(
            actor=PhoneActor(phone),
            action="admission.document",
            obj=document,
            org_path=_org_path(application.round),
            after={"application": application.code, "kind": label, "file": document.file_name},
        )
    return document


# --- Review by schools and the organiser ----------------------------------------------------


def application_review(
    *, actor: Any, application: Application, decision: str, note: str = ""
) -> Application:
    """Check (``accept``) or return for correction (``return``, a note is required)."""
    authz.require(actor, Perm.ADMISSION_REVIEW, application)
    statuses = {"accept": ApplicationStatus.ACCEPTED, "return": ApplicationStatus.RETURNED}
    if decision not in statuses:
        raise ValidationError({"decision": [_("Unknown decision.")]})
    note = clean_text(note, max_length=500)
    if decision == "return" and not note:
        raise ValidationError({"note": [_("Say what the parent must correct.")]})
    with transaction.atomic():
        locked = Application.objects.select_for_update().get(pk=application.pk)
        if locked.status == ApplicationStatus.WITHDRAWN:
            raise ValidationError({"__all__": [_("This application was withdrawn.")]})
        before = audit.snapshot(locked, ["status", "review_note"])
        locked.status, locked.review_note = statuses[decision], note
        locked.save(update_fields=["status", "review_note", "updated_at"])
        audit.audit_update(
            actor=actor,
            obj=locked,
            before=before,
            action=f"admission.{decision}",
            org_path=_org_path(locked.round),
        )
    return locked


def _require_result_fields_unchanged(application: Application, cleaned: Mapping[str, Any]) -> None:
    status = AdmissionRound.objects.values_list("status", flat=True).get(pk=application.round_id)
    if status not in (RoundStatus.PUBLISHED, RoundStatus.FINISHED):
        return
    changed = [f for f in DECIDING if f in cleaned and cleaned[f] != getattr(application, f)]
    if changed:
        raise ValidationError(
            {
                f: [_("The results are published: this decided the result and cannot change.")]
                for f in changed
            },
            code="published",
        )


def application_correct(
    *, actor: Any, application: Application, data: Mapping[str, Any], note: str = ""
) -> Application:
    """A reviewer corrects the applicant's particulars (not the phone or preferences); once
    the results are published, not what decided the place (zone, priority, encouragement)."""
    authz.require(actor, Perm.ADMISSION_REVIEW, application)
    r = application.round
    merged = {name: getattr(application, name) for name in CORRECTABLE}
    merged["current_school"] = application.current_school_id
    merged.update({k: v for k, v in data.items() if k in CORRECTABLE})
    merged["birth_date"] = (
        merged["birth_date"].strftime("%d/%m/%Y")
        if isinstance(merged["birth_date"], dt.date)
        else merged["birth_date"]
    )
    cleaned = clean_application(merged, r, learner_id=application.learner_id)
    cleaned.pop("current_school", None)
    with transaction.atomic():
        locked = Application.objects.select_for_update().get(pk=application.pk)
        _require_result_fields_unchanged(locked, cleaned)
        before = audit.snapshot(locked, CORRECTABLE)
        for name, value in cleaned.items():
            setattr(locked, name, value)
        locked.save()
        audit.audit_update(
            actor=actor,
            obj=locked,
            before=before,
            action="admission.correct",
            note=clean_text(note, max_length=255),
            org_path=_org_path(r),
        )
    return locked
