from django.contrib import admin
from django.http import HttpRequest
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView

from truongso.core import views as core_views


def _superuser_only(request: HttpRequest) -> bool:
    return bool(request.user.is_active and request.user.is_superuser)


# Django admin is for superusers only; everyone else works in the application's own pages.
admin.site.has_permission = _superuser_only  # type: ignore[method-assign]
admin.site.site_header = "Trường Số"

handler404 = "truongso.core.views.page_not_found"
handler500 = "truongso.core.views.server_error"

urlpatterns = [
    path("healthz", core_views.healthz, name="healthz"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("accounts/", include("truongso.accounts.urls")),
    path("api/v1/", include("truongso.api_urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path(
        "api/redoc/",
        SpectacularRedocView.as_view(url_name="api-schema", template_name="core/redoc.html"),
        name="api-redoc",
    ),
    path("", include("truongso.core.urls")),
    path("", include("truongso.registry.urls")),
    path("gradebook/", include("truongso.gradebook.urls")),
    path("reportcards/signing/", include("truongso.reportcards.signing.urls")),
    path("payments/", include("truongso.payments.urls_bank")),
    path("payments/", include("truongso.payments.urls")),
    path("reportcards/", include("truongso.reportcards.urls")),
    path("admissions/rounds/", include("truongso.admissions.urls_rounds")),
    path("admissions/results/", include("truongso.admissions.urls_results")),
    path("admissions/", include("truongso.admissions.urls_apply")),
    path("verify/", include("truongso.reportcards.urls_verify")),
]
