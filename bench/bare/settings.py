"""Settings of the bare baseline: the smallest Django that serves a JSON view.

No database, no middleware, no sessions or authentication: what is left is Django's
request/response cycle and URL routing under the same gunicorn as the real application.
"""

from __future__ import annotations

from django.http import HttpRequest, JsonResponse
from django.urls import path

SECRET_KEY = "bench-bare-not-secret"  # a throw-away benchmark server
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
ROOT_URLCONF = __name__
INSTALLED_APPS: list[str] = []
MIDDLEWARE: list[str] = []
DATABASES: dict[str, object] = {}
USE_I18N = False
USE_TZ = True


def students(request: HttpRequest) -> JsonResponse:
    """A page-shaped answer of the same structure as the real list, without the data."""
    page = request.GET.get("page", "1")
    return JsonResponse({"count": 0, "next": None, "previous": None, "page": page, "results": []})


urlpatterns = [path("api/v1/students/", students)]
