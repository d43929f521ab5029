"""``manage.py export_xlsx --as USERNAME --kind students [--school CODE] --out FILE``

The same exports as the web pages, as the named user: scoped by the authorization layer
and written to the audit log. Exits non-zero when the user may not export.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.http import Http404

from truongso.core.authz import Perm
from truongso.registry import selectors, selectors_io
from truongso.registry.exports import org as org_exports
from truongso.registry.exports import students as student_exports
from truongso.registry.exports.book import ExportFile
from truongso.registry.management.commands.import_xlsx import command_user

KINDS = ("students", "students-c1", "staff", "classes", "schools", "register")


def _export(user: Any, kind: str, code: str) -> ExportFile:
    unit = selectors_io.export_school(user, code)
    if kind in ("students", "students-c1"):
        filters: dict[str, Any] = {"school": unit, "status": "studying"}
        if kind == "students":
            return student_exports.students_export(actor=user, filters=filters)
        return student_exports.students_export_ministry(
            actor=user, filters=filters, year=selectors.current_year()
        )
    if kind == "staff":
        return org_exports.staff_export(actor=user, school=unit)
    if kind == "classes":
        return org_exports.class_export(actor=user, school=unit, year=selectors.current_year())
    if kind == "schools":
        return org_exports.school_export(actor=user, parent=unit)
    if unit is None:
        raise CommandError("--school is required for the enrolment register.")
    return student_exports.register_export(actor=user, school=unit)


class Command(BaseCommand):
    help = "Export students, staff, classes, schools or a school's register to .xlsx."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--as", dest="username", required=True, help="acting user")
        parser.add_argument("--kind", required=True, choices=KINDS)
        parser.add_argument("--school", "--unit", dest="unit", default="", help="unit code")
        parser.add_argument("--out", required=True, type=Path, help="the .xlsx file to write")

    def handle(self, *args: Any, **options: Any) -> None:
        user = command_user(options["username"])
        try:
            export = _export(user, options["kind"], options["unit"])
        except Http404 as exc:
            raise CommandError(f"No unit {options['unit']!r} that you may export.") from exc
        except PermissionDenied as exc:
            raise CommandError(f"Refused: {exc or Perm.DATA_EXPORT}") from exc
        out: Path = options["out"]
        out.write_bytes(export.content)
        self.stdout.write(f"{export.rows} rows written to {out}.")
