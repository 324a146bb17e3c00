"""Volunteer orders (居民点单—支部下单—党员接单, seed 004).

A community (or the street, district or city above it, for all their communities) keeps a menu of services
(``ServiceItem``). A resident orders one, or asks in free text (``ServiceOrder``); the community's branch issues the
order to registered party members whose skills and building fit (``suggestions``); one of them takes it, does it and
records the hours, which earn points; the resident rates it. Every move is an event of the order (``OrderEvent``,
append-only); taking is a compare-and-set, so of two members taking at once one wins.
"""

from __future__ import annotations

from decimal import Decimal
from typing import ClassVar

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from gridwork.common.flows import FlowEvent, FlowSubject
from gridwork.common.scope import ScopedQuerySet
from gridwork.places.models import Place

MAX_HOURS = Decimal(24)


class ServiceItem(models.Model):
    """服务菜单: one service on the menu of a place (a community, or a street, district or city for all the
    communities under it), with the skill (``party.skills.Skill`` code) a member needs to do it."""

    SCOPE_PATH: ClassVar[str] = "place__path"

    place = models.ForeignKey(Place, verbose_name=_("offered in"), on_delete=models.PROTECT, related_name="+")
    name = models.CharField(_("service"), max_length=60)
    description = models.TextField(_("description"), blank=True)
    skill = models.CharField(_("skill needed"), max_length=32, blank=True)
    active = models.BooleanField(_("on the menu"), default=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("service on the menu")
        verbose_name_plural = _("services on the menu")
        ordering = ["name", "id"]
        indexes = [models.Index(fields=["place", "active"], name="serviceitem_place_active")]

    def __str__(self) -> str:
        return self.name


class OrderState(models.TextChoices):
    ORDERED = "ordered", _("Waiting to be issued")
    ISSUED = "issued", _("Issued to members")
    DECLINED = "declined", _("Declined")
    TAKEN = "taken", _("Taken")
    COMPLETED = "completed", _("Done, awaiting rating")
    RATED = "rated", _("Rated")
    CANCELLED = "cancelled", _("Cancelled")


OPEN_STATES = (OrderState.ORDERED, OrderState.ISSUED, OrderState.TAKEN)


class ServiceOrder(FlowSubject):
    """点单: a resident's order of a service from the menu (or in free text), for a person at a building.

    The person served (``for_name``, ``for_phone``) is personal data: masked in lists and to members until one of
    them takes the order. ``issued_to`` are the members the branch offered it to (下单); ``taker`` the one who took
    it (接单).
    """

    SCOPE_PATH: ClassVar[str] = "building__path"

    ordered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("ordered by"), on_delete=models.PROTECT, related_name="service_orders"
    )
    for_name = models.CharField(_("for"), max_length=50)
    for_phone = models.CharField(_("phone"), max_length=20)
    community = models.ForeignKey(Place, verbose_name=_("community"), on_delete=models.PROTECT, related_name="+")
    building = models.ForeignKey(Place, verbose_name=_("building"), on_delete=models.PROTECT, related_name="+")
    item = models.ForeignKey(
        ServiceItem,
        verbose_name=_("service"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="orders",
    )
    text = models.TextField(_("what is needed"), blank=True)
    wanted_on = models.DateField(_("wanted on"))
    wanted_from = models.TimeField(_("from"), null=True, blank=True)
    wanted_to = models.TimeField(_("to"), null=True, blank=True)
    state = models.CharField(_("state"), max_length=16, choices=OrderState.choices, default=OrderState.ORDERED)
    issued_to = models.ManyToManyField(
        "party.MemberRegistration", verbose_name=_("issued to"), blank=True, related_name="orders_issued"
    )
    taker = models.ForeignKey(
        "party.MemberRegistration",
        verbose_name=_("taken by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="orders_taken",
    )
    hours = models.DecimalField(_("hours of service"), max_digits=4, decimal_places=2, null=True, blank=True)
    rating = models.PositiveSmallIntegerField(_("rating (stars)"), null=True, blank=True)
    comment = models.TextField(_("resident's comment"), blank=True)
    reason = models.TextField(_("reason declined or cancelled"), blank=True)
    created_at = models.DateTimeField(_("ordered at"), auto_now_add=True)
    issued_at = models.DateTimeField(_("issued at"), null=True, blank=True)
    taken_at = models.DateTimeField(_("taken at"), null=True, blank=True)
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)
    rated_at = models.DateTimeField(_("rated at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("declined or cancelled at"), null=True, blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("volunteer order")
        verbose_name_plural = _("volunteer orders")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["community", "state", "created_at"], name="order_community_state"),
            models.Index(fields=["taker", "state"], name="order_taker_state"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(item__isnull=False) | ~Q(text=""), name="order_item_or_text"),
            models.CheckConstraint(
                condition=Q(hours__isnull=True) | (Q(hours__gt=Decimal(0)) & Q(hours__lte=MAX_HOURS)),
                name="order_hours_bounds",
            ),
            models.CheckConstraint(
                condition=Q(rating__isnull=True) | (Q(rating__gte=1) & Q(rating__lte=5)), name="order_rating_stars"
            ),
            models.CheckConstraint(
                condition=Q(wanted_from__isnull=True) | Q(wanted_to__isnull=True) | Q(wanted_to__gt=F("wanted_from")),
                name="order_window_order",
            ),
            models.CheckConstraint(
                condition=~Q(state__in=["taken", "completed", "rated"]) | Q(taker__isnull=False),
                name="order_taken_has_taker",
            ),
            models.CheckConstraint(
                condition=~Q(state__in=["completed", "rated"]) | Q(hours__isnull=False),
                name="order_completed_has_hours",
            ),
            models.CheckConstraint(
                condition=~Q(state="rated") | Q(rating__isnull=False), name="order_rated_has_rating"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def title(self) -> str:
        """The service ordered: the menu item's name, or the start of the free text."""
        if self.item_id is not None:
            return self.item.name  # type: ignore[union-attr]
        return self.text if len(self.text) <= 30 else f"{self.text[:30]}…"


class OrderEvent(FlowEvent):
    subject = models.ForeignKey(ServiceOrder, on_delete=models.PROTECT, related_name="events")

    class Meta(FlowEvent.Meta):
        verbose_name = _("order event")
        verbose_name_plural = _("order events")
        constraints = [models.UniqueConstraint(fields=["subject", "sequence"], name="orderevent_sequence")]
