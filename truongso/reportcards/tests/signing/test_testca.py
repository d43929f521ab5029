"""manage.py reportcards_test_ca and the fake services served by the site."""

from __future__ import annotations

import base64
import hashlib
import json
import stat
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec, utils
from cryptography.hazmat.primitives.hashes import SHA256
from cryptography.hazmat.primitives.serialization import pkcs12
from django.core.management import CommandError, call_command

from truongso.reportcards.signing import sign_pdf, testca, validate_pdf
from truongso.reportcards.tests.signing.kit import simple_pdf

SCHOOL = "34070001"


@pytest.fixture
def ca_dir(tmp_path: Path, settings: Any) -> Path:
    directory = tmp_path / "signing"
    settings.REPORTCARDS_SIGNING_DIR = directory
    settings.REPORTCARDS_REVOKED_FILE = directory / "revoked.txt"
    settings.REPORTCARDS_TRUST_ROOTS = []
    settings.REPORTCARDS_TSA_URL = ""
    return directory


def test_command_issues_the_school_certificates(world: Any, ca_dir: Path) -> None:
    out = StringIO()
    call_command("reportcards_test_ca", "--school", SCHOOL, stdout=out)

    items = testca.school_certificates(SCHOOL)
    assert [(i.kind, i.username, i.name, i.classes) for i in items] == [
        ("homeroom", "homeroom", "Lê Văn Bình", ["6A2"]),
        ("principal", "principal", "Hiệu trưởng An Bài", []),
        ("seal", "", "Trường THCS An Bài", []),
    ]
    assert "CHỨNG THƯ THỬ NGHIỆM / TEST CERTIFICATE" in out.getvalue()
    for item in items:
        path = item.path(SCHOOL)
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
        key, cert, others = pkcs12.load_key_and_certificates(
            path.read_bytes(), item.passphrase.encode()
        )
        assert isinstance(key, ec.EllipticCurvePrivateKey)
        assert key.curve.name == "secp256r1"
        assert cert is not None
        subject = cert.subject
        ou = subject.get_attributes_for_oid(x509.NameOID.ORGANIZATIONAL_UNIT_NAME)[0].value
        cn = subject.get_attributes_for_oid(x509.NameOID.COMMON_NAME)[0].value
        assert ou == "CHỨNG THƯ THỬ NGHIỆM / TEST CERTIFICATE"
        assert cn == f"{item.name} (THỬ NGHIỆM)"
        assert [c.subject for c in others] == [testca.ensure_root().cert.subject]
    manifest = json.loads((ca_dir / "schools" / SCHOOL / "manifest.json").read_text())
    assert manifest["note"] == "CHỨNG THƯ THỬ NGHIỆM / TEST CERTIFICATE"
    assert stat.S_IMODE((ca_dir / "ca" / "root-key.pem").stat().st_mode) == 0o600


def test_issued_certificates_sign_in_order(world: Any, ca_dir: Path) -> None:
    call_command("reportcards_test_ca", "--school", SCHOOL, stdout=StringIO())
    pdf = simple_pdf()
    for kind, username, field in (
        ("homeroom", "homeroom", "GVCN"),
        ("principal", "principal", "HieuTruong"),
        ("seal", "", "ConDau"),
    ):
        backend = testca.school_backend(SCHOOL, kind=kind, username=username)
        pdf = sign_pdf(
            pdf, backend=backend, field_name=field, signer_role=kind, reason="", location=""
        )
    report = validate_pdf(pdf, expected_fields=["GVCN", "HieuTruong", "ConDau"])
    assert report.valid is True
    assert testca.school_backend(SCHOOL, kind="homeroom", username="teacher") is None


