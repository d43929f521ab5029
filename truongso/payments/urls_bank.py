"""Bank feed URLs (/payments/webhooks/… for the services, /payments/bank/… for people)."""

from django.urls import URLPattern, path

from truongso.payments import views_bank

app_name = "payments_bank"

urlpatterns: list[URLPattern] = [
    path("webhooks/<slug:provider>/", views_bank.webhook, name="webhook"),
    # Services are often configured without the final slash; a redirect would lose the POST.
    path("webhooks/<slug:provider>", views_bank.webhook, name="webhook_bare"),
    path("bank/queue/", views_bank.queue, name="queue"),
    path("bank/queue/<int:pk>/", views_bank.queue_item, name="queue_item"),
    path("bank/notifications/", views_bank.notification_log, name="notifications"),
    path("bank/notifications/<int:pk>/", views_bank.notification_detail, name="notification"),
    path("bank/statements/", views_bank.statement_list, name="statements"),
    path("bank/statements/<int:pk>/", views_bank.statement_detail, name="statement_detail"),
]
