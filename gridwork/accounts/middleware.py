"""Session limits: a session ends after ``SESSION_IDLE_TIMEOUT`` without a request, and in any case
``SESSION_COOKIE_AGE`` after sign-in (Django alone would push that limit back every time the session is saved).

The user is signed out at the first request after the limit; the request then goes on as anonymous
(a staff page sends them to the sign-in page, which says why).
"""

from __future__ import annotations

import time
from collections.abc import Callable

from django.conf import settings
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.urls import reverse
from django.utils.translation import gettext as _

from gridwork.accounts.passwords import password_change_reason

LAST_SEEN_KEY = "gridwork_last_seen"
SIGNED_IN_AT_KEY = "gridwork_signed_in_at"
IDLE_LOGOUT_KEY = "gridwork_idle_logout"
# Set on the request before an automatic sign-out, so that the audit row says why.
LOGOUT_REASON_ATTRIBUTE = "gridwork_logout_reason"
# Write the session at most this often just to move the idle clock, not on every request.
TOUCH_INTERVAL_SECONDS = 60


def _seconds(value: object) -> float | None:
    try:
        return float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None


def session_start(request: HttpRequest) -> None:
    """Start both clocks at sign-in (called for every way of signing in, from the user_logged_in signal)."""
    now = time.time()
    request.session[SIGNED_IN_AT_KEY] = now
    request.session[LAST_SEEN_KEY] = now
    request.session.pop(IDLE_LOGOUT_KEY, None)


class IdleTimeoutMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            self._check(request)
        return self.get_response(request)

    def _check(self, request: HttpRequest) -> None:
        now = time.time()
        session = request.session
        last_seen = _seconds(session.get(LAST_SEEN_KEY))
        signed_in_at = _seconds(session.get(SIGNED_IN_AT_KEY))
        idle_limit = settings.SESSION_IDLE_TIMEOUT.total_seconds()
        if last_seen is not None and now - last_seen > idle_limit:
            self._sign_out(request, reason="idle")
            session[IDLE_LOGOUT_KEY] = True
            return
        if signed_in_at is not None and now - signed_in_at > settings.SESSION_COOKIE_AGE:
            self._sign_out(request, reason="expired")
            return
        if signed_in_at is None:
            session[SIGNED_IN_AT_KEY] = now
        if last_seen is None or now - last_seen > TOUCH_INTERVAL_SECONDS:
            session[LAST_SEEN_KEY] = now

    @staticmethod
    def _sign_out(request: HttpRequest, *, reason: str) -> None:
        setattr(request, LOGOUT_REASON_ATTRIBUTE, reason)
        logout(request)


class PasswordAgeMiddleware:
    """A signed-in staff member whose password has expired (``GRIDWORK_PASSWORD_MAX_AGE_DAYS``) or must be changed
    reaches only the password-change page, sign-out, static files and the language switch; pages redirect to the
    password-change page, API calls made with the session get 403 with JSON. Goes after ``IdleTimeoutMiddleware`` and
    ``SecondFactorMiddleware``."""

    API_PREFIX = "/api/"

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated and password_change_reason(request.user) and not self._allowed(request):
            if request.path_info.startswith(self.API_PREFIX):
                return JsonResponse(
                    {
                        "code": "password_change_required",
                        "message": _("Your password must be changed before you can go on. Change it on the website."),
                        "errors": {},
                    },
                    status=403,
                )
            url = reverse("accounts:password-change")
            if request.headers.get("HX-Request"):
                response = HttpResponse(status=204)
                response["HX-Redirect"] = url
                return response
            return HttpResponseRedirect(url)
        return self.get_response(request)

    @staticmethod
    def _allowed(request: HttpRequest) -> bool:
        path = request.path_info
        # The second-factor pages come first (SecondFactorMiddleware): who is there is proven before the change.
        if path in {
            reverse("accounts:password-change"),
            reverse("accounts:logout"),
            reverse("accounts:twofactor-verify"),
            reverse("accounts:twofactor-setup"),
        }:
            return True
        return path.startswith((settings.STATIC_URL or "/static/", "/i18n/"))
