"""Helpers of the signing tests: a throw-away test CA, documents, tools that CI must have."""

from __future__ import annotations

import io
import os
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from cryptography import x509
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen import canvas

from truongso.core.pdf import FONT, register_fonts
from truongso.reportcards.signing import testca
from truongso.reportcards.signing.backends import Pkcs12Backend

PASS = "mat-khau-p12"


def in_ci() -> bool:
    return os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def require_tool(name: str, package: str) -> str:
    """The path of ``name``; skipped locally when absent, a failure in CI (where it is due)."""
    path = shutil.which(name)
    if path:
        return path
    if in_ci():
        pytest.fail(f"{name} is missing in CI (apt install {package} in .ci/run)")
    pytest.skip(f"{name} not installed (apt install {package}); mandatory when CI=true")


def simple_pdf(text: str = "Học bạ số — Nguyễn Văn An, lớp 6A1") -> bytes:
    register_fonts()
    buffer = io.BytesIO()
    page = canvas.Canvas(buffer, pagesize=A4)
    page.setFont(FONT, 12)
    page.drawString(72, 760, text)
    page.showPage()
    page.save()
    return buffer.getvalue()


@dataclass
class Kit:
    """A test CA in its own directory, with helpers to issue PKCS#12 signers."""

    directory: Path
    root: testca.RootCA

    def p12(self, name: str = "Lê Văn Bình", *, passphrase: str = PASS, **issue: Any) -> Path:
        cert, key = self.root.issue(
            testca._cn(name), organization="Trường THCS An Bài", title="Giáo viên", **issue
        )
        path = self.directory / f"{cert.serial_number:x}.p12"
        path.write_bytes(testca.pkcs12_bytes(key, cert, [self.root.cert], passphrase))
        return path

    def backend(self, name: str = "Lê Văn Bình", **issue: Any) -> Pkcs12Backend:
        return Pkcs12Backend(self.p12(name, **issue), PASS)

    def cert_of(self, backend: Pkcs12Backend) -> x509.Certificate:
        return x509.load_der_x509_certificate(backend.certificate.dump())


def make_kit(directory: Path) -> Kit:
    return Kit(directory, testca.ensure_root(directory))


def use_kit(settings: Any, kit: Kit) -> None:
    settings.REPORTCARDS_SIGNING_DIR = kit.directory
    settings.REPORTCARDS_REVOKED_FILE = kit.directory / "revoked.txt"
    settings.REPORTCARDS_TRUST_ROOTS = []
    settings.REPORTCARDS_TSA_URL = ""


# --- SoftHSM: the PKCS#11 token of the tests -------------------------------------------------
SOFTHSM_LIBS = (
    "/usr/lib/softhsm/libsofthsm2.so",
    "/usr/lib/x86_64-linux-gnu/softhsm/libsofthsm2.so",
    "/usr/lib/aarch64-linux-gnu/softhsm/libsofthsm2.so",
)
TOKEN_LABEL = "HOCBA-THU-NGHIEM"
TOKEN_PIN = "246810"
KEY_LABEL = "con-dau-truong"


@dataclass
class Token:
    lib: str
    label: str
    pin: str
    key_label: str
    cert: x509.Certificate


def softhsm_token(directory: Path, kit: Kit) -> Token:
    """A SoftHSM token in ``directory`` holding a seal key, its certificate and the root.

    ``SOFTHSM2_CONF`` must already point to ``directory/softhsm2.conf`` (set before the
    library is first loaded: it reads its configuration once per process).
    """
    import subprocess

    import pkcs11
    from cryptography.hazmat.primitives import serialization
    from pkcs11 import Attribute, ObjectClass
    from pkcs11.util.ec import decode_ec_private_key
    from pkcs11.util.x509 import decode_x509_certificate

    util = require_tool("softhsm2-util", "softhsm2")
    lib = next((p for p in SOFTHSM_LIBS if os.path.exists(p)), None)
    if lib is None:
        if in_ci():
            pytest.fail("libsofthsm2.so is missing in CI")
        pytest.skip("libsofthsm2.so not found (apt install softhsm2)")
    subprocess.run(  # noqa: S603 - the system's softhsm2-util on our own temp directory
        [
            util,
            "--init-token",
            "--free",
            "--label",
            TOKEN_LABEL,
            "--pin",
            TOKEN_PIN,
            "--so-pin",
            "13579135",
        ],
        check=True,
        capture_output=True,
    )
    cert, key = kit.root.issue(
        testca._cn("Trường THCS An Bài"), organization="Trường THCS An Bài", title="Con dấu"
    )
    key_der = key.private_bytes(
        serialization.Encoding.DER,
        serialization.PrivateFormat.TraditionalOpenSSL,
        serialization.NoEncryption(),
    )
    token = pkcs11.lib(lib).get_token(token_label=TOKEN_LABEL)
    with token.open(rw=True, user_pin=TOKEN_PIN) as session:
        attrs = decode_ec_private_key(key_der)
        attrs.update(
            {
                Attribute.TOKEN: True,
                Attribute.PRIVATE: True,
                Attribute.SENSITIVE: True,
                Attribute.SIGN: True,
                Attribute.LABEL: KEY_LABEL,
                Attribute.ID: b"\x01",
            }
        )
        session.create_object(attrs)
        for label, certificate, ident in (
            (KEY_LABEL, cert, b"\x01"),
            ("root", kit.root.cert, b"\x02"),
        ):
            template = decode_x509_certificate(certificate.public_bytes(serialization.Encoding.DER))
            template.update(
                {
                    Attribute.TOKEN: True,
                    Attribute.LABEL: label,
                    Attribute.ID: ident,
                    Attribute.CLASS: ObjectClass.CERTIFICATE,
                }
            )
            session.create_object(template)
    return Token(lib, TOKEN_LABEL, TOKEN_PIN, KEY_LABEL, cert)
