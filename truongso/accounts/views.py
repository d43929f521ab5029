from __future__ import annotations

import base64
from typing import Any

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import authenticate, login, logout
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import PasswordChangeView
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST
from django_otp import login as otp_login
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from truongso.accounts import services, throttle
from truongso.accounts.forms import ApiTokenForm, LoginForm, OtpForm
from truongso.accounts.middleware import needs_second_factor
from truongso.accounts.models import ApiToken
from truongso.core import authz
from truongso.core.audit import audit_record
from truongso.core.middleware import client_ip
from truongso.core.typing import AuthedRequest


def _next_url(request: HttpRequest, default: str = "/") -> str:
    candidate = request.POST.get("next") or request.GET.get("next") or default
    if url_has_allowed_host_and_scheme(candidate, {request.get_host()}, request.is_secure()):
        return candidate
    return default


@sensitive_post_parameters("password")
@never_cache
def login_view(request: HttpRequest) -> HttpResponse:
    form = LoginForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        username = form.cleaned_data["username"].strip()
        ip = client_ip(request)
        if throttle.is_locked(username, ip):
            form.add_error(
                None, _("Too many failed attempts. Please wait 15 minutes and try again.")
            )
            audit_record(actor=None, action="login.locked", object_repr=username)
        else:
            user = authenticate(request, username=username, password=form.cleaned_data["password"])
            if user is None:
                throttle.record_failure(username, ip)
                audit_record(actor=None, action="login.failed", object_repr=username)
                form.add_error(None, _("Wrong username or password."))
            else:
                throttle.clear(username, ip)
                login(request, user)
                audit_record(actor=user, action="login", obj=user)
                target = _next_url(request)
                if needs_second_factor(user):
                    return redirect(f"{reverse('accounts:otp')}?{urlencode({'next': target})}")
                return redirect(target)
    return render(request, "accounts/login.html", {"form": form, "next": _next_url(request)})


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    logout(request)
    return redirect("accounts:login")


def _qr_data_uri(text: str) -> str:
    svg = segno.make(text, error="m").svg_inline(scale=5, border=2)
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()


def _demo_code(device: TOTPDevice) -> str | None:
    """The current code, shown only on demo installations so visitors can try the flow."""
    if not settings.DEMO_MODE:
        return None
    return f"{totp(device.bin_key, step=device.step, digits=device.digits):06d}"


@login_required
@never_cache
def otp_view(request: AuthedRequest) -> HttpResponse:
    user = request.user
    target = _next_url(request)
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    setup = device is None
    if setup:
        device = TOTPDevice.objects.filter(user=user, confirmed=False).first() or (
            TOTPDevice.objects.create(user=user, name="Authenticator", confirmed=False)
        )
    form = OtpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        allowed, _unused = device.verify_is_allowed()
        if allowed and device.verify_token(form.cleaned_data["token"].strip()):
            with transaction.atomic():
                if setup:
                    device.confirmed = True
                    device.save(update_fields=["confirmed"])
                    audit_record(actor=user, action="otp.enrol", obj=user)
                otp_login(request, device)
            return redirect(target)
        form.add_error("token", _("The code is wrong or has expired. Try the newest code."))
        audit_record(actor=user, action="otp.failed", obj=user)
    context: dict[str, Any] = {
        "form": form,
        "setup": setup,
        "next": target,
        "demo_code": _demo_code(device),
    }
    if setup:
        context["qr"] = _qr_data_uri(device.config_url)
        context["secret"] = base64.b32encode(device.bin_key).decode().rstrip("=")
    return render(request, "accounts/otp.html", context)


@login_required
def profile(request: AuthedRequest) -> HttpResponse:
    form = ApiTokenForm()
    new_secret = request.session.pop("new_api_token", None)
    return render(
        request,
        "accounts/profile.html",
        {
            "grants": request.user.role_assignments.select_related("org_unit"),
            "derived_roles": [g.role for g in authz.grants(request.user) if g.org_unit_id is None],
            "tokens": ApiToken.objects.filter(user=request.user, revoked_at__isnull=True),
            "token_form": form,
            "new_secret": new_secret,
            "needs_otp": needs_second_factor(request.user),
        },
    )


@login_required
@require_POST
def token_create(request: AuthedRequest) -> HttpResponse:
    form = ApiTokenForm(request.POST)
    if form.is_valid():
        _token, secret = services.api_token_create(
            user=request.user, name=form.cleaned_data["name"], days=form.cleaned_data["days"]
        )
        request.session["new_api_token"] = secret
        messages.success(request, _("Token created. Copy it now: it will not be shown again."))
    else:
        messages.error(request, _("Please give the token a name."))
    return redirect("accounts:profile")


@login_required
@require_POST
def token_revoke(request: AuthedRequest, pk: int) -> HttpResponse:
    token = get_object_or_404(ApiToken, pk=pk, user=request.user)
    services.api_token_revoke(user=request.user, token=token)
    messages.success(request, _("Token revoked."))
    return redirect("accounts:profile")


class PasswordChange(PasswordChangeView):
    template_name = "accounts/password_change.html"
    success_url = reverse_lazy("accounts:profile")

    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)
        user = self.request.user
        audit_record(actor=user, action="password.change", obj=user)  # type: ignore[arg-type]
        messages.success(self.request, _("Your password has been changed."))
        return response
