from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkflowConfig(AppConfig):
    name = "truongso.workflow"
    label = "workflow"
    verbose_name = _("Approvals")

    def ready(self) -> None:
        from truongso.workflow import authz_rules

        authz_rules.register_all()
