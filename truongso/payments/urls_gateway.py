"""Patterns of the online gateway, its local fake, the counter (wallet and card slips) and
refunds; included by ``payments/urls.py``."""

from django.urls import URLPattern, path

from truongso.payments import views_gateway, views_manual
from truongso.payments.gateway import fake

urlpatterns: list[URLPattern] = [
    path("invoices/<int:pk>/pay-online/", views_gateway.gateway_start, name="gateway_start"),
    path("gateway/return/", views_gateway.gateway_return, name="gateway_return"),
    path("gateway/ipn/", views_gateway.gateway_ipn, name="gateway_ipn"),
    path("fake-gateway/pay/", fake.fake_pay, name="fake_gateway_pay"),
    path("counter/", views_manual.manual_record, name="manual_record"),
    path("payments/<int:pk>/refund/", views_manual.payment_refund_view, name="payment_refund"),
    path(
        "students/<int:pk>/schools/<int:school_pk>/refund/",
        views_manual.credit_refund_view,
        name="credit_refund",
    ),
]