def test_command_is_rerunnable_and_revokes(world: Any, ca_dir: Path) -> None:
    call_command("reportcards_test_ca", "--school", SCHOOL, stdout=StringIO())
    root_before = (ca_dir / "ca" / "root.pem").read_bytes()
    quiet = StringIO()
    call_command("reportcards_test_ca", school=[SCHOOL], verbosity=0, stdout=quiet)
    assert quiet.getvalue() == ""
    assert (ca_dir / "ca" / "root.pem").read_bytes() == root_before  # one root, kept

    seal = testca.find_certificate(SCHOOL, kind="seal")
    assert seal is not None
    call_command("reportcards_test_ca", "--revoke", seal.serial, stdout=StringIO())
    crl = x509.load_der_x509_crl((ca_dir / "ca" / "root.crl").read_bytes())
    assert crl.get_revoked_certificate_by_serial_number(int(seal.serial, 16)) is not None


def test_command_refuses_unknown_school(world: Any, ca_dir: Path) -> None:
    with pytest.raises(CommandError, match="No school with code 99999999"):
        call_command("reportcards_test_ca", "--school", "99999999", stdout=StringIO())
    with pytest.raises(CommandError):
        call_command("reportcards_test_ca", stdout=StringIO())


# --- the fake services served by the site ---------------------------------------------------
def test_fake_remote_view_signs_a_digest_with_a_test_key(
    world: Any, ca_dir: Path, client: Any
) -> None:
    call_command("reportcards_test_ca", "--school", SCHOOL, stdout=StringIO())
    principal = testca.find_certificate(SCHOOL, kind="principal")
    assert principal is not None
    digest = hashlib.sha256(b"signed attributes").digest()
    body = {
        "credential_id": f"{SCHOOL}/{principal.file}",
        "hash_algorithm": "sha256",
        "hash": base64.b64encode(digest).decode(),
    }

    response = client.post(
        "/reportcards/signing/fake-remote/sign",
        data=json.dumps(body),
        content_type="application/json",
        headers={"Authorization": f"Bearer {principal.passphrase}"},
    )
    assert response.status_code == 200
    signature = base64.b64decode(response.json()["signature"])
    _key, cert, _o = pkcs12.load_key_and_certificates(
        principal.path(SCHOOL).read_bytes(), principal.passphrase.encode()
    )
    assert cert is not None
    public = cert.public_key()
    assert isinstance(public, ec.EllipticCurvePublicKey)
    public.verify(signature, digest, ec.ECDSA(utils.Prehashed(SHA256())))

    wrong = client.post(
        "/reportcards/signing/fake-remote/sign",
        data=json.dumps(body),
        content_type="application/json",
        headers={"Authorization": "Bearer nope"},
    )
    assert wrong.status_code == 401


def test_fake_services_and_crl_only_in_demo_debug_tests(
    world: Any, ca_dir: Path, client: Any, settings: Any
) -> None:
    testca.ensure_root()
    crl = client.get("/reportcards/signing/test-ca.crl")
    assert crl.status_code == 200
    assert crl["Content-Type"] == "application/pkix-crl"

    settings.REPORTCARDS_FAKE_SERVICES = False
    assert client.get("/reportcards/signing/test-ca.crl").status_code == 404
    assert (
        client.post(
            "/reportcards/signing/fake-tsa/", data=b"x", content_type="application/timestamp-query"
        ).status_code
        == 404
    )
    assert (
        client.post(
            "/reportcards/signing/fake-remote/sign", data="{}", content_type="application/json"
        ).status_code
        == 404
    )


def test_fake_tsa_view_answers_timestamp_requests(
    world: Any, ca_dir: Path, client: Any, settings: Any
) -> None:
    from asn1crypto import tsp

    from truongso.reportcards.signing.timestamps import HttpTimeStamper

    kit_root = testca.ensure_root()
    _nonce, request = HttpTimeStamper("unused").request_cms(hashlib.sha256(b"x").digest(), "sha256")
    response = client.post(
        "/reportcards/signing/fake-tsa/",
        data=request.dump(),
        content_type="application/timestamp-query",
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "application/timestamp-reply"
    reply = tsp.TimeStampResp.load(response.content)
    assert reply["status"]["status"].native == "granted"
    assert kit_root.ca_dir.joinpath("tsa.pem").exists()
