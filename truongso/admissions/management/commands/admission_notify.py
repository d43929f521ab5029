"""Send the parents' text messages that are due now (cron or by hand; idempotent).

python manage.py admission_notify   # results whose publication time has come, reminders
                                    # whose window has come, released places

Run it every few minutes from cron where there is no Celery worker, or as a safety net
beside the scheduled ``admissions.notify_due`` task: a notice already sent is never sent again.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from truongso.admissions.models import NoticeKind
from truongso.admissions.services import notify


class Command(BaseCommand):
    help = "Send the admission text messages due now (results, reminders, released places)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--batch", type=int, default=notify.BATCH, help="messages written per transaction"
        )

    def handle(self, *args: Any, batch: int = notify.BATCH, **options: Any) -> None:
        sent = notify.notices_due_send(batch=max(batch, 1))
        self.stdout.write(
            f"Tin nhắn đã gửi: kết quả {sent[NoticeKind.RESULT]}, "
            f"nhắc xác nhận {sent[NoticeKind.REMINDER]}, "
            f"giải phóng chỗ {sent[NoticeKind.RELEASED]}."
        )
