"""The three key stores (PKCS#12 is everywhere else): a PKCS#11 token (SoftHSM) and a remote
hash-signing service (the local fake), with their failures; and TSA failures."""

from __future__ import annotations

import base64
import socket
from typing import Any

import pytest
from django.utils import translation

from truongso.reportcards.signing import (
    Pkcs11Backend,
    RemoteCredentials,
    RemoteHashBackend,
    SigningError,
    sign_pdf,
    validate_pdf,
)
from truongso.reportcards.signing.fake_remote import FakeRemoteSigningService, serve_fake_remote
from truongso.reportcards.signing.fake_tsa import fake_tsa, serve_fake_tsa
from truongso.reportcards.signing.timestamps import HttpTimeStamper
from truongso.reportcards.tests.signing.kit import Kit, simple_pdf


def _sign(pdf: bytes, backend: Any, **extra: Any) -> bytes:
    return sign_pdf(
        pdf,
        backend=backend,
        field_name="ConDau",
        signer_role="Con dấu tổ chức",
        reason="Đóng dấu học bạ",
        location="Quỳnh Phụ",
        **extra,
    )


def _refused(backend: Any, **extra: Any) -> SigningError:
    with translation.override("vi"), pytest.raises(SigningError) as caught:
        _sign(simple_pdf(), backend, **extra)
    return caught.value


# --- PKCS#11 -------------------------------------------------------------------------------------
def test_token_signs(kit: Kit, softhsm: Any) -> None:
    with Pkcs11Backend(softhsm.lib, softhsm.label, softhsm.pin, softhsm.key_label) as backend:
        first = _sign(simple_pdf(), backend)
        second = _sign(simple_pdf("Hoàng Thị Chi"), backend)  # one session for the batch

    for signed in (first, second):
        report = validate_pdf(signed)
        assert report.valid is True
        assert report.signatures[0].signer_cn == "Trường THCS An Bài (THỬ NGHIỆM)"
        assert report.signatures[0].signer_role == "Con dấu tổ chức"


def test_token_pulled_out_mid_batch(kit: Kit, softhsm: Any) -> None:
    backend = Pkcs11Backend(softhsm.lib, softhsm.label, softhsm.pin, softhsm.key_label)
    _sign(simple_pdf(), backend)
    backend._session.close()  # what pulling the token out does to the open session

    error = _refused(backend)
    assert error.code == "token_absent"
    assert error.message == (
        "Token đã bị rút ra hoặc mất phiên làm việc trong khi kí; chưa kí gì. "
        "Hãy cắm lại rồi thử lại."
    )
    backend.close()  # closing a dead session is harmless


def test_token_wrong_pin(kit: Kit, softhsm: Any) -> None:
    error = _refused(Pkcs11Backend(softhsm.lib, softhsm.label, "000000", softhsm.key_label))
    assert error.code == "wrong_pin"
    assert error.message == (
        f"Sai mã PIN của token {softhsm.label}. Nhập sai nhiều lần sẽ khoá token."
    )


def test_token_absent(kit: Kit, softhsm: Any) -> None:
    error = _refused(Pkcs11Backend(softhsm.lib, "TOKEN-KHAC", softhsm.pin, softhsm.key_label))
    assert error.code == "token_absent"
    assert error.message == (
        "Chưa cắm token TOKEN-KHAC (hoặc không tìm thấy); hãy cắm token rồi thử lại."
    )


def test_token_without_that_key(kit: Kit, softhsm: Any) -> None:
    error = _refused(Pkcs11Backend(softhsm.lib, softhsm.label, softhsm.pin, "khong-co"))
    assert error.code == "key_missing"


def test_pkcs11_library_missing(kit: Kit) -> None:
    error = _refused(Pkcs11Backend("/khong/co/libpkcs11.so", "T", "1", "k"))
    assert error.code == "config"


