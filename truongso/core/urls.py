from django.urls import path

from truongso.core import views, views_audit

app_name = "core"
urlpatterns = [
    path("", views.home, name="home"),
    path("audit/", views_audit.audit_list, name="audit_list"),
    path("audit/<int:pk>/", views_audit.audit_detail, name="audit_detail"),
]
