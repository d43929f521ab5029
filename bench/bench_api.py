"""Benchmark (b): the student list API under 50 concurrent keep-alive clients.

A district subset is seeded into a throw-away database, a bureau officer (Phòng GD&ĐT)
gets an API token, and ``GET /api/v1/students/?page=N`` is served by gunicorn (2 workers,
4 threads, persistent database connections) on a free loopback port. The baseline is a
bare Django JSON view (no database, no middleware, no authentication) served by the same
gunicorn command in the same run. The load comes from client threads using ``http.client``
with keep-alive, split over two processes; they share the machine's cores with the server.

Options (``make bench BENCH_ARGS="--seconds=5"``): ``--seconds``, ``--clients``,
``--schools``, ``--students``. ``BENCH_DATABASE_URL`` (an empty PostgreSQL database) measures
on PostgreSQL instead of a throw-away SQLite file.
"""

from __future__ import annotations

import argparse
import http.client
import json
import multiprocessing
import os
import random
import shutil
import socket
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from bench.common import ROOT, Result, setup_django

WORKERS = 2
THREADS = 4
PROCESSES = 2


@dataclass
class Load:
    requests: int
    errors: int
    seconds: float
    latencies_ms: list[float]

    @property
    def rate(self) -> float:
        return self.requests / self.seconds

    def percentile(self, fraction: float) -> float:
        ordered = sorted(self.latencies_ms)
        return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def _options(args: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="bench_api")
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--schools", type=int, default=20)
    parser.add_argument("--students", type=int, default=10_000)
    return parser.parse_args(args)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@contextmanager
def gunicorn(app: str, settings_module: str, env: dict[str, str]) -> Iterator[int]:
    """Serve ``app`` on a free loopback port with the benchmark's gunicorn configuration."""
    port = _free_port()
    command = [
        sys.executable, "-m", "gunicorn", app,
        "--bind", f"127.0.0.1:{port}",
        "--workers", str(WORKERS), "--threads", str(THREADS),
        "--keep-alive", "30", "--log-level", "warning",
    ]  # fmt: skip
    server_env = {**env, "DJANGO_SETTINGS_MODULE": settings_module, "PYTHONPATH": str(ROOT)}
    server = subprocess.Popen(command, cwd=ROOT, env=server_env)
    try:
        _wait_until_up(port, server)
        yield port
    finally:
        server.terminate()
        server.wait(timeout=30)


