"""Reading the service day: the staff's, narrowed to their area (``restrict``: out of it is not found), and the
public's (every community's cycles are public; opinions never are, only their count)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db.models import Avg, Count, Prefetch, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from gridwork.accounts.roles import Perm
from gridwork.activities.models import Activity, ActivityState
from gridwork.common import masking
from gridwork.common.scope import holds_over
from gridwork.matters.models import Matter
from gridwork.matters.workflow import MatterState
from gridwork.party.models import MemberRegistration, RegistrationState
from gridwork.people.models import ResidentUnit
from gridwork.places.models import Place, PlaceLevel
from gridwork.serviceday.calendar import cycle_dates, late_stages
from gridwork.serviceday.models import (
    Item,
    ItemEvent,
    ItemRating,
    ItemState,
    Opinion,
    ServiceCycle,
)

RECENT_MATTER_DAYS = 45
MATTER_CANDIDATES = 100
PUBLIC_CYCLES = 12


# --- staff --------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CycleFilters:
    year: int | None = None
    month: int | None = None
    community: Place | None = None
    state: str = ""
    late_only: bool = False


def cycle_communities(*, user: Any) -> QuerySet[Place]:
    """The communities whose cycles the user may see."""
    return Place.objects.restrict(user, Perm.VIEW_DELIBERATION).filter(level=PlaceLevel.COMMUNITY).order_by("path")


def cycle_list(*, user: Any, filters: CycleFilters | None = None) -> QuerySet[ServiceCycle]:
    """The cycles of the user's communities, newest month first, each with its counts."""
    filters = filters or CycleFilters()
    cycles = ServiceCycle.objects.restrict(user, Perm.VIEW_DELIBERATION).select_related("community__parent")
    if filters.year is not None and filters.month is not None:
        cycles = cycles.filter(year=filters.year, month=filters.month)
    if filters.community is not None:
        cycles = cycles.filter(community=filters.community)
    if filters.state:
        cycles = cycles.filter(state=filters.state)
    return cycles.annotate(
        opinion_count=Count("opinions", distinct=True),
        item_count=Count("items", filter=~Q(items__state=ItemState.DROPPED), distinct=True),
        done_count=Count("items", filter=Q(items__state=ItemState.DONE), distinct=True),
    ).order_by("-year", "-month", "community__path")


def cycle_rows(cycles: Any, *, on: date) -> list[dict[str, Any]]:
    """Each cycle with its calendar and its late stages on ``on``."""
    return [{"cycle": cycle, "dates": cycle_dates(cycle), "late": late_stages(cycle, on)} for cycle in cycles]


def cycle_get(*, user: Any, pk: int, perm: str = Perm.VIEW_DELIBERATION) -> ServiceCycle:
    cycle = ServiceCycle.objects.restrict(user, perm).select_related("community__parent").filter(pk=pk).first()
    if cycle is None:
        raise Http404
    return cycle


def item_get(*, user: Any, pk: int, perm: str = Perm.MANAGE_DELIBERATION) -> Item:
    """An item of a cycle in the user's area (``perm``); not found otherwise."""
    visible = ServiceCycle.objects.restrict(user, perm).values("pk")
    item = Item.objects.select_related("cycle__community__parent", "activity").filter(pk=pk, cycle__in=visible).first()
    if item is None:
        raise Http404
    return item


def contacts_unmasked(*, user: Any, cycle: ServiceCycle) -> bool:
    """Whether the user sees opinions' names and phones in full: VIEW_PERSONAL_DATA over the cycle's community."""
    return holds_over(user, Perm.VIEW_PERSONAL_DATA, cycle.community)


def opinion_rows(*, user: Any, cycle: ServiceCycle) -> list[dict[str, Any]]:
    """The cycle's opinions with the contact masked unless the user may see it."""
    unmasked = contacts_unmasked(user=user, cycle=cycle)
    rows = []
    for opinion in Opinion.objects.filter(cycle=cycle).select_related("matter", "item").order_by("created_at", "id"):
        rows.append(
            {
                "opinion": opinion,
                "name": opinion.name if unmasked else masking.mask_name(opinion.name),
                "phone": opinion.phone if unmasked else masking.mask_phone(opinion.phone),
            }
        )
    return rows


def item_list(cycle: ServiceCycle) -> QuerySet[Item]:
    """The cycle's items for its staff page, each with the residents' written comments of their ratings
    (``rating_comments``: stars, words and when — never who), which the feedback answers."""
    comments = ItemRating.objects.exclude(comment="").only("item_id", "stars", "comment", "rated_at")
    return (
        Item.objects.filter(cycle=cycle)
        .select_related("activity")
        .prefetch_related(
            "units",
            "members",
            "opinions",
            Prefetch("ratings", queryset=comments.order_by("rated_at", "id"), to_attr="rating_comments"),
        )
        .annotate(rating_count=Count("ratings", distinct=True), rating_average=Avg("ratings__stars"))
        .order_by("id")
    )


