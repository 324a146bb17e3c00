"""Micro-wishes (微心愿): a resident's small wish — posted, reviewed by the community, published, claimed by one party
member or one resident unit, fulfilled with a photo, and confirmed by the resident (4,100+ claimed in Yangquan,
seed 002). Every move is an event of the wish (``common.flows``); a claim is a compare-and-set, so of two people
claiming at once one wins.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any, ClassVar

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from gridwork.common.flows import FlowEvent, FlowSubject
from gridwork.common.scope import ScopedQuerySet, path_scope_q
from gridwork.places.models import Place


class WishState(models.TextChoices):
    SUBMITTED = "submitted", _("Awaiting review")
    PUBLISHED = "published", _("Waiting to be claimed")
    REJECTED = "rejected", _("Not accepted")
    CLAIMED = "claimed", _("Claimed")
    FULFILLED = "fulfilled", _("Fulfilled, awaiting confirmation")
    CONFIRMED = "confirmed", _("Confirmed")
    CANCELLED = "cancelled", _("Withdrawn")


class Wish(FlowSubject):
    """微心愿: what is wished, for whom, where, its value (under the settings' cap), and who claimed it.

    Posted by the resident themself or, for a resident in difficulty, by staff on their behalf (``on_behalf``);
    the beneficiary's name and phone are personal data (masked in lists). Exactly one claimant while claimed: a
    registered party member or a resident unit. Staff see a wish through its building (the grid worker of the
    building's grid as well as the units above), or through its community when no building was given.
    """

    SCOPE_PATH: ClassVar[str] = "community__path"

    @classmethod
    def scope_q(cls, user: Any, perm: str) -> Q:
        return path_scope_q(user, perm, "building__path") | (
            Q(building__isnull=True) & path_scope_q(user, perm, "community__path")
        )

    title = models.CharField(_("wish"), max_length=60)
    description = models.TextField(_("details"), blank=True)
    value = models.DecimalField(_("estimated value (yuan)"), max_digits=8, decimal_places=2)
    beneficiary_name = models.CharField(_("for"), max_length=50)
    beneficiary_phone = models.CharField(_("phone"), max_length=20, blank=True)
    community = models.ForeignKey(Place, verbose_name=_("community"), on_delete=models.PROTECT, related_name="wishes")
    building = models.ForeignKey(
        Place, verbose_name=_("building"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    posted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("posted by"), on_delete=models.PROTECT, related_name="wishes_posted"
    )
    on_behalf = models.BooleanField(_("posted by staff on the resident's behalf"), default=False)
    state = models.CharField(_("state"), max_length=16, choices=WishState.choices, default=WishState.SUBMITTED)
    claimant_member = models.ForeignKey(
        "party.MemberRegistration",
        verbose_name=_("claimed by (member)"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="wishes_claimed",
    )
    claimant_unit = models.ForeignKey(
        "people.ResidentUnit",
        verbose_name=_("claimed by (unit)"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="wishes_claimed",
    )
    created_at = models.DateTimeField(_("posted at"), auto_now_add=True)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    claimed_at = models.DateTimeField(_("claimed at"), null=True, blank=True)
    fulfilled_at = models.DateTimeField(_("fulfilled at"), null=True, blank=True)
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("micro-wish")
        verbose_name_plural = _("micro-wishes")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["community", "state", "published_at"], name="wish_community_state")]
        constraints = [
            models.CheckConstraint(condition=Q(value__gt=Decimal(0)), name="wish_value_positive"),
            models.CheckConstraint(
                condition=Q(claimant_member__isnull=True) | Q(claimant_unit__isnull=True), name="wish_one_claimant"
            ),
            models.CheckConstraint(
                condition=~Q(state__in=["claimed", "fulfilled", "confirmed"])
                | Q(claimant_member__isnull=False)
                | Q(claimant_unit__isnull=False),
                name="wish_claimed_has_claimant",
            ),
        ]

    def __str__(self) -> str:
        return self.title


class WishEvent(FlowEvent):
    subject = models.ForeignKey(Wish, on_delete=models.PROTECT, related_name="events")

    class Meta(FlowEvent.Meta):
        verbose_name = _("wish event")
        verbose_name_plural = _("wish events")
        constraints = [models.UniqueConstraint(fields=["subject", "sequence"], name="wishevent_sequence")]


def wish_photo_path(instance: WishPhoto, filename: str) -> str:
    """Server-generated names only: the client's file name is never used."""
    return f"wishes/{instance.created_at:%Y/%m}/{filename}"


class WishPhoto(models.Model):
    """The photo that shows a wish fulfilled (or one the resident added when posting)."""

    wish = models.ForeignKey(Wish, on_delete=models.PROTECT, related_name="photos")
    event = models.ForeignKey(WishEvent, on_delete=models.PROTECT, null=True, blank=True, related_name="photos")
    image = models.ImageField(upload_to=wish_photo_path, width_field="width", height_field="height")
    width = models.PositiveIntegerField(default=0)
    height = models.PositiveIntegerField(default=0)
    size = models.PositiveIntegerField(default=0)
    content_type = models.CharField(max_length=32)
    created_at = models.DateTimeField()

    class Meta:
        verbose_name = _("wish photo")
        verbose_name_plural = _("wish photos")
        ordering = ["id"]

    def __str__(self) -> str:
        return self.image.name


class WishSettings(models.Model):
    """The city's rules for micro-wishes (one row, pk 1)."""

    value_cap = models.DecimalField(_("highest value of a wish (yuan)"), max_digits=8, decimal_places=2, default=500)
    stale_days = models.PositiveIntegerField(
        _("days unclaimed before a wish is highlighted"), default=7, help_text=_("Counted from publication.")
    )

    class Meta:
        verbose_name = _("micro-wish settings")
        verbose_name_plural = _("micro-wish settings")

    def __str__(self) -> str:
        return f"≤ {self.value_cap} yuan, stale after {self.stale_days} days"

    @classmethod
    def current(cls) -> WishSettings:
        found, _created = cls.objects.get_or_create(pk=1)
        return found
