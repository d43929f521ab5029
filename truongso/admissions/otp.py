"""One-time codes by SMS (mã OTP) proving that the person at the browser holds a phone.

The parent path of admissions has no password (DESIGN.md §5: a password check costs about
210 ms of CPU, and 100,000 parents open the window in the same hour): a 6-digit code goes to
the phone, and a correct code opens a signed, phone-scoped session (``parent_session``).

* Only an HMAC-SHA256 of the code (keyed with ``SECRET_KEY``, bound to the phone and the
  purpose) is stored; the comparison is constant-time.
* A code lives ``ADMISSIONS_OTP_TTL`` seconds (5 minutes) and allows
  ``ADMISSIONS_OTP_MAX_ATTEMPTS`` wrong tries (5); a new code replaces the old one.
* Sending is throttled per phone (one code per ``ADMISSIONS_OTP_RESEND_SECONDS``, at most
  ``ADMISSIONS_OTP_PER_PHONE_HOUR`` an hour) and per client IP (``ADMISSIONS_OTP_PER_IP_HOUR``),
  counted from the challenge rows themselves, so every app server sees the same counts.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from truongso.admissions.models import PhoneChallenge
from truongso.admissions.sms import sms_send
from truongso.registry.cleaning import clean_phone

APPLY = "admission"


def _setting(name: str, default: int) -> int:
    return int(getattr(settings, name, default))


def ttl() -> int:
    return _setting("ADMISSIONS_OTP_TTL", 300)


def max_attempts() -> int:
    return _setting("ADMISSIONS_OTP_MAX_ATTEMPTS", 5)


class OtpRefused(ValidationError):
    """The code was not sent or not accepted; the message says why, in the user's language."""


def code_hash(*, phone: str, purpose: str, code: str) -> str:
    key = settings.SECRET_KEY.encode()
    return hmac.new(key, f"{purpose}:{phone}:{code}".encode(), hashlib.sha256).hexdigest()


def _phone(raw: Any) -> str:
    try:
        return clean_phone(raw, required=True)
    except ValidationError as exc:
        raise OtpRefused(exc.messages[0], code="phone") from exc


def _throttle(*, phone: str, remote_addr: str | None, now: dt.datetime) -> None:
    hour_ago = now - dt.timedelta(hours=1)
    resend = _setting("ADMISSIONS_OTP_RESEND_SECONDS", 60)
    recent = PhoneChallenge.objects.filter(phone=phone, created_at__gte=hour_ago)
    last = recent.order_by("-created_at").values_list("created_at", flat=True).first()
    if last is not None and (now - last).total_seconds() < resend:
        wait = resend - int((now - last).total_seconds())
        raise OtpRefused(
            ngettext(
                "A code was just sent to this phone; you may ask for another in %(n)d second.",
                "A code was just sent to this phone; you may ask for another in %(n)d seconds.",
                wait,
            )
            % {"n": wait},
            code="otp_resend",
        )
    if recent.count() >= _setting("ADMISSIONS_OTP_PER_PHONE_HOUR", 5):
        raise OtpRefused(
            _("Too many codes were sent to this phone in the last hour; try again later."),
            code="otp_phone_limit",
        )
    ip_limit = _setting("ADMISSIONS_OTP_PER_IP_HOUR", 30)
    if remote_addr and (
        PhoneChallenge.objects.filter(remote_addr=remote_addr, created_at__gte=hour_ago).count()
        >= ip_limit
    ):
        raise OtpRefused(
            _("Too many codes were requested from this network in the last hour; try later."),
            code="otp_ip_limit",
        )


def challenge_issue(*, phone: Any, remote_addr: str | None, purpose: str = APPLY) -> PhoneChallenge:
    """Send a new code to ``phone``; earlier unused codes of the phone stop working."""
    phone = _phone(phone)
    now = timezone.now()
    with transaction.atomic():
        _throttle(phone=phone, remote_addr=remote_addr, now=now)
        PhoneChallenge.objects.filter(phone=phone, purpose=purpose, used_at__isnull=True).update(
            used_at=now
        )
        code = f"{secrets.randbelow(10**6):06d}"
        challenge = PhoneChallenge.objects.create(
            phone=phone,
            purpose=purpose,
            code_hash=code_hash(phone=phone, purpose=purpose, code=code),
            expires_at=now + dt.timedelta(seconds=ttl()),
            remote_addr=remote_addr,
        )
        text = _("Truong So: your admission code is %(code)s, valid for %(minutes)d minutes.") % {
            "code": code,
            "minutes": ttl() // 60,
        }
        sms_send(phone=phone, text=text, redact=code)
    return challenge


def challenge_verify(*, phone: str, code: Any, purpose: str = APPLY) -> str:
    """Check ``code`` against the phone's live challenge; returns the phone on success.

    Every wrong try is counted (and committed) before the refusal is raised.
    """
    phone = _phone(phone)
    code = str(code or "").strip()
    now = timezone.now()
    with transaction.atomic():
        challenge = (
            PhoneChallenge.objects.select_for_update()
            .filter(phone=phone, purpose=purpose, used_at__isnull=True)
            .order_by("-created_at")
            .first()
        )
        refusal = _refusal(challenge, now)
        if refusal is None and challenge is not None:
            ok = hmac.compare_digest(
                challenge.code_hash, code_hash(phone=phone, purpose=purpose, code=code)
            )
            if ok:
                challenge.used_at = now
                challenge.save(update_fields=["used_at"])
                return phone
            PhoneChallenge.objects.filter(pk=challenge.pk).update(attempts=F("attempts") + 1)
            left = max_attempts() - challenge.attempts - 1
            refusal = (
                OtpRefused(
                    ngettext("Wrong code; %(n)d try left.", "Wrong code; %(n)d tries left.", left)
                    % {"n": left},
                    code="otp_wrong",
                )
                if left > 0
                else _too_many()
            )
    assert refusal is not None
    raise refusal


def _too_many() -> OtpRefused:
    return OtpRefused(
        _("Too many wrong codes; ask for a new code."),
        code="otp_attempts",
    )


def _refusal(challenge: PhoneChallenge | None, now: dt.datetime) -> OtpRefused | None:
    if challenge is None:
        return OtpRefused(_("No code was sent to this phone; ask for a code."), code="otp_none")
    if challenge.expires_at <= now:
        return OtpRefused(_("The code has expired; ask for a new code."), code="otp_expired")
    if challenge.attempts >= max_attempts():
        return _too_many()
    return None
