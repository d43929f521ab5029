"""A local stand-in for the payment gateway, so that the whole online flow runs offline.

Served only when ``settings.PAYMENTS_FAKE_GATEWAY`` is on (demo, DEBUG, tests); anywhere else
it answers 404. It plays the gateway's part with the same secret: checks the signed pay
request, shows a pay page, and on the payer's choice signs an answer, delivers it to the IPN
endpoint (in-process, as the gateway's server would over HTTP) and sends the browser to the
return URL with the same signed answer.
"""

from __future__ import annotations

import secrets
from urllib.parse import urlsplit

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest, QueryDict
from django.shortcuts import redirect, render
from django.urls import resolve, reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from truongso.payments.gateway import vnpay
from truongso.payments.gateway.services import gateway_config

# The payer's choices on the pay page: (response code, label shown on the button).
CHOICES = {
    "pay": "00",
    "cancel": "24",  # the customer cancelled
    "decline": "51",  # not enough money in the account
}
REPLY_FIELDS = ("vnp_Amount", "vnp_OrderInfo", "vnp_TmnCode", "vnp_TxnRef")


def _enabled() -> None:
    if not settings.PAYMENTS_FAKE_GATEWAY or gateway_config() is None:
        raise Http404


def _reply(request_fields: dict[str, str], choice: str) -> dict[str, str]:
    code = CHOICES[choice]
    reply = {key: request_fields[key] for key in REPLY_FIELDS}
    reply.update(
        {
            "vnp_BankCode": "NCB",
            "vnp_CardType": "ATM",
            "vnp_PayDate": vnpay.wire_time(timezone.now()),
            "vnp_ResponseCode": code,
            "vnp_TransactionNo": str(10**13 + secrets.randbelow(9 * 10**13)),
            "vnp_TransactionStatus": code if code == "00" else "02",
        }
    )
    if code == "00":
        reply["vnp_BankTranNo"] = f"VNP{secrets.randbelow(10**8):08d}"
    return reply


def deliver_ipn(query: str) -> HttpResponse:
    """Call the project's IPN endpoint with ``query`` the way the gateway's server would."""
    path = reverse("payments:gateway_ipn")
    ipn = HttpRequest()
    ipn.method = "GET"
    ipn.path = ipn.path_info = path
    ipn.GET = QueryDict(query)
    ipn.META = {"REMOTE_ADDR": "127.0.0.1", "QUERY_STRING": query, "REQUEST_METHOD": "GET"}
    response: HttpResponse = resolve(path).func(ipn)
    return response


@require_http_methods(["GET", "POST"])
def fake_pay(request: HttpRequest) -> HttpResponse:
    _enabled()
    config = gateway_config()
    assert config is not None
    source = request.GET if request.method == "GET" else request.POST
    query = {key: source[key] for key in source if key.startswith("vnp_")}
    try:
        fields = vnpay.verify(query, config.secret)
    except vnpay.BadSignature:
        return HttpResponseBadRequest("Sai chữ ký / invalid signature (fake gateway)")
    if (
        fields.get("vnp_TmnCode") != config.tmn_code
        or vnpay.amount_of(fields.get("vnp_Amount", "")) is None
    ):
        return HttpResponseBadRequest("Sai yêu cầu / invalid request (fake gateway)")
    if request.method == "GET":
        return render(
            request,
            "payments/gateway/fake_pay.html",
            {
                "fields": fields,
                "signed": query,
                "amount": vnpay.amount_of(fields["vnp_Amount"]),
            },
        )
    choice = request.POST.get("choice", "")
    if choice not in CHOICES:
        return HttpResponseBadRequest("Unknown choice")
    answer = vnpay.signed_query(_reply(fields, choice), config.secret)
    if not request.POST.get("skip_ipn"):
        deliver_ipn(answer)
    return_url = fields.get("vnp_ReturnUrl", "")
    if urlsplit(return_url).scheme not in {"http", "https"}:
        return HttpResponseBadRequest("Bad return URL")
    return redirect(f"{return_url}?{answer}")
