"""Routes of the gradebook API under ``/api/v1/gradebook/`` (namespace ``api``):
``gradebook-grid``, ``gradebook-scores``, ``gradebook-homeroom``, ``gradebook-class-results``,
``gradebook-student-results``, ``gradebook-school-summary`` and the router's
``gradebook-late-change-list`` / ``-detail`` / ``-decide``."""

from django.urls import URLPattern, URLResolver, path
from rest_framework.routers import SimpleRouter

from truongso.gradebook.api.views.grid import ClassScoresViewSet, GridViewSet
from truongso.gradebook.api.views.homeroom import HomeroomViewSet
from truongso.gradebook.api.views.late_changes import LateChangeViewSet
from truongso.gradebook.api.views.results import (
    ClassResultsViewSet,
    SchoolSummaryViewSet,
    StudentResultsViewSet,
)

router = SimpleRouter(use_regex_path=False)
router.register("late-changes", LateChangeViewSet, basename="gradebook-late-change")

urlpatterns: list[URLPattern | URLResolver] = [
    path(
        "classes/<int:class_id>/subjects/<str:subject_code>/semesters/<int:semester>/",
        GridViewSet.as_view({"get": "retrieve", "post": "save_cells"}),
        name="gradebook-grid",
    ),
    path(
        "classes/<int:class_id>/semesters/<int:semester>/scores/",
        ClassScoresViewSet.as_view({"post": "save_cells"}),
        name="gradebook-scores",
    ),
    path(
        "classes/<int:class_id>/semesters/<int:semester>/homeroom/",
        HomeroomViewSet.as_view({"get": "retrieve", "post": "save_cells"}),
        name="gradebook-homeroom",
    ),
    path(
        "classes/<int:class_id>/results/",
        ClassResultsViewSet.as_view({"get": "retrieve"}),
        name="gradebook-class-results",
    ),
    path(
        "students/<int:student_id>/results/",
        StudentResultsViewSet.as_view({"get": "retrieve"}),
        name="gradebook-student-results",
    ),
    path(
        "schools/<int:school_id>/summary/",
        SchoolSummaryViewSet.as_view({"get": "retrieve"}),
        name="gradebook-school-summary",
    ),
    *router.urls,
]
