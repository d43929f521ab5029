"""Benchmark (c): the gradebook of a 47,000-student district year, and a full class grid.

(a) A district's year (36 lower-secondary schools of 24 classes, 6 upper-secondary schools of
30 classes, 45 pupils a class: 46,980 pupils, 1,044 classes) is generated straight into a
throw-away database: every column of every subject (13 in THCS; 8 + 4 electives in THPT)
filled for both semesters with scores drawn around each pupil's level, conduct and absences
for both semesters: 1.2 million gradebook rows. Then every subject's semester and year
average and every pupil's learning result, conduct, award and year-end decision are
computed through the real code path, twice: one class at a time with
``results.class_results(class, 0)`` (what a class page does), and one school at a time with
``results.classes_results`` (what closing a semester does). The **baseline**, in the same
run on the same scores, is plain numpy: the weighted sums of the score matrices and the
half-up rounding, for the semester and year averages only; and numpy again including
reading the cells back from the database. Every year average of the real path is checked
against numpy's.

(b) A full class grid, 45 pupils × 14 subjects × every column (3,330 cells), saved in one
``POST /api/v1/gradebook/classes/{id}/semesters/1/scores/`` by the class's teacher with a
bearer token, through Django's in-process test client (the whole stack but the socket:
middleware, token, grants, throttle, validation, compare-and-set, audit). The **baseline**
is a ``bulk_create`` of the same 630 gradebook rows in the same run.

Options: ``--students N`` (default 47000; schools scale down), ``--repeat N`` (default 3).
``BENCH_DATABASE_URL`` (an empty PostgreSQL database) measures on PostgreSQL.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import sys
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import numpy as np

from bench import common

CLASS_SIZE = 45
THCS = (6, 7, 8, 9)
THPT = (10, 11, 12)
THCS_CLASSES = 6  # per grade
THPT_CLASSES = 10
THPT_ELECTIVES = ("VL", "HH", "SH", "TIN")
GRID_ELECTIVES = ("DL", "GDKTPL", "VL", "HH", "SH", "TIN")  # (b): 8 + 6 = 14 subjects
BATCH = 20_000
TENTHS = [str(t // 10) if t % 10 == 0 else f"{t // 10}.{t % 10}" for t in range(101)]


def _options(args: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="bench_gradebook")
    parser.add_argument("--students", type=int, default=47_000)
    parser.add_argument("--repeat", type=int, default=3)
    return parser.parse_args(args)


# The district ---------------------------------------------------------------------------------
@dataclass
class Group:
    """One subject taught with the same columns (same number of regular assessments) in
    many classes: the score matrices of both semesters, one row per pupil."""

    code: str
    regular: int
    students: list[int] = field(default_factory=list)
    scores: dict[int, list[np.ndarray]] = field(default_factory=lambda: {1: [], 2: []})

    def matrix(self, semester: int) -> np.ndarray:
        return np.concatenate(self.scores[semester])


@dataclass
class District:
    year: Any
    schools: list[Any]
    classes: list[Any]
    groups: dict[tuple[str, int], Group]
    pupils: int = 0
    rows: int = 0


def _org(count_thcs: int, count_thpt: int) -> tuple[Any, Any, list[Any]]:
    from truongso.core.authz import SYSTEM
    from truongso.registry.reference import OrgKind, SchoolLevel
    from truongso.registry.services import org
    from truongso.registry.services.calendar import school_year_create

    ministry = org.org_unit_create(
        actor=SYSTEM, kind=OrgKind.MINISTRY, code="BGDDT", name="Bộ GD&ĐT", parent=None
    )
    department = org.org_unit_create(
        actor=SYSTEM, kind=OrgKind.DEPARTMENT, code="34", name="Sở GD&ĐT Thái Bình", parent=ministry
    )
    bureau = org.org_unit_create(
        actor=SYSTEM, kind=OrgKind.BUREAU, code="3407", name="Phòng GD&ĐT Quỳnh Phụ",
        parent=department,
    )  # fmt: skip
    year = school_year_create(
        actor=SYSTEM,
        code="2025-2026",
        make_current=True,
        semesters=(
            (dt.date(2025, 9, 5), dt.date(2026, 1, 17)),
            (dt.date(2026, 1, 19), dt.date(2026, 5, 31)),
        ),
    )
    schools = []
    for number in range(count_thcs + count_thpt):
        upper = number >= count_thcs
        schools.append(
            org.org_unit_create(
                actor=SYSTEM,
                kind=OrgKind.SCHOOL,
                code=f"3407{number + 1:04d}",
                name=f"Trường {'THPT' if upper else 'THCS'} số {number + 1}",
                parent=department if upper else bureau,
                level=SchoolLevel.UPPER_SECONDARY if upper else SchoolLevel.LOWER_SECONDARY,
            )
        )
    return year, bureau, schools


def _classes(year: Any, schools: list[Any]) -> list[Any]:
    from truongso.core.authz import SYSTEM
    from truongso.registry.models import SchoolClass, Subject, TeachingAssignment
    from truongso.registry.services import staff

    rows = []
    electives = []
    subjects = {s.code: s for s in Subject.objects.all()}
    for school in schools:
        upper = school.level == "thpt"
        for grade in THPT if upper else THCS:
            for index in range(1, (THPT_CLASSES if upper else THCS_CLASSES) + 1):
                rows.append(
                    SchoolClass(
                        school=school, school_year=year, grade=grade, name=f"{grade}A{index}"
                    )
                )
    SchoolClass.objects.bulk_create(rows, batch_size=2000)
    teachers = {
        s.pk: staff.staff_create(
            actor=SYSTEM, org_unit=s, data={"full_name": "Nguyễn Thị Hương", "gender": "F"}
        )
        for s in schools
        if s.level == "thpt"
    }
    for school_class in rows:
        if school_class.grade >= 10:
            electives += [
                TeachingAssignment(
                    school_class=school_class,
                    subject=subjects[code],
                    staff=teachers[school_class.school_id],
                )
                for code in THPT_ELECTIVES
            ]
    TeachingAssignment.objects.bulk_create(electives, batch_size=2000)
    return rows


def _pupils(classes: list[Any], year: Any, count: int, first: int = 0) -> dict[int, list[int]]:
    """``count`` pupils (learner IDs from ``first``), 45 a class in order; returns class ->
    pupil IDs."""
    from truongso.core.text import fold
    from truongso.registry.models import Placement, Student

    names = ["Nguyễn Văn An", "Trần Thị Bình", "Lê Minh Châu", "Phạm Thu Hà", "Vũ Đức Long"]
    students = []
    for number in range(count):
        school_class = classes[number // CLASS_SIZE]
        name = f"{names[number % len(names)]} {number}"
        students.append(
            Student(
                learner_id=f"34{first + number:08d}",
                full_name=name,
                search_name=fold(name),
                birth_date=dt.date(2025 - school_class.grade - 6, 1 + number % 12, 1 + number % 28),
                gender="MF"[number % 2],
                school_id=school_class.school_id,
                current_class=school_class,
            )
        )
    Student.objects.bulk_create(students, batch_size=2000)
    Placement.objects.bulk_create(
        [
            Placement(student=s, school_class=s.current_class, start_date=year.start_date)
            for s in students
        ],
        batch_size=2000,
    )
    by_class: dict[int, list[int]] = defaultdict(list)
    for student in students:
        by_class[student.current_class.pk].append(student.pk)
    return by_class


def _curriculum() -> dict[int, list[tuple[str, int, bool]]]:
    """grade -> [(subject code, regular assessments, scored)] of the compulsory subjects and
    the electives the benchmark's classes take."""
    from truongso.gradebook.rules.tt22 import regular_assessments
    from truongso.registry.models import GradeSubject

    counts = [[35, 2], [70, 3], [None, 4]]
    found: dict[int, list[tuple[str, int, bool]]] = defaultdict(list)
    for row in GradeSubject.objects.select_related("subject").order_by("grade", "order"):
        if row.is_elective and row.subject.code not in THPT_ELECTIVES:
            continue
        scored = row.assessment_type == "scored"
        found[row.grade].append(
            (row.subject.code, regular_assessments(row.periods_per_year, counts), scored)
        )
    return found


