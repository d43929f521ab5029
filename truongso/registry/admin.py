from __future__ import annotations

from django.contrib import admin

from truongso.core.admin import ReadOnlyAdmin
from truongso.registry import models


@admin.register(models.OrgUnit)
class OrgUnitAdmin(ReadOnlyAdmin):
    list_display = ("code", "name", "kind", "level", "is_active")
    list_filter = ("kind", "level", "is_active")
    search_fields = ("code", "search_name")


@admin.register(models.Student)
class StudentAdmin(ReadOnlyAdmin):
    list_display = ("learner_id", "temp_code", "full_name", "birth_date", "school", "status")
    list_filter = ("status",)
    search_fields = ("learner_id", "temp_code", "search_name")
    list_select_related = ("school",)


@admin.register(models.Staff)
class StaffAdmin(ReadOnlyAdmin):
    list_display = ("full_name", "staff_code", "position", "org_unit", "is_active")
    search_fields = ("staff_code", "search_name")
    list_select_related = ("org_unit",)


for model in (
    models.SchoolYear,
    models.Semester,
    models.Subject,
    models.GradeSubject,
    models.SchoolClass,
    models.TeachingAssignment,
    models.Guardian,
    models.StudentGuardian,
    models.Placement,
    models.EnrolmentEvent,
    models.RegisterEntry,
    models.TransferRequest,
):
    admin.site.register(model, ReadOnlyAdmin)
