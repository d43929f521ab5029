"""Online payment through a web gateway (cổng thanh toán trực tuyến), VNPay style.

The parent presses "pay online" on an invoice; :func:`services.gateway_order_start` records a
``GatewayOrder`` and answers a signed redirect to the gateway; the gateway calls back twice,
both signed with HMAC-SHA512: the browser comes back to the return URL, and the gateway's server
calls the IPN URL. Both go through :func:`services.gateway_reply_apply`, which checks signature,
order and amount and applies the money once (``payment_receive`` + ``payment_allocate`` with
``how=gateway``); a replay answers "already confirmed" and changes nothing.

``fake.py`` is a local stand-in for the gateway (pay page, signed callbacks) served only in demo,
DEBUG and test runs, so the whole redirect → pay → return/IPN flow runs offline.
"""
