"""The one table reader: real bytes as Excel and bank exports write them, bad files refused
with one error type and a Vietnamese message, big files streamed."""

from __future__ import annotations

import datetime as dt
import io
import tracemalloc
import zipfile
from collections import deque
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest
from django.utils import translation
from openpyxl import Workbook as OpenpyxlWorkbook
from openpyxl.chart import BarChart, Reference

from truongso.core import tables
from truongso.core.tables import TableError, Workbook, table_rows


def csv_table(
    content: bytes, *, encodings: Sequence[str] = tables.UTF8, delimiters: str = ","
) -> list[tuple[int, list[str]]]:
    rows = table_rows(content, kind="csv", encodings=encodings, delimiters=delimiters)
    return [(row.line, list(row.cells)) for row in rows]


def xlsx_bytes(rows: list[list[object]], *, title: str = "Sheet") -> bytes:
    book = OpenpyxlWorkbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = title
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_utf8_with_and_without_bom() -> None:
    text = "Họ và tên,Ngày sinh\nNguyễn Văn An,01/03/2020\n"
    expected = [(1, ["Họ và tên", "Ngày sinh"]), (2, ["Nguyễn Văn An", "01/03/2020"])]
    assert csv_table(text.encode("utf-8-sig")) == expected
    assert csv_table(text.encode("utf-8")) == expected


def test_utf16_le_with_bom_only_when_asked() -> None:
    content = "\ufeffmã,điểm\r\nHS01,8\r\n".encode("utf-16-le")
    assert content[:2] == b"\xff\xfe"
    assert csv_table(content, encodings=tables.UTF8_OR_UTF16) == [
        (1, ["mã", "điểm"]),
        (2, ["HS01", "8"]),
    ]
    with pytest.raises(TableError) as caught:
        csv_table(content)
    assert caught.value.reason == tables.ENCODING


def test_utf16_without_bom_is_not_taken_for_text() -> None:
    with pytest.raises(TableError) as caught:
        csv_table("ma,diem\nHS01,8\n".encode("utf-16-le"), encodings=tables.UTF8_OR_UTF16)
    assert (caught.value.reason, caught.value.line) == (tables.NOT_TEXT, 1)


def test_cp1258_only_where_asked_and_composed() -> None:
    # Excel on a Vietnamese Windows: "ễ" as "ê" plus a combining tilde, "ề" as "ê" plus grave.
    content = "Nguy\u00ea\u0303n;Ti\u00ea\u0300n\n".encode("cp1258")
    with pytest.raises(TableError) as caught:
        csv_table(content, delimiters=",;")
    assert (caught.value.reason, caught.value.line) == (tables.ENCODING, 1)
    rows = csv_table(content, encodings=("utf-8", "utf-16", "cp1258"), delimiters=",;")
    assert rows == [(1, ["Nguyễn", "Tiền"])]


def test_the_error_names_the_first_line_that_is_not_utf8() -> None:
    content = "applicant_id,score\nLê Hà,26\n".encode("latin-1")
    with pytest.raises(TableError) as caught:
        csv_table(content)
    assert (caught.value.reason, caught.value.line) == (tables.ENCODING, 2)
    assert caught.value.message == "Không nhận ra bảng mã của tệp: hãy lưu dưới dạng CSV UTF-8."
    with translation.override("en"), pytest.raises(TableError) as caught:
        csv_table(content)
    assert caught.value.message == (
        "The text encoding of the file was not recognised: save it as CSV UTF-8."
    )


def test_semicolons_with_decimal_commas_keep_their_commas() -> None:
    content = "\ufeffapplicant_id;score;pref1\r\nHS01;26,5;A\r\n\r\nHS02;7,25;B\r\n".encode()
    rows = csv_table(content, delimiters=",;")
    assert rows == [
        (1, ["applicant_id", "score", "pref1"]),
        (2, ["HS01", "26,5", "A"]),
        (3, []),
        (4, ["HS02", "7,25", "B"]),
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a,b,c\n1,2,3\n", ","),
        ("school_code;quota\nA;2\n", ";"),
        ("ma;diem\nHS1;6,5\nHS2;7,5\n", ";"),
        ("a\tb\tc\n1\t2,5\t3\n", "\t"),
        ("one column\nx\n", ","),
        # a bank's preamble of one cell, then the movements
        ("NGAN HANG\nTai khoan: 0123\n\nSTT;Ngay;So tien\n1;01/09/2025;1.500.000\n", ";"),
    ],
)
def test_the_separator_is_the_one_that_splits_the_most(text: str, expected: str) -> None:
    assert tables.sniff_delimiter(text) == expected


def test_a_fixed_separator_is_not_sniffed() -> None:
    assert csv_table(b"a;b,c\n", delimiters=",") == [(1, ["a;b", "c"])]


