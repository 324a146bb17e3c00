"""The staff's second factor (双因素认证, 等保 2.0 level 3): an authenticator app (TOTP) and ten one-time backup codes.

Who is asked: with ``GRIDWORK_STAFF_2FA`` on, every staff member holding an active post above grid worker. Grid
workers and residents sign in as before.

The devices are django-otp's: a ``TOTPDevice`` (RFC 6238, 30-second codes, the last accepted code cannot be used
again) and a ``StaticDevice`` holding the backup codes (each deleted when used). django-otp's own throttling stays on
(a wrong code makes the next try wait 1, 2, 4, 8 seconds). On top of it, ``AXES_FAILURE_LIMIT`` wrong codes in a row
(5) lock the second factor for ``AXES_COOLOFF_TIME`` (30 minutes), the same limits as the password lockout. The
failures are counted on the user's devices, not in django-axes: a correct password resets axes' count, and would
otherwise give a thief of the password a fresh set of tries at every sign-in. A failure older than the cool-off is
forgotten. The security administrator's reset (``reset_second_factor``) removes the devices and with them the lock.

Every outcome is audited; neither secrets nor codes ever go into the audit detail or a log.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

from django.conf import settings
from django.core import checks
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from django_otp.models import Device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from gridwork.accounts.models import User
from gridwork.accounts.roles import Perm, Role
from gridwork.audit.services import audit_record

BACKUP_CODE_COUNT = 10
TOTP_DEVICE_NAME = "authenticator"
BACKUP_DEVICE_NAME = "backup codes"
TOTP_CODE_RE = re.compile(r"^[0-9]{6}$")
# StaticToken.random_token(): eight characters of lower-case base32.
BACKUP_CODE_RE = re.compile(r"^[a-z2-7]{8}$")

Result = TypeVar("Result")


class SecondFactorRefused(Exception):
    """A code was not accepted; ``str()`` is the message for the user, ``locked_until`` is set while locked."""

    def __init__(self, message: str, *, locked_until: datetime | None = None) -> None:
        super().__init__(message)
        self.locked_until = locked_until


@dataclass(frozen=True)
class Enrolment:
    """A confirmed authenticator and the backup codes to show once."""

    device: TOTPDevice
    backup_codes: list[str]


# --- who is asked ----------------------------------------------------------------------------------------


def second_factor_required(user: Any) -> bool:
    """Staff with an active post above grid worker, when the platform asks for a second factor at all."""
    if not getattr(settings, "GRIDWORK_STAFF_2FA", False):
        return False
    if user is None or not user.is_authenticated or not getattr(user, "is_staff_member", False):
        return False
    return any(post.role != Role.GRID_WORKER for post in user.active_posts)


def totp_device_confirmed(user: User) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("id").first()


def backup_codes_left(user: User) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


def code_normalise(raw: str) -> str:
    """What the user typed, without spaces and dashes, lower case (backup codes are shown in lower case)."""
    return re.sub(r"[\s-]+", "", raw or "").lower()


# --- the lock --------------------------------------------------------------------------------------------


def _cooloff_start() -> datetime:
    return timezone.now() - settings.AXES_COOLOFF_TIME


def _devices_locked_for_update(user: User) -> list[Device]:
    """All the user's devices, confirmed or not, their rows locked (call inside a transaction)."""
    return [
        *TOTPDevice.objects.filter(user=user).select_for_update().order_by("id"),
        *StaticDevice.objects.filter(user=user).select_for_update().order_by("id"),
    ]


def _forget_stale_failures(devices: Sequence[Device]) -> None:
    since = _cooloff_start()
    for device in devices:
        stamp = device.throttling_failure_timestamp
        if device.throttling_failure_count and (stamp is None or stamp < since):
            device.throttle_reset()


def _locked_until(devices: Sequence[Device]) -> datetime | None:
    since = _cooloff_start()
    recent = [
        device
        for device in devices
        if device.throttling_failure_timestamp is not None and device.throttling_failure_timestamp >= since
    ]
    failures = sum(device.throttling_failure_count for device in recent)
    if failures < settings.AXES_FAILURE_LIMIT:
        return None
    last = max(device.throttling_failure_timestamp for device in recent)
    return last + settings.AXES_COOLOFF_TIME


def second_factor_locked_until(user: User) -> datetime | None:
    """When the lock after too many wrong codes ends, or None when there is none."""
    devices = [
        *TOTPDevice.objects.filter(user=user),
        *StaticDevice.objects.filter(user=user),
    ]
    return _locked_until(devices)


