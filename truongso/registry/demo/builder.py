"""Build the demo district: the org tree and calendar through the services, the bulk of
staff, classes and pupils with ``bulk_create`` (keeping the services' invariants), then a
few enrolment changes and the demo accounts through the services again.

The invariants the bulk path keeps (tested in ``registry/tests/test_seed_demo.py``):
every studying pupil has exactly one open placement, in the class ``current_class`` names,
an admission event and a register line numbered 1, 2, ... per school in admission order;
every pupil has a guardian; every class has a homeroom teacher of its school; the teaching
assignments of a class cover its grade's compulsory subjects.
"""

from __future__ import annotations

import datetime as dt
import random
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.db import models, transaction

from truongso.core.audit import audit_record
from truongso.core.authz import SYSTEM, Role
from truongso.core.db import planner_statistics_refresh
from truongso.registry.demo import history, plan
from truongso.registry.demo.accounts import DemoPeople, create_accounts
from truongso.registry.demo.names import PeopleGenerator
from truongso.registry.demo.pupils import Population, Pupil, guardian_links, register_entries
from truongso.registry.demo.pupils import history as pupil_history
from truongso.registry.demo.staffing import CurriculumLine, Staffing, office_staff
from truongso.registry.models import (
    EnrolmentEvent,
    GradeSubject,
    Guardian,
    OrgUnit,
    Placement,
    RegisterEntry,
    SchoolClass,
    SchoolYear,
    Staff,
    Student,
    StudentGuardian,
    Subject,
    TeachingAssignment,
)
from truongso.registry.models.statistics import STATISTICS_TABLES
from truongso.registry.reference import OrgKind, Ownership, Position, SchoolLevel
from truongso.registry.services import org
from truongso.registry.services import staff as staff_services
from truongso.registry.services.calendar import school_year_create

Log = Callable[[str], None]
BATCH = 2000
DEFAULT_SCHOOLS = 6
DEFAULT_STUDENTS = 800
DEFAULT_SEED = 2025


def quiet(message: str) -> None:
    """A log that drops its messages."""


@dataclass
class District:
    ministry: OrgUnit
    department: OrgUnit
    bureau: OrgUnit
    plans: list[plan.SchoolPlan]
    schools: dict[str, OrgUnit]
    previous: SchoolYear
    current: SchoolYear
    staffing: dict[str, Staffing] = field(default_factory=dict)
    classes: dict[tuple[str, int, int, int], SchoolClass] = field(default_factory=dict)
    officers: dict[str, Staff] = field(default_factory=dict)

    def school_of(self, level: str, *, nth: int = 0) -> OrgUnit:
        codes = [p.code for p in self.plans if p.level == level]
        return self.schools[codes[nth]]


def _insert(model: type[models.Model], objects: Iterable[models.Model]) -> int:
    rows = list(objects)
    model._default_manager.bulk_create(rows, batch_size=BATCH)
    return len(rows)


# --- org tree and calendar (services) -------------------------------------------------
def _org_tree(plans: list[plan.SchoolPlan], people: PeopleGenerator) -> District:
    def unit(kind: str, code: str, name: str, parent: OrgUnit | None) -> OrgUnit:
        return org.org_unit_create(actor=SYSTEM, kind=kind, code=code, name=name, parent=parent)

    ministry = unit(OrgKind.MINISTRY, "BGDDT", "Bộ Giáo dục và Đào tạo", None)
    department = unit(OrgKind.DEPARTMENT, "34", "Sở GD&ĐT Thái Bình", ministry)
    bureau = unit(OrgKind.BUREAU, "3407", "Phòng GD&ĐT Quỳnh Phụ", department)
    schools = {}
    for p in plans:
        schools[p.code] = org.org_unit_create(
            actor=SYSTEM,
            kind=OrgKind.SCHOOL,
            code=p.code,
            name=p.name,
            parent=department if p.under_department else bureau,
            level=p.level,
            grade_from=p.grade_from,
            grade_to=p.grade_to,
            ownership=Ownership.PUBLIC,
            address=p.address,
            phone=people.phone(),
        )
    years = _school_years()
    return District(ministry, department, bureau, plans, schools, *years)


def _school_years() -> tuple[SchoolYear, SchoolYear]:
    """2024–2025 and the current 2025–2026: semester I from 5 September to mid-January."""
    previous = school_year_create(
        actor=SYSTEM,
        code="2024-2025",
        semesters=(
            (dt.date(2024, 9, 5), dt.date(2025, 1, 18)),
            (dt.date(2025, 1, 20), dt.date(2025, 5, 31)),
        ),
    )
    current = school_year_create(
        actor=SYSTEM,
        code="2025-2026",
        make_current=True,
        semesters=(
            (dt.date(2025, 9, 5), dt.date(2026, 1, 17)),
            (dt.date(2026, 1, 19), dt.date(2026, 5, 31)),
        ),
    )
    return previous, current


