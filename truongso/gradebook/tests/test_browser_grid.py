"""Browser tests in Debian Chromium: a teacher types a row of scores with the keyboard only
and sees the semester average; pastes a column from Excel; the values persist."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from truongso.testing.live import browser_page, ui_login

pytestmark = pytest.mark.browser


def open_grid(page):
    ui_login(page, "teacher")
    page.get_by_role("link", name="Sổ điểm").first.click()
    page.get_by_role("link", name="Học kì I", exact=True).click()
    page.get_by_role("link", name="Toán · 6A1").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Toán · Lớp 6A1")
    expect(page.locator("main strong").first).to_have_text("Học kì I")


def row(page, name):
    return page.locator("#grid-table tbody tr", has=page.get_by_role("rowheader", name=name))


def test_teacher_types_a_row_and_sees_the_average(live_server, live_world, chromium_browser):
    with browser_page(chromium_browser, live_server.url) as page:
        open_grid(page)
        an = row(page, "Nguyễn Văn An")
        an.locator("input.grid-input").first.click()
        # TX1..TX4, GK, CK: (6 + 8 + 7.5 + 7 + 2·5 + 3·10) / (4 + 5) = 68.5 / 9 = 7.61 -> 7.6
        for i, value in enumerate(["6", "8", "7,5", "7", "5", "10"]):
            if i:
                page.keyboard.press("Tab")
            page.keyboard.type(value)
        expect(an.locator("output[data-outcome]")).to_have_text("7.6")
        status = page.locator("#grid-status")
        expect(status).to_contain_text("Đã lưu lúc")
        page.reload()
        an = row(page, "Nguyễn Văn An")
        values = an.locator("input.grid-input")
        expect(values.nth(2)).to_have_value("7.5")  # stored canonical form of "7,5"
        expect(values.nth(5)).to_have_value("10")
        expect(an.locator("output[data-outcome]")).to_have_text("7.6")
        expect(values).to_have_count(7)  # six scores and the comment
        for i, stored in enumerate(["6", "8", "7.5", "7", "5", "10", ""]):
            expect(values.nth(i)).to_have_value(stored)


PASTE = """(text) => {
    const data = new DataTransfer();
    data.setData("text/plain", text);
    const event = new ClipboardEvent("paste", {clipboardData: data, bubbles: true,
                                               cancelable: true});
    document.activeElement.dispatchEvent(event);
}"""


def test_teacher_pastes_a_column_from_excel(live_server, live_world, chromium_browser):
    with browser_page(chromium_browser, live_server.url) as page:
        open_grid(page)
        # Three values from the second row down do not fit: refused, nothing pasted.
        row(page, "Nguyễn Văn An").locator("input.grid-input").nth(1).click()
        page.evaluate(PASTE, "9\r\n6,5\r\n7\r\n")
        expect(page.locator("#grid-status")).to_contain_text("chưa dán gì")
        expect(row(page, "Nguyễn Văn An").locator("input.grid-input").nth(1)).to_have_value("")
        # Two values from TX2 of the first row: pasted down the column and saved.
        row(page, "Đỗ Thị Bình").locator("input.grid-input").nth(1).click()
        page.evaluate(PASTE, "9\r\n6,5\r\n")
        expect(page.locator("#grid-status")).to_contain_text("Đã lưu lúc")
        expect(row(page, "Nguyễn Văn An").locator("input.grid-input").nth(1)).to_have_value("6.5")
        page.reload()
        expect(row(page, "Đỗ Thị Bình").locator("input.grid-input").nth(1)).to_have_value("9")
        expect(row(page, "Nguyễn Văn An").locator("input.grid-input").nth(1)).to_have_value("6.5")
        expect(row(page, "Nguyễn Văn An").locator("input.grid-input").nth(0)).to_have_value("")


def test_the_second_writer_sees_the_conflict(live_server, live_world, chromium_browser):
    with (
        browser_page(chromium_browser, live_server.url) as first,
        browser_page(chromium_browser, live_server.url) as second,
    ):
        for page in (first, second):
            open_grid(page)
        # Both see an empty TX1 for An; the first types 8 and it is saved ...
        row(first, "Nguyễn Văn An").locator("input.grid-input").first.fill("8")
        first.get_by_role("button", name="Lưu").click()
        expect(first.locator("#grid-status")).to_contain_text("Đã lưu lúc")
        # ... the second, still seeing an empty cell, types 9: refused, shown the 8.
        cell = row(second, "Nguyễn Văn An").locator("input.grid-input").first
        cell.fill("9")
        second.get_by_role("button", name="Lưu").click()
        expect(second.locator("#grid-status")).to_contain_text("vừa bị người khác sửa")
        expect(cell).to_have_value("8")
        cell.focus()
        expect(second.locator("#grid-message")).to_contain_text("Bạn đã nhập “9”.")
        second.reload()
        expect(row(second, "Nguyễn Văn An").locator("input.grid-input").first).to_have_value("8")
