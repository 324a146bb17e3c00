"""Reading for the security administrator's console: locked accounts, staff sign-in security, sign-in records.

Every query is narrowed to the staff whose posts lie under the units where the reader holds MANAGE_SECURITY. Rows
that name no account of the platform (failed sign-ins and locks for unknown usernames, residents' sign-ins) are shown
only to a reader whose scope is the whole city, which a security administrator's is (ROLE_LEVELS: city only).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from axes.models import AccessAttempt
from django.apps import apps
from django.conf import settings
from django.db.models import Q, QuerySet
from django.utils import timezone

from gridwork.accounts.models import Post, User, UserKind, UserSession
from gridwork.accounts.passwords import password_expires_at
from gridwork.accounts.roles import ROLE_PERMISSIONS, Perm
from gridwork.audit.models import AuditEvent
from gridwork.places.models import PlaceLevel

# The sign-in records, by outcome: the audit actions of gridwork.accounts.services.login_record_*.
SIGN_IN_OUTCOMES: dict[str, tuple[str, ...]] = {
    "success": ("login.success",),
    "failed": ("login.failed", "login.phone_code_refused"),
    "locked_out": ("login.locked_out",),
    "logout": ("logout", "logout.idle"),
}
SIGN_IN_ACTIONS = tuple(action for actions in SIGN_IN_OUTCOMES.values() for action in actions)


def _reads_security(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.has_perm_anywhere(Perm.MANAGE_SECURITY))


def _city_wide(user: Any) -> bool:
    """Whether ``user`` holds MANAGE_SECURITY at a city-level unit, and so over every account."""
    return any(
        post.place.level == PlaceLevel.CITY and Perm.MANAGE_SECURITY in ROLE_PERMISSIONS[post.role]
        for post in user.active_posts
    )


def security_staff(*, user: Any) -> QuerySet[User]:
    """Staff holding a post (active or ended) under the units where ``user`` holds MANAGE_SECURITY."""
    if not _reads_security(user):
        return User.objects.none()
    posts = Post.objects.restrict(user, Perm.MANAGE_SECURITY)
    return User.objects.filter(kind=UserKind.STAFF, pk__in=posts.values("user_id"))


def security_staff_get(*, user: Any, pk: int) -> User | None:
    return security_staff(user=user).filter(pk=pk).first()


@dataclass(frozen=True)
class StaffSecurityRow:
    """One line of the console's staff list."""

    user: User
    password_age_days: int | None
    password_expires_at: datetime | None
    password_expired: bool
    two_factor: bool | None  # None: two-factor sign-in is not installed
    open_sessions: int


def _two_factor_users(user_ids: list[int]) -> set[int] | None:
    """The users among ``user_ids`` with a confirmed TOTP device; None when django-otp's TOTP is not installed."""
    if not apps.is_installed("django_otp.plugins.otp_totp"):
        return None
    device_model = apps.get_model("otp_totp", "TOTPDevice")
    return set(device_model.objects.filter(user_id__in=user_ids, confirmed=True).values_list("user_id", flat=True))


def security_staff_rows(*, user: Any, users: list[User]) -> list[StaffSecurityRow]:
    """The sign-in security of a page of ``security_staff``: password age, second factor, open sessions."""
    ids = [staff.pk for staff in users]
    two_factor = _two_factor_users(ids)
    open_sessions: dict[int, int] = {}
    for user_id in UserSession.objects.filter(user_id__in=ids).values_list("user_id", flat=True):
        open_sessions[user_id] = open_sessions.get(user_id, 0) + 1
    now = timezone.now()
    rows = []
    for staff in users:
        expires_at = password_expires_at(staff)
        changed_at = staff.password_changed_at if staff.has_usable_password() else None
        rows.append(
            StaffSecurityRow(
                user=staff,
                password_age_days=(now - changed_at).days if changed_at is not None else None,
                password_expires_at=expires_at,
                password_expired=expires_at is not None and now >= expires_at,
                two_factor=None if two_factor is None else staff.pk in two_factor,
                open_sessions=open_sessions.get(staff.pk, 0),
            )
        )
    return rows


def security_staff_list(*, user: Any, search: str = "", active: bool | None = True) -> QuerySet[User]:
    staff = security_staff(user=user)
    if active is not None:
        staff = staff.filter(is_active=active)
    if search:
        staff = staff.filter(Q(username__icontains=search) | Q(full_name__icontains=search))
    return staff.order_by("username", "pk")


def locked_accounts(*, user: Any) -> QuerySet[AccessAttempt]:
    """django-axes' records of accounts locked now: ``AXES_FAILURE_LIMIT`` failures within ``AXES_COOLOFF_TIME``."""
    if not _reads_security(user):
        return AccessAttempt.objects.none()
    attempts = AccessAttempt.objects.filter(
        failures_since_start__gte=settings.AXES_FAILURE_LIMIT,
        attempt_time__gte=timezone.now() - settings.AXES_COOLOFF_TIME,
    )
    if not _city_wide(user):
        attempts = attempts.filter(username__in=security_staff(user=user).values("username"))
    return attempts.order_by("-attempt_time", "-id")


def sign_in_records(*, user: Any, username: str = "", outcome: str = "") -> QuerySet[AuditEvent]:
    """Sign-ins, failed sign-ins, locks and sign-outs from the audit log, newest first."""
    if not _reads_security(user):
        return AuditEvent.objects.none()
    events = AuditEvent.objects.filter(action__in=SIGN_IN_OUTCOMES.get(outcome, SIGN_IN_ACTIONS))
    if not _city_wide(user):
        staff = security_staff(user=user)
        events = events.filter(Q(actor__in=staff) | Q(actor__isnull=True, actor_name__in=staff.values("username")))
    if username:
        events = events.filter(actor_name__iexact=username)
    return events.order_by("-at", "-id")