def _locked_message(until: datetime) -> str:
    return _(
        "Too many wrong codes. Your second factor is locked until %(time)s. If you did not make these attempts, "
        "tell your security administrator."
    ) % {"time": timezone.localtime(until).strftime("%H:%M")}


# --- checking a code -------------------------------------------------------------------------------------


def _refuse(*, user: User, reason: str, request: HttpRequest | None) -> None:
    audit_record(actor=user, action="twofactor.failed", target=user, detail={"reason": reason}, request=request)


def _check_code(
    *,
    user: User,
    device: Device | None,
    code: str,
    purpose: str,
    request: HttpRequest | None,
    accepted: Callable[[Device], Result],
) -> Result:
    """Check ``code`` on ``device`` (locked and counted with all the user's devices); on success return what
    ``accepted(device)`` returns, run in the same transaction. Otherwise raise ``SecondFactorRefused``, after the
    transaction has committed the failure count and the audit row.
    """
    refusal: SecondFactorRefused | None = None
    with transaction.atomic():
        devices = _devices_locked_for_update(user)
        _forget_stale_failures(devices)
        until = _locked_until(devices)
        current = next(
            (d for d in devices if device is not None and d.pk == device.pk and type(d) is type(device)), None
        )
        if until is not None:
            _refuse(user=user, reason="locked", request=request)
            refusal = SecondFactorRefused(_locked_message(until), locked_until=until)
        elif current is None:
            _refuse(user=user, reason="no_device", request=request)
            refusal = SecondFactorRefused(_("This code is wrong. Check it and try again."))
        else:
            allowed, _info = current.verify_is_allowed()
            if not allowed:
                _refuse(user=user, reason="throttled", request=request)
                refusal = SecondFactorRefused(_("Too many tries in a short time. Wait a few seconds and try again."))
            elif current.verify_token(code):
                for other in devices:
                    if other is not current and other.throttling_failure_count:
                        other.throttle_reset()
                return accepted(current)
            else:
                _refuse(user=user, reason=f"wrong_{purpose}", request=request)
                until = _locked_until(devices)
                if until is not None:
                    audit_record(
                        actor=user,
                        action="twofactor.locked",
                        target=user,
                        detail={"until": until.isoformat(), "failures": settings.AXES_FAILURE_LIMIT},
                        request=request,
                    )
                    refusal = SecondFactorRefused(_locked_message(until), locked_until=until)
                else:
                    refusal = SecondFactorRefused(_("This code is wrong. Check it and try again."))
    assert refusal is not None
    raise refusal


# --- enrolment -------------------------------------------------------------------------------------------


def enrolment_start(*, user: User, request: HttpRequest | None = None) -> TOTPDevice:
    """A new, unconfirmed authenticator with a fresh secret; any earlier unconfirmed one is dropped.

    A secret shown in another session (perhaps to someone else who knew the password) is never the one confirmed.
    Refused once the user has a confirmed authenticator: only the security administrator's reset allows a new one.
    """
    with transaction.atomic():
        if TOTPDevice.objects.filter(user=user, confirmed=True).exists():
            raise ValidationError(_("You already have an authenticator. Ask your security administrator to reset it."))
        TOTPDevice.objects.filter(user=user, confirmed=False).delete()
        device = TOTPDevice.objects.create(user=user, name=TOTP_DEVICE_NAME, confirmed=False)
        audit_record(actor=user, action="twofactor.enrolment_started", target=user, request=request)
    return device


def enrolment_device(*, user: User, device_id: object) -> TOTPDevice | None:
    """The unconfirmed authenticator ``device_id`` of ``user`` (the one this session's setup page showed)."""
    if not isinstance(device_id, int):
        return None
    return TOTPDevice.objects.filter(pk=device_id, user=user, confirmed=False).first()


def enrolment_confirm(*, user: User, device: TOTPDevice, code: str, request: HttpRequest | None = None) -> Enrolment:
    """The user typed a code from the app: the authenticator is confirmed and ten new backup codes are made.

    Raises ``SecondFactorRefused`` for a wrong code (counted towards the lock).
    """
    code = code_normalise(code)
    if not TOTP_CODE_RE.fullmatch(code):
        raise SecondFactorRefused(_("Enter the six digits shown in your authenticator app."))

    def confirm(accepted: Device) -> Enrolment:
        if accepted.confirmed:  # confirmed meanwhile in another session
            raise SecondFactorRefused(_("This set-up has expired. Start again."))
        TOTPDevice.objects.filter(pk=accepted.pk).update(confirmed=True)
        accepted.confirmed = True
        codes = _backup_codes_replace(user)
        audit_record(
            actor=user,
            action="twofactor.enrolled",
            target=user,
            detail={"backup_codes": len(codes)},
            request=request,
        )
        return Enrolment(device=accepted, backup_codes=codes)

    if device.confirmed:
        raise SecondFactorRefused(_("This set-up has expired. Start again."))
    return _check_code(user=user, device=device, code=code, purpose="totp", request=request, accepted=confirm)


