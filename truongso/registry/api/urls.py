"""Routes of the registry API under ``/api/v1/`` (URL names ``<basename>-list`` / ``-detail``
and ``<basename>-<action>``, e.g. ``student-history``)."""

from django.urls import URLPattern, URLResolver
from rest_framework.routers import SimpleRouter

from truongso.registry.api.views.classes import ClassViewSet, TeachingAssignmentViewSet
from truongso.registry.api.views.org import (
    GradeSubjectViewSet,
    OrgUnitViewSet,
    SchoolYearViewSet,
    SubjectViewSet,
)
from truongso.registry.api.views.staff import StaffViewSet
from truongso.registry.api.views.students import StudentViewSet
from truongso.registry.api.views.transfers import TransferViewSet

router = SimpleRouter(use_regex_path=False)
router.register("org-units", OrgUnitViewSet, basename="org-unit")
router.register("school-years", SchoolYearViewSet, basename="school-year")
router.register("subjects", SubjectViewSet, basename="subject")
router.register("grade-subjects", GradeSubjectViewSet, basename="grade-subject")
router.register("classes", ClassViewSet, basename="class")
router.register("teaching-assignments", TeachingAssignmentViewSet, basename="teaching-assignment")
router.register("staff", StaffViewSet, basename="staff")
router.register("students", StudentViewSet, basename="student")
router.register("transfers", TransferViewSet, basename="transfer")

urlpatterns: list[URLPattern | URLResolver] = list(router.urls)
