"""`check --deploy` warns when parents' texts would not reach them."""

from __future__ import annotations

from typing import Any

from truongso.admissions.deploy_checks import sms_gateway_check


def test_console_or_file_backend_is_a_deploy_warning(settings: Any) -> None:
    settings.DEMO_MODE = False
    for backend in ("console", "file"):
        settings.ADMISSIONS_SMS_BACKEND = backend
        [warning] = sms_gateway_check()
        assert warning.id == "admissions.W001" and repr(backend) in warning.msg
    settings.ADMISSIONS_SMS_BACKEND = "http"
    assert sms_gateway_check() == []
    settings.ADMISSIONS_SMS_BACKEND = "file"
    settings.DEMO_MODE = True
    assert sms_gateway_check() == []
