from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from truongso.registry.integrity import enrolment_problems


class Command(BaseCommand):
    help = "Check the enrolment invariants (placements, current class, register lines)."

    def handle(self, *args: Any, **options: Any) -> None:
        problems = enrolment_problems()
        for problem in problems:
            self.stderr.write(problem)
        if problems:
            raise CommandError(f"{len(problems)} problem(s) found")
        self.stdout.write("OK")
