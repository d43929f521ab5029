from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views import defaults
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from truongso.core import health, selectors


@require_GET
@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    database = health.database_status()
    queue = health.queue_status()
    broken = "error" in (database["status"], queue["status"])
    status = "error" if broken else ("ok" if queue["status"] == "ok" else "degraded")
    return JsonResponse(
        {"status": status, "database": database, "queue": queue}, status=503 if broken else 200
    )


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    """JSON for API clients, the site's page for people."""
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": _("Not found.")}, status=404)
    return defaults.page_not_found(request, exception)


def server_error(request: HttpRequest) -> HttpResponse:
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": _("Server error; nothing was saved partly.")}, status=500)
    return defaults.server_error(request)


@login_required
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "core/home.html", {"dashboard": selectors.dashboard_for(request.user)})
