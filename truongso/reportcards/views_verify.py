"""The public verification page (no login): type the code or scan the QR code, see what was
issued, upload a PDF to check that it is that card, unaltered and validly signed."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache

from truongso.reportcards import selectors, verify
from truongso.reportcards.forms import CodeForm, UploadForm
from truongso.reportcards.services.cards import normalise_code


@never_cache
def verify_home(request: HttpRequest) -> HttpResponse:
    """Type a code (GET ?code=) or upload a file to find the card it is."""
    if request.GET.get("code"):
        return redirect("verify:card", code=normalise_code(request.GET["code"]))
    upload = UploadForm(request.POST or None, request.FILES or None)
    check = None
    if request.method == "POST" and upload.is_valid():
        check = verify.check_upload(upload.cleaned_data["file"].read(), None)
    context = {
        "code_form": CodeForm(),
        "upload": upload,
        "check": check,
        "card": verify.public_card(check.card) if check and check.card else None,
    }
    return render(request, "reportcards/verify.html", context)


@never_cache
def verify_card(request: HttpRequest, code: str) -> HttpResponse:
    normal = normalise_code(code)
    if normal != code:
        return redirect("verify:card", code=normal)
    card = selectors.public_card(normal)
    if card is None:
        context = {"code_form": CodeForm(initial={"code": code}), "unknown": code}
        return render(request, "reportcards/verify.html", context, status=404)
    upload = UploadForm(request.POST or None, request.FILES or None)
    check = None
    if request.method == "POST" and upload.is_valid():
        check = verify.check_upload(upload.cleaned_data["file"].read(), card)
    context = {"card": verify.public_card(card), "upload": upload, "check": check}
    return render(request, "reportcards/verify.html", context)
