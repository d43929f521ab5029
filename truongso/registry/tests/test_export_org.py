"""Exports of staff, classes and schools: template columns read back, audit, refusals."""

from __future__ import annotations

from io import StringIO
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from truongso.core.authz import SYSTEM
from truongso.core.models import AuditEntry
from truongso.registry.imports.headers import CLASSES, SCHOOLS, STAFF
from truongso.registry.services import staff as staff_services
from truongso.registry.tests.io_support import counts, read_back
from truongso.testing.live import client_login


@pytest.fixture(autouse=True)
def media(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


def _exports() -> list[tuple[str, str, dict[str, Any]]]:
    entries = AuditEntry.objects.filter(action="export").order_by("pk")
    return [(e.object_type, e.org_path, e.after) for e in entries]


def test_staff_export(client, world, tmp_path):
    staff_services.staff_update(
        actor=SYSTEM,
        staff=world.staff["teacher"],
        data={"staff_code": "CB0001", "citizen_id": "034185000111", "birth_date": "14/02/1985"},
    )
    client_login(client, world.principal)
    response = client.get(reverse("registry:staff_export"), {"school": "34070001"})
    rows = read_back(response.content, tmp_path)
    assert rows[0] == [*(c.header for c in STAFF.template_columns), "Đơn vị"]
    assert rows[1:] == [
        [1, "34070001", None, "Lê Văn Bình", None, "Nam", None, None, None, "Giáo viên", None,
         None, "Trường THCS An Bài"],
        [2, "34070001", "CB0001", "Trần Thị Hoa", "14/02/1985", "Nữ", "034185000111", None,
         None, "Giáo viên", None, None, "Trường THCS An Bài"],
    ]  # fmt: skip
    assert _exports() == [("staff", world.school_a.path, {"rows": 2, "school": "34070001"})]


def test_class_and_school_exports(client, world, tmp_path):
    client_login(client, world.bureau)
    classes = client.get(reverse("registry:class_export"), {"year": "2025-2026"})
    rows = read_back(classes.content, tmp_path)
    assert rows[0] == [*(c.header for c in CLASSES.template_columns), "Sĩ số"]
    assert rows[1:] == [
        [1, "34070001", "2025-2026", 6, "6A1", None, 2],
        [2, "34070001", "2025-2026", 6, "6A2", "Lê Văn Bình", 1],
    ]
    schools = client.get(reverse("registry:school_export"))
    rows = read_back(schools.content, tmp_path)
    assert rows[0] == [c.header for c in SCHOOLS.template_columns]
    assert [r[:7] for r in rows[1:]] == [
        [1, "34070001", "Trường THCS An Bài", "THCS", "6-9", None, "3407"],
        [2, "34070002", "Trường THCS Quỳnh Hải", "THCS", "6-9", None, "3407"],
    ]
    assert _exports() == [
        ("classes", world.bureau_unit.path, {"rows": 2, "year": "2025-2026"}),
        ("schools", world.bureau_unit.path, {"rows": 2}),
    ]


@pytest.mark.parametrize(
    ("role", "status"),
    [("teacher", 403), ("homeroom", 403), ("parent", 403), ("accountant", 403)],
)
def test_org_exports_are_refused_without_export_rights(client, world, role, status):
    client_login(client, world.users[role])
    before = counts()
    for name in ("staff_export", "class_export", "school_export"):
        assert client.get(reverse(f"registry:{name}")).status_code == status
    assert client.get(reverse("registry:staff_export"), {"school": "34070001"}).status_code == 404
    assert counts() == before
    assert _exports() == []


def test_the_export_command_runs_as_a_user_through_the_same_checks(world, tmp_path):
    out = tmp_path / "hs.xlsx"
    stdout = StringIO()
    call_command(
        "export_xlsx", "--as", "principal", "--kind", "students", "--out", str(out), stdout=stdout
    )
    assert stdout.getvalue().strip() == f"3 rows written to {out}."
    assert [r[2] for r in read_back(out.read_bytes(), tmp_path)[1:]] == [
        "Đỗ Thị Bình",
        "Hoàng Thị Chi",
        "Nguyễn Văn An",
    ]
    assert _exports()[0][0] == "students"
    with pytest.raises(CommandError, match="Refused"):
        call_command("export_xlsx", "--as", "teacher", "--kind", "students", "--out", str(out))
    with pytest.raises(CommandError, match="No unit '34070001' that you may export"):
        call_command(
            "export_xlsx",
            "--as",
            "principal_c",
            "--kind",
            "register",
            "--school",
            "34070001",
            "--out",
            str(out),
        )
    with pytest.raises(CommandError, match="No active user"):
        call_command("export_xlsx", "--as", "ghost", "--kind", "staff", "--out", str(out))
    assert len(_exports()) == 1
