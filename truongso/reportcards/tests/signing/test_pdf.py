"""Signing report cards with PAdES and validating them (pyHanko and, independently, pdfsig)."""

from __future__ import annotations

import io
from typing import Any

import pytest
from asn1crypto import cms
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pypdf import PdfReader

from truongso.reportcards.signing import SigningError, sign_pdf, validate_pdf
from truongso.reportcards.signing.fake_tsa import fake_tsa, serve_fake_tsa
from truongso.reportcards.signing.timestamps import HttpTimeStamper
from truongso.reportcards.signing.validate import run_pdfsig
from truongso.reportcards.tests.signing.kit import Kit, require_tool, simple_pdf

ROLES = [
    ("GVCN", "Giáo viên chủ nhiệm", "Lê Văn Bình"),
    ("HieuTruong", "Hiệu trưởng", "Hiệu trưởng An Bài"),
    ("ConDau", "Con dấu tổ chức", "Trường THCS An Bài"),
]


def _sign(
    pdf: bytes, backend: Any, field: str = "GVCN", role: str = "Giáo viên chủ nhiệm"
) -> bytes:
    return sign_pdf(
        pdf,
        backend=backend,
        field_name=field,
        signer_role=role,
        reason="Xác nhận học bạ năm học 2025–2026",
        location="Quỳnh Phụ, Thái Bình",
    )


@pytest.fixture
def three_signed(kit: Kit) -> bytes:
    pdf = simple_pdf()
    for field, role, name in ROLES:
        pdf = _sign(pdf, kit.backend(name), field, role)
    return pdf


def test_one_signature_is_valid_trusted_and_covers_the_file(signer: Any) -> None:
    original = simple_pdf()
    signed = _sign(original, signer)

    assert signed.startswith(original)  # incremental: the original bytes are untouched
    report = validate_pdf(signed)
    assert report.valid is True
    assert report.problems == []
    [sig] = report.signatures
    assert (sig.field_name, sig.signer_cn, sig.signer_role) == (
        "GVCN",
        "Lê Văn Bình (THỬ NGHIỆM)",
        "Giáo viên chủ nhiệm",
    )
    assert (sig.intact, sig.valid, sig.trusted, sig.revoked) == (True, True, True, False)
    assert (sig.coverage, sig.modification, sig.ok) == ("entire_file", "none", True)
    assert sig.signing_time is not None
    assert (sig.timestamp, sig.timestamp_valid) == (None, None)
    assert report.covers_whole_file is True
    assert report.modified_after_last_signature is False


def test_pades_baseline_with_the_chain_embedded(signer: Any) -> None:
    signed = _sign(simple_pdf(), signer)

    [embedded] = PdfFileReader(io.BytesIO(signed)).embedded_signatures
    assert embedded.sig_object["/SubFilter"] == "/ETSI.CAdES.detached"
    assert embedded.sig_object["/Reason"] == "Xác nhận học bạ năm học 2025–2026"
    assert embedded.sig_object["/Location"] == "Quỳnh Phụ, Thái Bình"
    signed_data = embedded.signed_data
    subjects = sorted(c.chosen.subject.native["common_name"] for c in signed_data["certificates"])
    assert subjects == ["Lê Văn Bình (THỬ NGHIỆM)", "Trường Số CA THỬ NGHIỆM / TEST ROOT CA"]
    attrs = {a["type"].native for a in signed_data["signer_infos"][0]["signed_attrs"]}
    # PAdES: signing-certificate-v2 and no CMS signing-time (the time is /M of the dictionary)
    assert "signing_certificate_v2" in attrs
    assert "signing_time" not in attrs
    assert isinstance(signed_data, cms.SignedData)


def test_bytes_reserved_means_one_signing_operation(kit: Kit) -> None:
    backend = kit.backend()
    calls: list[bool] = []
    raw = backend.signer().async_sign_raw

    async def counting(data: bytes, digest_algorithm: str, dry_run: bool = False) -> bytes:
        calls.append(dry_run)
        return await raw(data, digest_algorithm, dry_run)

    backend.signer().async_sign_raw = counting  # type: ignore[method-assign]
    _sign(simple_pdf(), backend)
    assert calls == [False]


def test_three_signatures_in_order_all_valid(three_signed: bytes) -> None:
    report = validate_pdf(three_signed, expected_fields=["GVCN", "HieuTruong", "ConDau"])

    assert report.valid is True
    assert [
        (s.field_name, s.signer_role, s.coverage, s.modification) for s in report.signatures
    ] == [
        ("GVCN", "Giáo viên chủ nhiệm", "entire_revision", "form_filling"),
        ("HieuTruong", "Hiệu trưởng", "entire_revision", "form_filling"),
        ("ConDau", "Con dấu tổ chức", "entire_file", "none"),
    ]
    assert [s.signer_cn for s in report.signatures] == [
        "Lê Văn Bình (THỬ NGHIỆM)",
        "Hiệu trưởng An Bài (THỬ NGHIỆM)",
        "Trường THCS An Bài (THỬ NGHIỆM)",
    ]


