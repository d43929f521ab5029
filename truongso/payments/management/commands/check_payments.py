from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from truongso.payments.services import ledger_balances, ledger_check
from truongso.registry.models import OrgUnit


class Command(BaseCommand):
    help = "Check that the payments ledger adds up (postings balanced, accounts match documents)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--school", help="code of one school (default: every school)")

    def handle(self, *args: Any, **options: Any) -> None:
        school = None
        if options["school"]:
            school = OrgUnit.objects.filter(code=options["school"], kind="school").first()
            if school is None:
                raise CommandError(f"No school with code {options['school']}")
        problems = ledger_check(school=school)
        for problem in problems:
            self.stderr.write(problem)
        if problems:
            raise CommandError(f"{len(problems)} problem(s) found")
        balances = ledger_balances(school=school)
        self.stdout.write(" ".join(f"{k}={v}" for k, v in sorted(balances.items())))
        self.stdout.write("OK")