# --- staff and classes (bulk) -----------------------------------------------------------
def _curriculum() -> tuple[dict[int, list[CurriculumLine]], dict[str, Subject]]:
    lines: dict[int, list[CurriculumLine]] = {}
    rows = GradeSubject.objects.select_related("subject").order_by("grade", "order")
    for row in rows:
        lines.setdefault(row.grade, []).append(
            CurriculumLine(row.subject.code, row.periods_per_year, row.is_elective)
        )
    return lines, {s.code: s for s in Subject.objects.all()}


def _plan_classes(district: District, people: PeopleGenerator) -> None:
    """This year's classes from the pupil counts, last year's for the pupils who were
    already at the school (same number, one grade lower), all staffed."""
    curriculum, subjects = _curriculum()
    for p in district.plans:
        school = district.schools[p.code]
        staffing = Staffing(school, p.level, people, subjects, curriculum)
        district.staffing[p.code] = staffing
        current = [
            (grade, index) for grade in p.grades for index in range(len(p.class_names(grade)))
        ]
        staffing.leadership(len(current))
        if p.level == SchoolLevel.PRESCHOOL:
            staffing.preschool_teachers(people.rng.randint(8, 16))
        for year, pairs in (
            (district.previous, [(g - 1, i) for g, i in current if g - 1 in p.grades]),
            (district.current, current),
        ):
            for grade, index in pairs:
                school_class = SchoolClass(
                    school=school, school_year=year, grade=grade, name=p.class_name(grade, index)
                )
                district.classes[(p.code, year.pk, grade, index)] = school_class
                staffing.staff_class(school_class, index, year.pk)


def _insert_staff_and_classes(district: District, people: PeopleGenerator) -> dict[str, int]:
    officers = []
    for unit, count in ((district.ministry, 3), (district.department, 5), (district.bureau, 6)):
        staff = office_staff(unit, people, count)
        district.officers[unit.kind] = staff[0]
        officers += staff
    staff = officers + [s for staffing in district.staffing.values() for s in staffing.staff]
    assignments = [a for staffing in district.staffing.values() for a in staffing.assignments]
    return {
        "staff": _insert(Staff, staff),
        "classes": _insert(SchoolClass, district.classes.values()),
        "teaching assignments": _insert(TeachingAssignment, assignments),
    }


# --- pupils (bulk) ------------------------------------------------------------------
def _populate(district: District, people: PeopleGenerator) -> Population:
    population = Population(people)
    communes = [p.locality for p in district.plans if not p.under_department]
    for p in district.plans:
        for grade in p.grades:
            sizes = _split(p.pupils[grade], len(p.class_names(grade)))
            for index, size in enumerate(sizes):
                in_grade = {g: p.class_name(g, index) for g in p.grades}
                for _ in range(size):
                    population.add(
                        school_code=p.code,
                        commune=people.rng.choice(communes) if p.under_department else p.locality,
                        low_grade=p.grades[0],
                        school_class=district.classes[(p.code, district.current.pk, grade, index)],
                        last_class=district.classes.get(
                            (p.code, district.previous.pk, grade - 1, index)
                        ),
                        name_in_grade=in_grade,
                    )
    return population


