"""A local fake remote-signing service (VNPT SmartCA / Viettel MySign style), for tests and demo.

It receives ``{"credential_id", "hash_algorithm", "hash"}`` with a bearer token, signs the
32-byte digest with the credential's private key (ECDSA P-256 or RSA PKCS#1 v1.5, prehashed) and
answers ``{"signature": base64}``. It never sees a document. For failure tests ``mode`` makes it
slow (``slow``: sleeps ``delay`` seconds first), answer garbage (``garbage``: not base64;
``wrong_key``: a valid signature by another key; ``html``: a 200 HTML page) or fail (``error``:
HTTP 500). Served two ways:

* :func:`serve_fake_remote` runs it on a loopback port in a thread (tests, benchmark);
* :func:`fake_remote_sign_view`, a Django view answering only when
  ``settings.REPORTCARDS_FAKE_SERVICES`` (demo, DEBUG, tests), signs with the test CA's
  PKCS#12 files: credential ``<SCHOOL>/<file>.p12``, bearer token = that file's passphrase.
"""

from __future__ import annotations

import base64
import contextlib
import hmac
import json
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa, utils
from cryptography.hazmat.primitives.serialization import pkcs12
from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from truongso.reportcards.signing import testca
from truongso.reportcards.signing.localserver import serve

PrivateKey = ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey


def sign_digest(key: PrivateKey, digest: bytes) -> bytes:
    if isinstance(key, ec.EllipticCurvePrivateKey):
        return key.sign(digest, ec.ECDSA(utils.Prehashed(hashes.SHA256())))
    return key.sign(digest, padding.PKCS1v15(), utils.Prehashed(hashes.SHA256()))


def _json(status: int, payload: dict[str, Any]) -> tuple[int, str, bytes]:
    return status, "application/json", json.dumps(payload).encode()


@dataclass
class FakeRemoteSigningService:
    """Credentials: ``{credential_id: (private key, bearer token)}``."""

    credentials: dict[str, tuple[PrivateKey, str]]
    mode: str = "ok"
    delay: float = 0.0
    received: list[dict[str, Any]] = field(default_factory=list)

    def handle(self, path: str, headers: dict[str, str], body: bytes) -> tuple[int, str, bytes]:
        if self.mode == "slow":
            time.sleep(self.delay)
        if self.mode == "error":
            return _json(500, {"error": "internal"})
        if self.mode == "html":
            return 200, "text/html", b"<html><body>Maintenance</body></html>"
        try:
            request = json.loads(body)
            digest = base64.b64decode(request["hash"], validate=True)
            credential_id = str(request["credential_id"])
        except (ValueError, KeyError, TypeError):
            return _json(400, {"error": "bad request"})
        self.received.append(request)
        if request.get("hash_algorithm") != "sha256" or len(digest) != 32:
            return _json(400, {"error": "only a SHA-256 digest is signed"})
        entry = self.credentials.get(credential_id)
        token = headers.get("authorization", "").removeprefix("Bearer ")
        if entry is None or not hmac.compare_digest(token.encode(), entry[1].encode()):
            return _json(401, {"error": "unknown credential or token"})
        if self.mode == "garbage":
            return _json(200, {"signature": "%%% not base64 %%%"})
        key = entry[0]
        if self.mode == "wrong_key":
            key = ec.generate_private_key(ec.SECP256R1())
        return _json(200, {"signature": base64.b64encode(sign_digest(key, digest)).decode()})


@contextlib.contextmanager
def serve_fake_remote(service: FakeRemoteSigningService) -> Iterator[str]:
    """Run ``service`` on a loopback port; yields its signing URL."""
    with serve(service.handle) as base:
        yield f"{base}/sign"


def _test_ca_credentials(credential_id: str) -> dict[str, tuple[PrivateKey, str]]:
    school_code, _sep, filename = credential_id.partition("/")
    try:
        item = next(c for c in testca.school_certificates(school_code) if c.file == filename)
    except (StopIteration, ValueError):
        return {}
    key, _cert, _others = pkcs12.load_key_and_certificates(
        item.path(school_code).read_bytes(), item.passphrase.encode()
    )
    assert isinstance(key, ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey)
    return {credential_id: (key, item.passphrase)}


@csrf_exempt
@require_POST
def fake_remote_sign_view(request: HttpRequest) -> HttpResponse:
    """The fake service over the site itself (demo, DEBUG, tests only)."""
    if not settings.REPORTCARDS_FAKE_SERVICES:
        raise Http404
    try:
        credential_id = str(json.loads(request.body)["credential_id"])
    except (ValueError, KeyError, TypeError):
        return JsonResponse({"error": "bad request"}, status=400)
    service = FakeRemoteSigningService(_test_ca_credentials(credential_id))
    status, _ctype, body = service.handle(
        request.path, {k.lower(): v for k, v in request.headers.items()}, request.body
    )
    return HttpResponse(body, status=status, content_type="application/json")