def _wait_until_up(port: int, server: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"gunicorn exited with code {server.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError("gunicorn did not start within 60 s")


def _get(conn: http.client.HTTPConnection, path: str, headers: dict[str, str]) -> int:
    conn.request("GET", path, headers=headers)
    response = conn.getresponse()
    response.read()
    return response.status


def _client_thread(
    port: int, pages: int, headers: dict[str, str], until: float, out: list[tuple[int, float]]
) -> None:
    """One keep-alive client: request random pages until ``until``; (status, ms) per call."""
    rng = random.Random(threading.get_ident())
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    while time.monotonic() < until:
        path = f"/api/v1/students/?page={rng.randint(1, pages)}"
        started = time.perf_counter()
        try:
            status = _get(conn, path, headers)
        except (OSError, http.client.HTTPException):
            conn.close()
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            status = 0
        out.append((status, (time.perf_counter() - started) * 1000))
    conn.close()


Job = tuple[int, int, list[dict[str, str]], float]


def _client_process(job: Job) -> list[tuple[int, float]]:
    """One client process: a thread per header set (one per client), all until the end."""
    port, pages, client_headers, seconds = job
    until = time.monotonic() + seconds
    results: list[list[tuple[int, float]]] = [[] for _ in client_headers]
    threads = [
        threading.Thread(target=_client_thread, args=(port, pages, headers, until, results[i]))
        for i, headers in enumerate(client_headers)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return [row for rows in results for row in rows]


def drive(port: int, pages: int, headers: list[dict[str, str]], seconds: float) -> Load:
    """One keep-alive client per header set for ``seconds``, after a 2 s warm-up."""
    shares = [headers[i::PROCESSES] for i in range(PROCESSES)]
    with multiprocessing.get_context("spawn").Pool(PROCESSES) as pool:
        pool.map(_client_process, [(port, pages, share, 2.0) for share in shares])
        started = time.perf_counter()
        parts = pool.map(_client_process, [(port, pages, share, seconds) for share in shares])
        elapsed = time.perf_counter() - started
    rows = [row for part in parts for row in part]
    ok = [ms for status, ms in rows if status == 200]
    return Load(len(ok), len(rows) - len(ok), elapsed, ok)


def _seed(options: argparse.Namespace) -> tuple[list[str], int]:
    """Seed the district subset and give each client its own bureau officer and token (as
    50 officers would be: the API throttles per user); the number of pages they see."""
    from truongso.accounts.models import User
    from truongso.accounts.services import api_token_create, role_grant, user_create
    from truongso.core.authz import SYSTEM, Perm, Role, scope
    from truongso.registry.demo.builder import build_district
    from truongso.registry.models import OrgUnit, Student

    started = time.perf_counter()
    build_district(schools=options.schools, students=options.students)
    bureau = OrgUnit.objects.get(code="3407")
    secrets = []
    for number in range(options.clients):
        officer = user_create(username=f"bench.phong{number}", password=None, actor=SYSTEM)
        role_grant(actor=SYSTEM, user=officer, role=Role.BUREAU_OFFICER, org_unit=bureau)
        secrets.append(api_token_create(user=officer, name="benchmark", days=1)[1])
    officer = User.objects.get(username="phong.canbo")
    visible = scope(officer, Perm.STUDENT_VIEW, Student.objects.filter(status="studying")).count()
    print(
        f"seeded {options.schools} schools / {options.students} students in "
        f"{time.perf_counter() - started:.1f} s; an officer of the Phòng sees {visible} "
        "studying students",
        flush=True,
    )
    return secrets, max(1, visible // 50)


def _check(port: int, headers: dict[str, str], expect_rows: bool) -> None:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    conn.request("GET", "/api/v1/students/?page=1", headers=headers)
    response = conn.getresponse()
    body = response.read()
    if response.status != 200:
        raise SystemExit(f"GET /api/v1/students/ answered {response.status}: {body[:300]!r}")
    if expect_rows and len(json.loads(body)["results"]) != 50:
        raise SystemExit("GET /api/v1/students/ did not return a page of 50 students")


def main(args: list[str]) -> list[Result]:
    options = _options(args)
    var_dir = setup_django()
    try:
        return _measure(options, var_dir)
    finally:
        shutil.rmtree(var_dir, ignore_errors=True)


def _measure(options: argparse.Namespace, var_dir: str) -> list[Result]:
    secrets, pages = _seed(options)
    env = {
        **os.environ,
        "TRUONGSO_VAR_DIR": var_dir,
        "SECRET_KEY": "bench-not-secret",
        "CELERY_TASK_ALWAYS_EAGER": "1",
        "LOG_LEVEL": "ERROR",
        # No collectstatic for a JSON benchmark: silence WhiteNoise's missing-folder warning.
        "PYTHONWARNINGS": "ignore:No directory at",
    }
    headers = [{"Authorization": f"Bearer {s}", "Accept": "application/json"} for s in secrets]
    loads: dict[str, Load] = {}
    for name, app, settings_module in (
        ("bare", "bench.bare.wsgi", "bench.bare.settings"),
        ("api", "truongso.wsgi", "bench.app_settings"),
    ):
        with gunicorn(app, settings_module, env) as port:
            _check(port, headers[0], expect_rows=name == "api")
            loads[name] = drive(port, pages, headers, options.seconds)
        load = loads[name]
        print(
            f"{name}: {load.rate:.0f} req/s, p50 {load.percentile(0.5):.1f} ms, "
            f"p99 {load.percentile(0.99):.1f} ms, {load.errors} errors "
            f"(mean {statistics.fmean(load.latencies_ms):.1f} ms)",
            flush=True,
        )
        if load.errors:
            raise SystemExit(f"{name}: {load.errors} requests failed")
    from django.db import connection

    api, bare = loads["api"], loads["bare"]
    name = f"api_students_list_{connection.vendor}_{options.clients}_clients"
    return [
        Result.of(f"{name}_throughput", api.rate, "req/s", bare.rate),
        Result.of(f"{name}_p50", api.percentile(0.5), "ms", bare.percentile(0.5)),
        Result.of(f"{name}_p99", api.percentile(0.99), "ms", bare.percentile(0.99)),
    ]
