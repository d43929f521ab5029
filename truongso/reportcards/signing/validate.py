"""Validating signed report cards, with pyHanko and (in tests and CI) poppler's ``pdfsig``.

:func:`validate_pdf` answers, for every signature of a PDF: who signed (certificate common
name) in which field and as which role, whether the signed bytes are intact, the CMS signature
valid and the certificate trusted by the configured roots (``settings.REPORTCARDS_TRUST_ROOTS``,
by default the test CA's root) and not revoked (the CRLs the project keeps), the signing time
and the RFC 3161 timestamp, how much of the file the signature covers, and whether the document
was changed after it (a page appended after the last signature makes the report invalid, form
filling by a later signature does not).
"""

from __future__ import annotations

import datetime as dt
import functools
import io
import os
import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from asn1crypto import pem
from asn1crypto import x509 as asn1_x509
from django.conf import settings
from django.utils.translation import gettext as _
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko.sign.validation.settings import KeyUsageConstraints
from pyhanko.sign.validation.status import PdfSignatureStatus, SignatureCoverageLevel
from pyhanko_certvalidator import ValidationContext

from truongso.reportcards.signing.certs import crl_paths, subject_cn

KEY_USAGE = KeyUsageConstraints(
    key_usage={"digital_signature", "non_repudiation"}, match_all_key_usages=False
)


@dataclass(frozen=True)
class SignatureReport:
    """What one signature of a document says and whether it holds."""

    field_name: str
    signer_cn: str
    signer_role: str
    intact: bool
    valid: bool
    trusted: bool
    revoked: bool
    signing_time: dt.datetime | None
    timestamp: dt.datetime | None
    timestamp_valid: bool | None
    coverage: str  # entire_file, entire_revision, partial
    modification: str  # none, form_filling, annotations, other, unknown
    ok: bool
    problems: tuple[str, ...] = ()

    @property
    def modified_after(self) -> bool:
        return self.coverage != "entire_file"


@dataclass
class ValidationReport:
    """The verdict on a whole document."""

    signatures: list[SignatureReport] = field(default_factory=list)
    error: str = ""
    missing_fields: list[str] = field(default_factory=list)

    @property
    def last(self) -> SignatureReport | None:
        return self.signatures[-1] if self.signatures else None

    @property
    def covers_whole_file(self) -> bool:
        """The last signature covers every byte of the file."""
        return self.last is not None and self.last.coverage == "entire_file"

    @property
    def modified_after_last_signature(self) -> bool:
        """Something beyond validation data (DSS, document timestamps) follows the last one."""
        last = self.last
        return last is not None and not (
            last.coverage == "entire_file"
            or (last.coverage == "entire_revision" and last.modification == "lta_updates")
        )

    @property
    def valid(self) -> bool:
        return (
            not self.error
            and bool(self.signatures)
            and not self.missing_fields
            and all(sig.ok for sig in self.signatures)
            and not self.modified_after_last_signature
        )

    @property
    def problems(self) -> list[str]:
        found = [self.error] if self.error else []
        if not self.error and not self.signatures:
            found.append(_("The document carries no digital signature."))
        found += [
            _("The signature %(field)s is missing.") % {"field": name}
            for name in self.missing_fields
        ]
        for sig in self.signatures:
            found += [f"{sig.field_name}: {problem}" for problem in sig.problems]
        if self.modified_after_last_signature:
            found.append(_("The document was changed after its last signature."))
        return found


# --- trust --------------------------------------------------------------------------------------
def _load_certs(path: Path) -> list[asn1_x509.Certificate]:
    data = path.read_bytes()
    if pem.detect(data):
        return [asn1_x509.Certificate.load(der) for _t, _h, der in pem.unarmor(data, multiple=True)]
    return [asn1_x509.Certificate.load(data)]


def trust_root_paths() -> list[Path]:
    configured = [Path(p) for p in settings.REPORTCARDS_TRUST_ROOTS]
    if configured:
        return configured
    test_root = Path(settings.REPORTCARDS_SIGNING_DIR) / "ca" / "root.pem"
    return [test_root] if test_root.exists() else []


def _stamp(paths: list[Path]) -> tuple[tuple[str, float], ...]:
    return tuple((str(p), p.stat().st_mtime) for p in paths if p.exists())


def trust_roots() -> list[asn1_x509.Certificate]:
    """The configured trust roots, parsed (cached while the files stay the same)."""
    return _trust_material(_stamp(trust_root_paths()), ())[0]


@functools.lru_cache(maxsize=4)
def _trust_material(
    roots: tuple[tuple[str, float], ...], crls: tuple[tuple[str, float], ...]
) -> tuple[list[asn1_x509.Certificate], list[bytes]]:
    certs = [cert for path, _m in roots for cert in _load_certs(Path(path))]
    return certs, [Path(path).read_bytes() for path, _m in crls]


def validation_context(moment: dt.datetime | None = None) -> ValidationContext:
    """Trust roots and CRLs the project keeps; no network fetching."""
    roots, crls = _trust_material(_stamp(trust_root_paths()), _stamp(crl_paths()))
    return ValidationContext(
        trust_roots=roots,
        crls=crls,
        allow_fetching=False,
        revocation_mode="soft-fail",
        moment=moment,
    )


# --- validation ---------------------------------------------------------------------------------
_COVERAGE = {
    SignatureCoverageLevel.ENTIRE_FILE: "entire_file",
    SignatureCoverageLevel.ENTIRE_REVISION: "entire_revision",
}


