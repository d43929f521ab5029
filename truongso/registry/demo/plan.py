"""The shape of the demo district: which schools, where, and how many pupils per grade.

Bộ GD&ĐT → Sở GD&ĐT Thái Bình (34) → Phòng GD&ĐT Quỳnh Phụ (3407) with a preschool, a
primary and a lower-secondary school per commune (and a few liên cấp TH&THCS schools);
upper-secondary schools and the GDNN-GDTX centre sit directly under the Sở, as they do.
The map is the one before the 1 July 2025 reorganisation, when districts still had a
Phòng GD&ĐT; the org tree accepts both shapes (see ``reference.ALLOWED_PARENT_KINDS``).
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field

from truongso.registry.reference import SchoolLevel

# Communes and towns of Quỳnh Phụ district before 2025 (thị trấn first).
COMMUNES: list[tuple[str, str]] = [
    ("thị trấn", "An Bài"),
    ("xã", "Quỳnh Hải"),
    ("thị trấn", "Quỳnh Côi"),
    ("xã", "An Khê"),
    ("xã", "Quỳnh Hoa"),
    ("xã", "An Đồng"),
    ("xã", "Quỳnh Hưng"),
    ("xã", "An Hiệp"),
    ("xã", "Quỳnh Giao"),
    ("xã", "An Ninh"),
    ("xã", "Quỳnh Hội"),
    ("xã", "An Thanh"),
    ("xã", "Quỳnh Hồng"),
    ("xã", "An Vinh"),
    ("xã", "Quỳnh Lâm"),
    ("xã", "An Tràng"),
    ("xã", "Quỳnh Minh"),
    ("xã", "An Mỹ"),
    ("xã", "Quỳnh Ngọc"),
    ("xã", "An Lễ"),
    ("xã", "Quỳnh Nguyên"),
    ("xã", "An Quý"),
    ("xã", "Quỳnh Thọ"),
    ("xã", "An Thái"),
    ("xã", "Quỳnh Trang"),
    ("xã", "An Ấp"),
    ("xã", "Quỳnh Xá"),
    ("xã", "An Cầu"),
    ("xã", "Quỳnh Khê"),
    ("xã", "Đồng Tiến"),
    ("xã", "Quỳnh Hoàng"),
    ("xã", "An Vũ"),
    ("xã", "Châu Sơn"),
    ("xã", "Đông Hải"),
]
UPPER_SECONDARY = ["Quỳnh Côi", "Phụ Dực", "Quỳnh Thọ", "Nguyễn Huệ", "Trần Hưng Đạo"]
LEVEL_PREFIX: dict[str, str] = {
    SchoolLevel.PRESCHOOL: "Trường Mầm non",
    SchoolLevel.PRIMARY: "Trường Tiểu học",
    SchoolLevel.LOWER_SECONDARY: "Trường THCS",
    SchoolLevel.MULTI_LEVEL: "Trường TH&THCS",
    SchoolLevel.UPPER_SECONDARY: "Trường THPT",
}
GRADE_SPAN: dict[str, tuple[int, int]] = {
    SchoolLevel.PRESCHOOL: (0, -1),
    SchoolLevel.PRIMARY: (1, 5),
    SchoolLevel.LOWER_SECONDARY: (6, 9),
    SchoolLevel.MULTI_LEVEL: (1, 9),
    SchoolLevel.UPPER_SECONDARY: (10, 12),
    SchoolLevel.CONTINUING: (10, 12),
}
# Most pupils in a class: 35 in primary (Thông tư 28/2020), 45 in secondary (32/2020).
CLASS_SIZE = {"primary": 35, "lower": 45, "upper": 45}
MIN_SCHOOLS = 6
# (level, commune, round): round 1 adds a second school of a level to a commune ("... 2").
LayoutItem = tuple[str, tuple[str, str], int]


@dataclass
class SchoolPlan:
    code: str
    name: str
    level: str
    under_department: bool
    commune: tuple[str, str]
    grades: list[int]
    # grade -> number of pupils this year
    pupils: dict[int, int] = field(default_factory=dict)

    @property
    def grade_from(self) -> int | None:
        return self.grades[0] if self.grades else None

    @property
    def grade_to(self) -> int | None:
        return self.grades[-1] if self.grades else None

    def class_names(self, grade: int) -> list[str]:
        count = classes_for(grade, self.pupils.get(grade, 0))
        return [self.class_name(grade, index) for index in range(count)]

    @staticmethod
    def class_name(grade: int, index: int) -> str:
        """1A, 1B ... in primary grades; 6A1, 6A2 ... from grade 6 (the usual styles)."""
        if grade <= 5:
            return f"{grade}{chr(ord('A') + index)}"
        return f"{grade}A{index + 1}"

    @property
    def locality(self) -> str:
        kind, name = self.commune
        return f"{kind} {name}, huyện Quỳnh Phụ, tỉnh Thái Bình"

    @property
    def address(self) -> str:
        return self.locality[0].upper() + self.locality[1:]


def band(grade: int) -> str:
    return "primary" if grade <= 5 else "lower" if grade <= 9 else "upper"


def classes_for(grade: int, pupils: int) -> int:
    return math.ceil(pupils / CLASS_SIZE[band(grade)])


def _grades(level: str) -> list[int]:
    low, high = GRADE_SPAN[level]
    return list(range(low, high + 1))


def plan_schools(count: int) -> list[SchoolPlan]:
    """``count`` schools: upper-secondary and GDTX under the Sở, the rest under the Phòng."""
    upper = min(len(UPPER_SECONDARY), max(1, round(count / 30)))
    multi = max(1, round(count / 45))
    plans: list[SchoolPlan] = []
    for i in range(upper):
        plans.append(
            SchoolPlan(
                code=f"3400{i + 1:04d}",
                name=f"{LEVEL_PREFIX[SchoolLevel.UPPER_SECONDARY]} {UPPER_SECONDARY[i]}",
                level=SchoolLevel.UPPER_SECONDARY,
                under_department=True,
                commune=COMMUNES[(2 + 7 * i) % len(COMMUNES)],
                grades=_grades(SchoolLevel.UPPER_SECONDARY),
            )
        )
    plans.append(
        SchoolPlan(
            code=f"3400{upper + 1:04d}",
            name="Trung tâm GDNN-GDTX Quỳnh Phụ",
            level=SchoolLevel.CONTINUING,
            under_department=True,
            commune=COMMUNES[2],
            grades=_grades(SchoolLevel.CONTINUING),
        )
    )
    plans.extend(_bureau_schools(count - upper - 1, multi))
    return plans


def _bureau_schools(size: int, multi: int) -> list[SchoolPlan]:
    """Per commune a preschool, a primary and a lower-secondary school; in the ``multi``
    communes after the first, one liên cấp TH&THCS school instead of the last two.

    The first commune's three schools and the liên cấp schools are kept whatever ``size``
    is, so that even the smallest district has a school of every level.
    """
    layout: list[LayoutItem] = []
    round_no = 0
    while len(layout) < size:
        for index, commune in enumerate(COMMUNES):
            is_multi = round_no == 0 and 1 <= index <= multi
            levels = (
                [SchoolLevel.PRESCHOOL, SchoolLevel.MULTI_LEVEL]
                if is_multi
                else [SchoolLevel.PRESCHOOL, SchoolLevel.PRIMARY, SchoolLevel.LOWER_SECONDARY]
            )
            layout.extend((level, commune, round_no) for level in levels)
        round_no += 1
    essential = [
        i
        for i, (level, commune, round_no) in enumerate(layout)
        if round_no == 0 and (commune == COMMUNES[0] or level == SchoolLevel.MULTI_LEVEL)
    ]
    others = [i for i in range(len(layout)) if i not in set(essential)]
    kept = sorted((essential + others)[:size])
    plans = []
    for number, index in enumerate(kept, start=1):
        level, commune, round_no = layout[index]
        suffix = f" {round_no + 1}" if round_no else ""
        plans.append(
            SchoolPlan(
                code=f"3407{number:04d}",
                name=f"{LEVEL_PREFIX[level]} {commune[1]}{suffix}",
                level=level,
                under_department=False,
                commune=commune,
                grades=_grades(level),
            )
        )
    return plans


def share_pupils(plans: list[SchoolPlan], total: int, rng: random.Random) -> None:
    """Spread ``total`` pupils over schools and grades, proportionally to plausible sizes.

    An upper-secondary school takes the leavers of several lower-secondary schools, so its
    grade weighs about 70 % of the district's cohort divided by the number of such schools.
    """
    lower_schools = sum(1 for p in plans if any(6 <= g <= 9 for g in p.grades))
    upper_schools = sum(1 for p in plans if p.level == SchoolLevel.UPPER_SECONDARY)
    weights: dict[tuple[int, int], float] = {}
    for index, plan in enumerate(plans):
        # Schools of a town (thị trấn) are the big ones; the demo school is one of them.
        size = rng.uniform(2.3, 2.7) if plan.commune[0] == "thị trấn" else rng.uniform(0.7, 1.3)
        for grade in plan.grades:
            if plan.level == SchoolLevel.UPPER_SECONDARY:
                weight = 0.7 * lower_schools / max(1, upper_schools)
            elif plan.level == SchoolLevel.CONTINUING:
                weight = 0.12 * lower_schools
            else:
                weight = size
            weights[(index, grade)] = weight * rng.uniform(0.9, 1.1)
    scale = total / sum(weights.values())
    for (index, grade), weight in weights.items():
        plans[index].pupils[grade] = max(6, math.floor(weight * scale))
