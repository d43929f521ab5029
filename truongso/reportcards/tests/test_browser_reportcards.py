"""Browser test in Debian Chromium: the homeroom teacher signs her class on the page (the
batch's progress bar), the principal's batch seals it, and a parent on a 360 px phone opens
the verification address printed under the QR code and checks the PDF file."""

from __future__ import annotations

import io
from concurrent.futures import ThreadPoolExecutor

import pytest
from playwright.sync_api import expect
from pypdf import PdfReader

from truongso.core.authz import SYSTEM
from truongso.gradebook.tests.yearbook import Pupil, fill_year
from truongso.reportcards.models import CardStatus, ReportCard, Stage
from truongso.reportcards.services.batches import batch_execute, batch_start
from truongso.reportcards.services.keys import signer_keys_from_test_ca
from truongso.reportcards.signing import testca
from truongso.testing.live import PHONE_VIEWPORT, browser_page, ui_login

pytestmark = pytest.mark.browser

NO_OVERFLOW = "document.documentElement.scrollWidth"


def principal_signs(w):
    batch_execute(batch_id=batch_start(actor=w.principal, school_year=w.year, school=w.school_a).pk)


def test_sign_class_then_verify_on_a_phone(
    live_server, live_world, chromium_browser, settings, tmp_path
):
    w = live_world
    settings.REPORTCARDS_SIGNING_DIR = tmp_path / "signing"
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.REPORTCARDS_TSA_URL = ""
    fill_year(w.class_6a2, {w.students["chi"]: Pupil(default="9")}, w.principal)
    testca.issue_school(w.school_a)
    signer_keys_from_test_ca(actor=SYSTEM, school=w.school_a)
    with browser_page(chromium_browser, live_server.url) as page:
        ui_login(page, "homeroom")
        page.goto("/reportcards/")
        page.get_by_role("link", name="6A2").click()
        expect(page.get_by_role("heading", level=1)).to_contain_text("Học bạ lớp 6A2")
        page.get_by_test_id("sign-class").click()
        expect(page.get_by_text("Đã ký: 1.")).to_be_visible()
        expect(page.get_by_role("cell", name="GVCN đã ký")).to_be_visible()
    card = ReportCard.objects.get()
    assert card.stage == Stage.HOMEROOM
    with ThreadPoolExecutor(1) as pool:  # pyHanko runs its own event loop: not Playwright's
        pool.submit(principal_signs, w).result()
    card.refresh_from_db()
    assert card.status == CardStatus.ISSUED
    with card.pdf.open("rb") as handle:
        body = handle.read()
    text = PdfReader(io.BytesIO(body)).pages[0].extract_text()
    printed = next(line for line in text.splitlines() if "/verify/" in line).strip()
    path = printed[printed.index("/verify/") :]
    pdf_file = tmp_path / "hoc-ba.pdf"
    pdf_file.write_bytes(body)
    with browser_page(chromium_browser, live_server.url, viewport=PHONE_VIEWPORT) as page:
        page.goto(path)
        public = page.get_by_test_id("public-card")
        expect(public).to_contain_text("Hợp lệ")
        expect(public).to_contain_text("H. T. C.")
        expect(public).not_to_contain_text("Hoàng Thị Chi")
        assert page.evaluate(NO_OVERFLOW) <= PHONE_VIEWPORT["width"]
        page.locator("input[type=file]").set_input_files(str(pdf_file))
        page.get_by_role("button", name="Kiểm tra tệp").click()
        expect(page.get_by_test_id("file-check")).to_contain_text("Xác thực")
        assert page.evaluate(NO_OVERFLOW) <= PHONE_VIEWPORT["width"]
