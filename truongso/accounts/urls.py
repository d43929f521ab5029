from django.urls import path

from truongso.accounts import views, views_roles

app_name = "accounts"
urlpatterns = [
    path("login/", views.login_view, name="login"),
    path("logout/", views.logout_view, name="logout"),
    path("otp/", views.otp_view, name="otp"),
    path("me/", views.profile, name="profile"),
    path("me/password/", views.PasswordChange.as_view(), name="password_change"),
    path("me/tokens/", views.token_create, name="token_create"),
    path("me/tokens/<int:pk>/revoke/", views.token_revoke, name="token_revoke"),
    path("roles/", views_roles.role_list, name="role_list"),
    path("roles/grant/", views_roles.role_grant, name="role_grant"),
    path("roles/<int:pk>/revoke/", views_roles.role_revoke, name="role_revoke"),
]
