"""Benchmark (issue 7, item 9): online registration on day one, 200 concurrent parents.

A grade-10 round with 20 schools is seeded into a throw-away database. Each client is a
parent whose phone is already verified (the signed phone cookie the OTP step gives; the SMS
step itself is one small write and is left out) and who keeps submitting new applications
(``POST /admissions/r/<id>/apply/``: the whole form, three preferences, a new learner ID each
time: cleaning, registry lookup, duplicate check, insert of the application, its preferences
and the audit entry, redirect). A fifth of the requests read the public round page instead, as
parents arriving do. Served by gunicorn (2 workers, 4 threads, persistent connections) on a
free loopback port; the baseline is the bare Django JSON view under the same gunicorn, driven by
the same clients with the same requests, in the same run.

Options: ``--seconds`` (10), ``--clients`` (200). ``BENCH_DATABASE_URL`` (an empty
PostgreSQL database) measures on PostgreSQL instead of a throw-away SQLite file.
"""

from __future__ import annotations

import argparse
import http.client
import multiprocessing
import os
import shutil
import statistics
import threading
import time
import urllib.parse

from bench.bench_api import Load, gunicorn
from bench.common import Result, setup_django

PROCESSES = 2
SECRET = "bench-not-secret"
CSRF = "benchcsrftokenbenchcsrftokenabcd"  # 32 characters: an unmasked CSRF secret


def _options(args: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="bench_admissions_registration")
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--clients", type=int, default=200)
    return parser.parse_args(args)


def _seed() -> tuple[int, list[int]]:
    """A Sở, 20 THPT schools and an open grade-10 round; the round id and school ids."""
    import datetime as dt

    from django.utils import timezone

    from truongso.admissions.models import AdmissionRound, RoundKind, RoundSchool, RoundStatus
    from truongso.core.authz import SYSTEM
    from truongso.registry.reference import OrgKind, SchoolLevel
    from truongso.registry.services import org

    ministry = org.org_unit_create(
        actor=SYSTEM, kind=OrgKind.MINISTRY, code="BGDDT", name="Bộ GD&ĐT", parent=None
    )
    department = org.org_unit_create(
        actor=SYSTEM, kind=OrgKind.DEPARTMENT, code="01", name="Sở GD&ĐT", parent=ministry
    )
    now = timezone.now()
    r = AdmissionRound.objects.create(
        organiser=department,
        name="Tuyển sinh lớp 10",
        kind=RoundKind.GRADE10,
        status=RoundStatus.OPEN,
        registration_opens=now - dt.timedelta(days=1),
        registration_closes=now + dt.timedelta(days=1),
        priority_bonus={"1": "2.0", "2": "1.5", "3": "1.0"},
        penalties=["0", "1", "2"],
    )
    schools = []
    for n in range(20):
        school = org.org_unit_create(
            actor=SYSTEM,
            kind=OrgKind.SCHOOL,
            code=f"0100{n:04d}",
            name=f"Trường THPT số {n + 1}",
            parent=department,
            level=SchoolLevel.UPPER_SECONDARY,
        )
        RoundSchool.objects.create(round=r, school=school, quota=500, zone=f"Z{n % 4}")
        schools.append(school.pk)
    return r.pk, schools


def _cookie(phone: str) -> str:
    """The phone cookie as the verify step sets it (same key as the server's SECRET_KEY)."""
    from django.core import signing

    from truongso.admissions.parent_session import SALT

    return signing.get_cookie_signer(salt="truongso_admission" + SALT).sign(phone)


Job = tuple[int, str, int, list[int], list[str], float, int]


def _body(serial: int, schools: list[int]) -> bytes:
    fields = [
        ("csrfmiddlewaretoken", CSRF),
        ("learner_id", f"{serial:010d}"),
        ("full_name", "Nguyễn Thị Hoa"),
        ("birth_date", "12/03/2011"),
        ("gender", "Nữ"),
        ("guardian_name", "Nguyễn Văn Ba"),
        ("address", "Phường Dịch Vọng"),
        ("zone", "Z1"),
        ("priority_group", "2"),
        ("encouragement", "0"),
    ]
    for k in range(3):
        fields.append(("preferences", str(schools[(serial + k * 7) % len(schools)])))
    return urllib.parse.urlencode(fields).encode()


