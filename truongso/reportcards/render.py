"""The report card as a PDF (học bạ), laid out like the official form, A4.

ReportLab with DejaVu Sans (``core.pdf``): every Vietnamese letter renders, the text is
extractable (tests read it back with pypdf) and prints well. The wording of the form is
Vietnamese whatever the reader's language (it is a legal document; ``form.py``); level names
come from the gradebook, rendered under ``translation.override("vi")``.

Content comes from the gradebook's official results (``student_report``: the stored
``TermResult`` rows of closed semesters and the year), read as the system: rendering is
not a read by a user, the caller has checked permission.
"""

from __future__ import annotations

import functools
import io
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.utils import timezone, translation
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    KeepTogether,
    PageBreak,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from truongso.core import authz, pdf
from truongso.gradebook.rules import levels
from truongso.gradebook.selectors_results import StudentReport, student_report
from truongso.registry.models import SchoolYear, Staff, Student
from truongso.registry.reference import Position, SchoolLevel, level_of_grade
from truongso.reportcards import form

PREVIEW_CODE = "XEMTRUOC00"


@dataclass(frozen=True)
class Issue:
    """What the printed card says about its own issue: code, version, correction."""

    verify_code: str = PREVIEW_CODE
    version: int = 1
    correction_reason: str = ""
    preview: bool = True

    @property
    def code_display(self) -> str:
        return f"{self.verify_code[:5]}-{self.verify_code[5:]}"

    @property
    def verify_url(self) -> str:
        return f"{settings.REPORTCARDS_VERIFY_URL.rstrip('/')}/{self.verify_code}/"


def of_card(card: Any) -> Issue:
    return Issue(card.verify_code, card.version, card.correction_reason, preview=False)


def report_card_pdf(student: Student, year: SchoolYear, *, issue: Issue | None = None) -> bytes:
    """One student's học bạ for one school year (a preview unless ``issue`` is given)."""
    issue = issue or Issue()
    with translation.override("vi"):
        report = student_report(authz.SYSTEM, student, year.pk)
        if report.school_class is None or report.year is None or report.year.pk != year.pk:
            raise ValueError(f"{student} has no class in {year}")
        return _build([_year_story(report, issue)], _title(student, year), issue)


def report_book_pdf(student: Student, years: list[SchoolYear]) -> bytes:
    """The multi-year book of a level (sổ học bạ): a cover, then each year's pages.

    A compilation for reading and printing; the signed originals are the yearly cards."""
    with translation.override("vi"):
        stories = [_cover(student, years)]
        for year in years:
            report = student_report(authz.SYSTEM, student, year.pk)
            if report.school_class is not None:
                stories.append(_year_story(report, None))
        return _build(stories, f"Học bạ - {student.full_name}", Issue())


# --- document ------------------------------------------------------------------------------
def _title(student: Student, year: SchoolYear) -> str:
    return f"Học bạ {year.code} - {student.full_name}"


def _build(stories: list[list[Any]], title: str, issue: Issue) -> bytes:
    pdf.register_fonts()
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=16 * mm,
        rightMargin=16 * mm,
        topMargin=14 * mm,
        bottomMargin=16 * mm,
        title=title,
        author="Trường Số",
        subject=form.SUBJECT,
    )
    flow: list[Any] = []
    for index, story in enumerate(stories):
        if index:
            flow.append(PageBreak())
        flow += story

    def footer(canvas: Canvas, doc: Any) -> None:
        canvas.saveState()
        canvas.setFont(pdf.FONT, 7)
        text = f"{title} · {form.PAGE} {doc.page}"
        if not issue.preview:
            text += f" · {form.CODE}: {issue.code_display}"
        canvas.drawString(16 * mm, 9 * mm, text)
        canvas.restoreState()

    doc.build(flow, onFirstPage=footer, onLaterPages=footer)
    return buffer.getvalue()


def _p(text: str, style: str = "body") -> Paragraph:
    return Paragraph(text, _styles()[style])


@functools.cache
def _styles() -> dict[str, ParagraphStyle]:
    """The shared styles, and ``cell``: table text a little smaller (one page per year)."""
    found = dict(pdf.styles())
    found["cell"] = ParagraphStyle("cell", parent=found["body"], fontSize=9, leading=11)
    found["body"] = ParagraphStyle("tight", parent=found["body"], fontSize=9.5, leading=12.5)
    return found


def _esc(text: Any) -> str:
    return str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


GRID = TableStyle(
    [
        ("FONT", (0, 0), (-1, -1), pdf.FONT, 9),
        ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("TOPPADDING", (0, 0), (-1, -1), 1.5),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 1.5),
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#eeeeee")),
        ("FONT", (0, 0), (-1, 0), pdf.FONT_BOLD, 9),
        ("ALIGN", (2, 0), (-1, -1), "CENTER"),
    ]
)


