"""Public verification of a report card: what was issued, and whether a file is that card.

The page and the API show only what a third party needs to trust the document (personal
data law, Luật 91/2025/QH15): the student's initials, the school, the year, the version and
its status, the SHA-256 of the issued file, who signed and when. Never the name in full,
the birth date, the IDs or any result. An uploaded file is checked twice: its signatures
(``signing.validate.validate_pdf``, intact, trusted, nothing changed after the last one) and
its SHA-256 against the file the school issued.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from truongso.reportcards import selectors
from truongso.reportcards.models import CardStatus, ReportCard, SignerRole
from truongso.reportcards.services.cards import FIELDS

MAX_UPLOAD = 10 * 1024 * 1024


def mask_name(name: str) -> str:
    """Initials only: "Nguyễn Văn An" → "N. V. A."."""
    return " ".join(f"{word[0]}." for word in name.split() if word) or "—"


def _local(value: Any) -> str:
    if not value:
        return ""
    moment = parse_datetime(value) if isinstance(value, str) else value
    return timezone.localtime(moment).strftime("%d/%m/%Y %H:%M") if moment else ""


@dataclass(frozen=True)
class PublicSigner:
    role: str
    name: str
    signed_at: str
    test: bool


@dataclass
class PublicCard:
    code: str
    status: str
    status_label: str
    student: str
    school: str
    year: str
    version: int
    sha256: str
    issued_at: str
    signers: list[PublicSigner] = field(default_factory=list)
    correction_reason: str = ""
    superseded_by_version: int | None = None
    superseded_at: str = ""
    revoked_at: str = ""
    test: bool = False

    def as_json(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "status": self.status,
            "status_label": self.status_label,
            "student": self.student,
            "school": self.school,
            "school_year": self.year,
            "version": self.version,
            "sha256": self.sha256,
            "issued_at": self.issued_at,
            "signers": [s.__dict__ for s in self.signers],
            "correction_reason": self.correction_reason,
            "superseded_by_version": self.superseded_by_version,
            "revoked_at": self.revoked_at,
            "test_certificates": self.test,
        }


def public_card(card: ReportCard) -> PublicCard:
    found = PublicCard(
        code=card.code_display,
        status=card.status,
        status_label=str(CardStatus(card.status).label),
        student=mask_name(card.student.full_name),
        school=card.school.name,
        year=card.school_year.code,
        version=card.version,
        sha256=card.sha256,
        issued_at=_local(card.issued_at),
        correction_reason=card.correction_reason,
        revoked_at=_local(card.revoked_at),
    )
    for signer in card.signers:
        found.signers.append(
            PublicSigner(
                str(SignerRole(signer["role"]).label),
                signer.get("certificate") or signer["name"],
                _local(signer["signed_at"]),
                bool(signer.get("test")),
            )
        )
    found.test = any(s.test for s in found.signers)
    newer = getattr(card, "superseded_by", None)
    if card.status == CardStatus.SUPERSEDED and newer is not None:
        found.superseded_by_version = newer.version
        found.superseded_at = _local(newer.issued_at)
        found.correction_reason = newer.correction_reason
    return found


@dataclass
class UploadCheck:
    sha256: str
    matches: bool  # the very file the school issued (same SHA-256)
    signatures_valid: bool
    problems: list[str]
    signatures: list[dict[str, Any]]
    card: ReportCard | None = None

    @property
    def genuine(self) -> bool:
        return self.matches and self.signatures_valid

    def as_json(self) -> dict[str, Any]:
        return {
            "sha256": self.sha256,
            "matches_issued": self.matches,
            "signatures_valid": self.signatures_valid,
            "genuine": self.genuine,
            "problems": self.problems,
            "signatures": self.signatures,
        }


def check_upload(body: bytes, card: ReportCard | None) -> UploadCheck:
    """Validate ``body``'s signatures and compare it with ``card`` (or find the card it is)."""
    from truongso.reportcards.signing.validate import validate_pdf

    digest = hashlib.sha256(body).hexdigest()
    if card is None:
        card = selectors.card_by_hash(digest)
    report = validate_pdf(body, expected_fields=[name for name, _role in FIELDS.values()])
    problems = list(report.problems)
    matches = card is not None and bool(card.sha256) and card.sha256 == digest
    if card is not None and not matches:
        problems.append(
            _("This file is not the one the school issued under this code (its SHA-256 differs).")
        )
    if card is None:
        problems.append(_("No report card issued by the system has this file's SHA-256."))
    signatures = [
        {
            "field": sig.field_name,
            "signer": sig.signer_cn,
            "role": sig.signer_role,
            "intact": sig.intact,
            "trusted": sig.trusted,
            "signed_at": _local(sig.signing_time),
            "timestamp": _local(sig.timestamp),
            "ok": sig.ok,
        }
        for sig in report.signatures
    ]
    return UploadCheck(digest, matches, report.valid, problems, signatures, card)
