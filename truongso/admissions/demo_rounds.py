"""The admission demo: a grade-10 round of the demo Sở (seed_demo's Sở GD&ĐT Thái Bình) with
its THPT schools, about 2,000 applications (the grade-9 pupils of the registry first, then
generated ones), exam scores imported through the score service, two runs (the rules and a
"no penalty" what-if) and the first one published, so parents can confirm; a grade-6
round open for registration, so a parent can try applying from a phone; and a small grade-10
rehearsal round open for registration, to walk the whole flow by hand.

The applications are inserted in bulk (a seed, not a registration burst; one audit entry
records it); everything after that (close, scores, runs, publication) goes through the
services as the system. The demo parent (``phuhuynh``) registered the first application with
his phone: after the phone OTP he sees it admitted at NV1 and can confirm it.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable, Sequence
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from truongso.accounts.models import User
from truongso.admissions.models import (
    AdmissionRound,
    Application,
    ApplicationStatus,
    Preference,
    RoundKind,
)
from truongso.admissions.services import applications, codes, rounds, runs, scores
from truongso.admissions.services.applications import code_new
from truongso.core.audit import audit_record
from truongso.core.authz import SYSTEM
from truongso.core.text import fold
from truongso.registry.models import OrgUnit, SchoolYear, Student
from truongso.registry.reference import OrgKind, Ownership, SchoolLevel
from truongso.registry.services.classes import class_create
from truongso.registry.services.org import org_unit_create

DEFAULT_SEED = 2026
DEFAULT_APPLICANTS = 2000
DEMO_PARENT = "phuhuynh"
ROUND_NAME = "Tuyển sinh vào lớp 10 THPT năm học 2026-2027"
Log = Callable[[str], None]

FORMULA = {
    "subjects": [
        {"code": "toan", "name": "Toán", "weight": "1"},
        {"code": "van", "name": "Ngữ văn", "weight": "1"},
        {"code": "anh", "name": "Tiếng Anh", "weight": "1"},
    ],
    "max_score": "10",
}
# Hà Nội 2025: three exams, the highest priority bonus, NV2 +1 and NV3 +2 (DOMAIN.md).
GRADE10_RULES: dict[str, Any] = {
    "kind": RoundKind.GRADE10,
    "formula": FORMULA,
    "priority_bonus": {"1": "2.0", "2": "1.5", "3": "1.0"},
    "encouragement_max": Decimal("2"),
    "penalties": ["0", "1", "2"],
    "preferences_max": 3,
}
SURNAMES = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đặng", "Bùi", "Đỗ", "Ngô"]
MIDDLE = ["Văn", "Thị", "Minh", "Thu", "Đức", "Ngọc", "Quang", "Thanh", "Hải", "Gia"]
GIVEN = ["An", "Bình", "Chi", "Dũng", "Hà", "Hùng", "Lan", "Linh", "Mai", "Nam", "Phúc", "Quân"]


def quiet(message: str) -> None:
    return None


def demo_department() -> OrgUnit | None:
    return OrgUnit.objects.filter(kind=OrgKind.DEPARTMENT, code="34").first()


def has_round(department: OrgUnit) -> bool:
    return AdmissionRound.objects.filter(organiser=department, kind=RoundKind.GRADE10).exists()


def _score(rng: random.Random, ability: float) -> Decimal:
    value = min(max(rng.gauss(ability, 1.1), 0.0), 10.0)
    return Decimal(round(value * 4) / 4).quantize(Decimal("0.01"))


def build_admissions_demo(
    *, seed: int = DEFAULT_SEED, applicants: int = DEFAULT_APPLICANTS, log: Log = quiet
) -> dict[str, int]:
    department = demo_department()
    if department is None:
        raise LookupError("No demo Sở: run seed_demo first.")
    rng = random.Random(seed)
    log("The province's other THPT schools …")
    schools = _province_schools(department)
    now = timezone.now().replace(second=0, microsecond=0)
    log("Round and schools …")
    r = rounds.round_create(
        actor=SYSTEM,
        organiser=department,
        data={
            "name": ROUND_NAME,
            "registration_opens": now - dt.timedelta(days=40),
            "registration_closes": now - dt.timedelta(days=25),
            "results_publish_at": now - dt.timedelta(hours=1),
            "confirmation_deadline": now + dt.timedelta(days=10),
            **GRADE10_RULES,
        },
    )
    # ~75 % as many places as applicants (Hà Nội 2025: 75,670 places, 103,456 NV1).
    weights = [rng.uniform(0.7, 1.3) for _ in schools]
    places = int(applicants * 0.75)
    quotas = [max(int(places * w / sum(weights)) // 5 * 5, 5) for w in weights]
    rounds.round_schools_set(
        actor=SYSTEM,
        round=r,
        places=[rounds.SchoolPlace(s, q) for s, q in zip(schools, quotas, strict=True)],
    )
    r = rounds.round_open(actor=SYSTEM, round=r)
    log(f"{applicants} applications …")
    made = _applications(r, schools, applicants, rng)
    r = rounds.round_close(actor=SYSTEM, round=r)
    log("Exam scores …")
    lines = score_lines(made, rng)
    first_code = made[0][0]
    lines[1] = f"{first_code},9.25,8.75,9.50"  # the demo parent's child does well
    result = scores.scores_import(
        actor=SYSTEM, round=r, content="\n".join(lines).encode(), filename="diem-thi-demo.csv"
    )
    log("Runs and publication …")
    chosen = runs.run_create(actor=SYSTEM, round=r, label="Theo quy chế (NV2 +1, NV3 +2)")
    runs.run_create(actor=SYSTEM, round=r, label="Thử: không cộng điểm chênh", penalties=["0"] * 3)
    runs.run_publish(actor=SYSTEM, run=chosen, at=now - dt.timedelta(hours=1))
    _open_round(department, now)
    log("A rehearsal grade-10 round open for registration …")
    _rehearsal_round(department, schools, now, rng)
    return {
        "schools": len(schools),
        "places": sum(quotas),
        "applications": len(made),
        "scored": result.scored,
        "admitted": chosen.admitted,
    }


# Real THPT schools of Thái Bình outside the demo district (Quỳnh Phụ): grade-10 admission
# is the province's, and one district has one or two THPT schools.
PROVINCE_SCHOOLS = [
    ("34009001", "Trường THPT Chuyên Thái Bình"),
    ("34009002", "Trường THPT Lê Quý Đôn"),
    ("34009003", "Trường THPT Nguyễn Đức Cảnh"),
    ("34009004", "Trường THPT Bắc Duyên Hà"),
    ("34009005", "Trường THPT Đông Thụy Anh"),
]
MIN_SCHOOLS = 5
ENTRY_CLASSES = 3


def _province_schools(department: OrgUnit) -> list[OrgUnit]:
    """The Sở's THPT schools, completed to at least ``MIN_SCHOOLS`` with other schools of the
    province (each with its grade-10 classes of the current year, where admitted pupils go),
    so that the round has preferences, cut-offs and NV2/NV3 worth showing."""
    upper = OrgUnit.objects.filter(
        kind=OrgKind.SCHOOL,
        level=SchoolLevel.UPPER_SECONDARY,
        path__startswith=department.path,
        is_active=True,
    )
    taken = set(OrgUnit.objects.values_list("code", flat=True))
    missing = [(c, n) for c, n in PROVINCE_SCHOOLS if c not in taken]
    year = SchoolYear.objects.filter(is_current=True).first()
    for code, name in missing[: max(MIN_SCHOOLS - upper.count(), 0)]:
        school = org_unit_create(
            actor=SYSTEM,
            kind=OrgKind.SCHOOL,
            code=code,
            name=name,
            parent=department,
            level=SchoolLevel.UPPER_SECONDARY,
            grade_from=10,
            grade_to=12,
            ownership=Ownership.PUBLIC,
            address="Thái Bình",
        )
        if year is None:
            continue
        for i in range(ENTRY_CLASSES):
            class_create(
                actor=SYSTEM, school=school, school_year=year, grade=10, name=f"10A{i + 1}"
            )
    schools = list(upper.order_by("code"))
    if not schools:
        raise LookupError("The demo Sở has no THPT school.")
    return schools


def score_lines(
    made: list[tuple[str, float]],
    rng: random.Random,
    subjects: Sequence[str] = ("toan", "van", "anh"),
    top: Decimal = Decimal(10),
) -> list[str]:
    """An exam-score file (``ma_ho_so,<subject>,...``) for ``(application code, ability)``
    pairs: scores out of ``top`` on its 2.5 % grid (0.25 of 10) around the ability, and now
    and then a zero."""
    lines = [",".join(["ma_ho_so", *subjects])]
    for code, ability in made:
        values = [_score(rng, ability) * top / 10 for _ in subjects]
        if rng.random() < 0.004:
            values[rng.randrange(len(subjects))] = Decimal("0.00")
        lines.append(",".join([code, *(str(v.quantize(Decimal("0.01"))) for v in values)]))
    return lines


def demo_score_file(r: AdmissionRound) -> bytes:
    """Demo only: a filled exam-score file for every application of ``r`` still in, so that
    whoever walks the demo can import scores through the real import (seeded by the round:
    the same file every time for the same applications)."""
    codes = (
        Application.objects.filter(round=r)
        .exclude(status=ApplicationStatus.WITHDRAWN)
        .order_by("code")
        .values_list("code", flat=True)
    )
    rng = random.Random(f"demo-scores:{r.pk}")
    made = [(code, rng.gauss(6.6, 1.3)) for code in codes]
    subjects = [code for code, _name, _weight in rounds.subject_weights(r)]
    return "\n".join(score_lines(made, rng, subjects, rounds.max_score(r))).encode()


REHEARSAL_NAME = "Diễn tập tuyển sinh lớp 10 trực tuyến (dữ liệu thử)"
REHEARSAL_SCHOOLS = 4
REHEARSAL_QUOTA = 15
REHEARSAL_APPLICANTS = 80


def _rehearsal_round(
    department: OrgUnit, schools: list[OrgUnit], now: dt.datetime, rng: random.Random
) -> AdmissionRound:
    """A small grade-10 round open for registration now, to walk the whole flow by hand:
    apply from a phone, close, import scores, simulate, publish, confirm. 80 applicants of
    its own (not pupils of the registry, so a real grade-9 pupil can still apply) compete
    for 60 places in four THPT schools; results and the confirmation deadline are planned
    after the window, and closing early moves the window's end to the closing time."""
    closes = now + dt.timedelta(days=14)
    r = rounds.round_create(
        actor=SYSTEM,
        organiser=department,
        data={
            "name": REHEARSAL_NAME,
            "registration_opens": now - dt.timedelta(days=1),
            "registration_closes": closes,
            "results_publish_at": closes + dt.timedelta(days=1),
            "confirmation_deadline": closes + dt.timedelta(days=8),
            **GRADE10_RULES,
        },
    )
    chosen = schools[:REHEARSAL_SCHOOLS]
    rounds.round_schools_set(
        actor=SYSTEM,
        round=r,
        places=[rounds.SchoolPlace(s, REHEARSAL_QUOTA) for s in chosen],
    )
    r = rounds.round_open(actor=SYSTEM, round=r)
    _applications(r, chosen, REHEARSAL_APPLICANTS, rng, from_registry=False)
    return r


