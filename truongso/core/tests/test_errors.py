from __future__ import annotations

import json

from truongso.accounts.services import api_token_create


def test_unknown_api_url_answers_json(client, world):
    _token, secret = api_token_create(user=world.clerk, name="t")
    response = client.get("/api/v1/no-such-thing/", HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json()["detail"] == "Không tìm thấy."


def test_unknown_page_answers_the_site_page(client, world):
    client.force_login(world.teacher)
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert "Không tìm thấy trang" in response.content.decode()


def test_oversized_api_body_is_refused_before_parsing(client, world, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1024 * 1024
    _token, secret = api_token_create(user=world.clerk, name="t")
    body = json.dumps({"full_name": "x" * (2 * 1024 * 1024)})
    response = client.post(
        "/api/v1/students/",
        body,
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {secret}",
    )
    assert response.status_code == 413
    assert "1 MB" in response.json()["detail"]
