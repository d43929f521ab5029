from __future__ import annotations

import io

from pypdf import PdfReader

from truongso.reportcards.render import Issue, report_card_pdf


def text_of(body: bytes) -> str:
    reader = PdfReader(io.BytesIO(body))
    return "\n".join(page.extract_text() for page in reader.pages)


def test_card_text_reads_back(closed_year):
    an = closed_year.students["an"]
    body = report_card_pdf(an, closed_year.year, issue=Issue("ABCDE23456", 1, preview=False))
    text = text_of(body)
    assert "NGUYỄN VĂN AN" in text
