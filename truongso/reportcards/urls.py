from django.urls import path

from truongso.reportcards import views

app_name = "reportcards"

urlpatterns = [
    path("", views.home, name="home"),
    path("classes/<int:pk>/", views.class_detail, name="class_detail"),
    path(
        "classes/<int:pk>/students/<int:student_pk>/preview.pdf",
        views.preview,
        name="preview",
    ),
    path("schools/<int:pk>/years/<int:year_pk>/", views.school_year, name="school_year"),
    path("batches/<int:pk>/", views.batch_progress, name="batch"),
    path("batches/<int:pk>/resume/", views.batch_resume, name="batch_resume"),
    path("cards/<int:pk>/", views.card_detail, name="card_detail"),
    path("cards/<int:pk>/pdf/", views.card_pdf, name="card_pdf"),
    path("students/<int:pk>/", views.student_detail, name="student"),
    path("students/<int:pk>/export.zip", views.student_zip, name="student_zip"),
    path("students/<int:pk>/book.pdf", views.student_book, name="student_book"),
]
