"""Accounts: staff and residents, and the posts (a role held at a unit) that give staff their scope."""

from __future__ import annotations

from typing import ClassVar

from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from gridwork.accounts.roles import COMMUNITY_WIDE_READS, ROLE_PERMISSIONS, Role
from gridwork.common.scope import ScopedQuerySet
from gridwork.places.codes import ancestor_paths
from gridwork.places.models import Department, Place, PlaceLevel


class UserKind(models.TextChoices):
    STAFF = "staff", _("Staff")
    RESIDENT = "resident", _("Resident")


class User(AbstractUser):
    """A person who signs in: staff with a username and password, residents with phone and one-time code."""

    kind = models.CharField(_("kind"), max_length=16, choices=UserKind.choices, default=UserKind.STAFF)
    full_name = models.CharField(_("full name"), max_length=100, blank=True)
    phone = models.CharField(_("mobile phone"), max_length=20, unique=True, null=True, blank=True)

    objects: ClassVar[UserManager[User]] = UserManager()  # type: ignore[assignment]

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.full_name or self.username

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
