"""``manage.py seed_admissions_demo``: a published grade-10 round of the demo Sở, after
``seed_demo`` (``make demo`` runs it): see ``truongso.admissions.demo_rounds``."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from truongso.admissions import demo_rounds as demo


class Command(BaseCommand):
    help = "Seed a grade-10 admission round of the demo Sở: applications, scores, runs, results."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--seed", type=int, default=demo.DEFAULT_SEED)
        parser.add_argument("--applicants", type=int, default=demo.DEFAULT_APPLICANTS)
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="Do nothing if the demo Sở already has a grade-10 round (or there is no demo Sở).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        department = demo.demo_department()
        if department is None:
            if options["if_empty"]:
                self._say(options, "No demo Sở (seed_demo): nothing seeded.")
                return
            raise CommandError("No demo Sở: run `manage.py seed_demo` first.")
        if demo.has_round(department):
            if options["if_empty"]:
                self._say(options, "The demo Sở already has a grade-10 round: nothing seeded.")
                return
            raise CommandError("The demo Sở already has a grade-10 round; use --if-empty.")
        if options["applicants"] < 1:
            raise CommandError("--applicants must be at least 1.")
        log = self.stdout.write if options["verbosity"] >= 1 else demo.quiet
        try:
            counts = demo.build_admissions_demo(
                seed=options["seed"], applicants=options["applicants"], log=log
            )
        except LookupError as exc:
            raise CommandError(str(exc)) from exc
        summary = ", ".join(f"{value} {name}" for name, value in counts.items())
        self._say(options, self.style.SUCCESS(f"Done: {summary}."))

    def _say(self, options: dict[str, Any], message: str) -> None:
        if options["verbosity"] >= 1:
            self.stdout.write(message)
