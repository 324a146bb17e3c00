"""Reads of the activities, scoped in the query: an activity outside the user's units is not found (404), never
forbidden. Participants' names are personal data: masked unless the viewer holds VIEW_PERSONAL_DATA over the
activity's place. Residents' pages read only upcoming activities and their own sign-ups."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db.models import Q, QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone

from gridwork.accounts.roles import Perm
from gridwork.activities.flows import ACTION_LABELS
from gridwork.activities.models import (
    Activity,
    ActivityEvent,
    ActivityPhoto,
    ActivityState,
    CheckIn,
    ParticipantKind,
    SignUp,
)
from gridwork.activities.services.activities import holds
from gridwork.common.masking import mask_name
from gridwork.places.models import Place, PlaceLevel

UPCOMING_LIMIT = 50


@dataclass(frozen=True)
class ActivityFilters:
    state: str = ""
    kind: str = ""
    when: str = ""  # "upcoming", "past" or "" for both
    place: Place | None = None
    q: str = ""


def activity_list(
    *, user: Any, filters: ActivityFilters | None = None, now: datetime | None = None
) -> QuerySet[Activity]:
    """The activities of the user's units (VIEW_CENTRES), filtered: upcoming soonest first, otherwise newest first."""
    filters = filters or ActivityFilters()
    now = now or timezone.now()
    activities = Activity.objects.restrict(user, Perm.VIEW_CENTRES).select_related(
        "place", "organiser", "booking__room__centre"
    )
    if filters.state:
        activities = activities.filter(state=filters.state)
    if filters.kind:
        activities = activities.filter(kind=filters.kind)
    if filters.place is not None:
        activities = activities.filter(place__path__startswith=filters.place.path)
    text = filters.q.strip()
    if text:
        activities = activities.filter(Q(number__icontains=text) | Q(title__icontains=text))
    if filters.when == "upcoming":
        return activities.filter(ends_at__gte=now).order_by("starts_at", "id")
    if filters.when == "past":
        activities = activities.filter(ends_at__lt=now)
    return activities.order_by("-starts_at", "-id")


def activity_get(*, user: Any, pk: int, perm: str = Perm.VIEW_CENTRES) -> Activity:
    """One activity of the user's units (404 outside them)."""
    activities = Activity.objects.restrict(user, perm).select_related(
        "place", "community", "organiser", "booking__room__centre", "created_by", "minutes_recorded_by"
    )
    return get_object_or_404(activities, pk=pk)


def photo_get(*, user: Any, pk: int, photo_id: int) -> ActivityPhoto:
    activity = activity_get(user=user, pk=pk)
    return get_object_or_404(ActivityPhoto, pk=photo_id, activity=activity)


def place_choices(*, user: Any) -> QuerySet[Place]:
    """The communities and streets where the user runs activities (MANAGE_CENTRES)."""
    return (
        Place.objects.restrict(user, Perm.MANAGE_CENTRES)
        .filter(level__in=[PlaceLevel.COMMUNITY, PlaceLevel.STREET])
        .order_by("path")
    )


def filter_place_choices(*, user: Any) -> QuerySet[Place]:
    return (
        Place.objects.restrict(user, Perm.VIEW_CENTRES)
        .filter(level__in=[PlaceLevel.COMMUNITY, PlaceLevel.STREET])
        .order_by("path")
    )


def may_manage(user: Any, activity: Activity) -> bool:
    return holds(user, Perm.MANAGE_CENTRES, activity.place)


def may_see_names(user: Any, activity: Activity) -> bool:
    return holds(user, Perm.VIEW_PERSONAL_DATA, activity.place)


# --- participants and figures -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ParticipantRow:
    pk: int
    name: str
    kind_label: str
    at: datetime
    checked_in_at: datetime | None = None
    method_label: str = ""


@dataclass
class Attendance:
    """签到统计: the sign-ups still open, the check-ins, and how they relate."""

    signed_up: int = 0
    checked_in: int = 0
    signed_up_and_came: int = 0
    walk_ins: int = 0
    by_kind: list[tuple[str, int]] = field(default_factory=list)

    @property
    def no_shows(self) -> int:
        return self.signed_up - self.signed_up_and_came

    @property
    def turnout(self) -> float | None:
        """Of those signed up, the share who checked in (percent), or None without sign-ups."""
        return round(100 * self.signed_up_and_came / self.signed_up, 1) if self.signed_up else None


def open_signups(activity: Activity) -> QuerySet[SignUp]:
    return SignUp.objects.filter(activity=activity, cancelled_at__isnull=True).order_by("signed_up_at", "id")


def activity_checkins(activity: Activity) -> QuerySet[CheckIn]:
    return CheckIn.objects.filter(activity=activity).order_by("at", "id")


