"""Writing accounts: staff and their posts, resident sign-in by one-time code, and the sign-in audit trail.

Every function here runs in one transaction, validates first, and writes an audit row in the same
transaction. Text messages go out only after the transaction commits.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable
from datetime import timedelta
from importlib import import_module
from typing import Any

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.http import HttpRequest
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext as _

from gridwork.accounts import sessions
from gridwork.accounts.models import PhoneCode, Post, User, UserKind
from gridwork.accounts.roles import ROLE_LEVELS, ROLES_WITH_DEPARTMENT, Perm, Role
from gridwork.accounts.sms import get_sms_backend
from gridwork.audit.services import audit_record
from gridwork.common.masking import mask_phone
from gridwork.common.scope import holds_over
from gridwork.places.models import Department, DepartmentKind, Place

PHONE_RE = re.compile(r"^1[3-9][0-9]{9}$")  # ASCII digits only: \d would let in other scripts' digits
# Staff usernames: ASCII, start with a letter; 3 to 50 characters of letters, digits, '.', '_' and '-'.
USERNAME_RE = re.compile(r"^[A-Za-z][A-Za-z0-9._-]{2,49}$")
# Residents' usernames are derived from their phone (``r`` + number); staff may not take one.
RESIDENT_USERNAME_RE = re.compile(r"^r1[3-9][0-9]{9}$")
CODE_RE = re.compile(r"^[0-9]{6}$")
# Roles that separate duties (三员分立): only a system administrator may grant them.
PRIVILEGED_ROLES = frozenset({Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN, Role.AUDIT_ADMIN})
PHONE_CODES_PER_HOUR = 5
_CODE_HMAC_SALT = "gridwork.accounts.phone_code"


# --- phone numbers ---------------------------------------------------------------------------------------


def phone_normalise(raw: str) -> str:
    """A mainland mobile number as 11 digits: spaces and dashes dropped, a leading +86 / 86 removed."""
    phone = re.sub(r"[\s-]", "", raw or "")
    if phone.startswith("+86"):
        phone = phone[3:]
    elif phone.startswith("86") and len(phone) == 13:
        phone = phone[2:]
    return phone


def phone_is_valid(phone: str) -> bool:
    return bool(PHONE_RE.fullmatch(phone))


def resident_username(phone: str) -> str:
    return f"r{phone}"


# --- staff and posts -------------------------------------------------------------------------------------


def post_errors(*, actor: User | None, role: str, place: Place, department: Department | None) -> dict[str, str]:
    """What is wrong with holding ``role`` at ``place`` (and ``department``), granted by ``actor``."""
    errors: dict[str, str] = {}
    if role not in Role.values:
        errors["role"] = _("Choose a valid role.")
        return errors
    if actor is not None:
        if not holds_over(actor, Perm.MANAGE_STAFF, place):
            errors["place"] = _("You can only manage staff of your own units and the units under them.")
        if role in PRIVILEGED_ROLES and not actor.has_perm_anywhere(Perm.ADMIN_SITE):
            errors["role"] = _("Only a system administrator can grant this role.")
    if place.level not in ROLE_LEVELS[role]:
        errors.setdefault(
            "place",
            _("A %(role)s post is held at a unit of level: %(levels)s.")
            % {"role": Role(role).label, "levels": ", ".join(sorted(ROLE_LEVELS[role]))},
        )
    if role in ROLES_WITH_DEPARTMENT:
        if department is None:
            errors["department"] = _("This role belongs to a department; choose one.")
        elif department.place_id != place.pk:
            errors["department"] = _("The department must belong to the chosen unit.")
        elif not department.is_active:
            errors["department"] = _("This department is no longer active.")
        elif role == Role.DISPATCH_CENTRE and department.kind != DepartmentKind.DISPATCH_CENTRE:
            errors["department"] = _("A dispatch centre post needs a joint dispatch centre.")
    elif department is not None:
        errors["department"] = _("This role does not belong to a department; leave it empty.")
    return errors


def _post_detail(post: Post) -> dict[str, Any]:
    return {
        "user": post.user.get_username(),
        "role": post.role,
        "place": post.place.code,
        "department": post.department.code if post.department is not None else None,
    }


def staff_create(
    *,
    actor: User | None,
    username: str,
    full_name: str,
    phone: str,
    role: str,
    place: Place,
    department: Department | None = None,
    password: str | None = None,
    request: HttpRequest | None = None,
) -> User:
    """Create a staff member with one post. ``actor`` None means the system itself (an import, a command).

    Raises ``ValidationError`` with a dict of field → message (username, phone, role, place, department,
    password). Without a password the account gets an unusable one, to be set through a reset; with one, chosen by
    someone else, the new member must change it at first sign-in.
    """
    username = (username or "").strip()
    full_name = (full_name or "").strip()
    phone = phone_normalise(phone)
    errors: dict[str, str] = {}

    if not USERNAME_RE.fullmatch(username) or RESIDENT_USERNAME_RE.fullmatch(username):
        errors["username"] = _(
            "A username has 3 to 50 characters: letters, digits, '.', '_' or '-', starting with a letter."
        )
    elif User.objects.filter(username__iexact=username).exists():
        errors["username"] = _("This username is already taken.")
    if not full_name:
        errors["full_name"] = _("Enter the full name.")
    if not phone_is_valid(phone):
        errors["phone"] = _("Enter a mainland mobile number of 11 digits, such as 13812345678.")
    elif User.objects.filter(phone=phone).exists():
        errors["phone"] = _("This mobile number already belongs to an account.")
    errors.update(post_errors(actor=actor, role=role, place=place, department=department))
    if password:
        try:
            validate_password(password, User(username=username, full_name=full_name, phone=phone))
        except ValidationError as exc:
            errors["password"] = " ".join(exc.messages)
    if errors:
        raise ValidationError(errors)

    try:
        with transaction.atomic():
            user = User(username=username, full_name=full_name, phone=phone, kind=UserKind.STAFF)
            if password:
                user.set_password(password)
                user.must_change_password = True
            else:
                user.set_unusable_password()
            user.save()
            post = Post.objects.create(user=user, role=role, place=place, department=department)
            audit_record(
                actor=actor,
                actor_name="" if actor is not None else "system",
                action="staff.create",
                target=user,
                detail={"post": _post_detail(post), "password_set": bool(password)},
                request=request,
            )
    except IntegrityError as exc:
        # Someone took the username or number between the check above and the insert.
        if User.objects.filter(username__iexact=username).exists():
            raise ValidationError({"username": _("This username is already taken.")}) from exc
        if User.objects.filter(phone=phone).exists():
            raise ValidationError({"phone": _("This mobile number already belongs to an account.")}) from exc
        raise
    return user


def post_add(
    *,
    actor: User | None,
    user: User,
    role: str,
    place: Place,
    department: Department | None = None,
    request: HttpRequest | None = None,
) -> Post:
    """Give a staff member another post (or re-activate the same post if it was ended)."""
    errors = post_errors(actor=actor, role=role, place=place, department=department)
    if user.kind != UserKind.STAFF:
        errors["user"] = _("Only staff hold posts.")
    elif not user.is_active:
        errors["user"] = _("This account is deactivated.")
    existing = Post.objects.filter(user=user, role=role, place=place).first()
    if existing is not None and existing.is_active:
        errors.setdefault("role", _("This person already holds this post."))
    if errors:
        raise ValidationError(errors)

    with transaction.atomic():
        if existing is not None:
            existing.department = department
            existing.is_active = True
            existing.save(update_fields=["department", "is_active"])
            post = existing
        else:
            post = Post.objects.create(user=user, role=role, place=place, department=department)
        audit_record(
            actor=actor,
            actor_name="" if actor is not None else "system",
            action="post.add",
            target=post,
            detail=_post_detail(post),
            request=request,
        )
    user.__dict__.pop("active_posts", None)
    return post


def _check_may_change_post(*, actor: User | None, post: Post) -> None:
    if actor is None:
        return
    if not holds_over(actor, Perm.MANAGE_STAFF, post.place):
        raise PermissionDenied(_("You can only manage staff of your own units and the units under them."))
    if post.role in PRIVILEGED_ROLES and not actor.has_perm_anywhere(Perm.ADMIN_SITE):
        raise PermissionDenied(_("Only a system administrator can change this post."))


def post_deactivate(*, actor: User | None, post: Post, request: HttpRequest | None = None) -> Post:
    """End a post. Raises ``PermissionDenied`` when the post lies outside what ``actor`` manages."""
    _check_may_change_post(actor=actor, post=post)
    with transaction.atomic():
        updated = Post.objects.filter(pk=post.pk, is_active=True).update(is_active=False)
        if not updated:
            raise ValidationError(_("This post has already ended."))
        post.is_active = False
        audit_record(
            actor=actor,
            actor_name="" if actor is not None else "system",
            action="post.deactivate",
            target=post,
            detail=_post_detail(post),
            request=request,
        )
    post.user.__dict__.pop("active_posts", None)
    return post


def staff_deactivate(*, actor: User | None, user: User, request: HttpRequest | None = None) -> User:
    """Deactivate a staff account and end all its posts. ``actor`` must manage every one of those posts.

    Deactivated users cannot sign in, and every open session of theirs is ended (deleted from the session store,
    with the personal data it holds) in the same step.
    """
    if actor is not None and actor.pk == user.pk:
        raise PermissionDenied(_("You cannot deactivate your own account."))
    if user.kind != UserKind.STAFF:
        raise ValidationError(_("Only staff accounts are deactivated here."))
    posts = list(Post.objects.filter(user=user, is_active=True).select_related("place", "department", "user"))
    if actor is not None and not posts:
        # Without an active post there is no unit to check the actor against: only the system may do it.
        raise PermissionDenied(_("This account has no active post you manage."))
    for post in posts:
        _check_may_change_post(actor=actor, post=post)
    with transaction.atomic():
        User.objects.filter(pk=user.pk).update(is_active=False)
        Post.objects.filter(pk__in=[post.pk for post in posts]).update(is_active=False)
        user.is_active = False
        ended = sessions.sessions_end(user=user)
        audit_record(
            actor=actor,
            actor_name="" if actor is not None else "system",
            action="staff.deactivate",
            target=user,
            detail={"posts": [_post_detail(post) for post in posts], "sessions_ended": ended},
            request=request,
        )
    user.__dict__.pop("active_posts", None)
    return user


def user_password_change(*, user: User, password: str, request: HttpRequest | None = None) -> User:
    """Set a user's own new password (already checked by the form against the password validators, which refuse the
    last few passwords too). Clears a forced change, restarts the password's age, and ends the user's other sessions;
    the session of ``request`` stays (the view keeps it signed in with ``update_session_auth_hash``)."""
    validate_password(password, user)
    with transaction.atomic():
        user.set_password(password)
        user.must_change_password = False
        user.save(update_fields=["password", "password_changed_at", "must_change_password"])
        keep = getattr(getattr(request, "session", None), "session_key", None)
        ended = sessions.sessions_end(user=user, keep=keep)
        audit_record(
            actor=user, action="password.change", target=user, detail={"sessions_ended": ended}, request=request
        )
    return user


def password_clock_start(*, user: User) -> None:
    """Start the password's age at sign-in for an account whose password was written without ``set_password`` (the
    demo data's bulk insert), so that it is neither exempt from the limit nor expired at once."""
    if user.pk is None or user.password_changed_at is not None or not user.has_usable_password():
        return
    user.password_changed_at = timezone.now()
    unset = User.objects.filter(pk=user.pk, password_changed_at__isnull=True)
    unset.update(password_changed_at=user.password_changed_at)


