from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "truongso.accounts"
    label = "accounts"
    verbose_name = _("Accounts")

    def ready(self) -> None:
        from truongso.accounts import authz_rules

        authz_rules.register_all()
