"""A report card's life: rendered, signed stage by stage, issued; corrected or revoked.

Every signature is one short transaction on the card's row (``select_for_update``): the
stage already applied is skipped, so signing is idempotent per (student, year, version,
stage) whoever calls it and however often. The PDF of each stage is a new file (the
signature is an incremental update of the previous one); the row points at the newest.
Issued cards never change: a correction is a new version that supersedes the old one once
it is itself issued (DOMAIN.md, "Digital report card").
"""

from __future__ import annotations

import hashlib
import logging
import secrets
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from truongso.core import authz
from truongso.core.audit import audit_record
from truongso.core.authz import Perm
from truongso.gradebook.models import GradingPeriod, TermResult
from truongso.registry.models import OrgUnit, SchoolClass, SchoolYear, Student
from truongso.reportcards.models import CardStatus, ReportCard, SignerRole, Stage
from truongso.reportcards.render import Issue, report_card_pdf

logger = logging.getLogger(__name__)
CODE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford: no I, L, O, U
CODE_LENGTH = 10
# Signature fields, one per signer, in signing order.
FIELDS = {
    Stage.HOMEROOM: ("GVCN", SignerRole.HOMEROOM),
    Stage.PRINCIPAL: ("HieuTruong", SignerRole.PRINCIPAL),
    Stage.SEAL: ("ConDau", SignerRole.SEAL),
}
REASONS = {
    Stage.HOMEROOM: "Giáo viên chủ nhiệm xác nhận học bạ",
    Stage.PRINCIPAL: "Hiệu trưởng phê duyệt học bạ",
    Stage.SEAL: "Nhà trường xác nhận học bạ",
}


def new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def normalise_code(raw: str) -> str:
    """What a person typed or a QR code carried, as stored: "abcde-1234o" → "ABCDE12340"."""
    text = "".join(ch for ch in raw.upper() if ch.isalnum())
    return text.translate(str.maketrans("OIL", "011"))


def year_closed(school: OrgUnit, year: SchoolYear) -> bool:
    """A year can be issued once its semester II is closed (official year results stored)."""
    return GradingPeriod.objects.filter(
        school=school, school_year=year, semester=2, closed_at__isnull=False
    ).exists()


def require_closed(school: OrgUnit, year: SchoolYear) -> None:
    if not year_closed(school, year):
        raise ValidationError(
            _(
                "The school year %(year)s is not closed at %(school)s yet: report cards are "
                "issued only after semester II is closed."
            )
            % {"year": year.code, "school": school.name},
            code="not_closed",
        )


def class_students(school_class: SchoolClass) -> list[int]:
    """Students with official year results in the class (those the year closed with)."""
    return list(
        TermResult.objects.filter(school_class=school_class, period=TermResult.YEAR)
        .order_by("student__search_name", "student_id")
        .values_list("student_id", flat=True)
    )


def current_card(student_id: int, year_id: int) -> ReportCard | None:
    """The version being signed or in force (not superseded or revoked), newest first."""
    return (
        ReportCard.objects.filter(
            student_id=student_id,
            school_year_id=year_id,
            status__in=[CardStatus.SIGNING, CardStatus.ISSUED],
        )
        .order_by("-version")
        .first()
    )


def _store(card: ReportCard, body: bytes, stage: int) -> None:
    name = f"{card.verify_code}-v{card.version}-{stage}.pdf"
    card.pdf.save(name, ContentFile(body), save=False)


def card_prepare(
    *,
    actor: Any,
    student: Student,
    school_class: SchoolClass,
    supersedes: ReportCard | None = None,
    reason: str = "",
) -> ReportCard:
    """The student's current card of the class's year, rendered now if there is none.

    Called by the signing batch (as the system) and by a correction; the caller checked
    permission and that the year is closed."""
    found = current_card(student.pk, school_class.school_year_id)
    if found is not None and supersedes is None:
        return found
    version = supersedes.version + 1 if supersedes else 1
    card = ReportCard(
        student=student,
        school_year=school_class.school_year,
        school=school_class.school,
        school_class=school_class,
        version=version,
        verify_code=new_code(),
        supersedes=supersedes,
        correction_reason=reason,
        created_by=actor if getattr(actor, "pk", None) else None,
    )
    body = report_card_pdf(
        student, school_class.school_year, issue=Issue(card.verify_code, version, reason, False)
    )
    try:
        with transaction.atomic():
            _store(card, body, 0)
            card.save()
            audit_record(
                actor=actor,
                action="reportcards.card.render",
                obj=card,
                after={"version": version, "verify_code": card.verify_code},
                note=reason,
            )
    except IntegrityError:  # another worker made it meanwhile: use theirs
        card.pdf.delete(save=False)
        existing = current_card(student.pk, school_class.school_year_id)
        if existing is None:
            raise
        return existing
    return card