# --- the security administrator (安全管理员) ---------------------------------------------------------------


def _check_security_admin(*, actor: User, user: User | None) -> None:
    """``actor`` holds MANAGE_SECURITY over one of ``user``'s posts, and ``user`` is not ``actor``."""
    if not actor.has_perm_anywhere(Perm.MANAGE_SECURITY):
        raise PermissionDenied(_("Only the security administrator can do this."))
    if user is None:
        return
    if user.pk == actor.pk:
        raise PermissionDenied(_("Another security administrator has to do this for your own account."))
    if user.kind != UserKind.STAFF or not Post.objects.restrict(actor, Perm.MANAGE_SECURITY).filter(user=user).exists():
        raise PermissionDenied(_("This account lies outside your units."))


def second_factor_resetter() -> Callable[..., Any] | None:
    """``gridwork.accounts.twofactor.reset_second_factor`` when two-factor sign-in is part of this installation."""
    try:
        module = import_module("gridwork.accounts.twofactor")
    except ImportError:
        return None
    reset = getattr(module, "reset_second_factor", None)
    return reset if callable(reset) else None


def security_force_password_change(*, actor: User, user: User, request: HttpRequest | None = None) -> int:
    """Make ``user`` choose a new password at their next sign-in, and end their sessions so that it is now.
    Returns how many sessions were ended."""
    _check_security_admin(actor=actor, user=user)
    if not user.has_usable_password():
        raise ValidationError(_("This account has no password yet; it gets one through a reset."))
    with transaction.atomic():
        User.objects.filter(pk=user.pk).update(must_change_password=True)
        user.must_change_password = True
        ended = sessions.sessions_end(user=user)
        audit_record(
            actor=actor,
            action="security.force_password_change",
            target=user,
            detail={"sessions_ended": ended},
            request=request,
        )
    return ended