# --- remote hash signing ----------------------------------------------------------------------
@pytest.fixture
def remote(kit: Kit) -> Any:
    from cryptography.hazmat.primitives.serialization import pkcs12

    from truongso.reportcards.tests.signing.kit import PASS

    path = kit.p12("Hiệu trưởng An Bài")
    key, cert, others = pkcs12.load_key_and_certificates(path.read_bytes(), PASS.encode())
    service = FakeRemoteSigningService({"34070001/principal": (key, "token-bi-mat")})
    credentials = RemoteCredentials("34070001/principal", "token-bi-mat")
    return service, credentials, [cert, *others]


def test_remote_service_signs_only_a_hash(remote: Any) -> None:
    service, credentials, chain = remote
    pdf = simple_pdf()
    with serve_fake_remote(service) as url:
        backend = RemoteHashBackend(url, credentials, chain, timeout=5)
        signed = _sign(pdf, backend)

    report = validate_pdf(signed)
    assert report.valid is True
    assert report.signatures[0].signer_cn == "Hiệu trưởng An Bài (THỬ NGHIỆM)"
    [request] = service.received
    assert sorted(request) == ["credential_id", "hash", "hash_algorithm"]
    assert (request["credential_id"], request["hash_algorithm"]) == (
        "34070001/principal",
        "sha256",
    )
    assert len(base64.b64decode(request["hash"])) == 32  # a digest, never the document
    assert backend.signer().hashes_sent == [base64.b64decode(request["hash"])]


@pytest.mark.parametrize(
    ("mode", "code", "message"),
    [
        (
            "garbage",
            "remote_garbage",
            "Dịch vụ kí số từ xa trả về dữ liệu không phải chữ kí.",
        ),
        (
            "html",
            "remote_garbage",
            "Dịch vụ kí số từ xa trả về dữ liệu không phải chữ kí.",
        ),
        (
            "wrong_key",
            "remote_garbage",
            "Dịch vụ kí số từ xa trả về chữ kí không khớp với chứng thư số; chưa kí gì.",
        ),
        ("error", "remote_error", "Dịch vụ kí số từ xa từ chối yêu cầu (HTTP 500)."),
    ],
)
def test_remote_service_failures(remote: Any, mode: str, code: str, message: str) -> None:
    service, credentials, chain = remote
    service.mode = mode
    with serve_fake_remote(service) as url:
        error = _refused(RemoteHashBackend(url, credentials, chain, timeout=5))
    assert (error.code, error.message) == (code, message)


def test_remote_service_times_out(remote: Any) -> None:
    service, credentials, chain = remote
    service.mode, service.delay = "slow", 1.5
    with serve_fake_remote(service) as url:
        error = _refused(RemoteHashBackend(url, credentials, chain, timeout=0.3))
    assert error.code == "remote_timeout"
    assert error.message == (
        "Dịch vụ kí số từ xa không trả lời trong 0.3 giây; chưa kí gì, hãy thử lại."
    )


def test_remote_service_wrong_token(remote: Any) -> None:
    service, _credentials, chain = remote
    with serve_fake_remote(service) as url:
        error = _refused(
            RemoteHashBackend(url, RemoteCredentials("34070001/principal", "sai"), chain, 5)
        )
    assert (error.code, error.message) == (
        "remote_error",
        "Dịch vụ kí số từ xa từ chối yêu cầu (HTTP 401).",
    )


def test_remote_service_unreachable(remote: Any) -> None:
    _service, credentials, chain = remote
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    error = _refused(
        RemoteHashBackend(f"http://127.0.0.1:{port}/sign", credentials, chain, timeout=2)
    )
    assert error.code == "remote_unreachable"


# --- timestamp authority failures --------------------------------------------------------------
@pytest.mark.parametrize("mode", ["garbage", "error"])
def test_tsa_failures_sign_nothing(kit: Kit, signer: Any, mode: str) -> None:
    with serve_fake_tsa(fake_tsa(kit.directory, mode=mode)) as url:
        error = _refused(signer, timestamper=HttpTimeStamper(url, timeout=5))
    assert error.code == "tsa_error"