def test_line_numbers_follow_the_source_lines() -> None:
    content = b'id,memo\n1,"two\nlines"\n2,x\n'
    assert csv_table(content) == [(1, ["id", "memo"]), (3, ["1", "two\nlines"]), (4, ["2", "x"])]


def test_an_empty_file() -> None:
    assert csv_table(b"") == []
    with pytest.raises(TableError) as caught:
        table_rows(b"", kind="xlsx")
    assert caught.value.reason == tables.EMPTY
    assert str(caught.value) == "Tệp rỗng (0 byte)."


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (bytes(range(256)) * 4, tables.ENCODING),  # not even cp1258 has every byte
        (b"\x00\x01\x02", tables.NOT_TEXT),  # valid UTF-8, but text has no NUL
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\x00", tables.NOT_TEXT),
    ],
    ids=["binary", "nul", "pdf"],
)
def test_a_binary_file_is_not_a_table(content: bytes, reason: str) -> None:
    with pytest.raises(TableError) as caught:
        csv_table(content, encodings=("utf-8", "utf-16", "cp1258"))
    assert caught.value.reason == reason
    with pytest.raises(TableError) as caught:
        table_rows(content, kind="xlsx")
    assert caught.value.reason == tables.DAMAGED
    assert caught.value.message == "Tệp không phải bảng tính .xlsx đọc được."


def test_a_real_xlsx_keeps_raw_cells() -> None:
    content = xlsx_bytes(
        [["ma_ho_so", "toan", "ngay"], ["HS0001", 8.25, dt.datetime(2025, 6, 1)], [], ["HS2", 7]]
    )
    assert tables.is_xlsx(content)
    rows = [(row.line, tuple(row.cells)) for row in table_rows(content, kind="xlsx")]
    assert rows == [
        (1, ("ma_ho_so", "toan", "ngay")),
        (2, ("HS0001", 8.25, dt.datetime(2025, 6, 1))),
        (3, (None, None, None)),
        (4, ("HS2", 7, None)),
    ]


def test_a_workbook_by_sheet_and_from_a_row(tmp_path: Path) -> None:
    book = OpenpyxlWorkbook()
    first = book.active
    assert first is not None
    first.title = "Hướng dẫn"
    data = book.create_sheet("HocSinh")
    for number in range(1, 8):
        data.append([f"r{number}"])
    chart = BarChart()
    chart.add_data(Reference(data, min_col=1, min_row=1, max_row=7))
    book.create_chartsheet("Biểu đồ").add_chart(chart)  # no rows: not listed
    path = tmp_path / "b.xlsx"
    book.save(path)
    with Workbook(path) as read:
        assert read.sheet_names == ["Hướng dẫn", "HocSinh"]
        assert read.last_row("HocSinh") == 7
        assert [tuple(r) for r in read.rows("HocSinh", start=3, stop=4)] == [
            (3, ("r3",)),
            (4, ("r4",)),
        ]


def test_a_sheet_broken_after_some_rows_names_the_last_good_row() -> None:
    content = xlsx_bytes([["a"], ["b"], ["c"]])
    source = zipfile.ZipFile(io.BytesIO(content))
    broken = io.BytesIO()
    with zipfile.ZipFile(broken, "w") as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = data.replace(b'<row r="3"', b"<row r=<<<")
            target.writestr(item, data)
    rows = table_rows(broken.getvalue(), kind="xlsx")
    assert [row.cells for row in (next(rows), next(rows))] == [("a",), ("b",)]
    with pytest.raises(TableError) as caught:
        next(rows)
    assert (caught.value.reason, caught.value.line) == (tables.DAMAGED, 2)
    assert caught.value.message == "Tệp bị hỏng sau dòng 2, không đọc được."


def test_a_malformed_csv_names_its_line() -> None:
    big = "x" * (200 * 1024)
    with pytest.raises(TableError) as caught:
        csv_table(f'a,b\n1,"{big}"\n'.encode())
    assert (caught.value.reason, caught.value.line) == (tables.MALFORMED, 2)


@pytest.mark.parametrize(
    ("text", "line"),
    [
        ('ngay,so_tien,noi_dung\n01/09,500000,"HP HS001\n02/09,300000,HP HS002\n', 2),
        ('ngay,so_tien\n01/09,"500"000\n', 2),
    ],
)
def test_broken_quotes_are_refused_not_swallowed(text: str, line: int) -> None:
    """An unclosed quote would put the rest of a bank statement into one cell; a quote
    followed by more text would silently lose the quote. Both are refused at their line."""
    with pytest.raises(TableError) as caught, translation.override("vi"):
        csv_table(text.encode())
    assert (caught.value.reason, caught.value.line) == (tables.MALFORMED, line)
    assert caught.value.message == f"Không đọc được tệp CSV tại dòng {line}."


