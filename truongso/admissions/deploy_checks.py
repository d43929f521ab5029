"""``manage.py check --deploy`` for online admission: parents sign in with a code sent by
SMS, so a production site whose texts go to a log or a file locks every parent out."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import Tags, Warning, register


@register(Tags.security, deploy=True)
def sms_gateway_check(app_configs: Any = None, **kwargs: Any) -> list[Warning]:
    backend = settings.ADMISSIONS_SMS_BACKEND
    if backend == "http" or settings.DEMO_MODE:
        return []
    return [
        Warning(
            f"ADMISSIONS_SMS_BACKEND is {backend!r}: parents' one-time codes and results are "
            "not texted to them (they go to the log or a file).",
            hint="Set ADMISSIONS_SMS_BACKEND=http with ADMISSIONS_SMS_URL and "
            "ADMISSIONS_SMS_API_KEY (docs/deployment.md, 5b).",
            id="admissions.W001",
        )
    ]
