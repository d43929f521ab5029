"""Payments pages under /payments/. Each helper module adds its own patterns below."""

from django.urls import URLPattern, URLResolver, path

from truongso.payments import (
    urls_gateway,
    views_fees,
    views_invoices,
    views_portal,
    views_reports,
)

app_name = "payments"
INVOICE = "invoices/<int:pk>/"

urlpatterns: list[URLPattern | URLResolver] = [
    path("", views_portal.home, name="home"),
    path("family/", views_portal.family, name="family"),
    path(f"{INVOICE}demo-transfer/", views_portal.demo_transfer, name="demo_transfer"),
    # Fee set-up
    path("fees/", views_fees.fee_item_list, name="fee_item_list"),
    path("fees/new/", views_fees.fee_item_form, name="fee_item_create"),
    path("fees/<int:pk>/edit/", views_fees.fee_item_form, name="fee_item_edit"),
    path("reductions/", views_fees.reduction_list, name="reduction_list"),
    path("reductions/new/", views_fees.reduction_create, name="reduction_create"),
    # Invoicing
    path("runs/", views_invoices.run_list, name="run_list"),
    path("runs/<int:pk>/", views_invoices.run_detail, name="run_detail"),
    path("invoices/", views_invoices.invoice_list, name="invoice_list"),
    path(INVOICE, views_invoices.invoice_detail, name="invoice_detail"),
    path(f"{INVOICE}notice/", views_invoices.invoice_notice, name="invoice_notice"),
    path(f"{INVOICE}qr.<str:kind>", views_invoices.invoice_qr, name="invoice_qr"),
    path(f"{INVOICE}cancel/", views_invoices.invoice_cancel, name="invoice_cancel"),
    path(f"{INVOICE}credit/", views_invoices.invoice_credit, name="invoice_credit"),
    # Receipts
    path("receipts/<int:pk>.pdf", views_portal.receipt_pdf, name="receipt_pdf"),
    path("receipts/check/<str:token>/", views_portal.receipt_check, name="receipt_check"),
    # Reports
    path("reports/daily/", views_reports.daily, name="report_daily"),
    path("reports/debts/", views_reports.debts, name="report_debts"),
    path("reports/debts/<int:class_pk>/", views_reports.class_debts, name="report_class_debts"),
    path(
        "reports/debts/<int:class_pk>.xlsx",
        views_reports.class_debts_xlsx,
        name="report_class_debts_xlsx",
    ),
    path("reports/cashless/", views_reports.cashless, name="report_cashless"),
    *urls_gateway.urlpatterns,  # online gateway, its local fake, counter, refunds
]
