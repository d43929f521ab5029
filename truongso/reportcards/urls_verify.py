from django.urls import path

from truongso.reportcards import views_verify

app_name = "verify"

urlpatterns = [
    path("", views_verify.verify_home, name="home"),
    path("<str:code>/", views_verify.verify_card, name="card"),
]
