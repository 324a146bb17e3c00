"""Accounts: staff and residents, and the posts (a role held at a unit) that give staff their scope."""

from __future__ import annotations

from typing import Any, ClassVar

from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from gridwork.accounts.roles import COMMUNITY_WIDE_READS, ROLE_PERMISSIONS, Role
from gridwork.common.scope import ScopedQuerySet
from gridwork.places.codes import ancestor_paths
from gridwork.places.models import Department, Place, PlaceLevel


class UserKind(models.TextChoices):
    STAFF = "staff", _("Staff")
    RESIDENT = "resident", _("Resident")


class GridworkUserManager(UserManager["User"]):
    """Django's manager, but ``create_user`` and ``create_superuser`` go through ``set_password`` (Django's write the
    hash directly), so that the password's age and history start there too."""

    def _create_user_object(self, username: str, email: str | None, password: str | None, **extra_fields: Any) -> User:
        user: User = super()._create_user_object(  # type: ignore[misc]  # Django's, not in django-stubs
            username, email, password, **extra_fields
        )
        if password is not None:
            user.set_password(password)
        return user


class User(AbstractUser):
    """A person who signs in: staff with a username and password, residents with phone and one-time code."""

    kind = models.CharField(_("kind"), max_length=16, choices=UserKind.choices, default=UserKind.STAFF)
    full_name = models.CharField(_("full name"), max_length=100, blank=True)
    phone = models.CharField(_("mobile phone"), max_length=20, unique=True, null=True, blank=True)
    # 等保: staff change their password every GRIDWORK_PASSWORD_MAX_AGE_DAYS (gridwork.accounts.passwords).
    password_changed_at = models.DateTimeField(_("password changed at"), null=True, blank=True)
    must_change_password = models.BooleanField(
        _("must change password"),
        default=False,
        help_text=_("Set when someone else chose the password or the security administrator asked for a new one."),
    )

    objects: ClassVar[GridworkUserManager] = GridworkUserManager()

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.full_name or self.username

    def set_password(self, raw_password: str | None) -> None:
        """Every way of setting a password comes through here (forms, the admin site, createsuperuser), so the
        password's age starts here. Save ``password_changed_at`` with ``password``."""
        super().set_password(raw_password)
        self.password_changed_at = timezone.now()

    def check_password(self, raw_password: str) -> bool:
        """Django re-hashes an outdated hash through ``set_password`` here: that is no change of password."""
        changed_at = self.password_changed_at
        result = super().check_password(raw_password)
        self.password_changed_at = changed_at
        return result

    @cached_property
    def active_posts(self) -> list[Post]:
        """This user's active posts with their places, read once per request."""
        if self.pk is None or not self.is_active:
            return []
        return list(self.posts.filter(is_active=True).select_related("place", "department").order_by("id"))

    def has_perm_anywhere(self, perm: str) -> bool:
        return any(perm in ROLE_PERMISSIONS[post.role] for post in self.active_posts)

    def scope_paths(self, perm: str) -> list[str]:
        """Place paths of the units at which this user holds ``perm``; the scope rule narrows to these.

        A grid-level post reaches its community for the community-wide reads (``COMMUNITY_WIDE_READS``).
        """
        return [_reach(post.place, perm) for post in self.active_posts if perm in ROLE_PERMISSIONS[post.role]]

    @property
    def is_staff_member(self) -> bool:
        return self.kind == UserKind.STAFF


def _reach(place: Place, perm: str) -> str:
    if perm in COMMUNITY_WIDE_READS and place.level == PlaceLevel.GRID:
        return ancestor_paths(place.path, include_self=False)[-1]
    return place.path


class Post(models.Model):
    """岗位: a staff member's role at an organisational unit (a place, and a department where the role has one)."""

    SCOPE_PATH: ClassVar[str] = "place__path"

    user = models.ForeignKey(User, verbose_name=_("user"), on_delete=models.CASCADE, related_name="posts")
    role = models.CharField(_("role"), max_length=32, choices=Role.choices)
    place = models.ForeignKey(Place, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="posts")
    department = models.ForeignKey(
        Department,
        verbose_name=_("department"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="posts",
    )
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("post")
        verbose_name_plural = _("posts")
        constraints = [
            models.UniqueConstraint(fields=["user", "role", "place"], name="post_unique_role_at_place"),
        ]

    def __str__(self) -> str:
        return f"{self.get_role_display()} @ {self.place.name}"


class PhoneCode(models.Model):
    """A one-time sign-in code sent to a resident's phone; only its hash is kept."""

    phone = models.CharField(_("mobile phone"), max_length=20, db_index=True)
    code_hash = models.CharField(max_length=128)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    attempts = models.PositiveSmallIntegerField(default=0)
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("phone sign-in code")
        indexes = [models.Index(fields=["phone", "-created_at"], name="phonecode_phone_recent")]

    def __str__(self) -> str:
        return f"{self.phone[:3]}****{self.phone[-4:]} @ {self.created_at:%Y-%m-%d %H:%M}"


class PasswordHistory(models.Model):
    """A password hash a user has had, so that the last few cannot be chosen again (gridwork.accounts.passwords)."""

    user = models.ForeignKey(User, verbose_name=_("user"), on_delete=models.CASCADE, related_name="+")
    password = models.CharField(_("password hash"), max_length=128)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("former password")
        verbose_name_plural = _("former passwords")
        indexes = [models.Index(fields=["user", "-created_at"], name="passwordhistory_user_recent")]

    def __str__(self) -> str:
        return f"{self.user_id} @ {self.created_at:%Y-%m-%d %H:%M}"


class UserSession(models.Model):
    """A signed-in session of a user, so that all of them can be ended at once (gridwork.accounts.sessions).

    Only the key is kept; the session's data stays in the configured SESSION_ENGINE."""

    user = models.ForeignKey(User, verbose_name=_("user"), on_delete=models.CASCADE, related_name="+")
    session_key = models.CharField(_("session key"), max_length=40, unique=True)
    created_at = models.DateTimeField(_("signed in at"), default=timezone.now)

    class Meta:
        verbose_name = _("signed-in session")
        verbose_name_plural = _("signed-in sessions")

    def __str__(self) -> str:
        return f"{self.user_id} @ {self.created_at:%Y-%m-%d %H:%M}"