OPEN_ROUND_NAME = "Tuyển sinh vào lớp 6 THCS năm học 2026-2027"


def commune(school: OrgUnit | None) -> str:
    """The commune of a demo school (its address starts "Thị trấn An Bài, …" or "Xã …"),
    used as the school's zone (tuyến) for grade 6: children go to the school of their
    commune."""
    if school is None:
        return ""
    first = school.address.split(",")[0].strip()
    for prefix in ("Thị trấn ", "Xã ", "Phường "):
        first = first.removeprefix(prefix)
    return first


def _open_round(department: OrgUnit, now: dt.datetime) -> AdmissionRound | None:
    """A grade-6 round open for registration now, so a demo parent can apply from a phone
    (children born in 2015, by residence zone, two preferences, no exam). Each school's zone
    is its commune; the enrolment codes are issued from the registry's grade-5 pupils born in
    2015 (the zone of their primary school), through the codes import; most of them have
    applied already, mostly to the school of their zone."""
    schools = list(
        OrgUnit.objects.filter(
            kind=OrgKind.SCHOOL,
            grade_from__lte=6,
            grade_to__gte=6,
            path__startswith=department.path,
            is_active=True,
        ).order_by("code")[:6]
    )
    if not schools:
        return None
    r = rounds.round_create(
        actor=SYSTEM,
        organiser=department,
        data={
            "name": OPEN_ROUND_NAME,
            "kind": RoundKind.GRADE6,
            "registration_opens": now - dt.timedelta(days=1),
            "registration_closes": now + dt.timedelta(days=20),
            "results_publish_at": now + dt.timedelta(days=30),
            "confirmation_deadline": now + dt.timedelta(days=40),
            "birth_year": GRADE6_BIRTH_YEAR,
            "penalties": ["0", "0"],
            "preferences_max": 2,
        },
    )
    rounds.round_schools_set(
        actor=SYSTEM,
        round=r,
        places=[rounds.SchoolPlace(s, GRADE6_QUOTA, zone=commune(s)) for s in schools],
    )
    r = rounds.round_open(actor=SYSTEM, round=r)
    pupils = list(
        Student.objects.filter(
            current_class__grade=5,
            birth_date__year=GRADE6_BIRTH_YEAR,
            school__path__startswith=department.path,
        )
        .exclude(learner_id="")
        .select_related("school")
        .order_by("pk")
    )
    # Only the children of the communes the round's schools serve (a bigger district has more
    # communes than the six schools taken here).
    zones = {commune(s) for s in schools}
    pupils = [p for p in pupils if commune(p.school) in zones]
    if pupils:
        _grade6_codes(r, pupils)
        _grade6_applications(r, schools, pupils, random.Random(f"grade6:{r.pk}"))
    return r


