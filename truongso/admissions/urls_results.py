from django.urls import path

from truongso.admissions import views_results

app_name = "admissions_results"

urlpatterns = [
    path("", views_results.my_results, name="mine"),
    path("schools/", views_results.school_rounds, name="schools"),
    path("schools/<int:round_id>/<int:school_id>/", views_results.school_admitted, name="school"),
    path(
        "schools/<int:round_id>/<int:school_id>/export.xlsx",
        views_results.school_export,
        name="school_export",
    ),
    path(
        "schools/<int:round_id>/<int:school_id>/<str:code>/<str:answer>/",
        views_results.school_answer,
        name="school_answer",
    ),
    path("<str:code>/", views_results.result_detail, name="detail"),
    path("<str:code>/<str:answer>/", views_results.result_answer, name="answer"),
]
