"""Routes of the report-card API under ``/api/v1/reportcards/``."""

from django.urls import path

from truongso.reportcards.api import views

urlpatterns = [
    path("verify/", views.VerifyFileView.as_view(), name="reportcards-verify-file"),
    path("verify/<str:code>/", views.VerifyCodeView.as_view(), name="reportcards-verify"),
    path(
        "students/<int:pk>/cards/",
        views.StudentCardsView.as_view(),
        name="reportcards-student-cards",
    ),
]
