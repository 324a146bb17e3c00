"""Token sign-in for other systems: ``Authorization: Token <key>`` (or ``Bearer <key>``)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication, SessionAuthentication, get_authorization_header
from rest_framework.request import Request

from gridwork.api.models import ApiToken
from gridwork.common.keys import find_issued, record_use

TOKEN_KIND = "gw"  # noqa: S105  (the tokens' visible kind, not a secret)
SCHEMES = {b"token", b"bearer"}


class ApiTokenAuthentication(BaseAuthentication):
    keyword = "Token"

    def authenticate(self, request: Request) -> tuple[Any, ApiToken] | None:
        parts = get_authorization_header(request).split()
        if not parts or parts[0].lower() not in SCHEMES:
            return None
        if len(parts) != 2:
            raise exceptions.AuthenticationFailed(_("The Authorization header holds the scheme and one token."))
        try:
            key = parts[1].decode()
        except UnicodeError as error:
            raise exceptions.AuthenticationFailed(_("Invalid token.")) from error
        return self._check(key)

    def _check(self, key: str) -> tuple[Any, ApiToken]:
        token = find_issued(ApiToken.objects.select_related("user"), key, TOKEN_KIND)
        if token is None:
            raise exceptions.AuthenticationFailed(_("Invalid token."))
        if not token.is_usable:
            raise exceptions.AuthenticationFailed(_("This token was revoked or has expired."))
        if not token.user.is_active:
            raise exceptions.AuthenticationFailed(_("The token's account is switched off."))
        record_use(token)
        return token.user, token

    def authenticate_header(self, request: Request) -> str:
        return self.keyword


class CheckedSessionAuthentication(SessionAuthentication):
    """The browser's session, only once it has passed the second factor and owes no password change: whatever the
    middleware let through, the API itself never serves a session that has not finished signing in."""

    def authenticate(self, request: Request) -> tuple[Any, None] | None:
        from gridwork.accounts.middleware_twofactor import session_is_verified
        from gridwork.accounts.passwords import password_change_reason
        from gridwork.accounts.twofactor import second_factor_required

        result = super().authenticate(request)
        if result is None:
            return None
        user = result[0]
        if second_factor_required(user) and not session_is_verified(request._request):
            return None
        if password_change_reason(user):
            return None
        return result
