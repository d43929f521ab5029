"""``manage.py payments_import_statement FILE --account NUMBER [--preset vcb] [--encoding auto]``

Imports a bank statement as the system (for a nightly job that fetches yesterday's statement
from the bank) and prints the cross-check with the notification feed. Exits with status 1
when the statement is refused (nothing applied) or when the feed has payments the statement
lacks, so that a scheduler can alert the accountant.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from truongso.core.authz import SYSTEM
from truongso.payments.models import JobStatus, SchoolBankAccount
from truongso.payments.statement_files import CUSTOM, PRESETS
from truongso.payments.statements import statement_cross_check, statement_import


class Command(BaseCommand):
    help = "Import a bank statement (CSV/.xlsx) and cross-check it with the notification feed."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file")
        parser.add_argument("--account", required=True, help="the school's account number")
        parser.add_argument("--preset", default="vcb", choices=[*PRESETS, CUSTOM])
        parser.add_argument("--encoding", default="auto")
        parser.add_argument(
            "--column", action="append", default=[], metavar="FIELD=HEADER",
            help="column mapping, e.g. --column credit='Ghi có' (repeatable)",
        )  # fmt: skip

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"{path} is not a file")
        account = SchoolBankAccount.objects.select_related("school").filter(
            account_number=options["account"]
        )
        if account.count() != 1:
            raise CommandError(f"No single school account has the number {options['account']}")
        mapping = dict(item.split("=", 1) for item in options["column"] if "=" in item)
        statement = statement_import(
            actor=SYSTEM,
            bank_account=account.get(),
            file_name=path.name,
            content=path.read_bytes(),
            preset=options["preset"],
            mapping=mapping,
            encoding=options["encoding"],
        )
        if statement.status == JobStatus.FAILED:
            for error in statement.errors:
                where = f"row {error['row']}, {error['column']}: " if error["row"] else ""
                self.stderr.write(f"{where}{error['message']}")
            raise CommandError("The statement was refused; nothing was applied.")
        check = statement_cross_check(statement)
        self.stdout.write(
            f"{statement.rows} rows: {check.new} new payments, {check.known} already notified, "
            f"{check.debit} debits, {check.mismatch} differing from an earlier import"
        )
        for payment in check.missing:
            self.stdout.write(
                f"NOT ON THE STATEMENT: {payment.provider} {payment.provider_ref} "
                f"{payment.amount} {payment.paid_at:%Y-%m-%d %H:%M} {payment.memo[:60]}"
            )
        if check.missing or check.mismatch:
            raise CommandError("The feed and the statement differ: check with the bank.")
