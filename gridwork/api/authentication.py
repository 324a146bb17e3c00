"""Token sign-in for other systems: ``Authorization: Token <key>`` (or ``Bearer <key>``)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.request import Request

from gridwork.api.models import ApiToken
from gridwork.common.keys import key_matches, key_prefix

TOKEN_KIND = "gw"  # noqa: S105  (the tokens' visible kind, not a secret)
SCHEMES = {b"token", b"bearer"}
LAST_USED_EVERY = timedelta(minutes=1)  # write "last used" at most this often, not on every request


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
        prefix = key_prefix(key, TOKEN_KIND)
        if prefix is not None and not (prefix.isascii() and prefix.isalnum()):
            prefix = None  # issued prefixes are hex; anything else (a NUL, say) is not looked up
        token = ApiToken.objects.select_related("user").filter(prefix=prefix).first() if prefix else None
        if token is None or not key_matches(key, token.digest):
            raise exceptions.AuthenticationFailed(_("Invalid token."))
        if not token.is_usable:
            raise exceptions.AuthenticationFailed(_("This token was revoked or has expired."))
        if not token.user.is_active:
            raise exceptions.AuthenticationFailed(_("The token's account is switched off."))
        now = timezone.now()
        if token.last_used_at is None or now - token.last_used_at > LAST_USED_EVERY:
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        return token.user, token

    def authenticate_header(self, request: Request) -> str:
        return self.keyword
