"""Shared pieces of the benchmarks: Django set-up on a throw-away database, timing, results.

Every benchmark measures its subject and a baseline *in the same run* and reports the
ratio, so results compare across machines. Results are appended to bench/results.json as
``{"name", "value", "unit", "baseline", "ratio"}`` objects.
"""

from __future__ import annotations

import json
import os
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results.json"


@dataclass
class Result:
    name: str
    value: float
    unit: str
    baseline: float
    ratio: float

    @classmethod
    def of(cls, name: str, value: float, unit: str, baseline: float) -> Result:
        ratio = value / baseline if baseline else float("inf")
        return cls(name, round(value, 4), unit, round(baseline, 4), round(ratio, 3))


def setup_django(var_dir: str | None = None) -> str:
    """Point Django at a fresh SQLite file (or ``BENCH_DATABASE_URL``) and migrate it."""
    var_dir = var_dir or tempfile.mkdtemp(prefix="truongso-bench-")
    os.environ["TRUONGSO_VAR_DIR"] = var_dir
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "truongso.settings")
    os.environ["CELERY_TASK_ALWAYS_EAGER"] = "1"
    if os.environ.get("BENCH_DATABASE_URL"):
        os.environ["DATABASE_URL"] = os.environ["BENCH_DATABASE_URL"]
    else:
        os.environ["DATABASE_URL"] = f"sqlite:///{var_dir}/bench.sqlite3"
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0, interactive=False)
    return var_dir


@contextmanager
def timer() -> Iterator[Callable[[], float]]:
    started = time.perf_counter()
    elapsed: list[float] = []
    yield lambda: elapsed[0] if elapsed else time.perf_counter() - started
    elapsed.append(time.perf_counter() - started)


def best_of(repeat: int, func: Callable[[], Any]) -> float:
    """Fastest of ``repeat`` runs in seconds (least disturbed by the rest of the machine)."""
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        func()
        times.append(time.perf_counter() - started)
    return min(times)


def record(results: list[Result]) -> None:
    existing: list[dict[str, Any]] = []
    if RESULTS.exists():
        existing = json.loads(RESULTS.read_text(encoding="utf-8") or "[]")
    existing.extend(asdict(r) for r in results)
    RESULTS.write_text(json.dumps(existing, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    for r in results:
        print(f"{r.name:<48} {r.value:>12} {r.unit:<8} baseline {r.baseline:>10}  ratio {r.ratio}")
