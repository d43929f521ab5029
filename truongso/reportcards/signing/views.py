"""The test CA's certificate revocation list, published where its certificates say it is."""

from __future__ import annotations

from django.conf import settings
from django.http import FileResponse, Http404, HttpRequest
from django.views.decorators.http import require_GET

from truongso.reportcards.signing import testca


@require_GET
def test_ca_crl(request: HttpRequest) -> FileResponse:
    if not settings.REPORTCARDS_FAKE_SERVICES:
        raise Http404
    path = testca.signing_dir() / "ca" / "root.crl"
    if not path.exists():
        raise Http404
    return FileResponse(path.open("rb"), content_type="application/pkix-crl")
