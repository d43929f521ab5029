from __future__ import annotations

import uuid
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from truongso.core import context


def client_ip(request: HttpRequest) -> str | None:
    # Behind a load balancer the proxy sets REMOTE_ADDR via its own config (e.g. gunicorn
    # --forwarded-allow-ips); trusting X-Forwarded-For here would let clients spoof it.
    return request.META.get("REMOTE_ADDR") or None


class RequestContextMiddleware:
    """Makes the client IP and a request ID available to audit entries written by services."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request_id = request.META.get("HTTP_X_REQUEST_ID", "")[:64] or uuid.uuid4().hex
        token = context.activate(
            context.RequestContext(ip=client_ip(request), request_id=request_id)
        )
        try:
            response = self.get_response(request)
        finally:
            context.reset(token)
        response["X-Request-ID"] = request_id
        return response
