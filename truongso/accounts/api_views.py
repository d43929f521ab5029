"""``GET /api/v1/me/``: who the caller is, and what the authorization layer grants them."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.decorators import api_view
from rest_framework.exceptions import NotAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from truongso.accounts.models import User
from truongso.core import authz
from truongso.core.authz import Role
from truongso.registry.models import OrgUnit


class TokenScheme(OpenApiAuthenticationExtension):  # type: ignore[no-untyped-call]
    """Documents :class:`truongso.accounts.api.TokenAuthentication` in the OpenAPI schema."""

    target_class = "truongso.accounts.api.TokenAuthentication"
    name = "bearerToken"

    def get_security_definition(self, auto_schema: Any) -> dict[str, Any]:
        return {
            "type": "http",
            "scheme": "bearer",
            "bearerFormat": "ts_<prefix>_<secret>",
            "description": _("Personal API token created on the profile page."),
        }


class GrantUnitSerializer(serializers.ModelSerializer[OrgUnit]):
    class Meta:
        model = OrgUnit
        fields = ["id", "kind", "code", "name"]


class GrantSerializer(serializers.Serializer[Any]):
    role = serializers.ChoiceField(choices=Role.choices)
    role_name = serializers.CharField()
    org_unit = GrantUnitSerializer(
        allow_null=True, help_text=_("Null for parent and student roles, which follow the links.")
    )


class MeSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    username = serializers.CharField()
    full_name = serializers.CharField()
    email = serializers.CharField()
    phone = serializers.CharField()
    roles = serializers.ListField(child=serializers.ChoiceField(choices=Role.choices))
    grants = GrantSerializer(many=True)
    auth = serializers.ChoiceField(
        choices=["token", "session"], help_text=_("How this request was authenticated.")
    )


def grant_rows(user: User) -> list[dict[str, Any]]:
    """The user's active grants with their org units (one query for the units)."""
    grants = authz.grants(user)
    units = OrgUnit.objects.in_bulk([g.org_unit_id for g in grants if g.org_unit_id])
    labels = dict(Role.choices)
    return [
        {
            "role": g.role,
            "role_name": labels.get(g.role, g.role),
            "org_unit": units.get(g.org_unit_id) if g.org_unit_id else None,
        }
        for g in grants
    ]


@extend_schema(summary=_("The caller, their roles and grants"), responses=MeSerializer)
@api_view(["GET"])
def me(request: Request) -> Response:
    user = request.user
    if not isinstance(user, User):  # IsAuthenticated has already refused anonymous callers
        raise NotAuthenticated
    grants = grant_rows(user)
    body = {
        "id": user.pk,
        "username": user.username,
        "full_name": user.full_name,
        "email": user.email,
        "phone": user.phone,
        "roles": sorted({g["role"] for g in grants}),
        "grants": grants,
        "auth": "token" if request.auth is not None else "session",
    }
    return Response(MeSerializer(body).data)
