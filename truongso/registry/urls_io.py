"""Excel import and export pages (names in the ``registry`` namespace)."""

from django.urls import URLPattern, URLResolver, path

from truongso.registry.views import io

urlpatterns: list[URLPattern | URLResolver] = [
    path("imports/", io.import_list, name="import_list"),
    path("imports/new/", io.import_new, name="import_new"),
    path("imports/templates/<str:kind>.xlsx", io.import_template, name="import_template"),
    path("imports/<int:pk>/", io.import_detail, name="import_detail"),
    path("imports/<int:pk>/progress/", io.import_progress, name="import_progress"),
    path("imports/<int:pk>/apply/", io.import_apply, name="import_apply"),
    path("exports/students.xlsx", io.student_export, name="student_export"),
    path("exports/students-c1.xlsx", io.student_export_ministry, name="student_export_ministry"),
    path("exports/staff.xlsx", io.staff_export, name="staff_export"),
    path("exports/classes.xlsx", io.class_export, name="class_export"),
    path("exports/schools.xlsx", io.school_export, name="school_export"),
    path("schools/<int:pk>/register.xlsx", io.register_xlsx, name="register_xlsx"),
]
