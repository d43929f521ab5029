"""The columns of each import template: Vietnamese headers, the aliases accepted when
reading, and how each cell is read (text, ID with leading zeros, date, phone).

Headers are part of the file format, so they are Vietnamese whatever the UI language.
Matching folds case, diacritics and punctuation: "Ho va ten", "Họ tên" and "HỌ VÀ TÊN" all
find the full-name column. Aliases cover the Ministry portal's learner sheet ("C1-HocSinh")
as far as its layout can be inferred (see docs/imports.md).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from enum import StrEnum

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from truongso.core.text import fold
from truongso.registry.models import ImportKind
from truongso.registry.reference import (
    ETHNIC_GROUPS,
    Employment,
    Gender,
    Ownership,
    Position,
    SchoolLevel,
)

_NOT_ALNUM = re.compile(r"[^0-9a-z]+")
_PARENTHESES = re.compile(r"\([^)]*\)")


def header_key(text: object) -> str:
    """Canonical form of a header for matching: "Số ĐT (cha)*" -> "so dt cha"."""
    return _NOT_ALNUM.sub(" ", fold(str(text or ""))).strip()


def header_keys(text: object) -> list[str]:
    """The header as written, and without its parenthesised notes ("Ngày sinh (dd/mm/yyyy)")."""
    raw = str(text or "")
    keys = [header_key(raw)]
    bare = header_key(_PARENTHESES.sub(" ", raw))
    if bare and bare not in keys:
        keys.append(bare)
    return [k for k in keys if k]


class Cell(StrEnum):
    TEXT = "text"
    DATE = "date"
    INT = "int"
    PHONE = "phone"  # a number cell gets its leading zero back
    LEARNER_ID = "learner_id"  # 10 digits (or a temporary code)
    CITIZEN_ID = "citizen_id"  # 12 digits
    ANY_ID = "any_id"  # the portal's "Mã định danh": 10 or 12 digits, told apart by length


# Digits an ID of each kind has, to restore leading zeros lost in number cells.
ID_WIDTHS = {Cell.PHONE: 10, Cell.LEARNER_ID: 10, Cell.CITIZEN_ID: 12}


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    aliases: tuple[str, ...] = ()
    cell: Cell = Cell.TEXT
    required: bool = False
    in_template: bool = True
    width: int = 16
    choices: tuple[str, ...] = ()
    help: str | Promise = ""

    @property
    def keys(self) -> set[str]:
        return {header_key(self.header), *(header_key(a) for a in self.aliases)}

    @property
    def is_text_format(self) -> bool:
        """Formatted as text in templates, so that Excel keeps zeros and dates as typed."""
        return self.cell is not Cell.INT


@dataclass(frozen=True)
class KindSpec:
    kind: ImportKind
    sheet: str
    columns: tuple[Column, ...]
    notes: tuple[str | Promise, ...] = field(default=())

    @property
    def template_columns(self) -> list[Column]:
        return [c for c in self.columns if c.in_template]

    @property
    def required(self) -> list[Column]:
        return [c for c in self.columns if c.required]

    def column(self, key: str) -> Column:
        return next(c for c in self.columns if c.key == key)


ETHNICITIES = tuple(name for _code, name in ETHNIC_GROUPS)
# Display names in templates and exports, and the stored values they stand for.
POSITION_NAMES: dict[str, str] = {
    Position.PRINCIPAL: "Hiệu trưởng",
    Position.VICE_PRINCIPAL: "Phó hiệu trưởng",
    Position.TEAM_LEADER: "Tổ trưởng chuyên môn",
    Position.TEACHER: "Giáo viên",
    Position.ACCOUNTANT: "Kế toán",
    Position.CLERK: "Văn thư",
    Position.LIBRARIAN: "Nhân viên thư viện",
    Position.EQUIPMENT: "Nhân viên thiết bị",
    Position.MEDICAL: "Nhân viên y tế",
    Position.OFFICER: "Chuyên viên",
    Position.OTHER: "Khác",
}
EMPLOYMENT_NAMES: dict[str, str] = {
    Employment.PERMANENT: "Biên chế",
    Employment.CONTRACT: "Hợp đồng",
}
LEVEL_NAMES: dict[str, str] = {
    SchoolLevel.PRESCHOOL: "Mầm non",
    SchoolLevel.PRIMARY: "Tiểu học",
    SchoolLevel.LOWER_SECONDARY: "THCS",
    SchoolLevel.UPPER_SECONDARY: "THPT",
    SchoolLevel.MULTI_LEVEL: "Liên cấp",
    SchoolLevel.CONTINUING: "GDTX",
}
OWNERSHIP_NAMES: dict[str, str] = {
    Ownership.PUBLIC: "Công lập",
    Ownership.PRIVATE: "Tư thục",
    Ownership.PEOPLE_FOUNDED: "Dân lập",
}
GENDER_NAMES: dict[str, str] = {Gender.MALE: "Nam", Gender.FEMALE: "Nữ"}
# Other ways people write them.
CHOICE_ALIASES: dict[str, str] = {
    "gv": Position.TEACHER,
    "ht": Position.PRINCIPAL,
    "pht": Position.VICE_PRINCIPAL,
    "to truong": Position.TEAM_LEADER,
    "thu vien": Position.LIBRARIAN,
    "thiet bi": Position.EQUIPMENT,
    "y te": Position.MEDICAL,
    "hop dong lao dong": Employment.CONTRACT,
    "vien chuc": Employment.PERMANENT,
    "trung hoc co so": SchoolLevel.LOWER_SECONDARY,
    "trung hoc pho thong": SchoolLevel.UPPER_SECONDARY,
    "giao duc thuong xuyen": SchoolLevel.CONTINUING,
    "mau giao": SchoolLevel.PRESCHOOL,
    "nha tre": SchoolLevel.PRESCHOOL,
    "cong lap": Ownership.PUBLIC,
}


def choice_value(names: dict[str, str], raw: str) -> str | None:
    """The stored value for a display name, a stored value, or a known alias (any case,
    with or without diacritics); ``None`` when it is none of them."""
    wanted = header_key(raw)
    for value, name in names.items():
        if wanted in (header_key(name), header_key(str(value).replace("_", " "))):
            return str(value)
    alias = CHOICE_ALIASES.get(wanted)
    return str(alias) if alias is not None and alias in names else None


POSITIONS = tuple(POSITION_NAMES.values())
EMPLOYMENTS = tuple(EMPLOYMENT_NAMES.values())
LEVELS = tuple(LEVEL_NAMES.values())
OWNERSHIPS = tuple(OWNERSHIP_NAMES.values())
GRADES = tuple(str(g) for g in range(1, 13))

DATE_HELP = _("Date as dd/mm/yyyy, e.g. 05/09/2015.")
PHONE_HELP = _("10 digits starting with 0.")
CCCD_HELP = _("12 digits; must agree with the birth year and gender.")

STT = Column(
    "row_no", "STT", ("tt", "so thu tu", "so tt"), width=6, help=_("Row number (ignored).")
)
FULL_NAME = Column(
    "full_name",
    "Họ và tên",
    ("ho ten", "ho va ten hoc sinh", "ho ten hoc sinh", "ten hoc sinh", "ho va ten day du"),
    required=True,
    width=28,
    help=_("Full name with diacritics, e.g. Nguyễn Thị Hoa."),
)
BIRTH_DATE = Column(
    "birth_date",
    "Ngày sinh",
    ("ngay thang nam sinh", "ngay sinh dd mm yyyy", "ns"),
    cell=Cell.DATE,
    width=13,
    help=DATE_HELP,
)
GENDER = Column(
    "gender",
    "Giới tính",
    ("gioi", "phai"),
    width=10,
    choices=tuple(GENDER_NAMES.values()),
    help=_("Nam or Nữ."),
)
CITIZEN_ID = Column(
    "citizen_id",
    "Số định danh cá nhân (CCCD)",
    (
        "so dinh danh ca nhan",
        "cccd",
        "so cccd",
        "can cuoc cong dan",
        "so can cuoc",
        "so can cuoc cong dan",
        "ma dinh danh ca nhan",
        "so dinh danh",
        "cmnd cccd",
        "so cmnd cccd",
        "cccd dinh danh ca nhan",
    ),
    cell=Cell.CITIZEN_ID,
    width=18,
    help=CCCD_HELP,
)

STUDENTS = KindSpec(
    ImportKind.STUDENTS,
    "HocSinh",
    (
        STT,
        Column(
            "learner_id",
            "Mã định danh học sinh",
            (
                "ma dinh danh hs",
                "ma hoc sinh",
                "ma hs",
                "ma dinh danh bo gd dt",
                "ma dinh danh bo gddt",
                "ma dinh danh bgd",
                "ma dinh danh bgddt",
                "ma hoc sinh bo gd dt",
                "ma dinh danh hoc sinh bo gd dt",
            ),
            cell=Cell.LEARNER_ID,
            width=16,
            help=_(
                "The 10-digit Ministry learner ID, or the temporary code (TS…) of a pupil "
                "who has none yet; leave empty for a new pupil without an ID."
            ),
        ),
        Column(
            "school_code",
            "Mã trường",
            ("ma don vi", "ma co so", "ma truong hoc"),
            in_template=False,
        ),
        Column(
            "any_id",
            "Mã định danh",
            ("ma dinh danh",),
            cell=Cell.ANY_ID,
            in_template=False,
        ),
        FULL_NAME,
        replace(BIRTH_DATE, required=True),
        replace(GENDER, required=True),
        Column(
            "ethnicity",
            "Dân tộc",
            ("dan toc ma", "ten dan toc"),
            width=12,
            choices=ETHNICITIES,
            help=_("Name from the list, e.g. Kinh, Tày, Mường (empty means Kinh)."),
        ),
        CITIZEN_ID,
        Column("nationality", "Quốc tịch", ("quoc tich",), in_template=False),
        Column("birthplace", "Nơi sinh", ("noi sinh tinh thanh",), width=20),
        Column("hometown", "Quê quán", (), width=20),
        Column(
            "permanent_address",
            "Địa chỉ thường trú",
            ("thuong tru", "noi thuong tru", "ho khau thuong tru", "dia chi"),
            width=30,
        ),
        Column(
            "current_address",
            "Nơi ở hiện nay",
            ("cho o hien nay", "dia chi hien tai", "noi o hien tai", "dia chi hien nay"),
            width=30,
        ),
        Column(
            "class_name",
            "Lớp",
            ("ten lop", "lop hoc", "lop hien tai"),
            required=True,
            width=8,
            help=_("A class of the school in the chosen school year, e.g. 6A1."),
        ),
        Column(
            "admitted_on",
            "Ngày vào trường",
            ("ngay nhap hoc", "ngay nhap truong", "ngay vao lop"),
            cell=Cell.DATE,
            width=14,
            help=_(
                "Admission date within the school year; empty means the first day of the "
                "school year."
            ),
        ),
        Column("father_name", "Họ tên cha", ("ho va ten cha", "ten cha", "ho ten bo"), width=24),
        Column(
            "father_phone",
            "SĐT cha",
            ("so dien thoai cha", "dien thoai cha", "dt cha", "sdt bo"),
            cell=Cell.PHONE,
            width=12,
            help=PHONE_HELP,
        ),
        Column("mother_name", "Họ tên mẹ", ("ho va ten me", "ten me"), width=24),
        Column(
            "mother_phone",
            "SĐT mẹ",
            ("so dien thoai me", "dien thoai me", "dt me"),
            cell=Cell.PHONE,
            width=12,
            help=PHONE_HELP,
        ),
        Column(
            "guardian_name",
            "Họ tên người giám hộ",
            ("ho va ten nguoi giam ho", "nguoi giam ho", "ten nguoi giam ho"),
            width=24,
        ),
        Column(
            "guardian_phone",
            "SĐT người giám hộ",
            ("so dien thoai nguoi giam ho", "dien thoai nguoi giam ho", "dt nguoi giam ho"),
            cell=Cell.PHONE,
            width=14,
            help=PHONE_HELP,
        ),
    ),
    notes=(
        _(
            "Students are matched by learner ID, else by temporary code, by citizen ID, or "
            "by name and birth date among the school's pupils without an ID; a matched "
            "pupil is updated, a new one is admitted to the class."
        ),
        _("Empty cells never erase data already recorded."),
        _(
            "A learner ID of a pupil studying at another school is refused: that school "
            "transfers the pupil (chuyển trường)."
        ),
    ),
)

SCHOOL_CODE = Column(
    "school_code",
    "Mã trường",
    ("ma don vi", "ma co so", "ma truong hoc"),
    width=12,
    help=_("Ministry code of the school (empty: the school chosen for the import)."),
)

STAFF = KindSpec(
    ImportKind.STAFF,
    "CanBo",
    (
        STT,
        SCHOOL_CODE,
        Column(
            "staff_code",
            "Mã định danh cán bộ",
            (
                "ma can bo",
                "ma cb",
                "ma giao vien",
                "ma gv",
                "ma dinh danh giao vien",
                "ma nhan vien",
                "ma dinh danh",
                "ma cbgvnv",
                "ma dinh danh cbgvnv",
            ),
            width=16,
            help=_("Ministry staff ID; staff are matched by it, or by citizen ID."),
        ),
        FULL_NAME,
        BIRTH_DATE,
        GENDER,
        CITIZEN_ID,
        Column(
            "phone",
            "Số điện thoại",
            ("sdt", "dien thoai", "di dong", "so di dong", "dien thoai di dong"),
            cell=Cell.PHONE,
            width=12,
            help=PHONE_HELP,
        ),
        Column("email", "Email", ("thu dien tu", "e mail", "dia chi email"), width=24),
        Column(
            "position",
            "Chức vụ",
            ("vi tri viec lam", "vi tri", "chuc danh"),
            width=20,
            choices=POSITIONS,
            help=_("Name from the list (empty means Giáo viên)."),
        ),
        Column(
            "employment",
            "Hình thức tuyển dụng",
            ("hinh thuc hop dong", "loai hop dong", "bien che hop dong", "hinh thuc"),
            width=14,
            choices=EMPLOYMENTS,
        ),
        Column(
            "main_subject",
            "Môn dạy chính",
            ("ma mon day chinh", "mon day", "ma mon", "mon giang day"),
            width=14,
            help=_("Subject code or name, e.g. TOAN or Toán."),
        ),
    ),
)

CLASSES = KindSpec(
    ImportKind.CLASSES,
    "Lop",
    (
        STT,
        SCHOOL_CODE,
        Column(
            "school_year",
            "Năm học",
            ("nam hoc ap dung",),
            width=11,
            help=_("e.g. 2025-2026 (empty: the school year chosen for the import)."),
        ),
        Column(
            "grade",
            "Khối",
            ("khoi lop", "lop khoi"),
            cell=Cell.INT,
            required=True,
            width=6,
            choices=GRADES,
        ),
        Column("class_name", "Tên lớp", ("lop", "ten lop hoc"), required=True, width=10),
        Column(
            "homeroom",
            "Giáo viên chủ nhiệm",
            ("gvcn", "ma gvcn", "gv chu nhiem", "giao vien chu nhiem ma", "ho ten gvcn"),
            width=24,
            help=_("Staff ID of the homeroom teacher, or the exact full name."),
        ),
    ),
)

SCHOOLS = KindSpec(
    ImportKind.SCHOOLS,
    "Truong",
    (
        STT,
        Column("code", "Mã trường", ("ma don vi", "ma", "ma co so"), required=True, width=12),
        Column("name", "Tên trường", ("ten don vi", "ten", "ten co so"), required=True, width=32),
        Column(
            "level",
            "Cấp học",
            ("cap", "bac hoc", "loai truong"),
            required=True,
            width=12,
            choices=LEVELS,
        ),
        Column(
            "grades",
            "Khối lớp",
            ("tu lop den lop", "khoi", "cac khoi lop"),
            width=10,
            help=_("Grade span such as 6-9 (empty: the usual span of the level)."),
        ),
        Column(
            "ownership",
            "Loại hình",
            ("loai hinh truong", "hinh thuc so huu", "loai hinh so huu"),
            width=12,
            choices=OWNERSHIPS,
        ),
        Column(
            "parent_code",
            "Mã đơn vị quản lý",
            ("ma don vi cap tren", "ma phong", "ma phong gd", "ma so gd", "don vi quan ly"),
            width=14,
            help=_("Code of the Phòng or Sở above the school (empty: the unit of the import)."),
        ),
        Column("address", "Địa chỉ", ("dia chi truong",), width=32),
        Column("phone", "Điện thoại", ("so dien thoai", "sdt"), width=14),
        Column("email", "Email", ("thu dien tu", "e mail"), width=24),
    ),
)

SPECS: dict[str, KindSpec] = {s.kind: s for s in (STUDENTS, STAFF, CLASSES, SCHOOLS)}
