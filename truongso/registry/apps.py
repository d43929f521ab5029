from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RegistryConfig(AppConfig):
    name = "truongso.registry"
    label = "registry"
    verbose_name = _("Shared education database")

    def ready(self) -> None:
        from truongso.core import navigation, selectors
        from truongso.core.authz import Perm
        from truongso.core.navigation import NavItem
        from truongso.registry import authz_rules

        authz_rules.register_all()
        for label, url_name, perm in (
            (_("Students"), "registry:student_list", Perm.STUDENT_VIEW),
            (_("Classes"), "registry:class_list", Perm.CLASS_VIEW),
            (_("Staff"), "registry:staff_list", Perm.STAFF_VIEW),
            (_("Schools"), "registry:orgunit_list", Perm.ORG_MANAGE),
            (_("Import"), "registry:import_list", Perm.DATA_IMPORT),
            (_("Audit log"), "core:audit_list", Perm.AUDIT_VIEW),
        ):
            navigation.add(NavItem(label, url_name, perm))
        for label, model, perm, url_name in (
            (_("Schools"), "registry.OrgUnit", Perm.ORG_MANAGE, "registry:orgunit_list"),
            (_("Classes"), "registry.SchoolClass", Perm.CLASS_VIEW, "registry:class_list"),
            (_("Students"), "registry.Student", Perm.STUDENT_VIEW, "registry:student_list"),
            (_("Staff"), "registry.Staff", Perm.STAFF_VIEW, "registry:staff_list"),
        ):
            selectors.add_card(label, model, perm, url_name)
