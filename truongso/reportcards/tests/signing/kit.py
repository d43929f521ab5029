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
