"""manage.py reportcards_test_ca --school CODE: test certificates for signing report cards."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from truongso.reportcards.signing import testca


class Command(BaseCommand):
    help = (
        "Create the test CA (once) and issue TEST certificates (EC P-256, PKCS#12 under "
        "var/reportcards/signing) for a school's homeroom teachers, principal and seal. "
        "Never use them for real report cards."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--school", action="append", default=[], help="school code (repeatable)"
        )
        parser.add_argument(
            "--valid-days", type=int, default=3 * 365, help="validity of the certificates"
        )
        parser.add_argument(
            "--revoke",
            action="append",
            default=[],
            metavar="SERIAL",
            help="put a certificate (serial in hex) on the test CA's CRL",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        from truongso.registry.models import OrgUnit

        quiet = options["verbosity"] < 1

        def say(line: str) -> None:
            if not quiet:
                self.stdout.write(line)

        if not options["school"] and not options["revoke"]:
            raise CommandError("Give --school CODE (or --revoke SERIAL).")
        root = testca.ensure_root()
        say(f"Test CA: {root.root_path} ({testca.TEST_MARK})")
        for serial in options["revoke"]:
            try:
                number = int(serial.replace(":", ""), 16)
            except ValueError:
                raise CommandError(f"Not a hexadecimal serial number: {serial}") from None
            root.revoke(number)
            say(f"Revoked {number:x}; CRL: {root.crl_path}")
        for code in options["school"]:
            school = OrgUnit.objects.filter(code=code, kind="school").first()
            if school is None:
                raise CommandError(f"No school with code {code}")
            issued = testca.issue_school(school, valid_days=options["valid_days"])
            folder = testca.school_dir(code)
            say(f"{school.name} ({code}): {len(issued)} certificate(s) in {folder}")
            for item in issued:
                who = item.username or item.name
                classes = f" [{', '.join(item.classes)}]" if item.classes else ""
                say(f"  {item.kind:<9} {who}{classes}: {item.file}")
        say(self.style.WARNING(f"{testca.TEST_MARK}: for demos and tests only."))
