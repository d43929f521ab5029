"""Report cards travel with the learner.

Inside the system nothing has to be sent: a card belongs to the student (same learner ID),
so the school that receives her on transfer reads her cards as soon as the transfer is
accepted (and while it waits), through the scope rules. For a school outside the system the
issued cards are exported as a zip: the signed PDFs exactly as issued (their signatures and
SHA-256 still check out), with a manifest of codes, hashes and the verification address.
"""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Sequence

from django.utils import timezone

from truongso.registry.models import Student
from truongso.registry.reference import level_of_grade
from truongso.reportcards.models import ReportCard
from truongso.reportcards.render import Issue, report_book_pdf

README = """Học bạ số của học sinh {name} (mã định danh {learner_id}).

Mỗi tệp PDF là học bạ một năm học, có chữ ký số của giáo viên chủ nhiệm, hiệu trưởng và
nhà trường. Kiểm tra chữ ký trong trình đọc PDF, hoặc tải tệp lên trang tra cứu ghi trong
manifest.json (mã tra cứu in trên mỗi học bạ). Không sửa tệp: mọi thay đổi làm chữ ký mất
hiệu lực.

Digital report cards (học bạ số), one signed PDF per school year; verify each file in a PDF
reader or at the verification address listed in manifest.json.
"""


def filename(card: ReportCard) -> str:
    return f"hoc-ba-{card.student.identifier}-{card.school_year.code}-v{card.version}.pdf"


def cards_zip(student: Student, cards: Sequence[ReportCard]) -> bytes:
    buffer = io.BytesIO()
    manifest = {
        "learner_id": student.identifier,
        "exported_at": timezone.now().isoformat(),
        "cards": [],
    }
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for card in cards:
            with card.pdf.open("rb") as handle:
                archive.writestr(filename(card), handle.read())
            manifest["cards"].append(  # type: ignore[attr-defined]
                {
                    "file": filename(card),
                    "school_year": card.school_year.code,
                    "school": card.school.name,
                    "version": card.version,
                    "code": card.code_display,
                    "sha256": card.sha256,
                    "verify_url": Issue(card.verify_code).verify_url,
                }
            )
        archive.writestr("manifest.json", json.dumps(manifest, ensure_ascii=False, indent=1))
        archive.writestr(
            "README.txt",
            README.format(name=student.full_name, learner_id=student.identifier),
        )
    return buffer.getvalue()


def book_pdf(student: Student, cards: Sequence[ReportCard]) -> bytes:
    """The multi-year book of the level of the student's latest issued year."""
    if not cards:
        return report_book_pdf(student, [])
    latest = max(cards, key=lambda c: c.school_year.start_date)
    level = level_of_grade(latest.school_class.grade)
    years = sorted(
        {c.school_year for c in cards if level_of_grade(c.school_class.grade) == level},
        key=lambda y: y.start_date,
    )
    return report_book_pdf(student, years)