def security_end_sessions(*, actor: User, user: User, request: HttpRequest | None = None) -> int:
    """End every session of ``user`` (a lost phone, a shared computer); returns how many were ended."""
    _check_security_admin(actor=actor, user=user)
    with transaction.atomic():
        ended = sessions.sessions_end(user=user)
        audit_record(
            actor=actor, action="security.end_sessions", target=user, detail={"sessions_ended": ended}, request=request
        )
    return ended


def security_unlock(*, actor: User, username: str, request: HttpRequest | None = None) -> int:
    """Lift the sign-in lock of ``username`` (django-axes' failed attempts); returns how many records were removed."""
    from axes.utils import reset as axes_reset

    _check_security_admin(actor=actor, user=None)
    username = (username or "").strip()
    if not username:
        raise ValidationError(_("Name the account to unlock."))
    if username.casefold() == actor.get_username().casefold():
        raise PermissionDenied(_("Another security administrator has to do this for your own account."))
    with transaction.atomic():
        removed = axes_reset(username=username)
        audit_record(
            actor=actor,
            action="security.unlock",
            detail={"username": username[:150], "attempts_removed": removed},
            request=request,
        )
    return removed


def security_reset_second_factor(*, actor: User, user: User, request: HttpRequest | None = None) -> int:
    """Remove ``user``'s second factor (a lost phone) so that they set up a new one at their next sign-in, and end
    their sessions, which may have been verified with the lost device. ``twofactor.reset_second_factor`` removes and
    audits the devices; the ended sessions are audited here. Returns how many sessions were ended."""
    reset = second_factor_resetter()
    if reset is None:
        raise ValidationError(_("Two-factor sign-in is not part of this installation."))
    _check_security_admin(actor=actor, user=user)
    with transaction.atomic():
        reset(actor, user, request=request)
        ended = sessions.sessions_end(user=user)
        audit_record(
            actor=actor,
            action="security.end_sessions",
            target=user,
            detail={"sessions_ended": ended, "reason": "second_factor_reset"},
            request=request,
        )
    return ended


