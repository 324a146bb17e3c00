"""Sign-in of residents by phone number and one-time code (see gridwork.accounts.services)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.backends import BaseBackend
from django.http import HttpRequest

from gridwork.accounts.models import User


class PhoneCodeBackend(BaseBackend):
    def authenticate(
        self, request: HttpRequest | None, phone: str | None = None, code: str | None = None, **kwargs: Any
    ) -> User | None:
        if phone is None or code is None:
            return None
        from gridwork.accounts.services import phone_code_verify

        return phone_code_verify(phone=phone, code=code)

    def get_user(self, user_id: int) -> User | None:
        return User.objects.filter(pk=user_id, is_active=True).first()
