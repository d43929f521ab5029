"""Release unconfirmed admission places after the confirmation deadline (cron or by hand).

python manage.py admission_release            # every round past its deadline
python manage.py admission_release --round 7  # one round (refused before its deadline)
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db.models import Count, Q

from truongso.admissions.models import AdmissionRound, Application, ConfirmationStatus
from truongso.admissions.services import confirm
from truongso.core.authz import SYSTEM


class Command(BaseCommand):
    help = "Release unconfirmed admission places and create the second rounds."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--round", type=int, dest="round_id", help="one round by id")

    def handle(self, *args: Any, round_id: int | None = None, **options: Any) -> None:
        if round_id is not None:
            round_ = AdmissionRound.objects.filter(pk=round_id).select_related("organiser").first()
            if round_ is None:
                raise CommandError(f"Không có đợt tuyển sinh {round_id}.")
            rounds = [round_]
        else:
            rounds = confirm.rounds_due_release()
        for round_ in rounds:
            try:
                second = confirm.round_release_unconfirmed(actor=SYSTEM, round_=round_)
            except ValidationError as exc:
                raise CommandError(f"{round_.name}: {' '.join(exc.messages)}") from exc
            counts = Application.objects.filter(round=round_).aggregate(
                confirmed=Count("pk", filter=Q(confirmation=ConfirmationStatus.CONFIRMED)),
                released=Count("pk", filter=Q(confirmation=ConfirmationStatus.RELEASED)),
                declined=Count("pk", filter=Q(confirmation=ConfirmationStatus.DECLINED)),
            )
            places = sum(second.schools.values_list("quota", flat=True))
            self.stdout.write(
                f"{round_.name}: xác nhận {counts['confirmed']}, từ chối {counts['declined']}, "
                f"hết hạn {counts['released']}; đợt 2 #{second.pk} với {places} chỉ tiêu."
            )
        done = confirm.handovers_pending_run()
        self.stdout.write(f"Chuyển vào sổ đăng bộ: {done}.")
