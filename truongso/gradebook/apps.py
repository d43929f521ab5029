from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GradebookConfig(AppConfig):
    name = "truongso.gradebook"
    label = "gradebook"
    verbose_name = _("Gradebook")

    def ready(self) -> None:
        from truongso.core import navigation
        from truongso.core.authz import Perm
        from truongso.core.navigation import NavItem
        from truongso.gradebook import authz_rules, late_changes

        authz_rules.register_all()
        late_changes.register()
        for label, url_name, perm, group in (
            (_("Gradebook"), "gradebook:home", Perm.GRADE_VIEW, "main"),
            (_("Results"), "gradebook:results_home", Perm.GRADE_STATS, "main"),
            (_("Approvals"), "gradebook:approvals", Perm.GRADE_MANAGE, "manage"),
        ):
            navigation.add(NavItem(label, url_name, perm, group=group))
