"""Sign-in events into the audit log: success, failure, sign-out and lockout. No logic beyond the hand-over."""

from __future__ import annotations

from typing import Any

from axes.signals import user_locked_out
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.http import HttpRequest

from gridwork.accounts import services, sessions
from gridwork.accounts.middleware import LOGOUT_REASON_ATTRIBUTE, session_start


def on_user_logged_in(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    if request is not None and hasattr(request, "session"):
        session_start(request)
        sessions.session_record(request=request, user=user)
    services.password_clock_start(user=user)
    services.login_record_success(user=user, request=request)


def on_user_login_failed(
    sender: Any, credentials: dict[str, Any], request: HttpRequest | None = None, **kwargs: Any
) -> None:
    services.login_record_failure(credentials=credentials, request=request)


def on_user_logged_out(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    reason = getattr(request, LOGOUT_REASON_ATTRIBUTE, "") if request is not None else ""
    sessions.session_forget(request=request)
    services.login_record_logout(user=user, request=request, reason=reason)


def on_user_locked_out(
    sender: Any, request: HttpRequest | None, username: str | None, ip_address: str | None, **kwargs: Any
) -> None:
    services.login_record_lockout(username=username, ip_address=ip_address, request=request)


def connect() -> None:
    user_logged_in.connect(on_user_logged_in, dispatch_uid="gridwork.accounts.login_success")
    user_login_failed.connect(on_user_login_failed, dispatch_uid="gridwork.accounts.login_failed")
    user_logged_out.connect(on_user_logged_out, dispatch_uid="gridwork.accounts.logout")
    user_locked_out.connect(on_user_locked_out, dispatch_uid="gridwork.accounts.locked_out")
