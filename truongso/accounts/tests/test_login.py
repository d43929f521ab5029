"""Login, throttling, second factor and session security."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.core.cache import cache
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from truongso.core.models import AuditEntry
from truongso.testing.world import PASSWORD

LOGIN = "/accounts/login/"


@pytest.fixture(autouse=True)
def _clear_cache():
    cache.clear()
    yield
    cache.clear()


def post_login(client, username, password=PASSWORD, **extra):
    return client.post(LOGIN, {"username": username, "password": password, **extra})


def current_code(device: TOTPDevice) -> str:
    return f"{totp(device.bin_key, step=device.step, digits=device.digits):06d}"


def test_login_page_is_vietnamese_by_default(client, db):
    page = client.get(LOGIN)
    assert page.status_code == 200
    assert "Đăng nhập" in page.content.decode()
    assert page.headers["X-Frame-Options"] == "DENY"


def test_teacher_logs_in_without_second_factor(client, world):
    response = post_login(client, "teacher")
    assert response.status_code == 302 and response.url == "/"
    assert client.get("/").status_code == 200
    assert AuditEntry.objects.filter(action="login", actor=world.teacher).count() == 1


def test_wrong_password_is_refused_and_audited(client, world):
    response = post_login(client, "teacher", "sai-mat-khau")
    assert response.status_code == 200
    assert "Sai tên đăng nhập hoặc mật khẩu" in response.content.decode()
    assert "_auth_user_id" not in client.session
    assert AuditEntry.objects.filter(action="login.failed", object_repr="teacher").count() == 1


def test_lockout_after_repeated_failures_even_with_the_right_password(client, world):
    for _ in range(settings.LOGIN_FAILURE_LIMIT):
        post_login(client, "teacher", "sai-mat-khau")
    response = post_login(client, "teacher")
    assert "_auth_user_id" not in client.session
    assert "Quá nhiều lần đăng nhập sai" in response.content.decode()
    # Another user from the same address is not locked by the teacher's failures.
    post_login(client, "clerk")
    assert client.session["_auth_user_id"] == str(world.clerk.pk)


def test_success_clears_the_failure_count(client, world):
    for _ in range(settings.LOGIN_FAILURE_LIMIT - 1):
        post_login(client, "teacher", "sai-mat-khau")
    post_login(client, "teacher")
    client.logout()
    for _ in range(settings.LOGIN_FAILURE_LIMIT - 1):
        post_login(client, "teacher", "sai-mat-khau")
    post_login(client, "teacher")
    assert client.session["_auth_user_id"] == str(world.teacher.pk)


def test_open_redirect_is_refused(client, world):
    response = post_login(client, "teacher", next="https://evil.example/steal")
    assert response.url == "/"


@pytest.mark.parametrize("username", ["principal", "bureau", "department", "ministry"])
def test_officers_and_principals_must_enrol_totp(client, world, username):
    response = post_login(client, username)
    assert response.url.startswith(reverse("accounts:otp"))
    # Every other page sends them back to the second factor.
    home = client.get("/")
    assert home.status_code == 302 and home.url.startswith(reverse("accounts:otp"))
    setup = client.get(reverse("accounts:otp"))
    assert "Thiết lập đăng nhập hai bước" in setup.content.decode()
    device = TOTPDevice.objects.get(user__username=username, confirmed=False)
    done = client.post(reverse("accounts:otp"), {"token": current_code(device), "next": "/"})
    assert done.status_code == 302 and done.url == "/"
    device.refresh_from_db()
    assert device.confirmed
    assert client.get("/").status_code == 200


def test_wrong_totp_code_is_refused(client, world):
    TOTPDevice.objects.create(user=world.principal, name="app", confirmed=True)
    post_login(client, "principal")
    response = client.post(reverse("accounts:otp"), {"token": "000000"})
    assert response.status_code == 200
    assert "Mã không đúng" in response.content.decode()
    assert client.get("/").status_code == 302


def test_confirmed_device_is_asked_for_on_each_login(client, world):
    device = TOTPDevice.objects.create(user=world.principal, name="app", confirmed=True)
    post_login(client, "principal")
    page = client.get(reverse("accounts:otp"))
    assert "Nhập mã đăng nhập" in page.content.decode()
    client.post(reverse("accounts:otp"), {"token": current_code(device)})
    assert client.get("/").status_code == 200


def test_demo_mode_shows_the_current_code(client, world, settings):
    settings.DEMO_MODE = True
    device = TOTPDevice.objects.create(user=world.principal, name="app", confirmed=True)
    post_login(client, "principal")
    assert current_code(device) in client.get(reverse("accounts:otp")).content.decode()


def test_logout_needs_post(client, world):
    post_login(client, "teacher")
    assert client.get("/accounts/logout/").status_code == 405
    client.post("/accounts/logout/")
    assert "_auth_user_id" not in client.session


def test_session_cookie_is_httponly_and_samesite(client, world):
    response = post_login(client, "teacher")
    cookie = response.cookies[settings.SESSION_COOKIE_NAME]
    assert cookie["httponly"] is True
    assert cookie["samesite"] == "Lax"


def test_anonymous_is_sent_to_login(client, db):
    response = client.get("/")
    assert response.status_code == 302 and response.url.startswith(LOGIN)
