"""API tokens: created from the profile page, stored hashed, revocable, usable once shown."""

from __future__ import annotations

import pytest
from django.urls import reverse
from rest_framework.exceptions import AuthenticationFailed

from truongso.accounts.api import TokenAuthentication
from truongso.accounts.models import ApiToken
from truongso.accounts.services import api_token_create, api_token_revoke
from truongso.core.models import AuditEntry


def test_token_is_stored_as_a_hash_and_authenticates(world, rf):
    token, secret = api_token_create(user=world.teacher, name="script", days=30)
    assert secret.startswith(f"ts_{token.prefix}_")
    assert secret not in token.digest and len(token.digest) == 64
    request = rf.get("/api/v1/me/", HTTP_AUTHORIZATION=f"Bearer {secret}")
    user, found = TokenAuthentication().authenticate(request)
    assert (user, found) == (world.teacher, token)
    assert AuditEntry.objects.filter(action="api_token.create", actor=world.teacher).exists()


def test_revoked_token_is_refused(world, rf):
    token, secret = api_token_create(user=world.teacher, name="script")
    api_token_revoke(user=world.teacher, token=token)
    request = rf.get("/", HTTP_AUTHORIZATION=f"Bearer {secret}")
    with pytest.raises(AuthenticationFailed):
        TokenAuthentication().authenticate(request)


def test_profile_creates_shows_once_and_revokes(client, world):
    client.force_login(world.teacher)
    client.post(reverse("accounts:token_create"), {"name": "Đồng bộ", "days": "90"})
    page = client.get(reverse("accounts:profile")).content.decode()
    token = ApiToken.objects.get(user=world.teacher)
    assert f"ts_{token.prefix}_" in page
    again = client.get(reverse("accounts:profile")).content.decode()
    assert f"ts_{token.prefix}_" not in again  # shown once only
    client.post(reverse("accounts:token_revoke", args=[token.pk]))
    token.refresh_from_db()
    assert token.revoked_at is not None


def test_cannot_revoke_someone_elses_token(client, world):
    token, _secret = api_token_create(user=world.principal, name="x")
    client.force_login(world.teacher)
    assert client.post(reverse("accounts:token_revoke", args=[token.pk])).status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None