def _split(total: int, parts: int) -> list[int]:
    return [total // parts + (1 if i < total % parts else 0) for i in range(parts)]


def _insert_pupils(population: Population) -> dict[str, int]:
    pupils = population.pupils
    for pupil in pupils:
        pupil.student.school = pupil.school_class.school
    families = {id(p.family): p.family for p in pupils}.values()
    counts = {
        "guardians": _insert(Guardian, (g for f in families for g, _relation in f.guardians)),
        "students": _insert(Student, (p.student for p in pupils)),
        "guardian links": _insert(StudentGuardian, guardian_links(pupils)),
    }
    placements: list[Placement] = []
    events: list[EnrolmentEvent] = []
    for pupil in pupils:
        more_placements, more_events = pupil_history(pupil)
        placements += more_placements
        events += more_events
    counts["placements"] = _insert(Placement, placements)
    counts["enrolment events"] = _insert(EnrolmentEvent, events)
    counts["register lines"] = _insert(RegisterEntry, register_entries(pupils))
    return counts


# --- the demo family and logins ----------------------------------------------------------
def _first_pupil(population: Population, school_class: SchoolClass) -> Pupil:
    return next(p for p in population.pupils if p.school_class is school_class)


def _demo_family(district: District, population: Population) -> tuple[Pupil, Pupil]:
    """A grade-8 pupil of the demo school and a grade-3 pupil of the primary school in the
    same town become brother and sister, children of the demo parent."""
    demo, primary = (
        district.school_of(SchoolLevel.LOWER_SECONDARY),
        district.school_of(SchoolLevel.PRIMARY),
    )
    older = _first_pupil(population, district.classes[(demo.code, district.current.pk, 8, 0)])
    younger = _first_pupil(population, district.classes[(primary.code, district.current.pk, 3, 0)])
    population.make_siblings(older, younger)
    return older, younger


def _demo_people(district: District, older: Pupil) -> DemoPeople:
    demo_school = older.school_class.school
    staffing = district.staffing[demo_school.code]
    homeroom = older.school_class.homeroom_teacher
    assert homeroom is not None
    teacher = next(
        a.staff
        for a in sorted(staffing.assignments, key=lambda a: a.subject.code != "TOAN")
        if a.school_class is older.school_class and a.staff is not homeroom
    )

    def first(position: str) -> Staff:
        return next(s for s in staffing.staff if s.position == position)

    staff: dict[str, tuple[Staff, OrgUnit]] = {
        Role.MINISTRY_OFFICER: (district.officers[OrgKind.MINISTRY], district.ministry),
        Role.DEPARTMENT_OFFICER: (district.officers[OrgKind.DEPARTMENT], district.department),
        Role.BUREAU_OFFICER: (district.officers[OrgKind.BUREAU], district.bureau),
        Role.PRINCIPAL: (first(Position.PRINCIPAL), demo_school),
        Role.VICE_PRINCIPAL: (first(Position.VICE_PRINCIPAL), demo_school),
        Role.TEACHER: (teacher, demo_school),
        Role.HOMEROOM_TEACHER: (homeroom, demo_school),
        Role.ACCOUNTANT: (first(Position.ACCOUNTANT), demo_school),
        Role.CLERK: (first(Position.CLERK), demo_school),
        # An officer of the Phòng granted individual scores for an inspection.
        Role.GRADE_INSPECTOR: (
            staff_services.staff_create(
                actor=SYSTEM,
                org_unit=district.bureau,
                data={"full_name": "Đỗ Văn Thanh", "gender": "M", "position": Position.OFFICER},
            ),
            district.bureau,
        ),
    }
    family = older.family
    guardian = family.guardians[family.primary][0]
    return DemoPeople(staff=staff, guardian=guardian, student=older.student)


# --- the whole district --------------------------------------------------------------------
def build_district(
    *,
    schools: int = DEFAULT_SCHOOLS,
    students: int = DEFAULT_STUDENTS,
    seed: int = DEFAULT_SEED,
    log: Log | None = None,
) -> dict[str, int]:
    """Build the district in one transaction; returns the number of rows of each kind."""
    log = log or quiet
    rng = random.Random(seed)
    people = PeopleGenerator(rng)
    plans = plan.plan_schools(schools)
    plan.share_pupils(plans, students, rng)
    started = time.perf_counter()

    def step(message: str) -> None:
        log(f"  {time.perf_counter() - started:6.1f} s  {message}")

    with transaction.atomic():
        district = _org_tree(plans, people)
        step(f"org tree: {len(plans)} schools, school years 2024–2025 and 2025–2026")
        _plan_classes(district, people)
        counts = _insert_staff_and_classes(district, people)
        step(f"{counts['staff']} staff, {counts['classes']} classes")
        population = _populate(district, people)
        older, younger = _demo_family(district, population)
        counts |= _insert_pupils(population)
        step(f"{counts['students']} students, {counts['guardians']} guardians")
        history.make_history(
            demo=older.school_class.school,
            peer=district.school_of(SchoolLevel.MULTI_LEVEL),
            primary=younger.school_class.school,
            upper=district.school_of(SchoolLevel.UPPER_SECONDARY),
            skip={older.student.pk, younger.student.pk},
            log=log,
        )
        step("transfers, leavers and a class change through the enrolment services")
        create_accounts(_demo_people(district, older))
        step("demo accounts")
        counts["schools"] = len(plans)
        audit_record(
            actor=SYSTEM,
            action="demo.seed",
            obj=district.bureau,
            after={"seed": seed, **counts},
        )
    planner_statistics_refresh(*STATISTICS_TABLES)
    step("planner statistics")
    return counts
