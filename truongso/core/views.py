from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
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


@login_required
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "core/home.html", {"dashboard": selectors.dashboard_for(request.user)})