def item_events(item: Item) -> QuerySet[ItemEvent]:
    return ItemEvent.objects.filter(subject=item).order_by("sequence")


def volunteer_choices(cycle: ServiceCycle) -> QuerySet[MemberRegistration]:
    """Party members registered (confirmed) with the cycle's community: who may volunteer for its items."""
    return (
        MemberRegistration.objects.filter(community_id=cycle.community_id, state=RegistrationState.CONFIRMED)
        .select_related("building")
        .order_by("building__path", "name", "id")
    )


def unit_choices(cycle: ServiceCycle) -> QuerySet[ResidentUnit]:
    """Resident units of the community or its street, and units registered (confirmed) with the community."""
    community = cycle.community
    registered = Q(registrations__community=community, registrations__state=RegistrationState.CONFIRMED)
    here = Q(place=community) | Q(place_id=community.parent_id)
    return ResidentUnit.objects.filter(here | registered).distinct().order_by("name", "id")


def _local_start(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def activity_choices(*, user: Any, cycle: ServiceCycle) -> QuerySet[Activity]:
    """Activities of the cycle's community (or run by its street for everyone there) that the user may see, not
    cancelled, starting between the cycle's first day and the end of its evaluation."""
    dates = cycle_dates(cycle)
    community = cycle.community
    return (
        Activity.objects.restrict(user, Perm.VIEW_CENTRES)
        .filter(Q(community=community) | Q(place=community) | Q(place_id=community.parent_id, community__isnull=True))
        .exclude(state=ActivityState.CANCELLED)
        .filter(
            starts_at__gte=_local_start(dates.opens),
            starts_at__lt=_local_start(dates.window("evaluate").due + timedelta(days=1)),
        )
        .order_by("starts_at", "id")
    )


def matter_candidates(*, user: Any, cycle: ServiceCycle, on: date) -> QuerySet[Matter]:
    """Matters of the community to pull into the opinions: open, or filed in the last ``RECENT_MATTER_DAYS`` days;
    those the user may see, not yet pulled into this cycle; newest first."""
    from gridwork.serviceday.services.opinions import pullable_matters

    recent = _local_start(on - timedelta(days=RECENT_MATTER_DAYS))
    return (
        pullable_matters(actor=user, cycle=cycle)
        .filter(~Q(state=MatterState.CLOSED) | Q(created_at__gte=recent))
        .select_related("category")
        .order_by("-created_at", "-id")[:MATTER_CANDIDATES]
    )


# --- the public ---------------------------------------------------------------------------------------------------


def public_communities() -> QuerySet[Place]:
    return Place.objects.filter(level=PlaceLevel.COMMUNITY).select_related("parent").order_by("path")


def public_community_get(*, code: str) -> Place:
    community = Place.objects.filter(code=code, level=PlaceLevel.COMMUNITY).select_related("parent").first()
    if community is None:
        raise Http404
    return community


def public_cycles(community: Place) -> QuerySet[ServiceCycle]:
    return ServiceCycle.objects.filter(community=community).order_by("-year", "-month")[:PUBLIC_CYCLES]


def public_cycle_get(*, pk: int) -> ServiceCycle:
    cycle = ServiceCycle.objects.select_related("community__parent").filter(pk=pk).first()
    if cycle is None:
        raise Http404
    return cycle


def public_item_get(*, pk: int) -> Item:
    item = Item.objects.select_related("cycle__community").filter(pk=pk).exclude(state=ItemState.DROPPED).first()
    if item is None:
        raise Http404
    return item


def public_items(cycle: ServiceCycle) -> QuerySet[Item]:
    """The items the public sees: not dropped; their helpers as counts of volunteers and names of units (a unit is an
    organisation, a volunteer a person)."""
    return (
        Item.objects.filter(cycle=cycle)
        .exclude(state=ItemState.DROPPED)
        .select_related("activity")
        .prefetch_related("units")
        .annotate(
            volunteer_count=Count("members", distinct=True),
            rating_count=Count("ratings", distinct=True),
            rating_average=Avg("ratings__stars"),
        )
        .order_by("id")
    )


def ratings_of(*, user: Any, cycle: ServiceCycle) -> dict[int, ItemRating]:
    """The user's own ratings of the cycle's items, by item."""
    if not getattr(user, "is_authenticated", False):
        return {}
    return {rating.item_id: rating for rating in ItemRating.objects.filter(user=user, item__cycle=cycle)}
