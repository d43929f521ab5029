"""``manage.py demo_logins``: the table of demo accounts, in Vietnamese and English."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from django.utils import translation

from truongso.core.authz import SECOND_FACTOR_ROLES, Role

NOTE_VI = (
    "(*) Cán bộ Bộ, Sở, Phòng, cán bộ kiểm tra sổ điểm và hiệu trưởng nhập thêm mã xác thực "
    "TOTP sau mật khẩu; bản demo (TRUONGSO_DEMO=1) hiện mã hiện tại ngay trên trang nhập mã."
)
NOTE_EN = (
    "(*) Ministry, department and bureau officers, the grade inspector and the principal also "
    "enter a TOTP code after the password; a demo installation (TRUONGSO_DEMO=1) shows the "
    "current code on the code page."
)


def _role_label(role: str, language: str) -> str:
    with translation.override(language):
        return str(Role(role).label)


class Command(BaseCommand):
    help = "Print the demo logins (Tài khoản demo) with their passwords."

    def handle(self, *args: Any, **options: Any) -> None:
        # The demo data lives in the registry app; this command only prints it.
        from truongso.registry.demo.accounts import demo_logins

        rows = demo_logins()
        if not rows:
            self.stdout.write(
                "Chưa có tài khoản demo: chạy `python manage.py seed_demo`.\n"
                "No demo accounts yet: run `python manage.py seed_demo`."
            )
            return
        table = [
            (
                _role_label(row["role"], "vi")
                + (" *" if row["role"] in SECOND_FACTOR_ROLES else ""),
                _role_label(row["role"], "en"),
                row["username"],
                row["password"],
                row["org"],
            )
            for row in rows
        ]
        header = (
            "Vai trò",
            "Role",
            "Tên đăng nhập / Username",
            "Mật khẩu / Password",
            "Đơn vị / Unit",
        )
        widths = [max(len(str(line[i])) for line in [header, *table]) for i in range(len(header))]
        self.stdout.write("Tài khoản demo / Demo logins")
        for line in [header, tuple("-" * w for w in widths), *table]:
            self.stdout.write(
                "  ".join(str(cell).ljust(w) for cell, w in zip(line, widths, strict=True)).rstrip()
            )
        self.stdout.write(NOTE_VI)
        self.stdout.write(NOTE_EN)