# --- one year ------------------------------------------------------------------------------
def _year_story(report: StudentReport, issue: Issue | None) -> list[Any]:
    school_class = report.school_class
    assert school_class is not None and report.year is not None
    story: list[Any] = [_header(school_class.school), Spacer(1, 2 * mm)]
    story += [
        _p(form.TITLE, "title"),
        _p(_level_name(school_class.grade), "centre"),
        _p(f"{form.YEAR} {report.year.code.replace('-', ' – ')}", "centre"),
        Spacer(1, 2 * mm),
        _identity(report),
        Spacer(1, 3 * mm),
        _p(form.RESULTS_HEADING, "heading"),
        Spacer(1, 1 * mm),
        _subjects(report),
        Spacer(1, 3 * mm),
        _summary(report),
        Spacer(1, 2 * mm),
    ]
    story += _year_end(report)
    if report.primary:
        story += _qualities(report)
    story.append(_comment(report))
    if issue is not None:
        story.append(Spacer(1, 2 * mm))
        story.append(KeepTogether([_signatures(report), Spacer(1, 3 * mm), _verify(issue)]))
    return story


def _header(school: Any) -> Table:
    parent = school.parent.name.upper() if school.parent_id else ""
    left = _p(f"{_esc(parent)}<br/><b>{_esc(school.name.upper())}</b>", "centre")
    right = _p(f"<b>{form.NATION}</b><br/><u>{form.MOTTO}</u>", "centre")
    table = Table([[left, right]], colWidths=[80 * mm, 98 * mm])
    table.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP")]))
    return table


def _level_name(grade: int) -> str:
    return {
        SchoolLevel.PRIMARY: form.PRIMARY,
        SchoolLevel.LOWER_SECONDARY: form.LOWER_SECONDARY,
        SchoolLevel.UPPER_SECONDARY: form.UPPER_SECONDARY,
    }[SchoolLevel(level_of_grade(grade))]


def _identity(report: StudentReport) -> Table:
    student, school_class = report.student, report.school_class
    assert school_class is not None
    rows = [
        [form.NAME, _p(f"<b>{_esc(student.full_name.upper())}</b>"), form.GENDER],
        [form.BIRTH, student.birth_date.strftime("%d/%m/%Y"), form.ETHNICITY],
        [form.BIRTHPLACE, _p(_esc(student.birthplace or "—")), ""],
        [form.LEARNER_ID, student.learner_id or student.temp_code or "", form.CITIZEN_ID],
        [form.CLASS, school_class.name, form.SCHOOL],
    ]
    rows[0].append(student.get_gender_display())
    rows[1].append(student.get_ethnicity_display())
    rows[2].append("")
    rows[3].append(student.citizen_id or "—")
    rows[4].append(_p(_esc(school_class.school.name)))
    table = Table(rows, colWidths=[40 * mm, 52 * mm, 36 * mm, 50 * mm])
    table.setStyle(
        TableStyle(
            [
                ("FONT", (0, 0), (-1, -1), pdf.FONT, 9),
                ("SPAN", (1, 2), (3, 2)),
                ("TOPPADDING", (0, 0), (-1, -1), 1),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 1),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ("LINEBELOW", (0, 0), (-1, -1), 0.25, colors.grey),
            ]
        )
    )
    return table


def _subjects(report: StudentReport) -> Table:
    rows: list[list[Any]] = [[form.NO, form.SUBJECT_COL, form.SEM1, form.SEM2, form.WHOLE_YEAR]]
    for number, card in enumerate(report.cards, start=1):
        rows.append(
            [
                str(number),
                _p(_esc(card.spec.name), "cell"),
                card.semesters[0].result.text or "—",
                card.semesters[1].result.text or "—",
                card.year.text or "—",
            ]
        )
    table = Table(rows, colWidths=[10 * mm, 88 * mm, 26 * mm, 26 * mm, 28 * mm], repeatRows=1)
    table.setStyle(GRID)
    return table


def _level(code: str, primary: bool) -> str:
    if not code:
        return "—"
    names: dict[str, Any] = levels.PRIMARY_NAMES if primary else levels.LEVEL_NAMES
    return str(names.get(code, code))


def _summary(report: StudentReport) -> Table:
    by_period = {p.period: p for p in report.periods}
    order = [1, 2, 0]
    rows: list[list[Any]] = [["", form.SEM1, form.SEM2, form.WHOLE_YEAR]]
    if not report.primary:
        rows.append([form.CONDUCT] + [_level(by_period[p].conduct, False) for p in order])
    rows.append([form.LEARNING] + [_level(by_period[p].learning, report.primary) for p in order])
    rows.append([form.ABSENCES] + [str(by_period[p].absences) for p in order])
    table = Table(rows, colWidths=[62 * mm, 38 * mm, 38 * mm, 40 * mm])
    style = TableStyle(GRID.getCommands())
    style.add("ALIGN", (1, 0), (-1, -1), "CENTER")
    table.setStyle(style)
    return table


