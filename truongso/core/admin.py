"""Django admin: superusers only (see urls.py), read-only for domain data.

Writes to people, grades and money go through services so they are checked and audited;
the admin is a window for support staff, not a second way to change records.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from truongso.core.models import AuditEntry, WorkerHeartbeat


class ReadOnlyAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyAdmin):
    list_display = ("at", "actor_name", "action", "object_type", "object_repr", "ip")
    list_filter = ("action", "object_type")
    search_fields = ("actor_name", "object_repr", "object_id")
    date_hierarchy = "at"


admin.site.register(WorkerHeartbeat, ReadOnlyAdmin)
