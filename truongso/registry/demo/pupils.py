"""Pupils of the demo district, their families and their enrolment history.

Each pupil gets what ``student_admit`` and the enrolment services would have left: a
register line (sổ đăng bộ) numbered in admission order per school, an admission event,
a closed placement in last year's class when she was already at the school, a promotion
event, and exactly one open placement in this year's class. Brothers and sisters living in
the same commune share one father and one mother (one guardian record each).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from truongso.core.text import fold
from truongso.registry.demo.names import PeopleGenerator
from truongso.registry.models import (
    EnrolmentEvent,
    EventKind,
    Guardian,
    Placement,
    RegisterEntry,
    SchoolClass,
    Student,
    StudentGuardian,
)
from truongso.registry.reference import Gender, Relation

YEAR = 2025  # the current school year 2025–2026 starts in September of this year
PROMOTION_DAY = dt.date(YEAR, 9, 5)
LAST_PROMOTION_DAY = dt.date(YEAR - 1, 9, 5)
BIRTHPLACES = ["Thái Bình"] * 18 + ["Hà Nội", "Hải Phòng", "Nam Định", "Hưng Yên"]
OUTSIDE_SCHOOLS = [
    "Trường {level} Nghĩa Tân, quận Cầu Giấy, Hà Nội",
    "Trường {level} Lê Lợi, thành phố Hưng Yên",
    "Trường {level} Trần Phú, thành phố Hải Phòng",
    "Trường {level} Nguyễn Du, thành phố Nam Định",
]


@dataclass
class Family:
    surname: str
    address: str
    commune: str
    guardians: list[tuple[Guardian, str]] = field(default_factory=list)
    birth_years: list[int] = field(default_factory=list)
    primary: int = 0


@dataclass
class Pupil:
    student: Student
    family: Family
    school_code: str
    school_class: SchoolClass
    last_class: SchoolClass | None
    admitted_on: dt.date
    admission_year: int  # the school year (by its first calendar year) of the admission
    admitted_grade: int
    admitted_class_name: str
    admission_kind: str
    from_school: str = ""


@dataclass
class Population:
    people: PeopleGenerator
    pupils: list[Pupil] = field(default_factory=list)
    families: dict[str, list[Family]] = field(default_factory=dict)
    temp_numbers: dict[str, int] = field(default_factory=dict)

    # --- families --------------------------------------------------------------------
    def family_for(self, commune: str, born: int) -> Family:
        """An existing family of the commune with room for a child born in ``born``, or a
        new one; about one pupil in five has a brother or sister in the district."""
        rng = self.people.rng
        here = self.families.setdefault(commune, [])
        if here and rng.random() < 0.22:
            for family in rng.sample(here, min(5, len(here))):
                if len(family.birth_years) < 3 and all(
                    abs(born - year) >= 2 for year in family.birth_years
                ):
                    return family
        family = self.new_family(commune, born)
        here.append(family)
        return family

    def new_family(self, commune: str, born: int) -> Family:
        people = self.people
        rng = people.rng
        surname = people.surname()
        # A town is divided into residential groups (tổ dân phố), a commune into villages.
        hamlet = "Tổ dân phố" if commune.startswith("thị trấn") else "Thôn"
        family = Family(surname, f"{hamlet} {rng.randint(1, 9)}, {commune}", commune)
        shape = rng.random()
        if shape < 0.02:
            family.guardians.append(
                (self.guardian(Gender.FEMALE, born - 55, None), Relation.GRANDPARENT)
            )
            return family
        if shape >= 0.06:
            family.guardians.append(
                (self.guardian(Gender.MALE, born - rng.randint(24, 38), surname), Relation.FATHER)
            )
        family.guardians.append(
            (self.guardian(Gender.FEMALE, born - rng.randint(21, 35), None), Relation.MOTHER)
        )
        family.primary = len(family.guardians) - 1 if rng.random() < 0.7 else 0
        return family

    def make_siblings(self, older: Pupil, younger: Pupil) -> Family:
        """Give both pupils one new two-parent family (the demo parent's children)."""
        born = older.student.birth_date.year
        family = self.new_family(older.family.commune, born)
        while len(family.guardians) < 2:
            family = self.new_family(older.family.commune, born)
        for pupil in (older, younger):
            pupil.family.birth_years.remove(pupil.student.birth_date.year)
            pupil.family = family
            family.birth_years.append(pupil.student.birth_date.year)
            student = pupil.student
            student.full_name = f"{family.surname} {student.full_name.split(' ', 1)[1]}"
            student.search_name = fold(student.full_name)
            student.permanent_address = student.current_address = family.address
        family.primary = 1  # the mother is the contact and has the parent login
        return family

    def guardian(self, gender: str, born: int, surname: str | None) -> Guardian:
        people = self.people
        name = people.name(gender, surname=surname, born=born).full
        birth = people.birth_date(born)
        return Guardian(
            full_name=name,
            search_name=fold(name),
            phone=people.phone() if people.rng.random() < 0.97 else "",
            citizen_id=people.citizen_id(birth, gender) if people.rng.random() < 0.5 else None,
            birth_year=born,
            occupation=people.occupation(),
        )

    # --- pupils ----------------------------------------------------------------------
    def add(
        self,
        *,
        school_code: str,
        commune: str,
        low_grade: int,
        school_class: SchoolClass,
        last_class: SchoolClass | None,
        name_in_grade: dict[int, str],
    ) -> Pupil:
        """One pupil of ``school_class``: person, family and how she came to the school."""
        people = self.people
        rng = people.rng
        grade = school_class.grade
        born = YEAR - 5 - grade + (-1 if rng.random() < 0.03 else 0)
        family = self.family_for(commune, born)
        family.birth_years.append(born)
        gender = people.gender()
        birth = people.birth_date(born)
        full_name = people.name(gender, surname=family.surname, born=born).full
        student = Student(
            full_name=full_name,
            search_name=fold(full_name),
            birth_date=birth,
            gender=gender,
            ethnicity=people.ethnicity(),
            birthplace=rng.choice(BIRTHPLACES),
            hometown="Quỳnh Phụ, Thái Bình",
            permanent_address=family.address,
            current_address=family.address,
            citizen_id=people.citizen_id(birth, gender) if rng.random() < 0.7 else None,
            current_class=school_class,
        )
        admitted_grade, kind, when, origin = self.admission(grade, low_grade)
        admission_year = YEAR - (grade - admitted_grade)
        if admitted_grade == 1 and admission_year == YEAR:
            student.temp_code = self.temp_code(school_code)
        else:
            student.learner_id = people.learner_id()
        pupil = Pupil(
            student=student,
            family=family,
            school_code=school_code,
            school_class=school_class,
            last_class=last_class if admission_year < YEAR else None,
            admitted_on=when,
            admission_year=admission_year,
            admitted_grade=admitted_grade,
            admitted_class_name=name_in_grade[admitted_grade],
            admission_kind=kind,
            from_school=origin,
        )
        self.pupils.append(pupil)
        return pupil

    def admission(self, grade: int, low_grade: int) -> tuple[int, str, dt.date, str]:
        """Grade, kind, date and origin of the pupil's admission to her current school:
        usually the school's first grade in August of that year; some transferred in."""
        rng = self.people.rng
        if grade > low_grade and rng.random() < 0.03:
            admitted_grade = rng.randint(low_grade + 1, grade)
            year_start = dt.date(YEAR - (grade - admitted_grade), 9, 5)
            level = "Tiểu học" if admitted_grade <= 5 else "THCS" if admitted_grade <= 9 else "THPT"
            origin = rng.choice(OUTSIDE_SCHOOLS).format(level=level)
            # This year's arrivals came in September, before the transfers made later by
            # the enrolment services, so the register stays in admission order.
            late = rng.randint(30, 200) if year_start.year < YEAR else rng.randint(5, 25)
            when = year_start + dt.timedelta(days=late)
            return admitted_grade, EventKind.TRANSFER_IN, when, origin
        when = dt.date(YEAR - (grade - low_grade), 8, rng.randint(10, 28))
        return low_grade, EventKind.ADMITTED, when, ""

    def temp_code(self, school_code: str) -> str:
        """``TS<school>-<n>``, the format of ``services.students.temp_code_next``."""
        number = self.temp_numbers.get(school_code, 0) + 1
        self.temp_numbers[school_code] = number
        return f"TS{school_code}-{number:05d}"


def guardian_links(pupils: list[Pupil]) -> list[StudentGuardian]:
    links = []
    for pupil in pupils:
        for index, (guardian, relation) in enumerate(pupil.family.guardians):
            links.append(
                StudentGuardian(
                    student=pupil.student,
                    guardian=guardian,
                    relation=relation,
                    is_primary=index == pupil.family.primary,
                )
            )
    return links


def history(pupil: Pupil) -> tuple[list[Placement], list[EnrolmentEvent]]:
    """Placements and events of one pupil from her admission to this year's class."""
    student, now = pupil.student, pupil.school_class
    school = now.school
    placements: list[Placement] = []
    admitted_class: SchoolClass | None = None  # no class rows before last school year
    if pupil.admission_year == YEAR:
        admitted_class = now
    elif pupil.admission_year == YEAR - 1:
        admitted_class = pupil.last_class
    events = [
        EnrolmentEvent(
            student=student,
            kind=pupil.admission_kind,
            date=pupil.admitted_on,
            school=school,
            school_class=admitted_class,
            other_school_name=pupil.from_school,
        )
    ]
    if pupil.last_class is not None:
        start = pupil.admitted_on if admitted_class is pupil.last_class else LAST_PROMOTION_DAY
        if admitted_class is not pupil.last_class:
            events.append(_promoted(student, pupil.last_class, LAST_PROMOTION_DAY))
        placements.append(
            Placement(
                student=student,
                school_class=pupil.last_class,
                start_date=start,
                end_date=PROMOTION_DAY,
            )
        )
    if admitted_class is not now:
        events.append(_promoted(student, now, PROMOTION_DAY))
    start = PROMOTION_DAY if admitted_class is not now else pupil.admitted_on
    placements.append(Placement(student=student, school_class=now, start_date=start))
    return placements, events


def _promoted(student: Student, school_class: SchoolClass, date: dt.date) -> EnrolmentEvent:
    return EnrolmentEvent(
        student=student,
        kind=EventKind.PROMOTED,
        date=date,
        school=school_class.school,
        school_class=school_class,
    )


def register_entries(pupils: list[Pupil]) -> list[RegisterEntry]:
    """Lines of each school's register, numbered 1, 2, ... in order of admission."""
    by_school: dict[str, list[Pupil]] = {}
    for pupil in pupils:
        by_school.setdefault(pupil.school_code, []).append(pupil)
    entries = []
    for school_pupils in by_school.values():
        school_pupils.sort(
            key=lambda p: (p.admitted_on, p.admitted_class_name, p.student.search_name)
        )
        for number, pupil in enumerate(school_pupils, start=1):
            entries.append(
                RegisterEntry(
                    school=pupil.school_class.school,
                    student=pupil.student,
                    number=number,
                    admitted_on=pupil.admitted_on,
                    admitted_grade=pupil.admitted_grade,
                    admitted_class_name=pupil.admitted_class_name,
                    admission_kind=pupil.admission_kind,
                    from_school_name=pupil.from_school,
                )
            )
    return entries
