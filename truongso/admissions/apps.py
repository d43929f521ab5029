from django.apps import AppConfig
from django.utils.translation import pgettext_lazy


class AdmissionsConfig(AppConfig):
    name = "truongso.admissions"
    label = "admissions"
    verbose_name = pgettext_lazy("admissions", "Admissions")

    def ready(self) -> None:
        from truongso.admissions import authz_rules

        authz_rules.register_all()
