"""RFC 3161 timestamps: a small HTTP client for the configured TSA, with clear errors."""

from __future__ import annotations

import functools
import urllib.error
import urllib.request

from asn1crypto import tsp
from django.conf import settings
from django.utils.translation import gettext as _
from pyhanko.sign.timestamps.api import TimeStamper

from truongso.reportcards.signing.errors import SigningError


class HttpTimeStamper(TimeStamper):
    """POSTs ``application/timestamp-query`` to ``url`` (stdlib HTTP, bounded by ``timeout``)."""

    def __init__(self, url: str, timeout: float = 10.0) -> None:
        super().__init__(include_nonce=True)  # type: ignore[no-untyped-call]
        self.url = url
        self.timeout = timeout

    async def async_request_tsa_response(self, req: tsp.TimeStampReq) -> tsp.TimeStampResp:
        request = urllib.request.Request(  # noqa: S310 - the URL is configuration
            self.url,
            data=req.dump(),
            method="POST",
            headers={"Content-Type": "application/timestamp-query"},
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310
                if response.headers.get_content_type() != "application/timestamp-reply":
                    raise SigningError(
                        "tsa_error",
                        _("The timestamp authority answered something that is not a timestamp."),
                    )
                raw = response.read(1_000_000)
        except SigningError:
            raise
        except urllib.error.HTTPError as exc:
            raise SigningError(
                "tsa_error",
                _("The timestamp authority refused the request (HTTP %(status)s).")
                % {"status": exc.code},
            ) from None
        except (TimeoutError, urllib.error.URLError, OSError):
            raise SigningError(
                "tsa_error",
                _("The timestamp authority %(url)s cannot be reached; nothing was signed.")
                % {"url": self.url},
            ) from None
        try:
            answer = tsp.TimeStampResp.load(raw)
            answer.native  # noqa: B018 - parse it all now, not somewhere inside pyHanko
        except ValueError:
            raise SigningError(
                "tsa_error",
                _("The timestamp authority answered something that is not a timestamp."),
            ) from None
        return answer


@functools.lru_cache(maxsize=4)
def _shared(url: str, timeout: float) -> HttpTimeStamper:
    return HttpTimeStamper(url, timeout=timeout)


def configured_timestamper() -> HttpTimeStamper | None:
    """The TSA of ``settings.REPORTCARDS_TSA_URL``, or None when no TSA is configured.

    One instance per URL for the process: pyHanko asks it once for a sample token (to learn
    the TSA's chain for B-LT and the room to reserve) and reuses that for every signature.
    """
    url = settings.REPORTCARDS_TSA_URL
    if not url:
        return None
    return _shared(url, float(settings.REPORTCARDS_TSA_TIMEOUT))
