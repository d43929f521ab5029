"""REST API v1: one router; each domain app contributes its routes from ``<app>/api/``.

URL names live in the ``api`` namespace, e.g. ``api:student-list``, ``api:me``.
"""

from django.urls import include, path

from truongso.accounts.api_views import me

app_name = "api"
urlpatterns = [
    path("me/", me, name="me"),
    path("", include("truongso.registry.api.urls")),
    path("gradebook/", include("truongso.gradebook.api.urls")),
    path("payments/", include("truongso.payments.api.urls")),
    path("reportcards/", include("truongso.reportcards.api.urls")),
    path("admissions/", include("truongso.admissions.api.urls")),
]
