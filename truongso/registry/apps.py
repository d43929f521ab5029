from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RegistryConfig(AppConfig):
    name = "truongso.registry"
    label = "registry"
    verbose_name = _("Shared education database")

    def ready(self) -> None:
        from truongso.registry import authz_rules

        authz_rules.register_all()
