"""Routes of the payments API under ``/api/v1/payments/`` (names ``payments-invoice-list`` /
``-detail``, ``payments-payment-list`` / ``-detail``)."""

from django.urls import URLPattern, URLResolver
from rest_framework.routers import SimpleRouter

from truongso.payments.api.views import InvoiceViewSet, PaymentViewSet

router = SimpleRouter(use_regex_path=False)
router.register("invoices", InvoiceViewSet, basename="payments-invoice")
router.register("payments", PaymentViewSet, basename="payments-payment")

urlpatterns: list[URLPattern | URLResolver] = list(router.urls)
