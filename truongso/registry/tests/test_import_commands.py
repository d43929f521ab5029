"""``manage.py import_xlsx``: the same import as the web page, as a named user."""

from __future__ import annotations

from io import StringIO
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from truongso.registry.models import Student
from truongso.registry.tests.io_support import STUDENT_HEADERS, counts, student_row, write_xlsx


@pytest.fixture(autouse=True)
def media(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


def _run(*args: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("import_xlsx", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_dry_run_then_import_then_reimport(world, tmp_path):
    path = str(write_xlsx(tmp_path / "hs.xlsx", STUDENT_HEADERS, [student_row()]))
    common = ["--as", "principal", "--kind", "students", "--school", "34070001"]
    before = counts()

    out, _err = _run(*common, "--dry-run", path)

    assert out.splitlines() == [
        "1 rows: 1 to create, 0 to update, 0 unchanged, 0 with errors.",
        "Dry run: nothing written.",
    ]
    assert counts() == before
    out, _err = _run(*common, path)
    assert out.splitlines()[-1] == "Imported: 1 created, 0 updated, 0 unchanged."
    assert Student.objects.get(learner_id="3407000101").school == world.school_a
    after = counts()
    out, _err = _run(*common, path)
    assert out.splitlines()[-1] == "Imported: 0 created, 0 updated, 1 unchanged."
    assert counts() == after


def test_bad_rows_refusals_and_bad_files_exit_non_zero(world, tmp_path):
    bad = str(write_xlsx(tmp_path / "loi.xlsx", STUDENT_HEADERS, [student_row(gender="X")]))
    before = counts()
    err = StringIO()
    with pytest.raises(CommandError, match="1 row"):
        call_command(
            "import_xlsx", "--as", "clerk", "--kind", "students", "--school", "34070001", bad,
            stderr=err,
        )  # fmt: skip
    assert err.getvalue().strip() == (
        "row 2, Giới tính: Giới tính phải là Nam hoặc Nữ (nhận được “x”)."
    )
    with pytest.raises(CommandError, match="Refused"):
        _run("--as", "teacher", "--kind", "students", "--school", "34070001", bad)
    with pytest.raises(CommandError, match="Refused"):
        _run("--as", "principal_c", "--kind", "students", "--school", "34070001", bad)
    text = tmp_path / "a.xlsx"
    text.write_text("Họ tên;Ngày sinh\n")
    with pytest.raises(CommandError, match="Đây là tệp văn bản hoặc CSV"):
        _run("--as", "principal", "--kind", "students", "--school", "34070001", str(text))
    with pytest.raises(CommandError, match="No open unit"):
        _run("--as", "principal", "--kind", "students", "--school", "XX99", bad)
    assert counts() == before