def _role(status: PdfSignatureStatus) -> str:
    attrs = status.cades_signer_attrs
    if attrs is None or "role" not in attrs.claimed_attrs:
        return ""
    roles = []
    for role in attrs.claimed_attrs["role"].attr_values:
        name = role["role_name"]
        if name.name == "directory_name":
            roles.append(str(name.chosen.native.get("common_name", "")))
        else:
            roles.append(str(name.native))
    return ", ".join(r for r in roles if r)


def _report(embedded: Any, context: ValidationContext) -> SignatureReport:
    field_name = str(embedded.field_name)
    try:
        status = validate_pdf_signature(
            embedded,
            signer_validation_context=context,
            ts_validation_context=context,
            key_usage_settings=KEY_USAGE,
        )
    except Exception as exc:  # a damaged CMS blob is a verdict, not a crash
        return SignatureReport(
            field_name=field_name,
            signer_cn="",
            signer_role="",
            intact=False,
            valid=False,
            trusted=False,
            revoked=False,
            signing_time=None,
            timestamp=None,
            timestamp_valid=None,
            coverage="partial",
            modification="unknown",
            ok=False,
            problems=(
                _("The signature cannot be read (%(error)s).") % {"error": type(exc).__name__},
            ),
        )
    problems = []
    if not status.intact:
        problems.append(_("The signed content was altered (its digest does not match)."))
    if not status.valid:
        problems.append(_("The cryptographic signature is not valid."))
    if status.revoked:
        problems.append(_("The signer's certificate is revoked."))
    elif status.intact and status.valid and not status.trusted:
        problems.append(_("The signer's certificate is not trusted by this site."))
    ts = status.timestamp_validity
    ts_ok = None if ts is None else bool(ts.valid and ts.intact and ts.trusted)
    if ts_ok is False:
        problems.append(_("The timestamp is not valid or not trusted."))
    coverage = _COVERAGE.get(status.coverage, "partial") if status.coverage else "partial"
    level = status.modification_level
    modification = level.name.lower() if level is not None else "unknown"
    if coverage == "partial":
        problems.append(_("The signature does not cover the document it belongs to."))
    elif coverage == "entire_revision" and not status.docmdp_ok:
        problems.append(_("The document was changed after this signature in a way not allowed."))
    return SignatureReport(
        field_name=field_name,
        signer_cn=subject_cn(status.signing_cert),
        signer_role=_role(status),
        intact=status.intact,
        valid=status.valid,
        trusted=status.trusted,
        revoked=status.revoked,
        signing_time=status.signer_reported_dt,
        timestamp=ts.timestamp if ts is not None else None,
        timestamp_valid=ts_ok,
        coverage=coverage,
        modification=modification,
        ok=status.bottom_line and not problems,
        problems=tuple(problems),
    )


def validate_pdf(
    pdf: bytes,
    *,
    expected_fields: list[str] | None = None,
    moment: dt.datetime | None = None,
) -> ValidationReport:
    """Validate every signature of ``pdf``; never raises on bad input."""
    try:
        reader = PdfFileReader(io.BytesIO(pdf), strict=False)
        embedded = list(reader.embedded_signatures)
    except Exception:  # any parse failure means: not a document we can vouch for
        return ValidationReport(error=_("This file is not a readable PDF document."))
    context = validation_context(moment)
    report = ValidationReport(signatures=[_report(sig, context) for sig in embedded])
    if expected_fields:
        present = {sig.field_name for sig in report.signatures}
        report.missing_fields = [name for name in expected_fields if name not in present]
    return report


# --- poppler's pdfsig, the independent validator of the tests and CI ---------------------------
def pdfsig_path() -> str | None:
    return shutil.which("pdfsig")


@dataclass(frozen=True)
class PdfsigSignature:
    field_name: str
    signer_cn: str
    signature_validation: str
    certificate_validation: str
    total_document_signed: bool

    @property
    def signature_valid(self) -> bool:
        return self.signature_validation == "Signature is Valid."


_PDFSIG_KEYS = {
    "Signature Field Name": "field_name",
    "Signer Certificate Common Name": "signer_cn",
    "Signature Validation": "signature_validation",
    "Certificate Validation": "certificate_validation",
}


def run_pdfsig(pdf: bytes, *, nss_dir: str | None = None) -> list[PdfsigSignature]:
    """Signatures as poppler's ``pdfsig`` sees them (``nss_dir`` holds the trusted roots)."""
    binary = pdfsig_path()
    if binary is None:
        raise FileNotFoundError("pdfsig (poppler-utils) is not installed")
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "document.pdf")
        with open(path, "wb") as handle:
            handle.write(pdf)
        command = [binary, *(["-nssdir", nss_dir] if nss_dir else []), path]
        done = subprocess.run(  # noqa: S603 - fixed binary, our own temp file
            command, capture_output=True, text=True, timeout=60, check=False
        )
    return parse_pdfsig(done.stdout)


def parse_pdfsig(output: str) -> list[PdfsigSignature]:
    found: list[dict[str, Any]] = []
    for line in output.splitlines():
        if re.match(r"^Signature #\d+:", line):
            found.append({"total_document_signed": False})
            continue
        if not found:
            continue
        item = line.strip().removeprefix("- ").strip()
        if item == "Total document signed":
            found[-1]["total_document_signed"] = True
            continue
        key, sep, value = item.partition(":")
        if sep and key.strip() in _PDFSIG_KEYS:
            found[-1][_PDFSIG_KEYS[key.strip()]] = value.strip()
    return [
        PdfsigSignature(
            field_name=item.get("field_name", ""),
            signer_cn=item.get("signer_cn", ""),
            signature_validation=item.get("signature_validation", ""),
            certificate_validation=item.get("certificate_validation", ""),
            total_document_signed=item["total_document_signed"],
        )
        for item in found
    ]
