#!/usr/bin/env python
"""Run the benchmarks: ``python bench/run.py [name ...]`` (default: all ``bench_*.py``).

Each module ``bench/bench_<name>.py`` defines ``main(args) -> list[Result]``; every one runs
in its own process so that Django settings and databases do not leak between them.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main(argv: list[str]) -> int:
    wanted = [a for a in argv if not a.startswith("-")]
    modules = sorted(p.stem for p in HERE.glob("bench_*.py"))
    if wanted:
        modules = [m for m in modules if m.removeprefix("bench_") in wanted or m in wanted]
    failed = 0
    for module in modules:
        print(f"== {module}", flush=True)
        code = subprocess.call(
            [
                sys.executable,
                "-c",
                f"import sys; sys.path.insert(0, {str(HERE.parent)!r}); "
                f"from bench import common, {module} as m; common.record(m.main(sys.argv[1:]))",
                *[a for a in argv if a.startswith("-")],
            ],
            cwd=HERE.parent,
        )
        failed += code != 0
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
