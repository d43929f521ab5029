"""``manage.py seed_reportcards_demo``: last year's report cards of one demo class, signed
with test certificates (after ``seed_demo``; ``make demo`` runs it)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from truongso.reportcards import demo


class Command(BaseCommand):
    help = "Close 2024–2025 for one demo class and issue its report cards (test certificates)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="Do nothing if report cards exist already (or if there is no demo school).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if demo.has_cards():
            if options["if_empty"]:
                self.stdout.write("Report cards exist already: nothing seeded.")
                return
            raise CommandError("Report cards exist already.")
        try:
            demo.build_reportcards_demo(log=self.stdout.write)
        except RuntimeError as exc:
            if options["if_empty"]:
                self.stdout.write(f"{exc} Nothing seeded.")
                return
            raise CommandError(str(exc)) from exc
