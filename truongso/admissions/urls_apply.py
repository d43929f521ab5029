from django.urls import path

from truongso.admissions import views_apply as v

app_name = "admissions_apply"

urlpatterns = [
    path("", v.rounds, name="rounds"),
    path("r/<int:round_id>/", v.round_page, name="round"),
    path("r/<int:round_id>/apply/", v.apply, name="apply"),
    path("phone/", v.phone, name="phone"),
    path("phone/verify/", v.verify, name="verify"),
    path("phone/logout/", v.logout, name="logout"),
    path("mine/", v.mine, name="mine"),
    path("a/<str:code>/", v.detail, name="detail"),
    path("a/<str:code>/edit/", v.edit, name="edit"),
    path("a/<str:code>/withdraw/", v.withdraw, name="withdraw"),
    path("a/<str:code>/documents/", v.document, name="document"),
    path("a/<str:code>/slip.pdf", v.slip, name="slip"),
    path("a/<str:code>/documents/<int:doc_id>/", v.document_file, name="document_file"),
    path("check/<str:code>/", v.check, name="check"),
    path("review/", v.review_list, name="review"),
    path("review/<int:pk>/", v.review_detail, name="review_detail"),
    path("review/<int:pk>/documents/<int:doc_id>/", v.review_document, name="review_document"),
]