def _draw(rng: np.random.Generator, level: np.ndarray, columns: int) -> np.ndarray:
    """Scores in tenths around each pupil's level: regular assessments in half points, the
    mid- and end-term tests in tenths."""
    bias = rng.normal(0, 5, size=(len(level), 1))
    raw = level[:, None] + bias + rng.normal(0, 8, size=(len(level), columns))
    raw = np.clip(np.rint(raw), 0, 100).astype(np.int64)
    raw[:, :-2] = np.clip(np.rint(raw[:, :-2] / 5) * 5, 0, 100)
    return raw


def _insert_rows(sql: str, rows: list[tuple[Any, ...]]) -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)


def _fill(district: District, by_class: dict[int, list[int]], log: Any) -> None:
    """Every cell of both semesters, conduct and absences, inserted with ``executemany``."""
    from django.db import connection, transaction
    from django.utils import timezone

    from truongso.registry.models import Subject

    json_cast = "::jsonb" if connection.vendor == "postgresql" else ""
    subject_sql = (
        "INSERT INTO gradebook_subjectterm (student_id, school_class_id, subject_id, "
        "school_year_id, semester, cells, comment, updated_at) "
        f"VALUES (%s, %s, %s, %s, %s, %s{json_cast}, '', %s)"
    )
    term_sql = (
        "INSERT INTO gradebook_studentterm (student_id, school_class_id, school_year_id, "
        "semester, conduct, absences_excused, absences_unexcused, qualities, comment, "
        f"updated_at) VALUES (%s, %s, %s, %s, %s, %s, %s, '{{}}'{json_cast}, '', %s)"
    )
    subject_ids = dict(Subject.objects.values_list("code", "pk"))
    curriculum = _curriculum()
    rng = np.random.default_rng(2025)
    now = timezone.now()
    year_id = district.year.pk
    pending: list[tuple[Any, ...]] = []
    with transaction.atomic():
        for school_class in district.classes:
            pupils = by_class[school_class.pk]
            level = np.clip(rng.normal(70, 11, size=len(pupils)), 35, 97)
            for code, regular, scored in curriculum[school_class.grade]:
                group = district.groups.setdefault((code, regular), Group(code, regular))
                if scored:
                    group.students += pupils
                names = [f"tx{i}" for i in range(1, regular + 1)] + ["gk", "ck"]
                for semester in (1, 2):
                    if scored:
                        matrix = _draw(rng, level, regular + 2)
                        group.scores[semester].append(matrix)
                        texts = [
                            json.dumps(dict(zip(names, (TENTHS[t] for t in row), strict=True)))
                            for row in matrix.tolist()
                        ]
                    else:
                        texts = [json.dumps(dict.fromkeys(names, "Đ"))] * len(pupils)
                    pending += [
                        (pk, school_class.pk, subject_ids[code], year_id, semester, text, now)
                        for pk, text in zip(pupils, texts, strict=True)
                    ]
            if len(pending) >= BATCH:
                district.rows += len(pending)
                _insert_rows(subject_sql, pending)
                pending = []
        district.rows += len(pending)
        _insert_rows(subject_sql, pending)
        conduct = rng.choice(["tot", "kha", "dat"], p=[0.75, 0.2, 0.05], size=(2, district.pupils))
        absent = rng.poisson(2, size=(2, district.pupils))
        terms = []
        index = 0
        for school_class in district.classes:
            for pk in by_class[school_class.pk]:
                for s in (0, 1):
                    terms.append(
                        (pk, school_class.pk, year_id, s + 1, conduct[s, index],
                         int(absent[s, index]), 0, now)
                    )  # fmt: skip
                index += 1
        _insert_rows(term_sql, terms)
    log(f"{district.rows:,} gradebook rows, {len(terms):,} semester records")


