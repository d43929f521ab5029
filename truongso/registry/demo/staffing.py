"""Staff of the demo schools and phân công giảng dạy (teaching assignments).

A primary class has one class teacher (giáo viên chủ nhiệm) who teaches the core subjects,
with specialists for foreign language, PE, music, fine art and informatics. From grade 6
every subject has its own teachers, each filled up to a weekly load; the homeroom teacher
is one of the class's own teachers and also takes the experiential activities (HĐTN-HN),
as Vietnamese schools usually arrange it. Objects are built unsaved; the builder inserts them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from truongso.registry.demo.names import PeopleGenerator
from truongso.registry.demo.plan import band
from truongso.registry.models import OrgUnit, SchoolClass, Staff, Subject, TeachingAssignment
from truongso.registry.reference import Employment, Position, SchoolLevel

# Weekly teaching load at which a teacher is full (periods per week, a 35-week year).
FULL_LOAD = {"primary": 23.0, "lower": 19.0, "upper": 17.0}
# Subjects the primary class teacher teaches herself.
CLASS_TEACHER_SUBJECTS = {"TV", "TOAN", "DD", "TNXH", "LSDL", "KH", "HDTN"}
# Subjects taught by the teachers of another subject (pool), per band.
SHARED_POOLS = {("lower", "GDDP"): "LSDL", ("upper", "GDDP"): "LS"}
HOMEROOM_SUBJECTS = {"HDTNHN"}
# Four electives per upper-secondary class (Chương trình GDPT 2018), by class number.
ELECTIVE_SETS = [
    ("VL", "HH", "SH", "TIN"),
    ("DL", "GDKTPL", "VL", "HH"),
    ("DL", "GDKTPL", "CN", "TIN"),
    ("VL", "HH", "SH", "CN"),
    ("DL", "GDKTPL", "SH", "AN"),
]
# Order in which a class's teachers are considered for its homeroom.
HOMEROOM_PREFERENCE = ["NV", "TOAN", "NN1", "KHTN", "LSDL", "VL", "HH", "SH", "LS", "DL"]


@dataclass(frozen=True)
class CurriculumLine:
    subject: str
    periods_per_year: int
    elective: bool


Curriculum = dict[int, list[CurriculumLine]]


@dataclass
class Staffing:
    """The teachers of one school and their assignments across both school years."""

    school: OrgUnit
    level: str
    people: PeopleGenerator
    subjects: dict[str, Subject]
    curriculum: Curriculum
    staff: list[Staff] = field(default_factory=list)
    assignments: list[TeachingAssignment] = field(default_factory=list)
    pools: dict[tuple[str, str], list[Staff]] = field(default_factory=dict)
    load: dict[tuple[int, int], float] = field(default_factory=dict)
    homerooms: dict[int, set[int]] = field(default_factory=dict)

    # --- people ----------------------------------------------------------------------
    def person(
        self, position: str, *, main_subject: str | None = None, born: tuple[int, int]
    ) -> Staff:
        people = self.people
        shares: dict[str, float] = {SchoolLevel.PRESCHOOL: 0.98, SchoolLevel.PRIMARY: 0.8}
        female_share = shares.get(self.level, 0.68 if position == Position.TEACHER else 0.55)
        gender = people.gender(female_share)
        birth = people.birth_date(people.rng.randint(*born))
        name = people.name(gender, born=birth.year)
        staff = Staff(
            org_unit=self.school,
            full_name=name.full,
            gender=gender,
            birth_date=birth,
            citizen_id=people.citizen_id(birth, gender) if people.rng.random() < 0.9 else None,
            phone=people.phone(),
            position=position,
            employment=Employment.CONTRACT if people.rng.random() < 0.12 else Employment.PERMANENT,
            main_subject=self.subjects[main_subject] if main_subject else None,
        )
        self.staff.append(staff)
        return staff

    def leadership(self, classes: int) -> None:
        self.person(Position.PRINCIPAL, born=(1968, 1982))
        for _ in range(1 if classes <= 24 else 2):
            self.person(Position.VICE_PRINCIPAL, born=(1970, 1986))
        self.person(Position.ACCOUNTANT, born=(1975, 1998))
        self.person(Position.CLERK, born=(1975, 1998))
        if classes >= 12:
            self.person(Position.MEDICAL, born=(1975, 1998))
            self.person(Position.LIBRARIAN, born=(1975, 1998))

    def preschool_teachers(self, count: int) -> None:
        for _ in range(count):
            self.person(Position.TEACHER, born=(1972, 2002))

    # --- assignments -----------------------------------------------------------------
    def teacher_for(self, year_id: int, band_name: str, subject: str, periods: float) -> Staff:
        """A teacher of ``subject`` with room for ``periods`` more a week, or a new one."""
        pool_subject = SHARED_POOLS.get((band_name, subject), subject)
        pool = self.pools.setdefault((band_name, pool_subject), [])
        full = FULL_LOAD[band_name]
        for teacher in pool:
            if self.load.get((year_id, id(teacher)), 0.0) + periods <= full:
                break
        else:
            main = "TV" if pool_subject == "CLASS" else pool_subject
            teacher = self.person(Position.TEACHER, main_subject=main, born=(1970, 2001))
            pool.append(teacher)
        key = (year_id, id(teacher))
        self.load[key] = self.load.get(key, 0.0) + periods
        return teacher

    def assign(
        self, school_class: SchoolClass, subject: str, teacher: Staff, weekly: float
    ) -> None:
        self.assignments.append(
            TeachingAssignment(
                staff=teacher,
                school_class=school_class,
                subject=self.subjects[subject],
                periods_per_week=Decimal(str(round(weekly, 1))),
            )
        )

    def lines(self, school_class: SchoolClass, number: int) -> list[CurriculumLine]:
        """The grade's compulsory subjects plus, from grade 10, one set of electives."""
        lines = self.curriculum[school_class.grade]
        if school_class.grade < 10:
            return lines
        chosen = ELECTIVE_SETS[number % len(ELECTIVE_SETS)]
        return [line for line in lines if not line.elective or line.subject in chosen]

    def staff_class(self, school_class: SchoolClass, number: int, year_id: int) -> None:
        """Assign every subject of the class, then its homeroom teacher."""
        band_name = band(school_class.grade)
        lines = self.lines(school_class, number)
        if band_name == "primary":
            homeroom = self.teacher_for(year_id, band_name, "CLASS", FULL_LOAD[band_name])
            school_class.homeroom_teacher = homeroom
            self.homerooms.setdefault(year_id, set()).add(id(homeroom))
        taught: list[tuple[str, Staff]] = []
        for line in lines:
            weekly = line.periods_per_year / 35
            if line.subject in HOMEROOM_SUBJECTS:
                continue
            if band_name == "primary" and line.subject in CLASS_TEACHER_SUBJECTS:
                teacher = school_class.homeroom_teacher
                assert teacher is not None
            else:
                teacher = self.teacher_for(year_id, band_name, line.subject, weekly)
            self.assign(school_class, line.subject, teacher, weekly)
            taught.append((line.subject, teacher))
        if band_name != "primary":
            homeroom = self.pick_homeroom(year_id, taught)
            school_class.homeroom_teacher = homeroom
            for line in lines:
                if line.subject in HOMEROOM_SUBJECTS:
                    self.assign(school_class, line.subject, homeroom, line.periods_per_year / 35)

    def pick_homeroom(self, year_id: int, taught: list[tuple[str, Staff]]) -> Staff:
        busy = self.homerooms.setdefault(year_id, set())
        rank = {code: i for i, code in enumerate(HOMEROOM_PREFERENCE)}
        ordered = sorted(taught, key=lambda item: rank.get(item[0], len(rank)))
        for _subject, teacher in ordered:
            if id(teacher) not in busy:
                busy.add(id(teacher))
                return teacher
        spare = next(
            (t for t in self.staff if t.position == Position.TEACHER and id(t) not in busy), None
        )
        if spare is None:
            spare = self.person(Position.TEACHER, main_subject="NV", born=(1975, 2001))
        busy.add(id(spare))
        return spare


def office_staff(unit: OrgUnit, people: PeopleGenerator, count: int) -> list[Staff]:
    """Education officers (chuyên viên) of a Phòng, Sở or the Bộ."""
    officers = []
    for _ in range(count):
        gender = people.gender(0.55)
        birth = people.birth_date(people.rng.randint(1970, 1992))
        officers.append(
            Staff(
                org_unit=unit,
                full_name=people.name(gender, born=birth.year).full,
                gender=gender,
                birth_date=birth,
                citizen_id=people.citizen_id(birth, gender),
                phone=people.phone(),
                position=Position.OFFICER,
                employment=Employment.PERMANENT,
            )
        )
    return officers
