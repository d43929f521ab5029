"""Certificates refused before signing: expired, not yet valid, wrong purpose, revoked, wrong
passphrase, missing file. A refusal changes nothing and says why, in Vietnamese."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from django.utils import translation

from truongso.reportcards.signing import Pkcs12Backend, SigningError, sign_pdf, validate_pdf
from truongso.reportcards.signing.certs import add_to_project_revocation_list
from truongso.reportcards.tests.signing.kit import PASS, Kit, simple_pdf

NOW = dt.datetime.now(dt.UTC)


def _refusal(backend: Any) -> SigningError:
    pdf = simple_pdf()
    with translation.override("vi"), pytest.raises(SigningError) as caught:
        sign_pdf(
            pdf,
            backend=backend,
            field_name="GVCN",
            signer_role="Giáo viên chủ nhiệm",
            reason="r",
            location="l",
        )
    return caught.value


def test_expired_certificate(kit: Kit) -> None:
    backend = kit.backend(
        not_before=dt.datetime(2023, 9, 1, tzinfo=dt.UTC),
        not_after=dt.datetime(2025, 9, 1, 3, 0, tzinfo=dt.UTC),
    )
    error = _refusal(backend)
    assert error.code == "expired"
    assert error.message == (
        "Chứng thư số của Lê Văn Bình (THỬ NGHIỆM) đã hết hạn ngày 01/09/2025 10:00; "
        "hãy đề nghị tổ chức cấp gia hạn."
    )


def test_not_yet_valid_certificate(kit: Kit) -> None:
    start = dt.datetime(2031, 1, 1, tzinfo=dt.UTC)
    error = _refusal(kit.backend(not_before=start, not_after=start + dt.timedelta(days=30)))
    assert error.code == "not_yet_valid"
    assert error.message == (
        "Chứng thư số của Lê Văn Bình (THỬ NGHIỆM) chưa có hiệu lực (hiệu lực từ 01/01/2031 07:00)."
    )


def test_wrong_key_usage(kit: Kit) -> None:
    error = _refusal(kit.backend(usage="encipherment"))
    assert error.code == "key_usage"
    assert error.message.startswith("Chứng thư số của Lê Văn Bình (THỬ NGHIỆM) không dùng để kí")


def test_a_timestamping_certificate_cannot_sign_report_cards(kit: Kit) -> None:
    # digitalSignature, but the extended key usage is timeStamping only
    assert _refusal(kit.backend(usage="timestamping")).code == "key_usage"


def test_revoked_on_the_project_list(kit: Kit, settings: Any, tmp_path: Path) -> None:
    settings.REPORTCARDS_REVOKED_FILE = tmp_path / "revoked.txt"
    backend = kit.backend()
    serial = kit.cert_of(backend).serial_number
    add_to_project_revocation_list(serial, "token lost 2026-05-02")

    error = _refusal(backend)
    assert error.code == "revoked"
    assert error.message == (
        f"Chứng thư số của Lê Văn Bình (THỬ NGHIỆM) (số hiệu {serial:x}) "
        "nằm trong danh sách thu hồi."
    )


def test_revoked_by_the_ca(own_kit: Kit) -> None:
    backend = own_kit.backend()
    signed_before = sign_pdf(
        simple_pdf(), backend=backend, field_name="GVCN", signer_role="GVCN", reason="", location=""
    )
    assert validate_pdf(signed_before).valid is True

    own_kit.root.revoke(own_kit.cert_of(backend).serial_number)

    error = _refusal(backend)
    assert error.code == "revoked"
    assert "đã bị tổ chức cấp thu hồi" in error.message
    # a validator with the new CRL sees it too
    [sig] = validate_pdf(signed_before).signatures
    assert (sig.intact, sig.valid, sig.revoked, sig.trusted, sig.ok) == (
        True,
        True,
        True,
        False,
        False,
    )


def test_wrong_passphrase(kit: Kit) -> None:
    path = kit.p12()
    error = _refusal(Pkcs12Backend(path, "sai-mat-khau"))
    assert error.code == "wrong_pin"
    assert error.message == (f"Sai mật khẩu của tệp khoá {path.name} (hoặc tệp bị hỏng).")
    assert Pkcs12Backend(path, PASS).certificate is not None  # the file itself is fine


def test_missing_key_file(kit: Kit, tmp_path: Path) -> None:
    error = _refusal(Pkcs12Backend(tmp_path / "khong-co.p12", PASS))
    assert (error.code, error.message) == ("key_missing", "Không đọc được tệp khoá khong-co.p12.")


def test_an_untrusted_root_is_reported(kit: Kit, settings: Any, tmp_path: Path) -> None:
    from truongso.reportcards.tests.signing.kit import make_kit

    stranger = make_kit(tmp_path / "other-ca")  # another CA the site does not trust
    signed = sign_pdf(
        simple_pdf(),
        backend=stranger.backend("Người lạ"),
        field_name="GVCN",
        signer_role="GVCN",
        reason="",
        location="",
    )
    with translation.override("vi"):
        report = validate_pdf(signed)
    [sig] = report.signatures
    assert (sig.intact, sig.valid, sig.trusted, report.valid) == (True, True, False, False)
    assert report.problems == ["GVCN: Chứng thư số của người kí không được hệ thống này tin cậy."]
