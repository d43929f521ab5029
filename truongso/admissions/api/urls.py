"""Routes of the admissions API under ``/api/v1/admissions/`` (``admissions-round-*``,
``admissions-run-*``)."""

from django.urls import URLPattern, URLResolver
from rest_framework.routers import SimpleRouter

from truongso.admissions.api.views import RoundViewSet, RunViewSet

router = SimpleRouter(use_regex_path=False)
router.register("rounds", RoundViewSet, basename="admissions-round")
router.register("runs", RunViewSet, basename="admissions-run")

urlpatterns: list[URLPattern | URLResolver] = list(router.urls)
