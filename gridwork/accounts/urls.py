"""Signing in and out: staff by username and password, residents by phone and one-time code."""

from django.urls import URLPattern, path

from gridwork.accounts import views, views_twofactor

app_name = "accounts"
urlpatterns: list[URLPattern] = [
    path("login/", views.login_view, name="login"),
    path("logout/", views.logout_view, name="logout"),
    path("password/", views.password_change_view, name="password-change"),
    path("phone/", views.phone_login_view, name="phone"),
    path("phone/code/", views.phone_verify_view, name="phone-verify"),
    path("2fa/", views_twofactor.twofactor_verify_view, name="twofactor-verify"),
    path("2fa/setup/", views_twofactor.twofactor_setup_view, name="twofactor-setup"),
    path("2fa/backup-codes/", views_twofactor.twofactor_backup_codes_view, name="twofactor-backup-codes"),
]