GRADE6_BIRTH_YEAR = 2015
GRADE6_QUOTA = 120
GRADE6_APPLIED = 0.7  # the share of the children who have applied already


def _grade6_codes(r: AdmissionRound, pupils: list[Student]) -> None:
    lines = ["Họ và tên,Ngày sinh,Mã định danh,Tuyến"]
    lines += [
        f"{p.full_name},{p.birth_date:%d/%m/%Y},{p.learner_id},{commune(p.school)}" for p in pupils
    ]
    codes.codes_import(
        actor=SYSTEM, round=r, data="\n".join(lines).encode(), file_name="danh-sach-lop-5.csv"
    )


def _grade6_applications(
    r: AdmissionRound, schools: list[OrgUnit], pupils: list[Student], rng: random.Random
) -> None:
    """Applications through the parents' own service: NV1 the school of the child's zone nine
    times in ten, NV2 another school."""
    zones = {commune(s): s for s in schools}
    for pupil in pupils:
        if rng.random() > GRADE6_APPLIED:
            continue
        home = zones.get(commune(pupil.school))
        others = [s for s in schools if s is not home]
        first = home if home is not None and rng.random() < 0.9 else rng.choice(others or schools)
        choice = [first, *[s for s in rng.sample(schools, len(schools)) if s is not first][:1]]
        applications.application_apply(
            round=r,
            phone=f"09{rng.randrange(10**8):08d}",
            data={
                "learner_id": pupil.learner_id,
                "full_name": pupil.full_name,
                "birth_date": f"{pupil.birth_date:%d/%m/%Y}",
                "gender": pupil.gender,
                "guardian_name": f"{rng.choice(SURNAMES)} {rng.choice(MIDDLE)} {rng.choice(GIVEN)}",
                "address": pupil.school.address if pupil.school else "",
                "zone": commune(pupil.school),
                "priority_group": "",
                "encouragement": "0",
            },
            preferences=[str(s.pk) for s in choice],
        )


