"""A test certificate authority for demos and tests (never for real report cards).

``manage.py reportcards_test_ca --school CODE`` creates, under
``settings.REPORTCARDS_SIGNING_DIR`` (``var/reportcards/signing``, never committed):

* ``ca/root.pem`` + ``ca/root-key.pem``: the test root (EC P-256, ten years);
* ``ca/root.crl``: its certificate revocation list (re-signed on every revocation);
* ``ca/tsa.pem`` + ``ca/tsa-key.pem``: the fake timestamp authority's certificate (RSA, as
  pyHanko's test TSA signs with RSA), extended key usage ``timeStamping``;
* ``schools/<CODE>/*.p12``: one PKCS#12 file (EC P-256 key, certificate, root) for each
  homeroom teacher of the school's classes in the current year, for the principal(s), and for
  the school's organisation seal, each with its own random passphrase, listed in
  ``schools/<CODE>/manifest.json``.

Every subject carries "CHỨNG THƯ THỬ NGHIỆM / TEST CERTIFICATE" (organisational unit) and the
common names end in "(THỬ NGHIỆM)", so nobody mistakes a demo card for a real one.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import secrets
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from django.conf import settings

from truongso.core.text import fold

TEST_MARK = "CHỨNG THƯ THỬ NGHIỆM / TEST CERTIFICATE"
CN_SUFFIX = " (THỬ NGHIỆM)"
ROOT_CN = "Trường Số CA THỬ NGHIỆM / TEST ROOT CA"

PrivateKey = ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey

KIND_HOMEROOM = "homeroom"
KIND_PRINCIPAL = "principal"
KIND_SEAL = "seal"
KIND_TITLES = {
    KIND_HOMEROOM: "Giáo viên chủ nhiệm",
    KIND_PRINCIPAL: "Hiệu trưởng",
    KIND_SEAL: "Con dấu tổ chức",
}


CRL_PATH = "/reportcards/signing/test-ca.crl"


def crl_url() -> str:
    """Where the test CA's CRL is published (the site serves it in demo, DEBUG and tests)."""
    return f"{settings.SITE_ROOT}{CRL_PATH}"


def signing_dir(directory: Path | None = None) -> Path:
    return Path(directory or settings.REPORTCARDS_SIGNING_DIR)


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _private(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)


def _clip(text: str, limit: int = 64) -> str:
    """At most ``limit`` UTF-8 bytes (what cryptography enforces for names), whole letters."""
    while len(text.encode("utf-8")) > limit:
        text = text[:-1]
    return text.rstrip()


def _cn(name: str) -> str:
    return _clip(name, 64 - len(CN_SUFFIX.encode("utf-8"))) + CN_SUFFIX


def _name(common_name: str, organization: str = "", title: str = "") -> x509.Name:
    attributes = [x509.NameAttribute(NameOID.COUNTRY_NAME, "VN")]
    if organization:
        attributes.append(x509.NameAttribute(NameOID.ORGANIZATION_NAME, _clip(organization)))
    attributes.append(x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, TEST_MARK))
    if title:
        attributes.append(x509.NameAttribute(NameOID.TITLE, _clip(title)))
    attributes.append(x509.NameAttribute(NameOID.COMMON_NAME, common_name))
    return x509.Name(attributes)