def _client(job: Job, index: int, until: float, out: list[tuple[int, float]]) -> None:
    port, path, round_id, schools, cookies, _seconds, base = job
    headers = {
        "Content-Type": "application/x-www-form-urlencoded",
        "Cookie": f"csrftoken={CSRF}; truongso_admission={cookies[index]}",
        "Host": "127.0.0.1",
    }
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    serial = base + index * 100_000
    while time.monotonic() < until:
        serial += 1
        started = time.perf_counter()
        try:
            if serial % 5 == 0:
                target = path if "students" in path else f"/admissions/r/{round_id}/"
                conn.request("GET", target, headers={"Host": "127.0.0.1"})
                expected = 200
            else:
                conn.request("POST", path, body=_body(serial, schools), headers=headers)
                expected = 200 if "students" in path else 302
            response = conn.getresponse()
            response.read()
            status = 200 if response.status == expected else response.status
        except (OSError, http.client.HTTPException):
            conn.close()
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
            status = 0
        out.append((status, (time.perf_counter() - started) * 1000))
    conn.close()


def _process(job: Job) -> list[tuple[int, float]]:
    until = time.monotonic() + job[5]
    results: list[list[tuple[int, float]]] = [[] for _ in job[4]]
    threads = [
        threading.Thread(target=_client, args=(job, i, until, results[i]))
        for i in range(len(job[4]))
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return [row for rows in results for row in rows]


def drive(
    port: int, path: str, round_id: int, schools: list[int], cookies: list[str], seconds: float,
    base: int,
) -> Load:  # fmt: skip
    shares = [cookies[i::PROCESSES] for i in range(PROCESSES)]
    jobs = [
        (port, path, round_id, schools, share, s, base + phase * 100_000_000 + p * 50_000_000)
        for phase, s in enumerate((2.0, seconds))
        for p, share in enumerate(shares)
    ]
    with multiprocessing.get_context("spawn").Pool(PROCESSES) as pool:
        pool.map(_process, jobs[:PROCESSES])  # warm-up
        started = time.perf_counter()
        parts = pool.map(_process, jobs[PROCESSES:])
        elapsed = time.perf_counter() - started
    rows = [row for part in parts for row in part]
    ok = [ms for status, ms in rows if status == 200]
    bad = [status for status, _ms in rows if status != 200]
    if bad:
        print(f"failed statuses: {sorted(set(bad))}", flush=True)
    return Load(len(ok), len(rows) - len(ok), elapsed, ok)


def main(args: list[str]) -> list[Result]:
    options = _options(args)
    os.environ["SECRET_KEY"] = SECRET
    var_dir = setup_django()
    try:
        return _measure(options, var_dir)
    finally:
        shutil.rmtree(var_dir, ignore_errors=True)


def _measure(options: argparse.Namespace, var_dir: str) -> list[Result]:
    from django.db import connection

    from truongso.admissions.models import Application

    round_id, schools = _seed()
    cookies = [_cookie(f"09{n:08d}") for n in range(options.clients)]
    env = {
        **os.environ,
        "TRUONGSO_VAR_DIR": var_dir,
        "SECRET_KEY": SECRET,
        "CELERY_TASK_ALWAYS_EAGER": "1",
        "LOG_LEVEL": "ERROR",
        "PYTHONWARNINGS": "ignore:No directory at",
    }
    loads: dict[str, Load] = {}
    for name, app, settings_module, path in (
        ("bare", "bench.bare.wsgi", "bench.bare.settings", "/api/v1/students/"),
        ("apply", "truongso.wsgi", "bench.app_settings", f"/admissions/r/{round_id}/apply/"),
    ):
        with gunicorn(app, settings_module, env) as port:
            loads[name] = drive(port, path, round_id, schools, cookies, options.seconds, 0)
        load = loads[name]
        print(
            f"{name}: {load.rate:.0f} req/s, p50 {load.percentile(0.5):.1f} ms, "
            f"p99 {load.percentile(0.99):.1f} ms, {load.errors} errors "
            f"(mean {statistics.fmean(load.latencies_ms):.1f} ms)",
            flush=True,
        )
        if load.errors:
            raise SystemExit(f"{name}: {load.errors} requests failed")
    saved = Application.objects.count()
    print(f"applications saved: {saved}", flush=True)
    apply, bare = loads["apply"], loads["bare"]
    label = f"admissions_registration_{connection.vendor}_{options.clients}_clients"
    return [
        Result.of(f"{label}_throughput", apply.rate, "req/s", bare.rate),
        Result.of(f"{label}_p50", apply.percentile(0.5), "ms", bare.percentile(0.5)),
        Result.of(f"{label}_p99", apply.percentile(0.99), "ms", bare.percentile(0.99)),
    ]