def test_a_field_is_never_signed_twice(signer: Any) -> None:
    signed = _sign(simple_pdf(), signer)
    with pytest.raises(SigningError) as caught:
        _sign(signed, signer)
    assert caught.value.code == "already_signed"


def test_timestamp_from_the_fake_tsa(kit: Kit, signer: Any, settings: Any) -> None:
    tsa = fake_tsa(kit.directory)
    with serve_fake_tsa(tsa) as url:
        settings.REPORTCARDS_TSA_URL = url
        signed = _sign(simple_pdf(), signer)
        _sign(simple_pdf(), signer)
        # one sample token (the TSA's chain for B-LT), then one token per signature
        assert tsa.requests == 3
        explicit = sign_pdf(
            simple_pdf(),
            backend=signer,
            field_name="GVCN",
            signer_role="Giáo viên chủ nhiệm",
            reason="r",
            location="l",
            timestamper=HttpTimeStamper(url, timeout=5),
        )

    for document in (signed, explicit):
        report = validate_pdf(document)
        [sig] = report.signatures
        assert report.valid is True
        assert sig.timestamp is not None
        assert sig.timestamp_valid is True
        assert abs((sig.timestamp - sig.signing_time).total_seconds()) < 60
        # B-LT: the test CA's CRL is kept locally, so it went into the DSS, same revision
        dss = PdfFileReader(io.BytesIO(document)).root["/DSS"]
        assert len(dss["/CRLs"]) == 1
        assert "/Certs" in dss
        assert sig.coverage == "entire_file"


def test_without_a_tsa_no_long_term_data(signer: Any) -> None:
    signed = _sign(simple_pdf(), signer)
    assert "/DSS" not in PdfFileReader(io.BytesIO(signed)).root


def test_unreadable_input() -> None:
    report = validate_pdf(b"%PDF-1.7 this is not really a PDF")
    assert report.valid is False
    assert report.error
    assert validate_pdf(simple_pdf()).problems == ["Tài liệu không có chữ kí số nào."]


def test_unreadable_input_is_refused_for_signing(signer: Any) -> None:
    with pytest.raises(SigningError) as caught:
        _sign(b"not a pdf at all", signer)
    assert caught.value.code == "bad_pdf"


# --- tampering -------------------------------------------------------------------------------
def _flip_in_signed_range(pdf: bytes, marker: bytes = b"Nguy") -> bytes:
    """Change one byte of the page content (inside every signature's byte range)."""
    data = bytearray(pdf)
    # the page text is compressed: flip a byte in the first content stream instead
    start = data.index(b"stream\n") + len(b"stream\n") + 5
    data[start] ^= 0x01
    return bytes(data)


def _append_page(pdf: bytes) -> bytes:
    """Add a blank page in an incremental update after the last signature."""
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
    page = generic.DictionaryObject(
        {
            generic.NameObject("/Type"): generic.NameObject("/Page"),
            generic.NameObject("/MediaBox"): generic.ArrayObject(
                [generic.NumberObject(n) for n in (0, 0, 595, 842)]
            ),
            generic.NameObject("/Resources"): generic.DictionaryObject(),
        }
    )
    writer.insert_page(page)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _strip_last_signature(pdf: bytes) -> bytes:
    """Remove the value (/V) of the last signed field in an incremental update."""
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
    fields = writer.root["/AcroForm"]["/Fields"]
    ref = fields.raw_get(len(fields) - 1)
    del ref.get_object()["/V"]
    writer.mark_update(ref)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def test_one_byte_changed_is_reported(three_signed: bytes) -> None:
    report = validate_pdf(_flip_in_signed_range(three_signed))

    assert report.valid is False
    assert [s.intact for s in report.signatures] == [False, False, False]
    assert "ConDau: Nội dung đã kí bị sửa (mã băm không khớp)." in report.problems


def test_page_appended_after_the_last_signature_is_reported(three_signed: bytes) -> None:
    tampered = _append_page(three_signed)
    assert len(PdfReader(io.BytesIO(tampered)).pages) == 2

    report = validate_pdf(tampered)
    assert report.valid is False
    assert report.modified_after_last_signature is True
    assert report.covers_whole_file is False
    assert [s.intact for s in report.signatures] == [True, True, True]
    assert report.signatures[-1].modification == "other"
    assert "Tài liệu đã bị sửa sau chữ kí cuối cùng." in report.problems