@dataclass
class RootCA:
    """The test root: certificate, key and the files they live in."""

    directory: Path
    cert: x509.Certificate
    key: ec.EllipticCurvePrivateKey

    @property
    def ca_dir(self) -> Path:
        return self.directory / "ca"

    @property
    def root_path(self) -> Path:
        return self.ca_dir / "root.pem"

    @property
    def crl_path(self) -> Path:
        return self.ca_dir / "root.crl"

    def issue(
        self,
        common_name: str,
        *,
        organization: str = "",
        title: str = "",
        usage: str = "signing",
        not_before: dt.datetime | None = None,
        not_after: dt.datetime | None = None,
        key: PrivateKey | None = None,
    ) -> tuple[x509.Certificate, PrivateKey]:
        """An end-entity certificate signed by this root.

        ``usage``: ``signing`` (digitalSignature + nonRepudiation, what a report card needs),
        ``encipherment`` (keyEncipherment only: a wrong-purpose certificate for tests), or
        ``timestamping`` (a TSA: digitalSignature, critical EKU timeStamping).
        """
        key = key or ec.generate_private_key(ec.SECP256R1())
        start = not_before or _now() - dt.timedelta(minutes=5)
        end = not_after or start + dt.timedelta(days=3 * 365)
        usage_ext = x509.KeyUsage(
            digital_signature=usage in ("signing", "timestamping"),
            content_commitment=usage == "signing",
            key_encipherment=usage == "encipherment",
            data_encipherment=False,
            key_agreement=False,
            key_cert_sign=False,
            crl_sign=False,
            encipher_only=False,
            decipher_only=False,
        )
        builder = (
            x509.CertificateBuilder()
            .subject_name(_name(common_name, organization, title))
            .issuer_name(self.cert.subject)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(start)
            .not_valid_after(end)
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(usage_ext, critical=True)
            .add_extension(
                x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False
            )
            .add_extension(
                x509.AuthorityKeyIdentifier.from_issuer_public_key(self.key.public_key()),
                critical=False,
            )
        )
        if usage != "timestamping":
            # Declared, so that validators check the CRL (the site serves it; tests pass it in).
            builder = builder.add_extension(
                x509.CRLDistributionPoints(
                    [
                        x509.DistributionPoint(
                            full_name=[x509.UniformResourceIdentifier(crl_url())],
                            relative_name=None,
                            reasons=None,
                            crl_issuer=None,
                        )
                    ]
                ),
                critical=False,
            )
        if usage == "timestamping":
            builder = builder.add_extension(
                x509.ExtendedKeyUsage([ExtendedKeyUsageOID.TIME_STAMPING]), critical=True
            )
        return builder.sign(self.key, hashes.SHA256()), key

    # --- revocation -------------------------------------------------------------------------
    def _revoked_path(self) -> Path:
        return self.ca_dir / "revoked.json"

    def revoked(self) -> dict[int, str]:
        try:
            data = json.loads(self._revoked_path().read_text(encoding="utf-8"))
        except FileNotFoundError:
            return {}
        return {int(serial, 16): when for serial, when in data.items()}

    def revoke(self, serial: int, when: dt.datetime | None = None) -> None:
        """Put ``serial`` on the test CA's CRL (re-signed at once)."""
        entries = self.revoked()
        entries[serial] = (when or _now()).isoformat()
        payload = {f"{s:x}": w for s, w in sorted(entries.items())}
        _private(self._revoked_path(), json.dumps(payload, indent=1).encode())
        self.write_crl()

    def write_crl(self) -> None:
        now = _now()
        builder = (
            x509.CertificateRevocationListBuilder()
            .issuer_name(self.cert.subject)
            .last_update(now - dt.timedelta(minutes=5))
            .next_update(now + dt.timedelta(days=365))
            .add_extension(x509.CRLNumber(int(now.timestamp())), critical=False)
            .add_extension(
                x509.AuthorityKeyIdentifier.from_issuer_public_key(self.key.public_key()),
                critical=False,
            )
        )
        for serial, when in self.revoked().items():
            builder = builder.add_revoked_certificate(
                x509.RevokedCertificateBuilder()
                .serial_number(serial)
                .revocation_date(dt.datetime.fromisoformat(when))
                .build()
            )
        crl = builder.sign(self.key, hashes.SHA256())
        self.crl_path.parent.mkdir(parents=True, exist_ok=True)
        self.crl_path.write_bytes(crl.public_bytes(serialization.Encoding.DER))

    # --- the fake TSA's certificate ------------------------------------------------------------
    def tsa(self) -> tuple[x509.Certificate, rsa.RSAPrivateKey]:
        """The fake TSA's certificate and key, created on first use."""
        cert_path, key_path = self.ca_dir / "tsa.pem", self.ca_dir / "tsa-key.pem"
        if cert_path.exists() and key_path.exists():
            cert = x509.load_pem_x509_certificate(cert_path.read_bytes())
            key = serialization.load_pem_private_key(key_path.read_bytes(), None)
            assert isinstance(key, rsa.RSAPrivateKey)
            return cert, key
        rsa_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        cert, _ = self.issue(
            "Trường Số TSA THỬ NGHIỆM / TEST TSA",
            organization="Trường Số",
            usage="timestamping",
            not_after=_now() + dt.timedelta(days=10 * 365),
            key=rsa_key,
        )
        _private(
            key_path,
            rsa_key.private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            ),
        )
        cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
        return cert, rsa_key


def ensure_root(directory: Path | None = None) -> RootCA:
    """The test root under ``directory`` (default the signing dir), created when missing."""
    base = signing_dir(directory)
    ca_dir = base / "ca"
    cert_path, key_path = ca_dir / "root.pem", ca_dir / "root-key.pem"
    if cert_path.exists() and key_path.exists():
        cert = x509.load_pem_x509_certificate(cert_path.read_bytes())
        key = serialization.load_pem_private_key(key_path.read_bytes(), None)
        assert isinstance(key, ec.EllipticCurvePrivateKey)
        root = RootCA(base, cert, key)
        if not root.crl_path.exists():
            root.write_crl()
        return root
    key = ec.generate_private_key(ec.SECP256R1())
    name = _name(ROOT_CN, "Trường Số")
    start = _now() - dt.timedelta(hours=1)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(start + dt.timedelta(days=10 * 365))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=False,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), False)
        .sign(key, hashes.SHA256())
    )
    _private(
        key_path,
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        ),
    )
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    root = RootCA(base, cert, key)
    root.write_crl()
    return root


def pkcs12_bytes(
    key: PrivateKey,
    cert: x509.Certificate,
    ca_certs: list[x509.Certificate],
    passphrase: str,
    friendly_name: str = "signer",
) -> bytes:
    return pkcs12.serialize_key_and_certificates(
        friendly_name.encode(),
        key,
        cert,
        ca_certs,
        serialization.BestAvailableEncryption(passphrase.encode()),
    )


