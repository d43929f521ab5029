"""``manage.py seed_payments_demo``: fees, invoices and payments of the demo district, after
``seed_demo`` (``make demo`` runs it): see ``truongso.payments.demo``."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from truongso.payments import demo


class Command(BaseCommand):
    help = "Fill the demo school's fees, invoices and payments (and a little of the others')."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--seed", type=int, default=demo.DEFAULT_SEED)
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="Do nothing if the demo school already has fee items (or if there is no demo "
            "school).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        school = demo.demo_school()
        if school is None:
            if options["if_empty"]:
                self._say(options, "No demo school (seed_demo's district): nothing seeded.")
                return
            raise CommandError("No demo school: run `manage.py seed_demo` first.")
        if demo.has_payments(school):
            if options["if_empty"]:
                self._say(options, "The demo school already has fees: nothing seeded.")
                return
            raise CommandError("The demo school already has fees; use --if-empty to keep them.")
        log = self.stdout.write if options["verbosity"] >= 1 else demo.quiet
        counts = demo.build_payments_demo(seed=options["seed"], log=log)
        summary = ", ".join(f"{value} {name}" for name, value in counts.items())
        self._say(options, self.style.SUCCESS(f"Done: {summary}."))

    def _say(self, options: dict[str, Any], message: str) -> None:
        if options["verbosity"] >= 1:
            self.stdout.write(message)
