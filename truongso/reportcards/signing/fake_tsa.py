"""A local fake RFC 3161 timestamp authority for tests and demo (signs with the test CA's TSA).

:func:`serve_fake_tsa` runs it on a loopback port (tests, benchmark); :func:`fake_tsa_view` serves
it from the site itself when ``settings.REPORTCARDS_FAKE_SERVICES`` (demo, DEBUG, tests), so a
demo can set ``REPORTCARDS_TSA_URL=http://127.0.0.1:8000/reportcards/signing/fake-tsa/``.
``mode="garbage"`` answers bytes that are not a timestamp reply; ``mode="error"`` HTTP 500.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from asn1crypto import keys, tsp
from cryptography.hazmat.primitives import serialization
from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST
from pyhanko.sign.timestamps.dummy_client import DummyTimeStamper
from pyhanko_certvalidator.registry import SimpleCertificateStore

from truongso.reportcards.signing import testca
from truongso.reportcards.signing.certs import to_asn1
from truongso.reportcards.signing.localserver import serve

REPLY = "application/timestamp-reply"


@dataclass
class FakeTSA:
    stamper: DummyTimeStamper
    mode: str = "ok"
    requests: int = 0

    def handle(self, path: str, headers: dict[str, str], body: bytes) -> tuple[int, str, bytes]:
        self.requests += 1
        if self.mode == "error":
            return 500, "text/plain", b"TSA down"
        if self.mode == "garbage":
            return 200, REPLY, b"\x30\x03garbage"
        try:
            request = tsp.TimeStampReq.load(body)
            request.native  # noqa: B018 - parse it all
        except ValueError:
            return 400, "text/plain", b"bad request"
        return 200, REPLY, self.stamper.request_tsa_response(request).dump()


def fake_tsa(directory: Path | None = None, mode: str = "ok") -> FakeTSA:
    """The fake TSA of the test CA under ``directory`` (the signing dir by default)."""
    root = testca.ensure_root(directory)
    cert, key = root.tsa()
    key_info = keys.PrivateKeyInfo.load(
        key.private_bytes(
            serialization.Encoding.DER,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    chain = SimpleCertificateStore.from_certs([to_asn1(root.cert)])  # type: ignore[no-untyped-call]
    stamper = DummyTimeStamper(tsa_cert=to_asn1(cert), tsa_key=key_info, certs_to_embed=chain)
    return FakeTSA(stamper, mode=mode)


@contextlib.contextmanager
def serve_fake_tsa(tsa: FakeTSA) -> Iterator[str]:
    with serve(tsa.handle) as base:
        yield f"{base}/tsa"


_SITE_TSA: dict[str, FakeTSA] = {}


@csrf_exempt
@require_POST
def fake_tsa_view(request: HttpRequest) -> HttpResponse:
    if not settings.REPORTCARDS_FAKE_SERVICES:
        raise Http404
    key = str(settings.REPORTCARDS_SIGNING_DIR)
    if key not in _SITE_TSA:
        _SITE_TSA[key] = fake_tsa()
    status, content_type, body = _SITE_TSA[key].handle(request.path, {}, request.body)
    return HttpResponse(body, status=status, content_type=content_type)


__all__ = ["FakeTSA", "fake_tsa", "fake_tsa_view", "serve_fake_tsa"]
