"""``manage.py seed_demo``: a realistic demo district with one login per role.

Small by default (6 schools, about 800 pupils, a few seconds);
``--schools 90 --students 47000`` builds a district the size of Quỳnh Phụ.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from truongso.registry.demo import builder, plan
from truongso.registry.demo.accounts import demo_logins
from truongso.registry.models import OrgUnit


class Command(BaseCommand):
    help = "Build the demo district (Sở GD&ĐT Thái Bình → Phòng GD&ĐT Quỳnh Phụ) and logins."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--schools", type=int, default=builder.DEFAULT_SCHOOLS)
        parser.add_argument("--students", type=int, default=builder.DEFAULT_STUDENTS)
        parser.add_argument("--seed", type=int, default=builder.DEFAULT_SEED)
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="Do nothing if the database already has org units (still writes the logins).",
        )
        parser.add_argument(
            "--logins-json", type=Path, help="Write the demo logins to this JSON file."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["schools"] < plan.MIN_SCHOOLS:
            raise CommandError(f"--schools must be at least {plan.MIN_SCHOOLS} (one per level).")
        if options["students"] < 100:
            raise CommandError("--students must be at least 100.")
        if OrgUnit.objects.exists():
            if not options["if_empty"]:
                raise CommandError(
                    "The database already has org units; use --if-empty to keep them, "
                    "or start from an empty database."
                )
            self._say(options, "The database already has data: nothing seeded.")
        else:
            self._say(
                options,
                f"Seeding {options['schools']} schools, about {options['students']} students "
                f"(seed {options['seed']})...",
            )
            counts = builder.build_district(
                schools=options["schools"],
                students=options["students"],
                seed=options["seed"],
                log=self._log if options["verbosity"] >= 1 else builder.quiet,
            )
            summary = ", ".join(f"{value} {name}" for name, value in counts.items())
            self._say(options, self.style.SUCCESS(f"Done: {summary}."))
        if options["logins_json"]:
            self._write_logins(options["logins_json"])
            self._say(options, f"Demo logins written to {options['logins_json']}")

    def _log(self, message: str) -> None:
        self.stdout.write(message)

    def _write_logins(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        text = json.dumps(demo_logins(), ensure_ascii=False, indent=2)
        path.write_text(text + "\n", encoding="utf-8")

    def _say(self, options: dict[str, Any], message: str) -> None:
        if options["verbosity"] >= 1:
            self.stdout.write(message)
