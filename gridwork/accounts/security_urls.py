"""The security administrator's console (/staff/security/): locked accounts, staff sign-in security, sign-in records."""

from django.urls import URLPattern, path

from gridwork.accounts import views_security

app_name = "security"
urlpatterns: list[URLPattern] = [
    path("", views_security.locks_view, name="locks"),
    path("unlock/", views_security.unlock_view, name="unlock"),
    path("staff/", views_security.security_staff_view, name="staff"),
    path(
        "staff/<int:pk>/force-password-change/",
        views_security.force_password_change_view,
        name="force-password-change",
    ),
    path("staff/<int:pk>/end-sessions/", views_security.end_sessions_view, name="end-sessions"),
    path("staff/<int:pk>/reset-second-factor/", views_security.reset_second_factor_view, name="reset-second-factor"),
    path("sign-ins/", views_security.sign_ins_view, name="sign-ins"),
]