def _year_end(report: StudentReport) -> list[Any]:
    year = next(p for p in report.periods if p.period == 0)
    lines = []
    award = str(levels.AWARD_NAMES.get(year.award, "")) if year.award else form.NONE
    lines.append(f"<b>{form.AWARD}:</b> {_esc(award)}")
    decision = str(levels.DECISION_NAMES.get(year.decision, year.decision or "—"))
    lines.append(f"<b>{form.DECISION}:</b> {_esc(decision)}")
    if year.retests:
        done = ", ".join(f"{_esc(name)}: {_esc(value)}" for name, value in year.retests)
        lines.append(f"<b>{form.RETESTS}:</b> {done}")
    if year.summer_conduct:
        lines.append(f"<b>{form.SUMMER}:</b> {_level(year.summer_conduct, False)}")
    return [_p(line) for line in lines]


def _qualities(report: StudentReport) -> list[Any]:
    semester_two = next(p for p in report.periods if p.period == 2)
    if not semester_two.qualities:
        return []
    rows: list[list[Any]] = [[form.QUALITY, form.RATING]]
    rows += [[_p(_esc(name)), value or "—"] for name, value in semester_two.qualities]
    table = Table(rows, colWidths=[120 * mm, 58 * mm])
    table.setStyle(GRID)
    return [Spacer(1, 2 * mm), table]


def _comment(report: StudentReport) -> Paragraph:
    comment = next((p.comment for p in report.periods if p.period == 2 and p.comment), "")
    return _p(f"<b>{form.COMMENT}:</b> {_esc(comment) or '—'}")


def principal_name(school: Any) -> str:
    found = (
        Staff.objects.filter(org_unit=school, position=Position.PRINCIPAL, is_active=True)
        .order_by("pk")
        .first()
    )
    return found.full_name if found else ""


def _signatures(report: StudentReport) -> Table:
    school_class = report.school_class
    assert school_class is not None
    teacher = school_class.homeroom_teacher.full_name if school_class.homeroom_teacher else ""
    today = timezone.localdate()
    place = _p(
        f"<i>{form.DATE % {'d': today.day, 'm': today.month, 'y': today.year}}</i>", "centre"
    )
    cells = [
        _p(f"<b>{form.HOMEROOM}</b><br/>{form.DIGITAL}<br/><br/>{_esc(teacher)}", "centre"),
        _p(
            f"<b>{form.PRINCIPAL}</b><br/>{form.DIGITAL}<br/><br/>"
            f"{_esc(principal_name(school_class.school))}",
            "centre",
        ),
        _p(f"<b>{form.SEAL}</b><br/>{form.SEAL_NOTE}", "centre"),
    ]
    table = Table([["", "", place], cells], colWidths=[58 * mm, 62 * mm, 58 * mm])
    table.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP")]))
    return table


def _verify(issue: Issue) -> Table:
    lines = [
        f"<b>{form.CODE}: {issue.code_display}</b> · {form.VERSION} {issue.version}",
        f"{form.VERIFY_AT}:<br/><font size=8>{_esc(issue.verify_url)}</font>",
        form.VERIFY_HINT,
    ]
    if issue.preview:
        lines.insert(0, f"<b>{form.PREVIEW}</b>")
    if issue.correction_reason:
        lines.append(f"<b>{form.CORRECTION}:</b> {_esc(issue.correction_reason)}")
    text = _p("<br/>".join(lines), "small")
    table = Table([[pdf.qr_drawing(issue.verify_url, 24 * mm), text]], [28 * mm, 150 * mm])
    table.setStyle(
        TableStyle(
            [("VALIGN", (0, 0), (-1, -1), "MIDDLE"), ("BOX", (0, 0), (-1, -1), 0.5, colors.grey)]
        )
    )
    return table


def _cover(student: Student, years: list[SchoolYear]) -> list[Any]:
    return [
        Spacer(1, 40 * mm),
        _p(form.TITLE, "title"),
        Spacer(1, 8 * mm),
        _p(f"<b>{_esc(student.full_name.upper())}</b>", "centre"),
        _p(f"{form.LEARNER_ID}: {student.learner_id or student.temp_code or ''}", "centre"),
        Spacer(1, 8 * mm),
        _p(f"{form.YEARS}: {', '.join(y.code for y in years)}", "centre"),
        Spacer(1, 8 * mm),
        _p(form.BOOK_NOTE, "small"),
    ]