def _applications(
    r: AdmissionRound,
    schools: list[OrgUnit],
    count: int,
    rng: random.Random,
    *,
    from_registry: bool = True,
) -> list[tuple[str, float]]:
    """``count`` applications in bulk; with ``from_registry`` the grade-9 pupils of the
    registry come first and the demo parent's phone registers the first one."""
    pupils = (
        list(
            Student.objects.filter(current_class__grade=9, learner_id__isnull=False)
            .exclude(learner_id="")
            .select_related("school")
            .order_by("pk")[:count]
        )
        if from_registry
        else []
    )
    parent = User.objects.filter(username=DEMO_PARENT).first() if from_registry else None
    id_prefix = "3499" if from_registry else "3498"
    popularity = [rng.uniform(0.5, 2.0) for _ in schools]
    codes: set[str] = set()
    rows: list[tuple[Application, list[OrgUnit], float]] = []
    for i in range(count):
        code = code_new()
        while code in codes:
            code = code_new()
        codes.add(code)
        pupil = pupils[i] if i < len(pupils) else None
        gender = pupil.gender if pupil else rng.choice("MF")
        name = (
            pupil.full_name
            if pupil
            else f"{rng.choice(SURNAMES)} {rng.choice(MIDDLE)} {rng.choice(GIVEN)}"
        )
        app = Application(
            round=r,
            code=code,
            learner_id=pupil.learner_id if pupil and pupil.learner_id else f"{id_prefix}{i:06d}",
            full_name=name,
            birth_date=pupil.birth_date
            if pupil
            else dt.date(2011, 1, 1) + dt.timedelta(days=i % 365),
            gender=gender,
            current_school=pupil.school if pupil else None,
            guardian_name=f"{rng.choice(SURNAMES)} {rng.choice(MIDDLE)} {rng.choice(GIVEN)}",
            phone=f"09{rng.randrange(10**8):08d}",
            address="Quỳnh Phụ, Thái Bình",
            priority_group=rng.choice(["1", "2", "3"]) if rng.random() < 0.06 else "",
            status=ApplicationStatus.SUBMITTED,
        )
        if i == 0 and parent is not None and parent.phone:
            app.phone = parent.phone
            app.guardian_name = parent.get_full_name() or parent.username
        k = 1 if rng.random() < 0.1 else min(3, len(schools))
        chosen = _choose(rng, schools, popularity, k)
        rows.append((app, chosen, rng.gauss(6.6, 1.3)))
    with transaction.atomic():
        for app, _chosen, _a in rows:
            app.search_name = fold(app.full_name)  # bulk_create skips FoldedNameMixin.save
        Application.objects.bulk_create([a for a, _c, _x in rows], batch_size=1000)
        saved = {a.code: a.pk for a in Application.objects.filter(round=r).only("pk", "code")}
        Preference.objects.bulk_create(
            [
                Preference(application_id=saved[app.code], rank=rank, school=school)
                for app, chosen, _a in rows
                for rank, school in enumerate(chosen, start=1)
            ],
            batch_size=2000,
        )
        audit_record(
            actor=SYSTEM,
            action="admissions.demo_applications",
            obj=r,
            org_path=r.organiser.path,
            after={"applications": len(rows)},
        )
    return [(app.code, ability) for app, _c, ability in rows]


def _choose(
    rng: random.Random, schools: list[OrgUnit], popularity: list[float], k: int
) -> list[OrgUnit]:
    pool = list(range(len(schools)))
    weights = list(popularity)
    chosen = []
    for _ in range(k):
        pick = rng.choices(range(len(pool)), weights=weights)[0]
        chosen.append(schools[pool.pop(pick)])
        weights.pop(pick)
    return chosen
