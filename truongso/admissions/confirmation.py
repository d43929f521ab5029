"""The registration slip (phiếu đăng ký dự tuyển): an A5 PDF given at once after applying.

It names the application code, the learner, the ranked schools and the time received, and
carries a QR code of the public check page, so a school can verify a printed or forwarded
slip without the parent bringing originals (the 2016 Hanoi pilot still demanded them).
"""

from __future__ import annotations

import io
from html import escape

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from reportlab.lib import colors
from reportlab.lib.pagesizes import A5
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from truongso.admissions.models import Application
from truongso.core import pdf


def check_url(application: Application) -> str:
    return settings.SITE_ROOT + reverse("admissions_apply:check", args=[application.code])


def confirmation_pdf(application: Application) -> bytes:
    """The slip of ``application`` (round, organiser and preferences with schools loaded)."""
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=A5,
        leftMargin=12 * mm,
        rightMargin=12 * mm,
        topMargin=10 * mm,
        bottomMargin=10 * mm,
        title=_("Admission application %(code)s") % {"code": application.code},
        author=application.round.organiser.name,
    )
    doc.build(_story(application))
    return buffer.getvalue()


def _table(rows: list[list[object]], widths: list[float]) -> Table:
    table = Table(rows, colWidths=[w * mm for w in widths])
    table.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LINEBELOW", (0, 0), (-1, -1), 0.25, colors.grey),
            ]
        )
    )
    return table


def _story(application: Application) -> list[object]:
    s = pdf.styles()
    r = application.round
    received = timezone.localtime(application.submitted_at).strftime("%d/%m/%Y %H:%M")
    facts = [
        (_("Application code"), application.code),
        (_("Learner ID"), application.learner_id or "—"),
        (_("Full name"), application.full_name),
        (_("Birth date"), application.birth_date.strftime("%d/%m/%Y")),
        (_("Parent or guardian"), application.guardian_name),
        (_("Registered phone"), application.phone),
        (_("Received at"), received),
        (_("Status"), str(application.get_status_display())),
    ]
    prefs = [
        [Paragraph(f"NV{p.rank}", s["body"]), Paragraph(escape(p.school.name), s["body"])]
        for p in application.preferences.all()
    ]
    url = check_url(application)
    return [
        Paragraph(escape(r.organiser.name), s["centre"]),
        Spacer(1, 2 * mm),
        Paragraph(_("ADMISSION APPLICATION SLIP"), s["title"]),
        Paragraph(escape(r.name), s["centre"]),
        Spacer(1, 4 * mm),
        _table(
            [[Paragraph(k, s["small"]), Paragraph(escape(v), s["body"])] for k, v in facts],
            [36, 88],
        ),
        Spacer(1, 4 * mm),
        Paragraph(_("Preferences"), s["heading"]),
        _table(prefs, [16, 108]),
        Spacer(1, 5 * mm),
        Table(
            [
                [
                    pdf.qr_drawing(url, 28 * mm),
                    Paragraph(
                        _("Check this application at %(url)s or scan the code.")
                        % {"url": escape(url)},
                        s["small"],
                    ),
                ]
            ],
            colWidths=[32 * mm, 92 * mm],
        ),
    ]
