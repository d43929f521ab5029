"""URLs of the org pages: units, classes and teaching assignments, staff, calendar."""

from django.urls import URLPattern, URLResolver, path

from truongso.registry.views import calendar, classes, org, staff

urlpatterns: list[URLPattern | URLResolver] = [
    path("units/", org.orgunit_list, name="orgunit_list"),
    path("units/new/", org.orgunit_create, name="orgunit_create"),
    path("units/<int:pk>/", org.orgunit_detail, name="orgunit_detail"),
    path("units/<int:pk>/edit/", org.orgunit_edit, name="orgunit_edit"),
    path("units/<int:pk>/close/", org.orgunit_close, name="orgunit_close"),
    path("units/<int:pk>/reopen/", org.orgunit_reopen, name="orgunit_reopen"),
    path("classes/", classes.class_list, name="class_list"),
    path("classes/new/", classes.class_create, name="class_create"),
    path("classes/<int:pk>/", classes.class_detail, name="class_detail"),
    path("classes/<int:pk>/edit/", classes.class_edit, name="class_edit"),
    path(
        "classes/<int:pk>/teaching/<int:subject_pk>/",
        classes.teaching_assign,
        name="teaching_assign",
    ),
    path(
        "classes/<int:pk>/teaching/remove/<int:assignment_pk>/",
        classes.teaching_unassign,
        name="teaching_unassign",
    ),
    path("staff/", staff.staff_list, name="staff_list"),
    path("staff/new/", staff.staff_create, name="staff_create"),
    path("staff/<int:pk>/", staff.staff_detail, name="staff_detail"),
    path("staff/<int:pk>/edit/", staff.staff_edit, name="staff_edit"),
    path("staff/<int:pk>/login/", staff.staff_account, name="staff_account"),
    path("years/", calendar.year_list, name="year_list"),
    path("years/<int:pk>/current/", calendar.year_set_current, name="year_set_current"),
    path("curriculum/", calendar.curriculum, name="curriculum"),
    path("curriculum/<int:pk>/edit/", calendar.curriculum_edit, name="curriculum_edit"),
]
