from __future__ import annotations

from django.conf import settings


def test_pages_are_vietnamese_even_for_an_english_browser(client, db):
    page = client.get("/accounts/login/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert "Đăng nhập" in page.content.decode()
    assert page.headers["Content-Language"] == "vi"


def test_the_language_switch_wins(client, db):
    client.post("/i18n/setlang/", {"language": "en", "next": "/accounts/login/"})
    assert client.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    page = client.get("/accounts/login/", HTTP_ACCEPT_LANGUAGE="vi")
    assert "Log in to Trường Số" in page.content.decode()


def test_unknown_cookie_value_falls_back_to_vietnamese(client, db):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "xx"
    assert "Đăng nhập" in client.get("/accounts/login/").content.decode()


def test_api_clients_may_ask_for_english(client, world):
    client.force_login(world.teacher)
    body = client.get("/api/v1/no-such/", HTTP_ACCEPT_LANGUAGE="en").json()
    assert body["detail"] == "Not found."
