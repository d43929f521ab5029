from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "truongso.core"
    label = "core"
    verbose_name = _("Core")

    def ready(self) -> None:
        from truongso.core import authz

        authz._register_core()
