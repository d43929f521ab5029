"""Create the root of the org tree (the Ministry) on a new installation; idempotent."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from truongso.core.authz import SYSTEM
from truongso.registry.models import OrgUnit
from truongso.registry.reference import OrgKind
from truongso.registry.services.org import org_unit_create


class Command(BaseCommand):
    help = "Create the Ministry node, the one unit no page creates (run once per installation)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--code", default="BGDDT")
        parser.add_argument("--name", default="Bộ Giáo dục và Đào tạo")

    def handle(self, *args: Any, **options: Any) -> None:
        existing = OrgUnit.objects.filter(kind=OrgKind.MINISTRY).first()
        if existing is not None:
            self.stdout.write(f"Ministry node already exists: {existing.code} {existing.name}")
            return
        unit = org_unit_create(
            actor=SYSTEM,
            kind=OrgKind.MINISTRY,
            code=options["code"],
            name=options["name"],
            parent=None,
        )
        self.stdout.write(f"Created {unit.code} {unit.name} (path {unit.path})")
