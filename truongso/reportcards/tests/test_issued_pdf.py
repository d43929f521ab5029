"""The issued PDF: its text read back with exact values, its signatures checked by pyHanko and
(in CI) poppler's pdfsig, and tampered copies reported as not genuine."""

from __future__ import annotations

import io

import pytest
from pypdf import PdfReader, PdfWriter

from truongso.reportcards.models import ReportCard
from truongso.reportcards.render import report_card_pdf
from truongso.reportcards.services.batches import batch_execute, batch_start
from truongso.reportcards.signing.validate import run_pdfsig, validate_pdf
from truongso.reportcards.tests.signing.kit import require_tool
from truongso.reportcards.verify import check_upload


def text_of(body: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(body)).pages)


@pytest.fixture
def issued(keyed):
    w = keyed
    for actor, where in (
        (w.homeroom, {"school_class": w.class_6a2}),
        (w.principal, {"school": w.school_a}),
    ):
        batch_execute(batch_id=batch_start(actor=actor, school_year=w.year, **where).pk)
    card = ReportCard.objects.get(student=w.students["chi"])
    with card.pdf.open("rb") as handle:
        return card, handle.read()


def test_issued_text_reads_back(issued):
    card, body = issued
    text = text_of(body)
    lines = [line.strip() for line in text.splitlines()]
    for expected in [
        "HỌC BẠ",
        "TRUNG HỌC CƠ SỞ",
        "Năm học 2025 – 2026",
        "HOÀNG THỊ CHI",
        "12/03/2014",
        "3407000003",
        "TRƯỜNG THCS AN BÀI",
        "Kết quả rèn luyện",
        "Danh hiệu: Học sinh Xuất sắc",
        "Xét lên lớp: Lên lớp",
        "GIÁO VIÊN CHỦ NHIỆM",
        "Lê Văn Bình",
        f"Mã tra cứu: {card.code_display} · Phiên bản 1",
        f"http://127.0.0.1:8000/verify/{card.verify_code}/",
    ]:
        assert expected in text, expected
    # Toán: 9 in both semesters and the year (every column entered as 9)
    toan = lines.index("Toán")
    assert lines[toan + 1 : toan + 4] == ["9", "9", "9"]
    assert "BẢN XEM TRƯỚC" not in text


def test_preview_says_so(keyed):
    w = keyed
    text = text_of(report_card_pdf(w.students["an"], w.year))
    assert "BẢN XEM TRƯỚC - CHƯA KÝ, KHÔNG CÓ GIÁ TRỊ" in text
    assert "NGUYỄN VĂN AN" in text
    assert "8,5" in text


def test_signatures_valid_with_pyhanko(issued):
    card, body = issued
    report = validate_pdf(body, expected_fields=["GVCN", "HieuTruong", "ConDau"])
    assert report.valid, report.problems
    assert [s.field_name for s in report.signatures] == ["GVCN", "HieuTruong", "ConDau"]
    assert all(s.intact and s.trusted for s in report.signatures)
    assert check_upload(body, card).genuine


def test_signatures_valid_with_pdfsig(issued):
    require_tool("pdfsig", "poppler-utils")
    _card, body = issued
    found = run_pdfsig(body)
    assert [(s.field_name, s.signature_valid) for s in found] == [
        ("GVCN", True),
        ("HieuTruong", True),
        ("ConDau", True),
    ]
    assert found[-1].total_document_signed


def test_one_byte_changed(issued):
    card, body = issued
    at = body.index(b"stream") + 40  # inside the first page's content
    tampered = body[:at] + bytes([body[at] ^ 0x01]) + body[at + 1 :]
    check = check_upload(tampered, card)
    assert (check.matches, check.signatures_valid, check.genuine) == (False, False, False)


def test_page_appended(issued):
    from pyhanko.pdf_utils import generic
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

    card, body = issued
    writer = IncrementalPdfFileWriter(io.BytesIO(body), strict=False)
    size = generic.ArrayObject([generic.NumberObject(n) for n in (0, 0, 595, 842)])
    page = generic.DictionaryObject(
        {
            generic.NameObject("/Type"): generic.NameObject("/Page"),
            generic.NameObject("/MediaBox"): size,
        }
    )
    writer.insert_page(page)
    out = io.BytesIO()
    writer.write(out)
    check = check_upload(out.getvalue(), card)
    assert (check.matches, check.signatures_valid) == (False, False)
    report = validate_pdf(out.getvalue())
    assert report.modified_after_last_signature


def test_signature_stripped(issued):
    card, body = issued
    writer = PdfWriter()
    for page in PdfReader(io.BytesIO(body)).pages:
        writer.add_page(page)
    out = io.BytesIO()
    writer.write(out)
    check = check_upload(out.getvalue(), card)
    assert (check.matches, check.signatures_valid, check.signatures) == (False, False, [])
    assert "HOÀNG THỊ CHI" in text_of(out.getvalue())  # same text, no signature
