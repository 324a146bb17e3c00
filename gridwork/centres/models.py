"""Positions (阵地): party-mass service centres and stations, their rooms, and the bookings of those rooms.

"街有中心、社区有站" (seed 000): every street has a party-mass service centre, every community a station, and estates
(小区) and buildings have smaller stations (seed 002's "八种功能"). A centre belongs to the place it serves (its
scope); its rooms are booked by residents, resident units, organisations and staff for a time slot. Two bookings
that hold a slot (pending or confirmed) never overlap in one room: the database refuses the second (an exclusion
constraint on PostgreSQL, a trigger on SQLite), so two simultaneous requests for one slot cannot both win. A centre
may require approval: its bookings start pending and hold the slot until approved or refused.
"""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from gridwork.common.flows import FlowEvent, FlowSubject
from gridwork.common.scope import ScopedQuerySet
from gridwork.places.models import Place


class CentreKind(models.TextChoices):
    STREET_CENTRE = "street_centre", _("Street party-mass service centre (街道党群服务中心)")
    COMMUNITY_STATION = "community_station", _("Community party-mass service station (社区党群服务站)")
    ESTATE_STATION = "estate_station", _("Estate party-mass service station (小区党群服务站)")
    MICRO_STATION = "micro_station", _("Micro-station (微站点)")


class CentreFunction(models.TextChoices):
    """The standard lists: "一场所六中心" for street centres and community stations, the estate station's
    "八种功能" (seed 002)."""

    ACTIVITY_VENUE = "activity_venue", _("Community activity venue (社区活动场所)")
    PARTY_MEMBER_SERVICE = "party_member_service", _("Party member service centre (党员服务中心)")
    DELIBERATION = "deliberation", _("Residents' deliberation centre (居民议事中心)")
    CONVENIENCE_SERVICE = "convenience_service", _("Convenience service centre (便民服务中心)")
    CULTURE = "culture", _("Cultural activity centre (文化活动中心)")
    ELDERLY_CARE = "elderly_care", _("Elderly care and service centre (社区养老和老年服务中心)")
    MEDIATION = "mediation", _("Dispute mediation centre (矛盾纠纷调解中心)")
    BRANCH_OFFICE = "branch_office", _("Estate branch office (小区支部办公室)")
    RECEPTION = "reception", _("Public opinion reception point (社情民意接待站)")
    SELF_GOVERNANCE = "self_governance", _("Residents' self-governance hall (居民自治议事厅)")
    NEIGHBOUR_MEDIATION = "neighbour_mediation", _("Neighbourhood mediation room (邻里矛盾调解室)")
    LEISURE = "leisure", _("Culture and leisure room (文化休闲活动室)")
    VOLUNTEER_LIAISON = "volunteer_liaison", _("Volunteer service liaison station (志愿服务联络站)")
    MEMBER_MANAGEMENT = "member_management", _("Party member management station (党员管理工作站)")
    ERRANDS = "errands", _("Residents' errands point (居民事务代办点)")