def build(count: int, log: Any) -> District:
    from truongso.core.db import planner_statistics_refresh
    from truongso.gradebook.models import StudentTerm, SubjectTerm
    from truongso.registry.models import Placement, Student

    classes_needed = -(-count // CLASS_SIZE)
    per_thcs = len(THCS) * THCS_CLASSES
    per_thpt = len(THPT) * THPT_CLASSES
    thpt = max(1, round(classes_needed * 0.17 / per_thpt))
    thcs = max(1, -(-(classes_needed - thpt * per_thpt) // per_thcs))
    year, _bureau, schools = _org(thcs, thpt)
    classes = _classes(year, schools)
    by_class = _pupils(classes, year, count)
    classes = [c for c in classes if by_class.get(c.pk)]
    district = District(year, schools, classes, {}, pupils=count)
    _fill(district, by_class, log)
    planner_statistics_refresh(SubjectTerm, StudentTerm, Student, Placement)
    return district


# (a) The year's results -------------------------------------------------------------------------
def numpy_year(groups: dict[tuple[str, int], Group]) -> dict[tuple[str, int], np.ndarray]:
    """Semester averages (ΣĐĐGtx + 2·ĐĐGgk + 3·ĐĐGck) / (n + 5) and the year average
    (I + 2·II) / 3 in tenths, rounded half up, for every pupil of every group."""
    found = {}
    for key, group in groups.items():
        if not group.students:
            continue  # a comment-only subject
        weights = np.array([1] * group.regular + [2, 3])
        denominator = group.regular + 5
        semester = [
            (2 * (group.matrix(s) @ weights) + denominator) // (2 * denominator) for s in (1, 2)
        ]
        found[key] = (2 * (semester[0] + 2 * semester[1]) + 3) // 6
    return found


def numpy_from_database(district: District) -> dict[tuple[str, int], np.ndarray]:
    """The same, reading the cells back from the database first."""
    from truongso.gradebook.models import SubjectTerm
    from truongso.registry.models import Subject

    code_of = dict(Subject.objects.values_list("pk", "code"))
    regular = {code: n for code, n in district.groups}
    rows: dict[tuple[str, int], dict[int, list[list[int]]]] = defaultdict(lambda: {1: [], 2: []})
    order: dict[tuple[str, int], list[int]] = defaultdict(list)
    query = SubjectTerm.objects.filter(school_year=district.year).order_by(
        "subject_id", "semester", "student_id"
    )
    for student_id, subject_id, semester, cells in query.values_list(
        "student_id", "subject_id", "semester", "cells"
    ).iterator(chunk_size=20_000):
        code = code_of[subject_id]
        if cells.get("ck") in ("Đ", None) or code not in regular:
            continue
        key = (code, len(cells) - 2)
        names = [f"tx{i}" for i in range(1, key[1] + 1)] + ["gk", "ck"]  # jsonb sorts keys
        rows[key][semester].append([int(float(cells[n]) * 10 + 0.5) for n in names])
        if semester == 1:
            order[key].append(student_id)
    groups = {}
    for key, semesters in rows.items():
        group = Group(key[0], key[1], order[key])
        group.scores = {s: [np.array(semesters[s], dtype=np.int64)] for s in (1, 2)}
        groups[key] = group
    return numpy_year(groups)


def real_path_per_class(district: District) -> list[Any]:
    from truongso.gradebook.results import YEAR, class_results

    return [r for c in district.classes for r in class_results(c, YEAR)]


def real_path_per_school(district: District) -> list[Any]:
    from truongso.gradebook.results import YEAR, classes_results

    by_school: dict[int, list[Any]] = defaultdict(list)
    for school_class in district.classes:
        by_school[school_class.school_id].append(school_class)
    found = []
    for classes in by_school.values():
        for rows in classes_results(classes, YEAR).values():
            found += rows
    return found


def check(district: District, averages: dict[tuple[str, int], np.ndarray], results: list[Any]):
    """Every year average of the real path equals numpy's; returns the learning levels."""
    real = {
        (r.student.pk, code): outcome.tenths
        for r in results
        for code, outcome in r.summary.subjects.items()
        if outcome.tenths is not None
    }
    compared = 0
    for key, group in district.groups.items():
        if not group.students:
            continue
        for student_id, tenths in zip(group.students, averages[key].tolist(), strict=True):
            assert real[(student_id, group.code)] == tenths, (student_id, group.code)
            compared += 1
    assert compared == len(real), (compared, len(real))
    levels: dict[str, int] = defaultdict(int)
    for r in results:
        levels[r.summary.learning or "-"] += 1
    return compared, dict(levels)


def bench_year(district: District, options: argparse.Namespace) -> list[common.Result]:
    from django.db import connection

    in_memory = common.best_of(options.repeat, lambda: numpy_year(district.groups))
    averages = numpy_year(district.groups)
    started = time.perf_counter()
    from_db = numpy_from_database(district)
    with_reading = time.perf_counter() - started
    for key, values in averages.items():
        assert np.array_equal(np.sort(values), np.sort(from_db[key]))
    started = time.perf_counter()
    per_school = real_path_per_school(district)
    bulk = time.perf_counter() - started
    started = time.perf_counter()
    per_class = real_path_per_class(district)
    one_by_one = time.perf_counter() - started
    compared, levels = check(district, averages, per_school)
    check(district, averages, per_class)
    print(
        f"(a) {district.pupils:,} pupils, {len(district.classes):,} classes, "
        f"{district.rows:,} rows; {compared:,} year averages equal to numpy's; "
        f"learning levels {levels}\n"
        f"    class_results one class at a time {one_by_one:.1f} s, classes_results per school "
        f"{bulk:.1f} s, numpy {in_memory * 1000:.1f} ms (reading the cells too: "
        f"{with_reading:.1f} s)",
        flush=True,
    )
    label = f"{connection.vendor}_{district.pupils // 1000}k"
    return [
        common.Result.of(f"gradebook_year_class_results_{label}", one_by_one, "s", in_memory),
        common.Result.of(f"gradebook_year_classes_results_{label}", bulk, "s", in_memory),
        common.Result.of(f"gradebook_year_vs_numpy_reading_db_{label}", bulk, "s", with_reading),
    ]


# (b) A full class grid in one request -------------------------------------------------------------
def _grid_class(district: District) -> tuple[Any, Any, list[dict[str, Any]], list[Any]]:
    """A grade-10 class of 45 with 14 subjects, its teacher's token holder, the request's
    changes and the rows a bulk insert would write."""
    from truongso.accounts.services import role_grant, user_create
    from truongso.core.authz import SYSTEM, Role
    from truongso.gradebook.models import SubjectTerm
    from truongso.gradebook.results import class_subjects
    from truongso.gradebook.services.cells import subject_columns
    from truongso.registry.models import SchoolClass, Staff, Subject, TeachingAssignment
    from truongso.registry.services import staff

    school = next(s for s in district.schools if s.level == "thpt")
    school_class = SchoolClass.objects.create(
        school=school, school_year=district.year, grade=10, name="10A99"
    )
    pupils = _pupils([school_class], district.year, CLASS_SIZE, district.pupils)[school_class.pk]
    teacher = user_create(username="bench.gv", password=None, actor=SYSTEM)
    role_grant(actor=SYSTEM, user=teacher, role=Role.TEACHER, org_unit=school, check=False)
    member = staff.staff_create(actor=SYSTEM, org_unit=school, data={"full_name": "Lê Thị Mai"})
    Staff.objects.filter(pk=member.pk).update(user=teacher)
    codes = [c for c, _n, _s in _curriculum()[10] if c not in THPT_ELECTIVES] + list(GRID_ELECTIVES)
    subjects = {s.code: s for s in Subject.objects.filter(code__in=codes)}
    TeachingAssignment.objects.bulk_create(
        [
            TeachingAssignment(school_class=school_class, subject=subjects[c], staff=member)
            for c in codes
        ]
    )
    assert len(class_subjects(school_class)) == 14
    rng = np.random.default_rng(7)
    changes, rows = [], []
    for code, spec in class_subjects(school_class).items():
        columns = subject_columns(school_class, subjects[code], 1)
        for pk in pupils:
            values = [
                TENTHS[int(v)] if spec.scored else "Đ"
                for v in np.clip(rng.normal(72, 12, size=len(columns)), 0, 100).round()
            ]
            changes += [
                {"subject": code, "student": pk, "code": c.code, "old": "", "new": v}
                for c, v in zip(columns, values, strict=True)
            ]
            rows.append(
                SubjectTerm(
                    student_id=pk,
                    school_class=school_class,
                    subject=subjects[code],
                    school_year=district.year,
                    semester=1,
                    cells={c.code: v for c, v in zip(columns, values, strict=True)},
                )
            )
    return school_class, teacher, changes, rows


def bench_grid(district: District, options: argparse.Namespace) -> list[common.Result]:
    from django.db import connection, transaction
    from django.test.utils import CaptureQueriesContext
    from rest_framework.test import APIClient

    from truongso.accounts.services import api_token_create
    from truongso.core.models import AuditEntry
    from truongso.gradebook.models import SubjectTerm

    school_class, teacher, changes, rows = _grid_class(district)
    _token, secret = api_token_create(user=teacher, name="bench")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}")
    url = f"/api/v1/gradebook/classes/{school_class.pk}/semesters/1/scores/"
    body = json.dumps({"changes": changes})

    def clear() -> None:
        with transaction.atomic():
            SubjectTerm.objects.filter(school_class=school_class).delete()
            AuditEntry.objects.filter(action="score.update").delete()

    def save() -> None:
        response = client.post(url, body, content_type="application/json")
        assert response.status_code == 200, response.content[:500]
        assert response.json()["changed"] == len(changes)

    def bulk() -> None:
        with transaction.atomic():
            SubjectTerm.objects.bulk_create(
                [SubjectTerm(**{f: getattr(r, f) for f in ("student_id", "school_class_id",
                 "subject_id", "school_year_id", "semester", "cells")}) for r in rows]
            )  # fmt: skip

    times, baselines = [], []
    for _ in range(options.repeat):
        clear()
        started = time.perf_counter()
        save()
        times.append(time.perf_counter() - started)
        clear()
        started = time.perf_counter()
        bulk()
        baselines.append(time.perf_counter() - started)
    clear()
    with CaptureQueriesContext(connection) as queries:
        save()
    print(
        f"(b) {len(changes):,} cells ({len(rows)} rows, {len(body) / 1000:.0f} kB) in one "
        f"request: {min(times) * 1000:.0f} ms, {len(queries)} queries; bulk_create of the "
        f"rows {min(baselines) * 1000:.0f} ms",
        flush=True,
    )
    name = f"gradebook_full_class_grid_request_{connection.vendor}"
    return [common.Result.of(name, min(times), "s", min(baselines))]


def main(args: list[str]) -> list[common.Result]:
    options = _options(args)
    os.environ.setdefault("ALLOWED_HOSTS", "testserver,127.0.0.1,localhost")
    common.setup_django()
    started = time.perf_counter()

    def log(message: str) -> None:
        print(f"  {time.perf_counter() - started:6.1f} s  {message}", flush=True)

    district = build(options.students, log)
    log(f"district of {district.pupils:,} pupils in {len(district.classes):,} classes built")
    results = bench_year(district, options)
    log("(a) done")
    results += bench_grid(district, options)
    log("(b) done")
    return results


if __name__ == "__main__":
    common.record(main(sys.argv[1:]))