def attendance(activity: Activity) -> Attendance:
    signups = list(open_signups(activity).values_list("user_id", flat=True))
    checkins = list(activity_checkins(activity).values_list("user_id", "kind"))
    came = {user_id for user_id, _kind in checkins if user_id is not None}
    signed = set(signups)
    kinds = Counter(kind for _user, kind in checkins)
    return Attendance(
        signed_up=len(signed),
        checked_in=len(checkins),
        signed_up_and_came=len(signed & came),
        walk_ins=len(checkins) - len(signed & came),
        by_kind=[(str(ParticipantKind(kind).label), count) for kind, count in sorted(kinds.items())],
    )


def signup_rows(activity: Activity, *, full_names: bool) -> list[ParticipantRow]:
    checked = dict(activity_checkins(activity).filter(user__isnull=False).values_list("user_id", "at"))
    return [
        ParticipantRow(
            pk=signup.pk,
            name=signup.name if full_names else mask_name(signup.name),
            kind_label=str(signup.get_kind_display()),
            at=signup.signed_up_at,
            checked_in_at=checked.get(signup.user_id),
        )
        for signup in open_signups(activity)
    ]


def checkin_rows(activity: Activity, *, full_names: bool) -> list[ParticipantRow]:
    return [
        ParticipantRow(
            pk=checkin.pk,
            name=checkin.name if full_names else mask_name(checkin.name),
            kind_label=str(checkin.get_kind_display()),
            at=checkin.at,
            checked_in_at=checkin.at,
            method_label=str(checkin.get_method_display()),
        )
        for checkin in activity_checkins(activity)
    ]


def signups_not_checked_in(activity: Activity) -> QuerySet[SignUp]:
    came = CheckIn.objects.filter(activity=activity, user__isnull=False).values("user_id")
    return open_signups(activity).exclude(user_id__in=came)


@dataclass(frozen=True)
class TimelineEntry:
    at: Any
    label: str
    actor: str
    note: str


def activity_timeline(activity: Activity) -> list[TimelineEntry]:
    return [
        TimelineEntry(
            at=event.at,
            label=str(ACTION_LABELS.get(event.action, event.action)),
            actor=event.actor_name,
            note=event.note,
        )
        for event in ActivityEvent.objects.filter(subject=activity).order_by("sequence")
    ]


def activity_photos(activity: Activity) -> QuerySet[ActivityPhoto]:
    return ActivityPhoto.objects.filter(activity=activity).order_by("id")


# --- organisation life -----------------------------------------------------------------------------------------------


def life_branches(*, user: Any, place: Place | None = None) -> list[Any]:
    """The party branches of the user's units whose organisation life the user may see (VIEW_PARTY: everyone who
    holds VIEW_CENTRES holds it too)."""
    from gridwork.party.models import PartyOrganisation, PartyOrgKind

    branches = PartyOrganisation.objects.restrict(user, Perm.VIEW_PARTY).filter(kind=PartyOrgKind.BRANCH)
    if place is not None:
        branches = branches.filter(place__path__startswith=place.path)
    return list(branches.select_related("place").order_by("place__path", "code"))


def life_place_choices(*, user: Any) -> QuerySet[Place]:
    return (
        Place.objects.restrict(user, Perm.VIEW_PARTY)
        .filter(level__in=[PlaceLevel.STREET, PlaceLevel.COMMUNITY, PlaceLevel.GRID])
        .order_by("path")
    )


# --- residents' pages -----------------------------------------------------------------------------------------------


def upcoming_for(place: Place, *, now: datetime | None = None) -> QuerySet[Activity]:
    """The planned activities of a community not yet ended (its own, and its street's), soonest first."""
    now = now or timezone.now()
    ancestors = place.ancestor_paths(include_self=True)
    return (
        Activity.objects.filter(state=ActivityState.PLANNED, ends_at__gte=now)
        .filter(Q(place__path__startswith=place.path) | Q(place__path__in=ancestors, place__level=PlaceLevel.STREET))
        .select_related("place", "organiser", "booking__room__centre")
        .order_by("starts_at", "id")[:UPCOMING_LIMIT]
    )


def public_activity_get(pk: int) -> Activity:
    return get_object_or_404(Activity.objects.select_related("place", "organiser", "booking__room__centre"), pk=pk)


def my_signups(user: Any) -> QuerySet[SignUp]:
    return (
        SignUp.objects.filter(user=user)
        .select_related("activity", "activity__place", "activity__booking__room__centre")
        .order_by("-activity__starts_at", "-id")
    )


def my_checkins(user: Any) -> dict[int, datetime]:
    return dict(CheckIn.objects.filter(user=user).values_list("activity_id", "at"))


def public_community_choices() -> QuerySet[Place]:
    return Place.objects.filter(level=PlaceLevel.COMMUNITY).order_by("path")
