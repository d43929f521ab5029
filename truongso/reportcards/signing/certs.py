"""Checks on a signer's certificate before anything is signed.

A report card signed with an expired, not yet valid, revoked or wrong-purpose certificate
would fail every validator later; refusing up front gives the person a clear reason and leaves
nothing half-issued. Revocation is read from two places, both local (no network at signing):

* the project's own list (``settings.REPORTCARDS_REVOKED_FILE``: one serial number in hex a
  line, ``#`` starts a comment), for certificates the school reports lost before the CA's next
  CRL;
* the CRLs kept under ``REPORTCARDS_SIGNING_DIR/ca/*.crl`` (the test CA writes its own there;
  a production deployment drops the CRLs of its CAs there), checked only when the CRL's issuer
  is the certificate's issuer and its signature verifies.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from pathlib import Path

from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from truongso.reportcards.signing.errors import SigningError

# Extended key usages fit for signing documents (any one is enough when the extension is there).
DOCUMENT_SIGNING_EKUS = {
    "1.3.6.1.5.5.7.3.4",  # emailProtection (what NSS, hence pdfsig, checks)
    "1.3.6.1.5.5.7.3.36",  # id-kp-documentSigning (RFC 9336)
    "1.2.840.113583.1.1.5",  # Adobe Authentic Documents Trust
    "1.3.6.1.4.1.311.10.3.12",  # Microsoft document signing
    "2.5.29.37.0",  # anyExtendedKeyUsage
}


def to_crypto(cert: asn1_x509.Certificate | x509.Certificate) -> x509.Certificate:
    if isinstance(cert, x509.Certificate):
        return cert
    return x509.load_der_x509_certificate(cert.dump())


def to_asn1(cert: asn1_x509.Certificate | x509.Certificate) -> asn1_x509.Certificate:
    if isinstance(cert, asn1_x509.Certificate):
        return cert
    from cryptography.hazmat.primitives.serialization import Encoding

    return asn1_x509.Certificate.load(cert.public_bytes(Encoding.DER))


def subject_cn(cert: asn1_x509.Certificate | x509.Certificate) -> str:
    names = to_crypto(cert).subject.get_attributes_for_oid(x509.NameOID.COMMON_NAME)
    return str(names[0].value) if names else ""


def _local(moment: dt.datetime) -> str:
    return timezone.localtime(moment).strftime("%d/%m/%Y %H:%M")


def project_revoked_serials(path: Path | None = None) -> set[int]:
    """Serial numbers on the project's own revocation list (empty when the file is absent)."""
    path = path or Path(settings.REPORTCARDS_REVOKED_FILE)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return set()
    serials = set()
    for line in text.splitlines():
        token = line.split("#", 1)[0].strip().replace(":", "")
        if token:
            serials.add(int(token, 16))
    return serials


def add_to_project_revocation_list(serial: int, note: str = "", path: Path | None = None) -> None:
    """Append a serial number to the project's revocation list."""
    path = path or Path(settings.REPORTCARDS_REVOKED_FILE)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a", encoding="utf-8") as handle:
        handle.write(f"{serial:x}" + (f"  # {note}" if note else "") + "\n")


def crl_paths() -> list[Path]:
    return sorted((Path(settings.REPORTCARDS_SIGNING_DIR) / "ca").glob("*.crl"))


def load_crls(paths: Iterable[Path] | None = None) -> list[x509.CertificateRevocationList]:
    crls = []
    for path in crl_paths() if paths is None else paths:
        data = path.read_bytes()
        if data.startswith(b"-----BEGIN"):
            crls.append(x509.load_pem_x509_crl(data))
        else:
            crls.append(x509.load_der_x509_crl(data))
    return crls


def _verify_crl(crl: x509.CertificateRevocationList, issuer: x509.Certificate) -> bool:
    key = issuer.public_key()
    if not isinstance(key, ec.EllipticCurvePublicKey | rsa.RSAPublicKey):
        return False
    try:
        if isinstance(key, ec.EllipticCurvePublicKey):
            assert crl.signature_hash_algorithm is not None
            key.verify(
                crl.signature, crl.tbs_certlist_bytes, ec.ECDSA(crl.signature_hash_algorithm)
            )
        else:
            assert crl.signature_hash_algorithm is not None
            key.verify(
                crl.signature,
                crl.tbs_certlist_bytes,
                padding.PKCS1v15(),
                crl.signature_hash_algorithm,
            )
    except (InvalidSignature, AssertionError):
        return False
    return True


def crl_revocation(
    cert: x509.Certificate,
    issuers: Iterable[x509.Certificate],
    crls: Iterable[x509.CertificateRevocationList] | None = None,
) -> dt.datetime | None:
    """When ``cert`` was revoked according to a CRL of its issuer, or None."""
    issuer = next((c for c in issuers if c.subject == cert.issuer), None)
    if issuer is None:
        return None
    for crl in load_crls() if crls is None else crls:
        if crl.issuer != cert.issuer or not _verify_crl(crl, issuer):
            continue
        entry = crl.get_revoked_certificate_by_serial_number(cert.serial_number)
        if entry is not None:
            return entry.revocation_date_utc
    return None


def check_signing_certificate(
    cert: asn1_x509.Certificate | x509.Certificate,
    *,
    chain: Iterable[asn1_x509.Certificate | x509.Certificate] = (),
    at: dt.datetime | None = None,
) -> None:
    """Raise :class:`SigningError` unless ``cert`` may sign a report card at ``at`` (now)."""
    cert = to_crypto(cert)
    at = at or timezone.now()
    name = subject_cn(cert)
    if at < cert.not_valid_before_utc:
        raise SigningError(
            "not_yet_valid",
            _("The certificate of %(name)s is not valid yet (valid from %(start)s).")
            % {"name": name, "start": _local(cert.not_valid_before_utc)},
        )
    if at > cert.not_valid_after_utc:
        raise SigningError(
            "expired",
            _("The certificate of %(name)s expired on %(end)s; ask the CA to renew it.")
            % {"name": name, "end": _local(cert.not_valid_after_utc)},
        )
    _check_usage(cert, name)
    if cert.serial_number in project_revoked_serials():
        raise SigningError(
            "revoked",
            _("The certificate of %(name)s (serial %(serial)x) is on the revocation list.")
            % {"name": name, "serial": cert.serial_number},
        )
    revoked_at = crl_revocation(cert, [to_crypto(c) for c in chain])
    if revoked_at is not None:
        raise SigningError(
            "revoked",
            _("The certificate of %(name)s was revoked by its CA on %(when)s.")
            % {"name": name, "when": _local(revoked_at)},
        )


def _check_usage(cert: x509.Certificate, name: str) -> None:
    wrong = SigningError(
        "key_usage",
        _(
            "The certificate of %(name)s is not meant for signing documents "
            "(its key usage does not allow digital signatures)."
        )
        % {"name": name},
    )
    try:
        basic = cert.extensions.get_extension_for_class(x509.BasicConstraints).value
        if basic.ca:
            raise wrong
    except x509.ExtensionNotFound:
        pass
    try:
        usage = cert.extensions.get_extension_for_class(x509.KeyUsage).value
    except x509.ExtensionNotFound:
        raise wrong from None
    if not (usage.digital_signature or usage.content_commitment):
        raise wrong
    try:
        ekus = cert.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
    except x509.ExtensionNotFound:
        return
    if not {oid.dotted_string for oid in ekus} & DOCUMENT_SIGNING_EKUS:
        raise wrong
