"""Realistic sample spreadsheets (Vietnamese names, valid IDs) for demos, benchmarks and
tests of big imports. Deterministic for a given seed."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

from openpyxl import Workbook

from truongso.registry.imports.headers import STUDENTS

SURNAMES = (
    "Nguyễn",
    "Trần",
    "Lê",
    "Phạm",
    "Hoàng",
    "Huỳnh",
    "Phan",
    "Vũ",
    "Võ",
    "Đặng",
    "Bùi",
    "Đỗ",
    "Hồ",
    "Ngô",
    "Dương",
    "Lý",
    "Đinh",
    "Trịnh",
    "Lương",
    "Mai",
)
MIDDLE_MALE = (
    "Văn",
    "Đức",
    "Minh",
    "Quốc",
    "Gia",
    "Hoàng",
    "Thanh",
    "Bảo",
    "Công",
    "Hữu",
    "Xuân",
)
MIDDLE_FEMALE = (
    "Thị",
    "Ngọc",
    "Thu",
    "Minh",
    "Thanh",
    "Khánh",
    "Bảo",
    "Phương",
    "Diệu",
    "Hồng",
    "Mai",
)
GIVEN_MALE = (
    "An",
    "Bình",
    "Dũng",
    "Đạt",
    "Hải",
    "Hiếu",
    "Hùng",
    "Huy",
    "Khoa",
    "Khôi",
    "Long",
    "Nam",
    "Phong",
    "Phúc",
    "Quang",
    "Sơn",
    "Trung",
    "Tuấn",
    "Thắng",
    "Việt",
    "Vinh",
    "Lâm",
    "Kiên",
    "Nghĩa",
)
GIVEN_FEMALE = (
    "Anh",
    "Chi",
    "Giang",
    "Hà",
    "Hạnh",
    "Hoa",
    "Hương",
    "Lan",
    "Linh",
    "Mai",
    "Ngân",
    "Nhung",
    "Quỳnh",
    "Tâm",
    "Thảo",
    "Trang",
    "Uyên",
    "Vy",
    "Yến",
    "Ngọc",
    "Thư",
    "Hằng",
    "Diệp",
    "Hiền",
)
COMMUNES = (
    "An Bài",
    "Quỳnh Hải",
    "Quỳnh Hồng",
    "Quỳnh Giao",
    "An Thanh",
    "An Ninh",
    "Quỳnh Minh",
    "An Vũ",
    "Đông Hải",
    "An Lễ",
)
ETHNIC_MIX = ("Kinh",) * 47 + ("Tày", "Mường", "Thái")

STUDENT_HEADERS = [c.header for c in STUDENTS.template_columns]


def _name(rng: random.Random, male: bool) -> str:
    middle = MIDDLE_MALE if male else MIDDLE_FEMALE
    given = GIVEN_MALE if male else GIVEN_FEMALE
    return f"{rng.choice(SURNAMES)} {rng.choice(middle)} {rng.choice(given)}"


def _citizen_id(birth: dt.date, male: bool, serial: int) -> str:
    """A 12-digit personal ID consistent with the birth year and gender (Thái Bình, 034)."""
    century = (0 if birth.year < 2000 else 2) + (0 if male else 1)
    return f"034{century}{birth.year % 100:02d}{serial % 1_000_000:06d}"


def student_rows(
    count: int,
    classes: Sequence[tuple[int, str]],
    *,
    year_start: int = 2025,
    seed: int = 42,
    first_id: int = 1,
    school_codes: Sequence[str] | None = None,
) -> Iterator[list[Any]]:
    """Rows in the order of the students template; ``classes`` are (grade, name) pairs, and
    with ``school_codes`` (one per class) a "Mã trường" cell is appended to each row."""
    rng = random.Random(seed)
    for index in range(count):
        number = first_id + index
        slot = index % len(classes)
        grade, class_name = classes[slot]
        male = rng.random() < 0.5
        birth = dt.date(year_start - 6 - grade, rng.randint(1, 12), rng.randint(1, 28))
        commune = rng.choice(COMMUNES)
        address = f"Thôn {rng.randint(1, 12)}, xã {commune}, Quỳnh Phụ, Thái Bình"
        surname = _name(rng, male).split()[0]
        row = [
            index + 1,
            f"34{number:08d}",
            _name(rng, male),
            birth.strftime("%d/%m/%Y"),
            "Nam" if male else "Nữ",
            rng.choice(ETHNIC_MIX),
            _citizen_id(birth, male, number),
            "Thái Bình",
            f"Xã {commune}, Quỳnh Phụ, Thái Bình",
            address,
            address,
            class_name,
            "",
            f"{surname} {rng.choice(MIDDLE_MALE)} {rng.choice(GIVEN_MALE)}",
            f"09{number:08d}",
            _name(rng, False),
            f"03{number:08d}",
            "",
            "",
        ]
        if school_codes is not None:
            row.append(school_codes[slot])
        yield row


def write_sheet(
    path: Path | str,
    headers: Sequence[str],
    rows: Iterable[Sequence[Any]],
    *,
    sheet: str = "HocSinh",
    title_rows: Sequence[Sequence[Any]] = (),
) -> Path:
    """A workbook written in openpyxl's streaming mode (as big files are in real life)."""
    book = Workbook(write_only=True)
    data = book.create_sheet(sheet)
    for title in title_rows:
        data.append(list(title))
    data.append(list(headers))
    for row in rows:
        data.append(list(row))
    book.save(path)
    return Path(path)