def test_quoted_cells_with_separators_and_line_breaks_still_read() -> None:
    text = 'ten,dia_chi\n"Lê, Văn A","Thôn Đông\nAn Bài"\n"Trần ""Bé"" B",x\n'
    assert csv_table(text.encode()) == [
        (1, ["ten", "dia_chi"]),
        (3, ["Lê, Văn A", "Thôn Đông\nAn Bài"]),
        (4, ['Trần "Bé" B', "x"]),
    ]


ROWS = 200_000
XLSX_ROWS = 20_000


def test_a_huge_csv_is_streamed_row_by_row() -> None:
    content = b"id,score\n" + b"".join(b"HS%07d,%d\n" % (i, i % 10) for i in range(ROWS))
    tracemalloc.start()
    try:
        rows = table_rows(content, kind="csv", delimiters=",;")
        (last,) = deque(rows, maxlen=1)
        _size, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert last == (ROWS + 1, [f"HS{ROWS - 1:07d}", str((ROWS - 1) % 10)])
    # The decoded text and the StringIO's copy of it (4 bytes a character) are held, about
    # 5 × the file; the rows as lists would be 15 × more, and are never all held at once.
    assert peak < 8 * len(content)


class CountingFile(io.BytesIO):
    """A file that counts the bytes read from it."""

    taken = 0

    def read(self, size: int | None = -1) -> bytes:
        data = super().read(size)
        self.taken += len(data)
        return data


def test_a_huge_xlsx_is_streamed_without_loading_the_sheet() -> None:
    book = OpenpyxlWorkbook()  # not write-only: that one puts no <dimension> at the top,
    sheet = book.active  # and openpyxl then scans the whole sheet once to find its size
    assert sheet is not None
    for i in range(XLSX_ROWS):
        sheet.append([i, i % 10, i / 4])
    buffer = io.BytesIO()
    book.save(buffer)
    upload = CountingFile(buffer.getvalue())
    with Workbook(upload) as read:
        rows = read.rows()
        assert next(rows) == (1, (0, 0, 0))
        assert upload.taken < len(buffer.getvalue()) / 4  # the sheet is read as rows are asked
        assert sum(1 for _row in rows) == XLSX_ROWS - 1


def zip_bomb(unpacked: int) -> bytes:
    """A real .xlsx with one more part of ``unpacked`` zeros: a few kB on the wire."""
    buffer = io.BytesIO(xlsx_bytes([["a"]]))
    with (
        zipfile.ZipFile(buffer, "a", compression=zipfile.ZIP_DEFLATED) as archive,
        archive.open("xl/media/padding.bin", "w", force_zip64=True) as part,
    ):
        chunk = bytes(1024 * 1024)
        for _ in range(unpacked // len(chunk)):
            part.write(chunk)
    return buffer.getvalue()


def test_a_zip_bomb_is_refused_from_the_directory(settings: Any) -> None:
    """A workbook that unpacks to more than 40 × the largest upload is refused before
    openpyxl parses anything; every caller passes the reason on in these words."""
    settings.IMPORT_MAX_BYTES = 64 * 1024  # 40 × = 2.5 MiB
    bomb = zip_bomb(4 * 1024 * 1024)
    assert len(bomb) < 64 * 1024
    with pytest.raises(TableError) as error, translation.override("vi"):
        Workbook(bomb)
    assert (error.value.reason, error.value.message) == (
        tables.TOO_LARGE,
        "Tệp quá lớn khi giải nén.",
    )
    assert list(Workbook(zip_bomb(1024 * 1024)).rows()) == [(1, ("a",))]


def with_dimension(content: bytes, ref: str) -> bytes:
    """The workbook with its sheet's declared size (``<dimension ref=…>``) replaced, as some
    generators write it wrong (a stale size, or just "A1")."""
    source = zipfile.ZipFile(io.BytesIO(content))
    changed = io.BytesIO()
    with zipfile.ZipFile(changed, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                start = data.index(b"<dimension ref=")
                end = data.index(b"/>", start) + 2
                data = data[:start] + f'<dimension ref="{ref}"/>'.encode() + data[end:]
            target.writestr(item, data)
    return changed.getvalue()


@pytest.mark.parametrize(("ref", "blank"), [("A1", (None,)), ("A1:B2", (None, None))])
def test_a_wrong_declared_size_loses_no_row_or_column(ref: str, blank: tuple[None, ...]) -> None:
    # openpyxl's read-only mode trusts the declared size and silently drops what lies
    # beyond it: a score or a bank line missing without a word.
    content = with_dimension(
        xlsx_bytes([["ma_ho_so", "toan", "van"], ["HS1", 8, 7], [], ["HS3", 6, 5.5], ["HS4", 9]]),
        ref,
    )
    rows = [(row.line, tuple(row.cells)) for row in table_rows(content, kind="xlsx")]
    assert rows == [
        (1, ("ma_ho_so", "toan", "van")),
        (2, ("HS1", 8, 7)),
        (3, blank),  # a blank row is as wide as the declared size, as before
        (4, ("HS3", 6, 5.5)),
        (5, ("HS4", 9)),
    ]
