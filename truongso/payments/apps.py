from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PaymentsConfig(AppConfig):
    name = "truongso.payments"
    label = "payments"
    verbose_name = _("Fees and payments")

    def ready(self) -> None:
        from truongso.payments import authz_rules

        authz_rules.register_all()
