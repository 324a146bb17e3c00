"""Nothing past the password alone: a session that still owes its second factor reaches only the second-factor pages.

For a signed-in user who needs a second factor (``gridwork.accounts.twofactor.second_factor_required``) and whose
session is not verified (``request.user.is_verified()``, set by django-otp's OTPMiddleware, which must come first):

- the second-factor pages, sign-out and the language switch work as usual;
- the public site (views marked ``public_view``) is served as to anyone signed out: the request goes on as anonymous;
- the API under /api/ answers 403 in the API's JSON error shape. A call that carries an API token is not a session
  and is left to the token authentication;
- every other page, and the portal's front door (/, which sends staff on to the staff home), sends the browser to
  the code page (or to the set-up page when there is no authenticator yet), with the page asked for as ``next``.
"""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.urls import Resolver404, resolve, reverse
from django.utils.translation import gettext as _
from rest_framework.authentication import get_authorization_header

from gridwork.accounts.twofactor import second_factor_required, totp_device_confirmed
from gridwork.api.authentication import SCHEMES as API_TOKEN_SCHEMES
from gridwork.common.permissions import ACCESS_ATTRIBUTE

# Pages an unverified session may use with its user (by URL name).
OPEN_VIEWS = frozenset(
    {
        "accounts:twofactor-verify",
        "accounts:twofactor-setup",
        "accounts:logout",
        "set_language",
    }
)
# Public pages that send staff on to the staff pages: an unverified session is sent to the code page instead.
STAFF_DOORS = frozenset({"home"})
API_PREFIX = "/api/"


def session_is_verified(request: HttpRequest) -> bool:
    is_verified = getattr(request.user, "is_verified", None)
    return bool(is_verified is not None and is_verified())


def _carries_api_token(request: HttpRequest) -> bool:
    """Read exactly as the API's token authentication reads it (DRF's ASCII split): a header it would not take as a
    token (a Unicode space before the scheme, say) must not let the session through either."""
    parts = get_authorization_header(request).split()
    return bool(parts) and parts[0].lower() in API_TOKEN_SCHEMES


def _second_factor_page(request: HttpRequest) -> str:
    name = "accounts:twofactor-verify" if totp_device_confirmed(request.user) else "accounts:twofactor-setup"  # type: ignore[arg-type]
    url = reverse(name)
    if request.method in ("GET", "HEAD"):
        url = f"{url}?{urlencode({'next': request.get_full_path()})}"
    return url


class SecondFactorMiddleware:
    """Goes after ``IdleTimeoutMiddleware`` (a session ended for idleness owes nothing) and before
    ``PasswordAgeMiddleware`` (the second factor proves who is there before the password may be changed)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if second_factor_required(request.user) and not session_is_verified(request):
            refusal = self._refuse(request)
            if refusal is not None:
                return refusal
        return self.get_response(request)

    @staticmethod
    def _refuse(request: HttpRequest) -> HttpResponse | None:
        path = request.path_info
        if path.startswith((settings.STATIC_URL or "/static/", settings.MEDIA_URL or "/media/")):
            return None
        try:
            match = resolve(path, urlconf=getattr(request, "urlconf", None))
        except Resolver404:
            return None  # the 404 page, as for anyone
        if match.view_name in OPEN_VIEWS:
            return None
        if getattr(match.func, ACCESS_ATTRIBUTE, None) == "public" and match.view_name not in STAFF_DOORS:
            request.user = AnonymousUser()
            return None
        if path.startswith(API_PREFIX):
            if _carries_api_token(request):
                return None
            return JsonResponse(
                {
                    "code": "second_factor_required",
                    "message": _("Enter your second-factor code on the sign-in page before using the API."),
                    "errors": {},
                },
                status=403,
            )
        url = _second_factor_page(request)
        if request.headers.get("HX-Request"):
            response = HttpResponse(status=204)
            response["HX-Redirect"] = url
            return response
        return HttpResponseRedirect(url)
