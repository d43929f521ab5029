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
        for label, url_name, perm, group in (
            (_("Students"), "registry:student_list", Perm.STUDENT_VIEW, "main"),
            (_("Classes"), "registry:class_list", Perm.CLASS_VIEW, "main"),
            (_("Staff"), "registry:staff_list", Perm.STAFF_VIEW, "main"),
            (_("Schools"), "registry:orgunit_list", Perm.ORG_MANAGE, "main"),
            (_("Transfers"), "registry:transfer_list", Perm.ENROLMENT_MANAGE, "main"),
            (_("Import"), "registry:import_list", Perm.DATA_IMPORT, "manage"),
            (_("School years"), "registry:year_list", Perm.ORG_VIEW, "manage"),
            (_("Curriculum"), "registry:curriculum", Perm.CLASS_VIEW, "manage"),
            (_("Roles"), "accounts:role_list", Perm.ROLE_MANAGE, "manage"),
            (_("Audit log"), "core:audit_list", Perm.AUDIT_VIEW, "manage"),
        ):
            navigation.add(NavItem(label, url_name, perm, group=group))
        for label, model, perm, url_name in (
            (_("Schools"), "registry.OrgUnit", Perm.ORG_MANAGE, "registry:orgunit_list"),
            (_("Classes"), "registry.SchoolClass", Perm.CLASS_VIEW, "registry:class_list"),
            (_("Students"), "registry.Student", Perm.STUDENT_VIEW, "registry:student_list"),
            (_("Staff"), "registry.Staff", Perm.STAFF_VIEW, "registry:staff_list"),
        ):
            selectors.add_card(label, model, perm, url_name)
