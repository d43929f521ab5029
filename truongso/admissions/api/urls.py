"""Routes of the admissions API under ``/api/v1/admissions/`` (``admissions-round-*``,
``admissions-round-codes*``, ``admissions-run-*``, ``admissions-application-*``)."""

from django.urls import URLPattern, URLResolver, path
from rest_framework.routers import SimpleRouter

from truongso.admissions.api.applications import ApplicationViewSet
from truongso.admissions.api.codes import codes_view, codes_xlsx_view
from truongso.admissions.api.views import RoundViewSet, RunViewSet

router = SimpleRouter(use_regex_path=False)
router.register("rounds", RoundViewSet, basename="admissions-round")
router.register("runs", RunViewSet, basename="admissions-run")
router.register("applications", ApplicationViewSet, basename="admissions-application")

urlpatterns: list[URLPattern | URLResolver] = [
    *router.urls,
    path("rounds/<int:round_pk>/codes/", codes_view, name="admissions-round-codes"),
    path("rounds/<int:round_pk>/codes.xlsx", codes_xlsx_view, name="admissions-round-codes-xlsx"),
]
