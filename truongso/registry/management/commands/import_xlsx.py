"""``manage.py import_xlsx --as USERNAME --kind students --school CODE [--dry-run] FILE``

Runs the same import as the web page, as the named user and through the same
authorization layer: a dry run prints every bad row; without ``--dry-run`` a clean file is
applied all-or-nothing. Exits non-zero on refusal, bad file or bad rows.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files import File
from django.core.management.base import BaseCommand, CommandError, CommandParser

from truongso.accounts.models import User
from truongso.registry import selectors
from truongso.registry.imports import jobs
from truongso.registry.models import ImportJob, ImportKind, ImportStatus, OrgUnit, SchoolYear


def command_user(username: str) -> User:
    user = User.objects.filter(username=username, is_active=True).first()
    if user is None:
        raise CommandError(f"No active user named {username!r}.")
    return user


def _unit(code: str) -> OrgUnit:
    unit = OrgUnit.objects.filter(code=code.strip().upper(), is_active=True).first()
    if unit is None:
        raise CommandError(f"No open unit with code {code!r}.")
    return unit


def _year(code: str | None) -> SchoolYear | None:
    if not code:
        return selectors.current_year()
    year = SchoolYear.objects.filter(code=code).first()
    if year is None:
        raise CommandError(f"No school year {code!r} (write it as 2025-2026).")
    return year


class Command(BaseCommand):
    help = "Import schools, staff, classes or students from an .xlsx file (dry run first)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--as", dest="username", required=True, help="acting user")
        parser.add_argument("--kind", required=True, choices=ImportKind.values)
        parser.add_argument(
            "--school", "--unit", dest="unit", required=True, help="code of the target unit"
        )
        parser.add_argument("--year", help="school year such as 2025-2026 (default: current)")
        parser.add_argument("--dry-run", action="store_true", help="check only, write nothing")

    def handle(self, *args: Any, **options: Any) -> None:
        user = command_user(options["username"])
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(f"{path} is not a file.")
        with path.open("rb") as handle:
            try:
                job = jobs.import_job_create(
                    actor=user,
                    kind=options["kind"],
                    org_unit=_unit(options["unit"]),
                    school_year=_year(options["year"]),
                    upload=File(handle, name=path.name),
                    run_now=True,
                )
            except PermissionDenied as exc:
                raise CommandError(f"Refused: {exc}") from exc
            except ValidationError as exc:
                raise CommandError("; ".join(exc.messages)) from exc
        self._report(job)
        if job.status != ImportStatus.VALIDATED:
            raise CommandError(
                job.message or f"{job.error_count} row(s) with errors; nothing written."
            )
        if options["dry_run"]:
            self.stdout.write("Dry run: nothing written.")
            return
        try:
            job = jobs.import_job_confirm(actor=user, job=job, run_now=True)
        except (PermissionDenied, ValidationError) as exc:
            raise CommandError(f"Refused: {exc}") from exc
        if job.status != ImportStatus.DONE:
            raise CommandError(job.message or "The import failed; nothing written.")
        self.stdout.write(
            f"Imported: {job.created_count} created, {job.updated_count} updated, "
            f"{job.unchanged_count} unchanged."
        )

    def _report(self, job: ImportJob) -> None:
        for error in job.errors:
            self.stderr.write(f"row {error['row']}, {error['column']}: {error['message']}")
        self.stdout.write(
            f"{job.total_rows} rows: {job.created_count} to create, {job.updated_count} to "
            f"update, {job.unchanged_count} unchanged, {job.error_count} with errors."
        )
