"""``manage.py seed_gradebook_demo``: a school year of the demo school's gradebook, after
``seed_demo`` (``make demo`` runs both): semester I entered and closed, semester II mostly
entered with a locked column group, one late-change request waiting for the principal."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from truongso.gradebook import demo


class Command(BaseCommand):
    help = "Fill the gradebook of the demo school (Trường THCS An Bài) for the current year."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--seed", type=int, default=demo.DEFAULT_SEED)
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="Do nothing if the demo school's gradebook already has entries (or if there is "
            "no demo school).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        school = demo.demo_school()
        if school is None:
            if options["if_empty"]:  # make demo on a database that is not the demo district
                self._say(options, "No demo school (seed_demo's district): nothing seeded.")
                return
            raise CommandError("No demo school: run `manage.py seed_demo` first.")
        if demo.has_entries(school):
            if options["if_empty"]:
                self._say(options, "The demo gradebook already has entries: nothing seeded.")
                return
            raise CommandError(
                "The demo school's gradebook already has entries; use --if-empty to keep them."
            )
        log = self.stdout.write if options["verbosity"] >= 1 else demo.quiet
        counts = demo.build_gradebook_demo(seed=options["seed"], log=log)
        summary = ", ".join(f"{value} {name}" for name, value in counts.items())
        self._say(options, self.style.SUCCESS(f"Done: {summary}."))

    def _say(self, options: dict[str, Any], message: str) -> None:
        if options["verbosity"] >= 1:
            self.stdout.write(message)
