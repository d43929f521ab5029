from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.http import HttpRequest

from truongso.accounts.models import ApiToken, RoleAssignment, User
from truongso.core.admin import ReadOnlyAdmin
from truongso.core.audit import audit_record


@admin.register(User)
class UserAdmin(BaseUserAdmin):  # type: ignore[type-arg]
    """Support staff may unlock or reset an account here; every change is audited."""

    list_display = ("username", "full_name", "phone", "is_active", "is_superuser", "last_login")
    search_fields = ("username", "full_name", "phone", "email")
    fieldsets = (
        *(BaseUserAdmin.fieldsets or ()),
        ("Trường Số", {"fields": ("full_name", "phone")}),
    )

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        audit_record(
            actor=request.user,
            action="admin.user_change" if change else "admin.user_create",
            obj=obj,
            after={"changed": sorted(form.changed_data)},
        )


admin.site.register(RoleAssignment, ReadOnlyAdmin)
admin.site.register(ApiToken, ReadOnlyAdmin)