def test_signature_stripped_is_reported(three_signed: bytes) -> None:
    stripped = _strip_last_signature(three_signed)
    report = validate_pdf(stripped, expected_fields=["GVCN", "HieuTruong", "ConDau"])

    assert report.valid is False
    assert [s.field_name for s in report.signatures] == ["GVCN", "HieuTruong"]
    assert report.missing_fields == ["ConDau"]
    assert report.covers_whole_file is False
    # and the unsigned original (every signature cut away) carries none at all
    first_revision = three_signed[: three_signed.index(b"%%EOF") + 5]
    assert validate_pdf(first_revision).signatures == []
    assert validate_pdf(first_revision).valid is False


# --- poppler's pdfsig: an independent validator (mandatory in CI) -------------------------------
def test_pdfsig_accepts_the_signatures(three_signed: bytes) -> None:
    require_tool("pdfsig", "poppler-utils")
    found = run_pdfsig(three_signed)

    assert [(s.field_name, s.signer_cn) for s in found] == [
        ("GVCN", "Lê Văn Bình (THỬ NGHIỆM)"),
        ("HieuTruong", "Hiệu trưởng An Bài (THỬ NGHIỆM)"),
        ("ConDau", "Trường THCS An Bài (THỬ NGHIỆM)"),
    ]
    assert all(s.signature_valid for s in found)
    assert [s.total_document_signed for s in found] == [False, False, True]


def test_pdfsig_rejects_tampering(three_signed: bytes) -> None:
    require_tool("pdfsig", "poppler-utils")
    flipped = run_pdfsig(_flip_in_signed_range(three_signed))
    assert [s.signature_valid for s in flipped] == [False, False, False]
    assert flipped[-1].signature_validation == "Digest Mismatch."

    appended = run_pdfsig(_append_page(three_signed))
    assert appended[-1].signature_valid is True  # the signed revision itself is intact ...
    assert appended[-1].total_document_signed is False  # ... but it no longer covers the file


def test_pdfsig_trusts_the_chain_to_the_test_root(
    kit: Kit, three_signed: bytes, tmp_path: Any
) -> None:
    """With the test root in an NSS database, pdfsig also validates the certificates."""
    import subprocess

    certutil = require_tool("certutil", "libnss3-tools")
    require_tool("pdfsig", "poppler-utils")
    nss = tmp_path / "nss"
    nss.mkdir()
    subprocess.run([certutil, "-N", "-d", f"sql:{nss}", "--empty-password"], check=True)  # noqa: S603
    subprocess.run(  # noqa: S603 - the system certutil on our temp directory
        [
            certutil,
            "-A",
            "-d",
            f"sql:{nss}",
            "-n",
            "test-root",
            "-t",
            "C,C,C",  # trusted for S/MIME, what NSS checks for document signers
            "-i",
            str(kit.root.root_path),
        ],
        check=True,
    )
    found = run_pdfsig(three_signed, nss_dir=f"sql:{nss}")
    assert [s.certificate_validation for s in found] == ["Certificate is Trusted."] * 3
    assert all(s.signature_valid for s in found)


def test_three_long_term_signatures(kit: Kit, settings: Any) -> None:
    """B-LT for every signer (timestamp + the CRLs in the DSS), and pdfsig agrees."""
    with serve_fake_tsa(fake_tsa(kit.directory)) as url:
        settings.REPORTCARDS_TSA_URL = url
        pdf = simple_pdf()
        for field, role, name in ROLES:
            pdf = _sign(pdf, kit.backend(name), field, role)

    report = validate_pdf(pdf, expected_fields=["GVCN", "HieuTruong", "ConDau"])
    assert report.valid is True, report.problems
    assert all(s.timestamp_valid for s in report.signatures)
    assert report.signatures[-1].coverage == "entire_file"
    require_tool("pdfsig", "poppler-utils")
    found = run_pdfsig(pdf)
    assert all(s.signature_valid for s in found)
    assert [s.total_document_signed for s in found] == [False, False, True]


def test_an_empty_visible_field_of_the_document_is_filled(signer: Any) -> None:
    from pyhanko.sign import fields

    from truongso.reportcards.signing.pdfsign import _plain, signed_field_names

    writer = IncrementalPdfFileWriter(io.BytesIO(simple_pdf()))
    fields.append_signature_field(
        writer, fields.SigFieldSpec("GVCN", box=(72, 100, 272, 160), on_page=0)
    )
    out = io.BytesIO()
    writer.write(out)
    assert signed_field_names(out.getvalue()) == []

    signed = _sign(out.getvalue(), signer)
    assert signed_field_names(signed) == ["GVCN"]
    assert validate_pdf(signed).valid is True
    # pyHanko's standard fonts lack Vietnamese letters: the stamp drops diacritics, not letters
    assert _plain("Giáo viên chủ nhiệm: Lê Văn Bình, Đỗ Thị Ánh") == (
        "Giao vien chu nhiem: Le Van Binh, Do Thi Anh"
    )