@dataclass(frozen=True)
class Signatory:
    """Who signs a stage: the opened backend, and the name and certificate to record."""

    backend: Any
    name: str
    certificate: str
    is_test: bool


def card_sign(*, card_id: int, stage: int, signatory: Signatory) -> bool | None:
    """Apply one stage's signature (as the system; the batch checked permission).

    ``True`` when signed now, ``False`` when this stage was already applied (never twice),
    ``None`` when the card is not ready for it (an earlier signature is missing)."""
    from truongso.reportcards.signing.pdfsign import sign_pdf

    with transaction.atomic():
        card = ReportCard.objects.select_for_update().select_related("school").get(pk=card_id)
        if card.stage >= stage or card.status != CardStatus.SIGNING:
            return False
        if card.stage != stage - 1:
            return None
        field_name, role = FIELDS[Stage(stage)]
        with card.pdf.open("rb") as handle:
            before = handle.read()
        previous = card.pdf.name
        signed = sign_pdf(
            before,
            backend=signatory.backend,
            field_name=field_name,
            signer_role=str(role.label),
            reason=REASONS[Stage(stage)],
            location=card.school.name,
        )
        _store(card, signed, stage)
        now = timezone.now()
        card.stage = stage
        card.signers = [
            *card.signers,
            {
                "role": role.value,
                "name": signatory.name,
                "certificate": signatory.certificate,
                "signed_at": now.isoformat(),
                "test": signatory.is_test,
            },
        ]
        fields = ["stage", "signers", "pdf"]
        if stage == Stage.SEAL:
            _issue(card, signed, now)
            fields += ["status", "sha256", "issued_at"]
        card.save(update_fields=fields)
        audit_record(
            actor=authz.SYSTEM,
            action="reportcards.card.sign",
            obj=card,
            after={"stage": stage, "signer": signatory.name, "certificate": signatory.certificate},
        )
        storage = card.pdf.storage
        transaction.on_commit(lambda: storage.delete(previous))
    return True


def _issue(card: ReportCard, body: bytes, now: Any) -> None:
    card.status = CardStatus.ISSUED
    card.sha256 = hashlib.sha256(body).hexdigest()
    card.issued_at = now
    if card.supersedes_id is not None:
        ReportCard.objects.filter(pk=card.supersedes_id, status=CardStatus.ISSUED).update(
            status=CardStatus.SUPERSEDED
        )


def _require_issue(actor: Any, card: ReportCard) -> None:
    if not authz.check(actor, Perm.REPORTCARD_VIEW, card):
        raise PermissionDenied
    if not authz.can(actor, Perm.REPORTCARD_ISSUE, card.school.path):
        raise PermissionDenied(_("Only the principal of the issuing school may do this."))


def _reason(reason: str) -> str:
    reason = " ".join(reason.split())
    if len(reason) < 10:
        raise ValidationError(
            {"reason": _("Give the reason in a sentence (at least 10 characters).")}
        )
    if len(reason) > 500:
        raise ValidationError({"reason": _("The reason is too long (500 characters at most).")})
    return reason


def card_correct(*, actor: Any, card: ReportCard, reason: str) -> ReportCard:
    """Issue a correction (đính chính): a new version rendered from the official results as
    they are now, to be signed again; it supersedes ``card`` once it is issued."""
    _require_issue(actor, card)
    reason = _reason(reason)
    with transaction.atomic():
        locked = ReportCard.objects.select_for_update().get(pk=card.pk)
        if locked.status != CardStatus.ISSUED:
            raise ValidationError(_("Only an issued report card can be corrected."))
        if ReportCard.objects.filter(supersedes=locked).exists():
            raise ValidationError(_("A correction of this report card is already under way."))
        new = card_prepare(
            actor=actor,
            student=locked.student,
            school_class=locked.school_class,
            supersedes=locked,
            reason=reason,
        )
    return new


def card_revoke(*, actor: Any, card: ReportCard, reason: str) -> ReportCard:
    """Revoke a card (thu hồi): the verification page then says it is not valid."""
    _require_issue(actor, card)
    reason = _reason(reason)
    with transaction.atomic():
        locked = ReportCard.objects.select_for_update().get(pk=card.pk)
        if locked.status not in (CardStatus.ISSUED, CardStatus.SIGNING):
            raise ValidationError(_("This report card is no longer in force."))
        before = locked.status
        locked.status = CardStatus.REVOKED
        locked.revocation_reason = reason
        locked.revoked_at = timezone.now()
        locked.save(update_fields=["status", "revocation_reason", "revoked_at"])
        audit_record(
            actor=actor,
            action="reportcards.card.revoke",
            obj=locked,
            before={"status": before},
            after={"status": locked.status},
            note=reason,
        )
    return locked
