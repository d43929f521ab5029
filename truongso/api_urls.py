"""REST API v1: one router; each domain app contributes its routes from ``<app>/api/``.

URL names live in the ``api`` namespace, e.g. ``api:student-list``, ``api:me``.
"""

from django.urls import include, path

from truongso.accounts import api_views

app_name = "api"
urlpatterns = [
    path("me/", api_views.me, name="me"),
    path("", include("truongso.registry.api.urls")),
]