# --- residents: phone and one-time code ------------------------------------------------------------------


def _code_hash(phone: str, code: str) -> str:
    """A keyed hash (HMAC with SECRET_KEY) of the code for this phone: a leaked table alone reveals nothing."""
    return salted_hmac(_CODE_HMAC_SALT, f"{phone}:{code}", algorithm="sha256").hexdigest()


def phone_code_request(*, phone: str, request: HttpRequest | None = None) -> PhoneCode | None:
    """Send a one-time sign-in code to ``phone``.

    Raises ``ValidationError`` for a malformed number, a second request within
    ``PHONE_CODE_RESEND_INTERVAL``, or more than ``PHONE_CODES_PER_HOUR`` codes in an hour. A number that
    belongs to a staff account gets no code (staff sign in with a password), but the caller is told
    nothing different, so the form does not reveal which numbers are staff. Returns the code row, or
    None when no code was sent.
    """
    phone = phone_normalise(phone)
    if not phone_is_valid(phone):
        raise ValidationError({"phone": _("Enter a mainland mobile number of 11 digits, such as 13812345678.")})
    now = timezone.now()
    with transaction.atomic():
        # Lock this phone's recent codes so that two simultaneous requests cannot both pass the limits.
        recent = list(
            PhoneCode.objects.select_for_update()
            .filter(phone=phone, created_at__gte=now - timedelta(hours=1))
            .order_by("-created_at", "-id")
        )
        if recent and now - recent[0].created_at < settings.PHONE_CODE_RESEND_INTERVAL:
            wait = settings.PHONE_CODE_RESEND_INTERVAL - (now - recent[0].created_at)
            raise ValidationError(
                {
                    "phone": _("A code was just sent to this number. Ask for another in %(seconds)d seconds.")
                    % {"seconds": max(1, int(wait.total_seconds()) + 1)}
                }
            )
        if len(recent) >= PHONE_CODES_PER_HOUR:
            raise ValidationError({"phone": _("Too many codes were sent to this number. Try again in an hour.")})
        owner = User.objects.filter(phone=phone).only("kind", "is_active").first()
        if owner is not None and (owner.kind != UserKind.RESIDENT or not owner.is_active):
            audit_record(
                actor=None,
                actor_name=mask_phone(phone),
                action="login.phone_code_refused",
                detail={"phone": mask_phone(phone), "reason": "not an active resident account"},
                request=request,
            )
            return None
        code = f"{secrets.randbelow(10**6):06d}"
        phone_code = PhoneCode.objects.create(
            phone=phone, code_hash=_code_hash(phone, code), expires_at=now + settings.PHONE_CODE_TTL
        )
        # Only the newest code of a number is accepted; older ones die now.
        PhoneCode.objects.filter(phone=phone, used_at__isnull=True).exclude(pk=phone_code.pk).update(
            attempts=settings.PHONE_CODE_MAX_ATTEMPTS
        )
        minutes = max(1, int(settings.PHONE_CODE_TTL.total_seconds() // 60))
        message = _(
            "Your Gridwork sign-in code is %(code)s. It expires in %(minutes)d minutes. Never tell anyone this code."
        ) % {"code": code, "minutes": minutes}
        transaction.on_commit(lambda: get_sms_backend().send(phone, message))
    return phone_code


def resident_account_create(*, phone: str, full_name: str = "", actor: Any = None) -> User:
    """Make the resident account of ``phone`` (normalised and valid), as the first sign-in by code does or as staff do
    for a unit's contact, and audit it (``actor``: who made it; the account itself when None). In a savepoint of its
    own, so that when the number was taken a moment ago the ``IntegrityError`` leaves the caller's transaction
    usable."""
    with transaction.atomic():
        user = User.objects.create_user(
            username=resident_username(phone), password=None, kind=UserKind.RESIDENT, phone=phone, full_name=full_name
        )
        audit_record(
            actor=actor or user, action="resident_account.create", target=user, detail={"phone": mask_phone(phone)}
        )
    return user


def phone_code_verify(*, phone: str, code: str) -> User | None:
    """The resident whose newest code for ``phone`` is ``code``, creating their account on first sign-in.

    None when the number or code is malformed, the code is wrong, expired, already used, or has had
    ``PHONE_CODE_MAX_ATTEMPTS`` tries. Every try counts (the right one too), so guessing is bounded to
    that many tries per code and ``PHONE_CODES_PER_HOUR`` codes per hour.
    """
    phone = phone_normalise(phone)
    code = (code or "").strip()
    if not phone_is_valid(phone):
        return None
    now = timezone.now()
    with transaction.atomic():
        latest = PhoneCode.objects.filter(phone=phone).order_by("-created_at", "-id").first()
        if latest is None or latest.used_at is not None or latest.expires_at <= now:
            return None
        # Compare-and-set: count this try only if the code still has tries left.
        counted = PhoneCode.objects.filter(
            pk=latest.pk, used_at__isnull=True, attempts__lt=settings.PHONE_CODE_MAX_ATTEMPTS
        ).update(attempts=F("attempts") + 1)
        if not counted:
            return None
        if not CODE_RE.fullmatch(code) or not constant_time_compare(latest.code_hash, _code_hash(phone, code)):
            return None
        used = PhoneCode.objects.filter(pk=latest.pk, used_at__isnull=True).update(used_at=now)
        if not used:
            return None
        user = User.objects.filter(phone=phone).first()
        if user is None:
            user = resident_account_create(phone=phone)
        elif user.kind != UserKind.RESIDENT or not user.is_active:
            return None
    return user


# --- the sign-in audit trail (called from gridwork.accounts.signals) ------------------------------------


def login_record_success(*, user: User, request: HttpRequest | None) -> None:
    audit_record(
        actor=user,
        action="login.success",
        target=user,
        detail={"method": getattr(user, "backend", "") or ""},
        request=request,
    )


def login_record_failure(*, credentials: dict[str, Any], request: HttpRequest | None) -> None:
    """A failed sign-in, naming who tried (the username, or the masked phone); the secret is never kept."""
    username = credentials.get("username")
    phone = credentials.get("phone")
    if phone is not None and username is None:
        name = mask_phone(phone_normalise(str(phone)))
        detail: dict[str, Any] = {"method": "phone", "phone": name}
    else:
        name = str(username or "")[:150]
        detail = {"method": "password", "username": name}
    audit_record(actor=None, actor_name=name, action="login.failed", detail=detail, request=request)


def login_record_logout(*, user: User | None, request: HttpRequest | None, reason: str = "") -> None:
    if user is None:
        return
    audit_record(
        actor=user,
        action="logout.idle" if reason == "idle" else "logout",
        target=user,
        detail={"reason": reason} if reason else None,
        request=request,
    )


def login_record_lockout(*, username: str | None, ip_address: str | None, request: HttpRequest | None) -> None:
    audit_record(
        actor=None,
        actor_name=(username or "")[:150],
        action="login.locked_out",
        detail={"username": username or "", "ip_address": ip_address or ""},
        request=request,
    )
