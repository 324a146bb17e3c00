"""Password age and reuse for staff (等保 2.0 level 3: change the password regularly, not back to a recent one).

``GRIDWORK_PASSWORD_MAX_AGE_DAYS`` (0 turns the limit off) is how long a staff password lasts; after that, or when
``must_change_password`` is set, ``PasswordAgeMiddleware`` lets the user reach only the password-change page.
Residents sign in by phone and one-time code and have no password to age.

OWASP ASVS (v4 2.1.10, v5 6.2) advises against periodic rotation; 等保 requires it, so staff follow 等保 and a
deployment that is not bound by it sets the limit to 0.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.hashers import check_password
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from gridwork.accounts.models import PasswordHistory, User, UserKind

# How many of a user's passwords (the current one included) cannot be chosen again.
PASSWORD_HISTORY_DEPTH = 5


def password_max_age() -> timedelta | None:
    """How long a staff password lasts; None when the limit is off."""
    days = int(settings.GRIDWORK_PASSWORD_MAX_AGE_DAYS)
    return timedelta(days=days) if days > 0 else None


def password_expires_at(user: User) -> datetime | None:
    """When ``user``'s password expires; None when it never does (limit off, no password, a resident)."""
    max_age = password_max_age()
    if max_age is None or user.kind != UserKind.STAFF or user.password_changed_at is None:
        return None
    return user.password_changed_at + max_age


def password_change_reason(user: Any) -> str:
    """Why a signed-in user must change their password now: "forced", "expired", or "" when they need not."""
    if not getattr(user, "is_authenticated", False) or getattr(user, "kind", None) != UserKind.STAFF:
        return ""
    if not user.has_usable_password():
        return ""
    if user.must_change_password:
        return "forced"
    expires_at = password_expires_at(user)
    if expires_at is not None and timezone.now() >= expires_at:
        return "expired"
    return ""


def password_change_context(user: Any) -> dict[str, Any]:
    """What the password-change page says about why (and until when) the user must change their password."""
    reason = password_change_reason(user)
    days = int(settings.GRIDWORK_PASSWORD_MAX_AGE_DAYS)
    message = ""
    if reason == "forced":
        message = _(
            "Your password was set by someone else or the security administrator asked for a new one. "
            "Choose a new password to go on."
        )
    elif reason == "expired":
        message = _(
            "Your password is older than %(days)d days. Staff passwords are changed at least every "
            "%(days)d days; choose a new one to go on."
        ) % {"days": days}
    expires_at = password_expires_at(user) if getattr(user, "is_authenticated", False) else None
    return {"password_change_reason": reason, "password_change_message": message, "password_expires_at": expires_at}


def password_reused(user: User, raw_password: str) -> bool:
    """Whether ``raw_password`` is ``user``'s current password or one of their last few."""
    if user.pk is None:
        return False
    if user.has_usable_password() and check_password(raw_password, user.password):
        return True
    former = (
        PasswordHistory.objects.filter(user_id=user.pk)
        .order_by("-created_at", "-id")
        .values_list("password", flat=True)[:PASSWORD_HISTORY_DEPTH]
    )
    return any(check_password(raw_password, encoded) for encoded in former)


def password_history_record(user: User) -> None:
    """Keep ``user``'s new password hash and forget those beyond the last ``PASSWORD_HISTORY_DEPTH``."""
    if user.pk is None or not user.has_usable_password():
        return
    PasswordHistory.objects.create(user_id=user.pk, password=user.password)
    keep = (
        PasswordHistory.objects.filter(user_id=user.pk)
        .order_by("-created_at", "-id")
        .values_list("pk", flat=True)[:PASSWORD_HISTORY_DEPTH]
    )
    PasswordHistory.objects.filter(user_id=user.pk).exclude(pk__in=list(keep)).delete()


class PasswordReuseValidator:
    """A password validator (AUTH_PASSWORD_VALIDATORS) refusing the user's last ``PASSWORD_HISTORY_DEPTH`` passwords.

    Django calls ``password_changed`` whenever a user is saved after ``set_password`` — the own change, the admin
    site, ``createsuperuser`` — which is where the history is written."""

    def validate(self, password: str, user: Any = None) -> None:
        if isinstance(user, User) and password_reused(user, password):
            raise ValidationError(
                ngettext(
                    "You used this password recently. Choose one that differs from your last password.",
                    "You used this password recently. Choose one that differs from your last %(count)d passwords.",
                    PASSWORD_HISTORY_DEPTH,
                )
                % {"count": PASSWORD_HISTORY_DEPTH},
                code="password_reused",
            )

    def password_changed(self, password: str, user: Any = None) -> None:
        if isinstance(user, User):
            password_history_record(user)

    def get_help_text(self) -> str:
        return _("Your password cannot be one of your last %(count)d passwords.") % {"count": PASSWORD_HISTORY_DEPTH}
