"""Vietnamese people for the demo district: names, birth dates, phones and identifiers.

Everything is drawn from one ``random.Random`` so that ``seed_demo --seed N`` is repeatable.
Surname weights follow the commonly cited shares of Vietnamese family names (Nguyễn about
38 %, Trần 11 %, Lê 9.5 % ...), with the northern spellings (Hoàng, Vũ) a Thái Bình district
would have. Identifiers are unique within one generator.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

from truongso.registry.reference import Gender

SURNAMES: list[tuple[str, int]] = [
    ("Nguyễn", 380),
    ("Trần", 110),
    ("Lê", 95),
    ("Phạm", 70),
    ("Hoàng", 50),
    ("Vũ", 45),
    ("Đặng", 21),
    ("Bùi", 20),
    ("Đỗ", 17),
    ("Ngô", 13),
    ("Dương", 10),
    ("Phan", 10),
    ("Đinh", 8),
    ("Đào", 8),
    ("Mai", 6),
    ("Lương", 5),
    ("Tạ", 4),
    ("Nghiêm", 3),
    ("Phí", 3),
    ("Trịnh", 5),
    ("Cao", 4),
    ("Lại", 3),
    ("Tô", 3),
    ("Hà", 4),
]

MALE_MIDDLE = [
    "Văn",
    "Đức",
    "Minh",
    "Quang",
    "Hữu",
    "Anh",
    "Tiến",
    "Xuân",
    "Thành",
    "Công",
    "Gia",
    "Bảo",
    "Duy",
    "Trung",
    "Ngọc",
    "Mạnh",
    "Đình",
    "Hoàng",
    "Hải",
    "Thế",
]
FEMALE_MIDDLE = [
    "Thị",
    "Ngọc",
    "Thu",
    "Thanh",
    "Minh",
    "Phương",
    "Hồng",
    "Bảo",
    "Khánh",
    "Mai",
    "Diệu",
    "Hải",
    "Kim",
    "Thùy",
    "Lan",
    "Tuệ",
]
MALE_GIVEN = [
    "An",
    "Bình",
    "Cường",
    "Dũng",
    "Đạt",
    "Đức",
    "Hải",
    "Hiếu",
    "Hoàng",
    "Hùng",
    "Huy",
    "Khánh",
    "Khôi",
    "Kiên",
    "Long",
    "Lâm",
    "Minh",
    "Nam",
    "Nghĩa",
    "Phong",
    "Phúc",
    "Quân",
    "Quang",
    "Sơn",
    "Tài",
    "Thắng",
    "Thành",
    "Tiến",
    "Trung",
    "Tuấn",
    "Tùng",
    "Việt",
    "Vinh",
    "Khang",
    "Bảo",
    "Nguyên",
    "Đăng",
    "Hưng",
    "Kiệt",
    "Lộc",
    "Thịnh",
    "Toàn",
    "Trí",
    "Duy",
    "Khoa",
]
FEMALE_GIVEN = [
    "Anh",
    "Ánh",
    "Chi",
    "Dung",
    "Giang",
    "Hà",
    "Hạnh",
    "Hằng",
    "Hiền",
    "Hoa",
    "Hương",
    "Huyền",
    "Lan",
    "Linh",
    "Loan",
    "Mai",
    "My",
    "Ngân",
    "Ngọc",
    "Nhung",
    "Oanh",
    "Phương",
    "Quyên",
    "Quỳnh",
    "Thảo",
    "Thu",
    "Thủy",
    "Trang",
    "Trinh",
    "Uyên",
    "Vân",
    "Vy",
    "Yến",
    "Hân",
    "Nhi",
    "Diệp",
    "Khuê",
    "Tâm",
    "Châu",
    "Như",
]
# Children born after about 2010 rarely get the middle name "Thị"; their parents often did.
MODERN_FEMALE_MIDDLE = [m for m in FEMALE_MIDDLE if m != "Thị"]

# Mobile prefixes of the three large networks (Viettel, VinaPhone, MobiFone), after 2018.
MOBILE_PREFIXES = [
    "086",
    "096",
    "097",
    "098",
    "032",
    "033",
    "034",
    "035",
    "036",
    "037",
    "038",
    "039",
    "088",
    "091",
    "094",
    "083",
    "084",
    "085",
    "081",
    "082",
    "089",
    "090",
    "093",
    "070",
    "076",
    "077",
    "078",
    "079",
]
# Ethnic groups other than Kinh met in the Red River delta (codes of reference.ETHNIC_GROUPS).
MINORITY_CODES = ["06", "02", "03", "07", "04"]
OCCUPATIONS = [
    "Nông dân",
    "Công nhân",
    "Kinh doanh",
    "Lao động tự do",
    "Giáo viên",
    "Công chức",
    "Nhân viên văn phòng",
    "Thợ may",
    "Lái xe",
    "Nội trợ",
]

# Thông tư 07/2016/TT-BCA, Art. 7: province of birth registration (Thái Bình = 034).
CITIZEN_PROVINCE = "034"
_CENTURY_DIGIT = {(1900, Gender.MALE): "0", (1900, Gender.FEMALE): "1"}
_CENTURY_DIGIT |= {(2000, Gender.MALE): "2", (2000, Gender.FEMALE): "3"}


@dataclass(frozen=True)
class PersonName:
    surname: str
    middle: str
    given: str

    @property
    def full(self) -> str:
        return f"{self.surname} {self.middle} {self.given}"


class PeopleGenerator:
    """Draws people and unique identifiers from one seeded random generator."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self._surnames = [s for s, _ in SURNAMES]
        self._weights = [w for _, w in SURNAMES]
        self._phones: set[str] = set()
        self._citizen_ids: set[str] = set()
        self._learner_ids: set[str] = set()

    def surname(self) -> str:
        return self.rng.choices(self._surnames, self._weights)[0]

    def gender(self, female_share: float = 0.49) -> str:
        return str(Gender.FEMALE if self.rng.random() < female_share else Gender.MALE)

    def name(self, gender: str, *, surname: str | None = None, born: int = 1985) -> PersonName:
        rng = self.rng
        if gender == Gender.MALE:
            middle = rng.choice(MALE_MIDDLE)
            given = rng.choice(MALE_GIVEN)
        else:
            middles = FEMALE_MIDDLE if born < 2005 else MODERN_FEMALE_MIDDLE
            middle = "Thị" if born < 1990 and rng.random() < 0.6 else rng.choice(middles)
            given = rng.choice(FEMALE_GIVEN)
        if born >= 2005 and rng.random() < 0.12:
            # Four-part names such as "Nguyễn Ngọc Bảo Anh" are common among children.
            extra = rng.choice(MALE_MIDDLE if gender == Gender.MALE else MODERN_FEMALE_MIDDLE)
            if extra != middle:
                middle = f"{middle} {extra}"
        if middle.split()[-1] == given:
            given = rng.choice(MALE_GIVEN if gender == Gender.MALE else FEMALE_GIVEN[:10])
        return PersonName(surname or self.surname(), middle, given)

    def birth_date(self, year: int) -> dt.date:
        start = dt.date(year, 1, 1)
        return start + dt.timedelta(days=self.rng.randrange(365))

    def ethnicity(self) -> str:
        return self.rng.choice(MINORITY_CODES) if self.rng.random() < 0.006 else "01"

    def phone(self) -> str:
        while True:
            number = self.rng.choice(MOBILE_PREFIXES) + f"{self.rng.randrange(10_000_000):07d}"
            if number not in self._phones:
                self._phones.add(number)
                return number

    def citizen_id(self, birth_date: dt.date, gender: str) -> str:
        """A 12-digit personal ID consistent with the birth year and gender (TT 07/2016)."""
        century = birth_date.year // 100 * 100
        prefix = (
            CITIZEN_PROVINCE
            + _CENTURY_DIGIT[(century, Gender(gender))]
            + f"{birth_date.year:04d}"[2:]
        )
        while True:
            value = prefix + f"{self.rng.randrange(1_000_000):06d}"
            if value not in self._citizen_ids:
                self._citizen_ids.add(value)
                return value

    def learner_id(self) -> str:
        """A 10-digit Ministry learner ID (Thông tư 42/2021, Art. 10); Thái Bình's code first."""
        while True:
            value = "34" + f"{self.rng.randrange(100_000_000):08d}"
            if value not in self._learner_ids:
                self._learner_ids.add(value)
                return value

    def occupation(self) -> str:
        return self.rng.choice(OCCUPATIONS)
