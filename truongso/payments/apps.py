from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PaymentsConfig(AppConfig):
    name = "truongso.payments"
    label = "payments"
    verbose_name = _("Fees and payments")

    def ready(self) -> None:
        from truongso.core import navigation
        from truongso.core.authz import Perm
        from truongso.core.navigation import NavItem
        from truongso.payments import authz_rules

        authz_rules.register_all()
        for label, url_name, perm, group in (
            (_("Fees"), "payments:home", Perm.PAYMENT_VIEW, "main"),
            (_("Cashless collection"), "payments:report_cashless", Perm.PAYMENT_STATS, "manage"),
            (_("Wallet and card"), "payments:manual_record", Perm.PAYMENT_MANAGE, "manage"),
            (_("Unmatched payments"), "payments_bank:queue", Perm.PAYMENT_MANAGE, "manage"),
        ):
            navigation.add(NavItem(label, url_name, perm, group=group))