def _backup_codes_replace(user: User) -> list[str]:
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name=BACKUP_DEVICE_NAME, confirmed=True)
    codes: list[str] = []
    while len(codes) < BACKUP_CODE_COUNT:
        token = StaticToken.random_token()
        if token not in codes:
            codes.append(token)
    StaticToken.objects.bulk_create(StaticToken(device=device, token=token) for token in codes)
    return codes


def backup_codes_replace(*, user: User, request: HttpRequest | None = None) -> list[str]:
    """Ten new backup codes for a user with an authenticator; the old ones stop working. Shown once."""
    with transaction.atomic():
        if not TOTPDevice.objects.filter(user=user, confirmed=True).exists():
            raise ValidationError(_("Set up your authenticator first."))
        codes = _backup_codes_replace(user)
        audit_record(
            actor=user,
            action="twofactor.backup_codes_replaced",
            target=user,
            detail={"backup_codes": len(codes)},
            request=request,
        )
    return codes


# --- signing in ------------------------------------------------------------------------------------------


def second_factor_verify(*, user: User, code: str, request: HttpRequest | None = None) -> Device:
    """Check a six-digit code from the authenticator, or one backup code; return the device that accepted it.

    Raises ``SecondFactorRefused`` (wrong, replayed, throttled or locked). The caller persists the device in the
    session (``django_otp.login``).
    """
    code = code_normalise(code)
    device: Device | None
    if TOTP_CODE_RE.fullmatch(code):
        device, purpose = totp_device_confirmed(user), "totp"
    elif BACKUP_CODE_RE.fullmatch(code):
        device = StaticDevice.objects.filter(user=user, confirmed=True).order_by("id").first()
        purpose = "backup_code"
    else:
        raise SecondFactorRefused(_("Enter the six digits from your authenticator app, or one of your backup codes."))

    def signed_in(accepted: Device) -> Device:
        if purpose == "backup_code":
            audit_record(
                actor=user,
                action="twofactor.backup_code_used",
                target=user,
                detail={"backup_codes_left": backup_codes_left(user)},
                request=request,
            )
        else:
            audit_record(
                actor=user, action="twofactor.verified", target=user, detail={"method": "totp"}, request=request
            )
        return accepted

    return _check_code(user=user, device=device, code=code, purpose=purpose, request=request, accepted=signed_in)


# --- the security administrator's reset ------------------------------------------------------------------


def reset_second_factor(actor: User, user: User, *, request: HttpRequest | None = None) -> int:
    """Remove ``user``'s authenticator and backup codes (a lost phone, a lock): at the next request they set up a new
    one. Only a security administrator, and never for their own account. Returns how many devices were removed."""
    if not actor.has_perm_anywhere(Perm.MANAGE_SECURITY):
        raise PermissionDenied(_("Only a security administrator can reset a second factor."))
    if actor.pk == user.pk:
        raise PermissionDenied(_("You cannot reset your own second factor. Ask another security administrator."))
    with transaction.atomic():
        removed = TOTPDevice.objects.filter(user=user).delete()[1].get(TOTPDevice._meta.label, 0)
        removed += StaticDevice.objects.filter(user=user).delete()[1].get(StaticDevice._meta.label, 0)
        audit_record(
            actor=actor,
            action="twofactor.reset",
            target=user,
            detail={"devices_removed": removed},
            request=request,
        )
    return removed


# --- the deployment check --------------------------------------------------------------------------------


@checks.register(checks.Tags.security, deploy=True)
def check_staff_second_factor(app_configs: Sequence[Any] | None = None, **kwargs: Any) -> list[checks.CheckMessage]:
    """A deployment (DEBUG off) without the staff's second factor fails ``check --deploy --fail-level WARNING``."""
    if settings.DEBUG or getattr(settings, "GRIDWORK_STAFF_2FA", False):
        return []
    return [
        checks.Warning(
            "Staff above grid worker sign in without a second factor (GRIDWORK_STAFF_2FA is off).",
            hint="Set GRIDWORK_STAFF_2FA=true; 等保 2.0 level 3 asks for two factors for privileged users.",
            id="accounts.W001",
        )
    ]
