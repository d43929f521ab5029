"""OTP by SMS: codes hashed, wrong/expired/used codes refused, throttling per phone and IP."""

from __future__ import annotations

import datetime as dt
import json
import re
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Any

import pytest

from truongso.admissions import otp, sms
from truongso.admissions.models import PhoneChallenge, SmsMessage

PHONE = "0912345678"
IP = "203.0.113.7"


def sent_code(phone: str = PHONE) -> str:
    text = SmsMessage.objects.filter(phone=phone).latest("pk").text
    found = re.search(r"\b(\d{6})\b", text)
    assert found, text
    return found.group(1)


def age(challenge: PhoneChallenge, seconds: int) -> None:
    """Move a challenge ``seconds`` into the past."""
    PhoneChallenge.objects.filter(pk=challenge.pk).update(
        created_at=challenge.created_at - dt.timedelta(seconds=seconds),
        expires_at=challenge.expires_at - dt.timedelta(seconds=seconds),
    )


@pytest.fixture(autouse=True)
def _console_sms(settings: Any) -> None:
    settings.ADMISSIONS_SMS_BACKEND = "console"


@pytest.mark.django_db
def test_code_is_sent_hashed_and_accepted_once() -> None:
    challenge = otp.challenge_issue(phone="091 234 5678", remote_addr=IP)
    code = sent_code()
    assert challenge.phone == PHONE
    assert challenge.code_hash == otp.code_hash(phone=PHONE, purpose=otp.APPLY, code=code)
    assert code not in challenge.code_hash
    message = SmsMessage.objects.get()
    assert (message.backend, message.status) == ("console", "sent")
    assert (challenge.expires_at - challenge.created_at).total_seconds() == pytest.approx(300, 1)
    assert otp.challenge_verify(phone=PHONE, code=code) == PHONE
    with pytest.raises(otp.OtpRefused) as refused:
        otp.challenge_verify(phone=PHONE, code=code)
    assert refused.value.code == "otp_none"


@pytest.mark.django_db
def test_wrong_codes_are_counted_then_the_challenge_is_dead() -> None:
    otp.challenge_issue(phone=PHONE, remote_addr=IP)
    code = sent_code()
    wrong = f"{(int(code) + 1) % 10**6:06d}"
    for left in (4, 3, 2, 1):
        with pytest.raises(otp.OtpRefused) as refused:
            otp.challenge_verify(phone=PHONE, code=wrong)
        assert refused.value.code == "otp_wrong"
        assert str(left) in refused.value.messages[0]
    with pytest.raises(otp.OtpRefused) as refused:
        otp.challenge_verify(phone=PHONE, code=wrong)
    assert refused.value.code == "otp_attempts"
    # Even the right code no longer works.
    with pytest.raises(otp.OtpRefused) as refused:
        otp.challenge_verify(phone=PHONE, code=code)
    assert refused.value.code == "otp_attempts"
    assert PhoneChallenge.objects.get().attempts == 5
    assert PhoneChallenge.objects.get().used_at is None


@pytest.mark.django_db
def test_expired_code_is_refused() -> None:
    challenge = otp.challenge_issue(phone=PHONE, remote_addr=IP)
    code = sent_code()
    age(challenge, 301)
    with pytest.raises(otp.OtpRefused) as refused:
        otp.challenge_verify(phone=PHONE, code=code)
    assert refused.value.code == "otp_expired"


@pytest.mark.django_db
def test_code_of_another_phone_is_refused() -> None:
    otp.challenge_issue(phone=PHONE, remote_addr=IP)
    code = sent_code()
    with pytest.raises(otp.OtpRefused) as refused:
        otp.challenge_verify(phone="0987654321", code=code)
    assert refused.value.code == "otp_none"


@pytest.mark.django_db
def test_resend_is_throttled_and_a_new_code_replaces_the_old() -> None:
    first = otp.challenge_issue(phone=PHONE, remote_addr=IP)
    old_code = sent_code()
    with pytest.raises(otp.OtpRefused) as refused:
        otp.challenge_issue(phone=PHONE, remote_addr=IP)
    assert refused.value.code == "otp_resend"
    assert PhoneChallenge.objects.count() == 1
    age(first, 61)
    otp.challenge_issue(phone=PHONE, remote_addr=IP)
    new_code = sent_code()
    if new_code != old_code:
        with pytest.raises(otp.OtpRefused):
            otp.challenge_verify(phone=PHONE, code=old_code)
    assert otp.challenge_verify(phone=PHONE, code=new_code) == PHONE