# --- per-school certificates ------------------------------------------------------------------
@dataclass
class IssuedCertificate:
    """One PKCS#12 file of a school, as listed in its manifest."""

    kind: str
    name: str
    file: str
    passphrase: str
    serial: str
    not_after: str
    username: str = ""
    staff_id: int | None = None
    classes: list[str] = field(default_factory=list)

    def path(self, school_code: str, directory: Path | None = None) -> Path:
        return school_dir(school_code, directory) / self.file

    def backend(self, school_code: str, directory: Path | None = None) -> Any:
        from truongso.reportcards.signing.backends import Pkcs12Backend

        return Pkcs12Backend(self.path(school_code, directory), self.passphrase)


def school_dir(school_code: str, directory: Path | None = None) -> Path:
    if not re.fullmatch(r"[A-Za-z0-9_-]+", school_code):
        raise ValueError(f"bad school code {school_code!r}")
    return signing_dir(directory) / "schools" / school_code


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", fold(text).lower()).strip("-") or "x"


def issue_school(
    school: Any, *, directory: Path | None = None, valid_days: int = 3 * 365
) -> list[IssuedCertificate]:
    """(Re)issue the test certificates of ``school`` (an OrgUnit) and write its manifest."""
    from truongso.accounts.models import RoleAssignment
    from truongso.core.authz import Role
    from truongso.registry.models import SchoolClass

    root = ensure_root(directory)
    root.tsa()
    end = _now() + dt.timedelta(days=valid_days)
    signers: list[tuple[str, str, str, int | None, list[str]]] = []
    homerooms: dict[int, tuple[Any, list[str]]] = {}
    classes = (
        SchoolClass.objects.filter(
            school=school, school_year__is_current=True, homeroom_teacher__isnull=False
        )
        .select_related("homeroom_teacher__user")
        .order_by("grade", "name")
    )
    for school_class in classes:
        staff = school_class.homeroom_teacher
        assert staff is not None
        homerooms.setdefault(staff.pk, (staff, []))[1].append(school_class.name)
    for staff, class_names in homerooms.values():
        username = staff.user.username if staff.user else ""
        signers.append((KIND_HOMEROOM, staff.full_name, username, staff.pk, class_names))
    principals = (
        RoleAssignment.objects.filter(org_unit=school, role=Role.PRINCIPAL)
        .select_related("user")
        .order_by("user__username")
    )
    for grant in principals:
        user = grant.user
        signers.append((KIND_PRINCIPAL, user.full_name or user.username, user.username, None, []))
    signers.append((KIND_SEAL, school.name, "", None, []))

    target = school_dir(school.code, directory)
    target.mkdir(parents=True, exist_ok=True)
    issued = []
    for kind, name, username, staff_id, class_names in signers:
        cert, key = root.issue(
            _cn(name), organization=school.name, title=KIND_TITLES[kind], not_after=end
        )
        passphrase = secrets.token_urlsafe(12)
        stem = f"{kind}-{username or staff_id or _slug(name)}"
        filename = f"{stem}.p12"
        _private(target / filename, pkcs12_bytes(key, cert, [root.cert], passphrase, stem))
        issued.append(
            IssuedCertificate(
                kind=kind,
                name=name,
                file=filename,
                passphrase=passphrase,
                serial=f"{cert.serial_number:x}",
                not_after=cert.not_valid_after_utc.isoformat(),
                username=username,
                staff_id=staff_id,
                classes=class_names,
            )
        )
    manifest = {
        "school": school.code,
        "school_name": school.name,
        "note": TEST_MARK,
        "certificates": [asdict(item) for item in issued],
    }
    _private(target / "manifest.json", json.dumps(manifest, ensure_ascii=False, indent=1).encode())
    return issued


def school_certificates(school_code: str, directory: Path | None = None) -> list[IssuedCertificate]:
    """The manifest of a school's test certificates ([] when none were issued)."""
    try:
        data = json.loads(
            (school_dir(school_code, directory) / "manifest.json").read_text(encoding="utf-8")
        )
    except FileNotFoundError:
        return []
    return [IssuedCertificate(**item) for item in data["certificates"]]


def find_certificate(
    school_code: str,
    *,
    kind: str,
    username: str = "",
    staff_id: int | None = None,
    directory: Path | None = None,
) -> IssuedCertificate | None:
    """The school's test certificate of that kind (and user / staff member), if issued."""
    for item in school_certificates(school_code, directory):
        if item.kind != kind:
            continue
        if username and item.username != username:
            continue
        if staff_id is not None and item.staff_id != staff_id:
            continue
        return item
    return None


def school_backend(
    school_code: str,
    *,
    kind: str,
    username: str = "",
    staff_id: int | None = None,
    directory: Path | None = None,
) -> Any:
    """A :class:`Pkcs12Backend` on the school's test certificate, or None when absent."""
    item = find_certificate(
        school_code, kind=kind, username=username, staff_id=staff_id, directory=directory
    )
    return item.backend(school_code, directory) if item else None