class Centre(models.Model):
    """党群服务中心/站: a position serving a street, a community, an estate or a building."""

    SCOPE_PATH: ClassVar[str] = "place__path"

    name = models.CharField(_("name"), max_length=120)
    kind = models.CharField(_("kind"), max_length=24, choices=CentreKind.choices)
    place = models.ForeignKey(Place, verbose_name=_("place served"), on_delete=models.PROTECT, related_name="centres")
    address = models.CharField(_("address"), max_length=200)
    phone = models.CharField(_("service phone"), max_length=20, blank=True)
    # {"mon": [["08:30", "12:00"], ["14:00", "17:30"]], …, "sun": []}: the hours residents may book within.
    opening_hours = models.JSONField(_("opening hours"), default=dict, blank=True)
    functions = models.JSONField(_("functions"), default=list, blank=True)  # CentreFunction values
    requires_approval = models.BooleanField(_("bookings need approval"), default=False)
    is_active = models.BooleanField(_("open"), default=True)
    latitude = models.FloatField(_("latitude"), null=True, blank=True)
    longitude = models.FloatField(_("longitude"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("service centre")
        verbose_name_plural = _("service centres")
        ordering = ["place__code", "name"]

    def __str__(self) -> str:
        return self.name


class Room(models.Model):
    """A room of a centre that can be booked (or not: an office listed for completeness)."""

    SCOPE_PATH: ClassVar[str] = "centre__place__path"

    centre = models.ForeignKey(Centre, verbose_name=_("centre"), on_delete=models.PROTECT, related_name="rooms")
    name = models.CharField(_("name"), max_length=80)
    capacity = models.PositiveIntegerField(_("capacity (people)"))
    equipment = models.JSONField(_("equipment"), default=list, blank=True)  # ["projector", "sound system", …]
    bookable = models.BooleanField(_("bookable"), default=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("room")
        verbose_name_plural = _("rooms")
        ordering = ["centre_id", "name"]
        constraints = [
            models.UniqueConstraint(fields=["centre", "name"], name="centres_room_unique_name"),
            models.CheckConstraint(condition=Q(capacity__gt=0), name="centres_room_capacity_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.centre.name} · {self.name}"


class BookerKind(models.TextChoices):
    RESIDENT = "resident", _("Resident")
    UNIT = "unit", _("Resident unit")
    ORGANISATION = "organisation", _("Organisation")
    STAFF = "staff", _("Staff")


class BookingState(models.TextChoices):
    PENDING = "pending", _("Waiting for approval")
    CONFIRMED = "confirmed", _("Confirmed")
    REFUSED = "refused", _("Refused")
    CANCELLED = "cancelled", _("Cancelled")


# States in which a booking holds its slot: no other holding booking of the room may overlap it.
HOLDING_STATES: tuple[str, ...] = (BookingState.PENDING, BookingState.CONFIRMED)


class Booking(FlowSubject):
    """A room for a time slot [starts_at, ends_at). Moves: book (→ pending or confirmed), approve, refuse, cancel."""

    SCOPE_PATH: ClassVar[str] = "room__centre__place__path"

    number = models.CharField(_("number"), max_length=24, unique=True)  # 订-2026-000123
    room = models.ForeignKey(Room, verbose_name=_("room"), on_delete=models.PROTECT, related_name="bookings")
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    state = models.CharField(_("state"), max_length=16, choices=BookingState.choices)
    booker = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("booked by"), on_delete=models.PROTECT, related_name="room_bookings"
    )
    booker_kind = models.CharField(_("booked as"), max_length=16, choices=BookerKind.choices)
    unit = models.ForeignKey(
        "people.ResidentUnit",
        verbose_name=_("resident unit"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="room_bookings",
    )
    organisation_name = models.CharField(_("organisation"), max_length=120, blank=True)
    contact_name = models.CharField(_("contact"), max_length=50)
    contact_phone = models.CharField(_("contact phone"), max_length=20)
    purpose = models.CharField(_("purpose"), max_length=200)
    attendees = models.PositiveIntegerField(_("expected attendees"))
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    decision_note = models.CharField(_("reason"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("booking")
        verbose_name_plural = _("bookings")
        ordering = ["starts_at", "room_id"]
        indexes = [models.Index(fields=["room", "starts_at"], name="centres_booking_room_start")]
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gt=F("starts_at")), name="centres_booking_ends_after_start"),
            models.CheckConstraint(condition=Q(attendees__gt=0), name="centres_booking_attendees_positive"),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def holds_slot(self) -> bool:
        return self.state in HOLDING_STATES


class BookingEvent(FlowEvent):
    subject = models.ForeignKey(Booking, on_delete=models.PROTECT, related_name="events")

    class Meta(FlowEvent.Meta):
        constraints = [models.UniqueConstraint(fields=["subject", "sequence"], name="centres_bookingevent_unique_seq")]