@pytest.mark.django_db
def test_at_most_five_codes_an_hour_per_phone() -> None:
    for _ in range(5):
        challenge = otp.challenge_issue(phone=PHONE, remote_addr=IP)
        age(challenge, 61)
    with pytest.raises(otp.OtpRefused) as refused:
        otp.challenge_issue(phone=PHONE, remote_addr=IP)
    assert refused.value.code == "otp_phone_limit"
    assert PhoneChallenge.objects.count() == 5


@pytest.mark.django_db
def test_per_ip_limit(settings: Any) -> None:
    settings.ADMISSIONS_OTP_PER_IP_HOUR = 3
    for n in range(3):
        otp.challenge_issue(phone=f"091000000{n}", remote_addr=IP)
    with pytest.raises(otp.OtpRefused) as refused:
        otp.challenge_issue(phone="0910000009", remote_addr=IP)
    assert refused.value.code == "otp_ip_limit"
    # Another network is not affected.
    otp.challenge_issue(phone="0910000009", remote_addr="198.51.100.1")
    assert PhoneChallenge.objects.count() == 4


@pytest.mark.django_db
def test_bad_phone_is_refused_without_sending() -> None:
    with pytest.raises(otp.OtpRefused) as refused:
        otp.challenge_issue(phone="12345", remote_addr=IP)
    assert refused.value.code == "phone"
    assert not SmsMessage.objects.exists()


@pytest.mark.django_db
def test_file_backend_appends_json_lines(settings: Any, tmp_path: Any) -> None:
    settings.ADMISSIONS_SMS_BACKEND = "file"
    settings.ADMISSIONS_SMS_FILE = str(tmp_path / "sms.jsonl")
    sms.sms_send(phone=PHONE, text="Xin chào")
    sms.sms_send(phone=PHONE, text="Lần hai")
    lines = [json.loads(x) for x in (tmp_path / "sms.jsonl").read_text("utf-8").splitlines()]
    assert [(x["to"], x["text"]) for x in lines] == [(PHONE, "Xin chào"), (PHONE, "Lần hai")]
    assert list(SmsMessage.objects.values_list("backend", "status")) == [("file", "sent")] * 2


class FakeGateway(BaseHTTPRequestHandler):
    received: list[tuple[str, dict[str, Any]]] = []
    status = 200

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        FakeGateway.received.append((self.headers["Authorization"], json.loads(body)))
        self.send_response(FakeGateway.status)
        self.end_headers()
        self.wfile.write(b'{"ok": true}')

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def gateway(settings: Any) -> Iterator[type[FakeGateway]]:
    server = HTTPServer(("127.0.0.1", 0), FakeGateway)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    FakeGateway.received = []
    FakeGateway.status = 200
    settings.ADMISSIONS_SMS_BACKEND = "http"
    settings.ADMISSIONS_SMS_URL = f"http://127.0.0.1:{server.server_port}/send"
    settings.ADMISSIONS_SMS_API_KEY = "key-123"
    yield FakeGateway
    server.shutdown()
    server.server_close()


@pytest.mark.django_db(transaction=True)
def test_http_gateway_receives_the_code_and_the_outbox_does_not(
    gateway: type[FakeGateway],
) -> None:
    otp.challenge_issue(phone=PHONE, remote_addr=IP)
    ((auth, body),) = gateway.received
    assert auth == "Bearer key-123"
    assert body["to"] == "+84912345678"
    code = re.search(r"\b(\d{6})\b", body["text"])
    assert code
    message = SmsMessage.objects.get()
    assert (message.backend, message.status, message.error) == ("http", "sent", "")
    assert code.group(1) not in message.text
    assert "••••••" in message.text
    assert otp.challenge_verify(phone=PHONE, code=code.group(1)) == PHONE
    # A redelivered task does not send twice.
    assert sms.sms_deliver(message.pk, "again") == "skipped"
    assert len(gateway.received) == 1


@pytest.mark.django_db(transaction=True)
def test_http_gateway_failure_is_recorded(gateway: type[FakeGateway]) -> None:
    gateway.status = 500
    sms.sms_send(phone=PHONE, text="x")
    message = SmsMessage.objects.get()
    assert (message.status, message.error) == ("failed", "gateway answered HTTP 500")


@pytest.mark.django_db
def test_http_gateway_unreachable(settings: Any) -> None:
    backend = sms.HttpJsonBackend(url="http://127.0.0.1:9/none", api_key="k", timeout=2)
    with pytest.raises(sms.SmsError, match="unreachable"):
        backend.deliver(phone=PHONE, text="x")


def test_unknown_backend(settings: Any) -> None:
    settings.ADMISSIONS_SMS_BACKEND = "pigeon"
    with pytest.raises(sms.SmsError, match="pigeon"):
        sms.backend_get()
