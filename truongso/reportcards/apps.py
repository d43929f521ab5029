from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportcardsConfig(AppConfig):
    name = "truongso.reportcards"
    label = "reportcards"
    verbose_name = _("Report cards")

    def ready(self) -> None:
        from truongso.core import navigation
        from truongso.core.authz import Perm
        from truongso.core.navigation import NavItem
        from truongso.reportcards import authz_rules

        authz_rules.register_all()
        navigation.add(NavItem(_("Report cards"), "reportcards:home", Perm.REPORTCARD_VIEW))
