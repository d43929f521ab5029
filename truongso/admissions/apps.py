from django.apps import AppConfig
from django.utils.translation import pgettext_lazy


class AdmissionsConfig(AppConfig):
    name = "truongso.admissions"
    label = "admissions"
    verbose_name = pgettext_lazy("admissions", "Admissions")

    def ready(self) -> None:
        from truongso.admissions import authz_rules, deploy_checks  # noqa: F401 - registers

        authz_rules.register_all()

        from django.utils.translation import gettext_lazy

        from truongso.core import navigation
        from truongso.core.authz import Perm
        from truongso.core.navigation import NavItem

        navigation.add(
            NavItem(
                gettext_lazy("Admission rounds"),
                "admission_rounds:list",
                Perm.ADMISSION_VIEW,
                group="manage",
            )
        )
        navigation.add(
            NavItem(
                gettext_lazy("Admitted students"),
                "admissions_results:schools",
                Perm.ADMISSION_VIEW,
                group="manage",
            )
        )
        navigation.add(
            NavItem(
                gettext_lazy("Admission applications"),
                "admissions_apply:review",
                Perm.ADMISSION_VIEW,
                group="manage",
            )
        )
