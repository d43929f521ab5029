"""How the API knows the caller: personal bearer tokens (every way a token can be wrong
answers 401 in Vietnamese), session cookies with CSRF for writes, and the TOTP second
factor that officers and principals must pass before any API call by session."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.test import APIClient

from truongso.accounts.models import ApiToken
from truongso.accounts.services import api_token_create, api_token_revoke
from truongso.registry.tests.api_support import API, api_clients, fingerprint

ME = f"{API}/me/"
INVALID = "Mã truy cập API không hợp lệ, đã hết hạn hoặc đã bị thu hồi."


@pytest.fixture
def api(world, monkeypatch):
    return api_clients(world, monkeypatch)


def call(authorization, path=ME, **extra):
    return APIClient().get(path, HTTP_AUTHORIZATION=authorization, **extra)


def test_me_with_a_valid_token(world, api):
    response = api("principal").get(ME)
    assert response.status_code == 200
    assert response.json() == {
        "id": world.principal.pk,
        "username": "principal",
        "full_name": "Hiệu trưởng An Bài",
        "email": "",
        "phone": "",
        "roles": ["principal"],
        "grants": [
            {
                "role": "principal",
                "role_name": "Hiệu trưởng",
                "org_unit": {
                    "id": world.school_a.pk,
                    "kind": "school",
                    "code": "34070001",
                    "name": "Trường THCS An Bài",
                },
            }
        ],
        "auth": "token",
    }


def test_me_of_a_parent_and_of_nobody(world, api):
    parent = api("parent").get(ME).json()
    assert parent["roles"] == ["parent"]
    assert parent["grants"] == [{"role": "parent", "role_name": "Phụ huynh", "org_unit": None}]
    nobody = api("nobody").get(ME).json()
    assert (nobody["roles"], nobody["grants"]) == ([], [])


def test_token_is_touched_on_use(world):
    token, secret = api_token_create(user=world.teacher, name="sync")
    assert call(f"Bearer {secret}").status_code == 200
    token.refresh_from_db()
    assert token.last_used_at is not None


@pytest.mark.parametrize(
    ("header", "message"),
    [
        ("Bearer", "Tiêu đề Authorization không đúng định dạng."),
        ("Bearer a b", "Tiêu đề Authorization không đúng định dạng."),
        ("Bearer not-a-token", "Mã truy cập API không hợp lệ."),
        ("Bearer ts_", "Mã truy cập API không hợp lệ."),
        ("Bearer ts__secret", "Mã truy cập API không hợp lệ."),
        ("Bearer ts_deadbeef_unknownsecret", INVALID),
        ("Token ts_deadbeef_unknownsecret", INVALID),
    ],
)
def test_malformed_and_unknown_tokens_answer_401(world, header, message):
    response = call(header)
    assert response.status_code == 401
    assert response.json() == {"detail": message}
    assert response["WWW-Authenticate"] == 'Bearer realm="api"'


def test_wrong_secret_expired_revoked_and_inactive_answer_401(world):
    token, secret = api_token_create(user=world.clerk, name="sync")
    prefix = f"ts_{token.prefix}_"
    assert call(f"Bearer {prefix}{'x' * 43}").json() == {"detail": INVALID}

    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - dt.timedelta(1))
    assert call(f"Bearer {secret}").json() == {"detail": INVALID}

    ApiToken.objects.filter(pk=token.pk).update(expires_at=None)
    assert call(f"Bearer {secret}").status_code == 200
    world.clerk.is_active = False
    world.clerk.save(update_fields=["is_active"])
    response = call(f"Bearer {secret}")
    assert (response.status_code, response.json()) == (401, {"detail": INVALID})

    world.clerk.is_active = True
    world.clerk.save(update_fields=["is_active"])
    api_token_revoke(user=world.clerk, token=token)
    response = call(f"Bearer {secret}")
    assert (response.status_code, response.json()) == (401, {"detail": INVALID})


def test_refused_token_writes_nothing(world):
    before = fingerprint()
    response = APIClient().patch(
        f"{API}/students/{world.students['an'].pk}/",
        {"birthplace": "Hà Nội"},
        HTTP_AUTHORIZATION="Bearer ts_deadbeef_unknownsecret",
    )
    assert response.status_code == 401
    assert fingerprint() == before


def test_no_credentials_answer_401_in_the_request_language(world):
    response = APIClient().get(f"{API}/students/")
    assert response.status_code == 401
    assert response.json() == {
        "detail": "Chưa cung cấp thông tin xác thực (đăng nhập hoặc mã truy cập API)."
    }
    english = APIClient().get(f"{API}/students/", HTTP_ACCEPT_LANGUAGE="en")
    assert english.json() == {"detail": "Authentication credentials were not provided."}


def test_session_writes_need_the_csrf_token(world):
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(world.clerk)
    url = f"{API}/students/{world.students['an'].pk}/"
    assert client.get(url).status_code == 200
    before = fingerprint()
    refused = client.patch(url, {"birthplace": "Hà Nội"})
    assert refused.status_code == 403
    assert refused.json() == {
        "detail": "Kiểm tra CSRF thất bại: hãy gửi tiêu đề X-CSRFToken với giá trị của cookie "
        "csrftoken."
    }
    assert fingerprint() == before
    client.get("/accounts/login/")  # any page that sets the CSRF cookie
    csrf = client.cookies["csrftoken"].value
    accepted = client.patch(url, {"birthplace": "Hà Nội"}, HTTP_X_CSRFTOKEN=csrf)
    assert accepted.status_code == 200
    assert accepted.json()["birthplace"] == "Hà Nội"
    assert client.get(ME).json()["auth"] == "session"


@pytest.mark.parametrize("username", ["principal", "bureau", "department", "ministry"])
def test_officer_session_without_second_factor_gets_403(world, username):
    client = APIClient()
    client.force_login(world.users[username])
    for path in (ME, f"{API}/students/", f"{API}/org-units/"):
        response = client.get(path)
        assert response.status_code == 403
        assert response.json() == {"detail": "Tài khoản này phải xác thực bước hai (mã TOTP)."}
    before = fingerprint()
    assert client.patch(f"{API}/org-units/{world.school_a.pk}/", {"phone": "1"}).status_code == 403
    assert fingerprint() == before


def test_officer_session_after_second_factor_is_served(world):
    user = world.principal
    device = TOTPDevice.objects.create(user=user, name="app", confirmed=True)
    client = APIClient()
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    response = client.get(f"{API}/students/")
    assert response.status_code == 200
    assert response.json()["count"] == 3


def test_officer_token_needs_no_second_factor(world, api):
    """A token can only be created from a session that passed TOTP."""
    assert api("bureau").get(f"{API}/students/").json()["count"] == 3
