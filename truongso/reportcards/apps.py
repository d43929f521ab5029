from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportcardsConfig(AppConfig):
    name = "truongso.reportcards"
    label = "reportcards"
    verbose_name = _("Report cards")

    def ready(self) -> None:
        pass
