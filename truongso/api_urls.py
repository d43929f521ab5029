"""REST API v1: one router; each domain app contributes its routes from ``<app>/api/``."""

from django.urls import include, path

urlpatterns = [
    path("", include("truongso.registry.api.urls")),
]
