"""The party-building figures of a unit for a period (党建引领 overview), computed live from the rows, as the source
documents report them: members registered (双报到), units registered (单位报到), households in difficulty and those
paired (包联), volunteer services and their hours, micro-wishes claimed and confirmed, points earned.

A period is a first and a last day (inclusive), China time: it runs from midnight starting its first day to midnight
after its last day. A unit is a place under the user's scope for ``VIEW_PARTY``; every row counted lies under it and
under that scope. The households in difficulty are counted only for a user holding ``VIEW_DIFFICULTY`` over the place;
for anyone else those figures are None (not available), never a number.

Each figure is one conditional aggregate per query, for the unit and its children at once (the districts of a city,
the streets of a district…): a page costs about ten queries however many children it shows.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from django.db.models import (
    Case,
    CharField,
    Count,
    Exists,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    When,
)
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils.translation import gettext_lazy as _

from gridwork.accounts.roles import Perm
from gridwork.care.models import HouseholdInDifficulty, Pairing
from gridwork.common.scope import holds_over, minimal_paths, path_scope_q
from gridwork.party.flows import RegistrationAction
from gridwork.party.models import (
    MemberRegistration,
    RegistrationEvent,
    RegistrationState,
    UnitRegistration,
    UnitRegistrationEvent,
)
from gridwork.party.periods import local_zone
from gridwork.places.models import CHILD_LEVEL, Place, PlaceLevel
from gridwork.points.models import EntryKind, PointEntry
from gridwork.volunteers.models import OrderState, ServiceOrder
from gridwork.volunteers.services import POINTS_SOURCE as ORDER_SOURCE
from gridwork.wishes.models import Wish, WishState

# The ledger's source kind of a confirmed wish's points (``gridwork.wishes.services.wish_confirm``).
WISH_SOURCE = "wish"
OVERVIEW_LEVELS = (PlaceLevel.CITY, PlaceLevel.DISTRICT, PlaceLevel.STREET, PlaceLevel.COMMUNITY, PlaceLevel.GRID)
# Levels whose children get a row each in the comparison table.
COMPARED_LEVELS = (PlaceLevel.CITY, PlaceLevel.DISTRICT, PlaceLevel.STREET)
ENDING_ACTIONS = (RegistrationAction.TRANSFER_OUT, RegistrationAction.WITHDRAW)
DONE_ORDER_STATES = (OrderState.COMPLETED, OrderState.RATED)
HELD_WISH_STATES = (WishState.CLAIMED, WishState.FULFILLED, WishState.CONFIRMED)
# The longest custom period a page may ask for (figures stay cheap; ten years is plenty for a report).
MAX_PERIOD_DAYS = 3660


@dataclass(frozen=True)
class OverviewPeriod:
    """From ``first_day`` to ``last_day`` inclusive, China time."""

    first_day: date
    last_day: date

    @property
    def start(self) -> datetime:
        """Midnight starting the first day, China time."""
        return datetime.combine(self.first_day, time.min, tzinfo=local_zone())

    @property
    def end(self) -> datetime:
        """Midnight after the last day, China time (the first moment outside the period)."""
        return datetime.combine(self.last_day + timedelta(days=1), time.min, tzinfo=local_zone())

    def contains(self, moment: datetime | None) -> bool:
        return moment is not None and self.start <= moment < self.end


def period_this_month(today: date) -> OverviewPeriod:
    first = today.replace(day=1)
    following = date(first.year + 1, 1, 1) if first.month == 12 else date(first.year, first.month + 1, 1)
    return OverviewPeriod(first, following - timedelta(days=1))


def period_this_year(today: date) -> OverviewPeriod:
    return OverviewPeriod(date(today.year, 1, 1), date(today.year, 12, 31))


# --- the figures ------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class FigureDefinition:
    key: str
    label: Any
    how: Any
    restricted: bool = False  # households in difficulty: only with VIEW_DIFFICULTY


DEFINITIONS: tuple[FigureDefinition, ...] = (
    FigureDefinition(
        "members_registered",
        _("Members registered"),
        _(
            "In-service party members (双报到) whose registration was confirmed by the end of the period and had not "
            "ended (moved away or withdrawn) before its start, counted at their building; a member counts once."
        ),
    ),
    FigureDefinition(
        "members_confirmed",
        _("Registrations confirmed"),
        _("Members' registrations the community confirmed during the period, at the member's building."),
    ),
    FigureDefinition(
        "units_registered",
        _("Units registered"),
        _(
            "Resident units whose party organisation's registration (单位报到) with a community under this unit was "
            "confirmed by the end of the period and not withdrawn before its start; a unit counts once."
        ),
    ),
    FigureDefinition(
        "households",
        _("Households in difficulty"),
        _("Households whose record of difficulty was open on at least one day of the period."),
        restricted=True,
    ),
    FigureDefinition(
        "households_paired",
        _("Households paired"),
        _(
            "Of those households, the ones paired (包联) with a party member or a leader on at least one day of the "
            "period."
        ),
        restricted=True,
    ),
    FigureDefinition(
        "orders_completed",
        _("Volunteer services done"),
        _("Volunteer orders a member completed during the period (done, rated or not), at the building served."),
    ),
    FigureDefinition(
        "service_hours",
        _("Hours of service"),
        _("The hours recorded on those orders."),
    ),
    FigureDefinition(
        "wishes_claimed",
        _("Micro-wishes claimed"),
        _(
            "Micro-wishes whose standing claim (by a member or a unit) was made during the period; a claim released "
            "afterwards no longer counts."
        ),
    ),
    FigureDefinition(
        "wishes_confirmed",
        _("Micro-wishes confirmed"),
        _("Micro-wishes the resident confirmed as fulfilled during the period."),
    ),
    FigureDefinition(
        "points_earned",
        _("Points earned"),
        _(
            "Points members earned for days of the period: those of an order or a wish at the place of that order "
            "or wish; any other earning at the member's building."
        ),
    ),
)
FIGURE_KEYS = tuple(definition.key for definition in DEFINITIONS)


@dataclass(frozen=True)
class Figures:
    """The figures of one place; ``households`` and ``households_paired`` are None when not available."""

    members_registered: int = 0
    members_confirmed: int = 0
    units_registered: int = 0
    households: int | None = None
    households_paired: int | None = None
    orders_completed: int = 0
    service_hours: Decimal = Decimal("0")
    wishes_claimed: int = 0
    wishes_confirmed: int = 0
    points_earned: int = 0

    def value(self, key: str) -> Any:
        return getattr(self, key)

    def values(self) -> list[Any]:
        return [self.value(key) for key in FIGURE_KEYS]


# --- the units a user may ask for ---------------------------------------------------------------------------------


def overview_places(user: Any) -> QuerySet[Place]:
    """The places whose figures the user may see (city down to grid, under their VIEW_PARTY scope)."""
    return Place.objects.restrict(user, Perm.VIEW_PARTY).filter(level__in=OVERVIEW_LEVELS)


def overview_roots(user: Any) -> list[Place]:
    """The top places of the user's posts (VIEW_PARTY), by path."""
    if not getattr(user, "is_authenticated", False):
        return []
    paths = minimal_paths(user.scope_paths(Perm.VIEW_PARTY))
    return list(overview_places(user).filter(path__in=paths).order_by("path"))


def overview_place(*, user: Any, code: str = "") -> Place:
    """The place with ``code`` if the user may see its figures; with no code, their first root unit; else 404."""
    if not code:
        roots = overview_roots(user)
        if not roots:
            raise Http404
        return roots[0]
    place = overview_places(user).filter(code=code).select_related("parent").first()
    if place is None:
        raise Http404
    return place


def overview_children(*, user: Any, place: Place) -> list[Place]:
    """The units compared under ``place``: the districts of a city, the streets of a district, the communities of a
    street (none below a street)."""
    if place.level not in COMPARED_LEVELS:
        return []
    return list(overview_places(user).filter(parent=place, level=CHILD_LEVEL[place.level]).order_by("code"))


def overview_ancestors(*, user: Any, place: Place) -> list[Place]:
    """The units above ``place`` the user may also open (for the breadcrumb)."""
    codes = place.ancestor_codes()
    return list(overview_places(user).filter(code__in=codes).order_by("path"))


def may_see_difficulty(*, user: Any, place: Place) -> bool:
    """Whether the user holds VIEW_DIFFICULTY over the whole of ``place``."""
    return Place.objects.restrict(user, Perm.VIEW_DIFFICULTY).filter(pk=place.pk).exists()


# --- computing ------------------------------------------------------------------------------------------------------


def _per_place(
    rows: QuerySet[Any], lookup: str, places: Sequence[Place], measures: Mapping[str, Any]
) -> dict[int, dict[str, Any]]:
    """One query: each measure (a function of a filter Q) for each place, the rows narrowed by ``lookup``."""
    aggregates: dict[str, Any] = {}
    for index, place in enumerate(places):
        where = Q(**{f"{lookup}__startswith": place.path})
        for name, measure in measures.items():
            aggregates[f"{name}_{index}"] = measure(where)
    if not places:
        return {}
    found = rows.aggregate(**aggregates)
    return {place.pk: {name: found[f"{name}_{index}"] for name in measures} for index, place in enumerate(places)}


def _ended_at(event_model: Any) -> Subquery:
    """When the registration ended (moved away or withdrawn): the time of its last ending event."""
    return Subquery(
        event_model.objects.filter(subject=OuterRef("pk"), action__in=ENDING_ACTIONS)
        .order_by("-sequence")
        .values("at")[:1]
    )


def _confirmed_at(event_model: Any) -> Subquery:
    return Subquery(
        event_model.objects.filter(subject=OuterRef("pk"), action=RegistrationAction.CONFIRM)
        .order_by("-sequence")
        .values("at")[:1]
    )


def _under(places: Sequence[Place], lookup: str) -> Q:
    condition = Q(pk__in=[])
    for path in minimal_paths(p.path for p in places):
        condition |= Q(**{f"{lookup}__startswith": path})
    return condition


def figures_for(*, user: Any, places: Sequence[Place], period: OverviewPeriod) -> dict[int, Figures]:
    """The figures of each of ``places`` (already checked to lie in the user's scope) for ``period``, by place id."""
    places = list(places)
    if not places:
        return {}
    start, end = period.start, period.end

    members = (
        MemberRegistration.objects.restrict(user, Perm.VIEW_PARTY)
        .filter(_under(places, "building__path"), confirmed_at__isnull=False, confirmed_at__lt=end)
        .annotate(ended_at=_ended_at(RegistrationEvent))
        .filter(Q(ended_at__isnull=True) | Q(ended_at__gte=start))
    )
    registered = _per_place(
        members, "building__path", places, {"n": lambda q: Count("user_id", distinct=True, filter=q)}
    )
    confirmed = _per_place(
        MemberRegistration.objects.restrict(user, Perm.VIEW_PARTY).filter(
            _under(places, "building__path"), confirmed_at__gte=start, confirmed_at__lt=end
        ),
        "building__path",
        places,
        {"n": lambda q: Count("pk", filter=q)},
    )
    units = (
        UnitRegistration.objects.restrict(user, Perm.VIEW_PARTY)
        .filter(_under(places, "community__path"))
        .exclude(state__in=[RegistrationState.PENDING, RegistrationState.REJECTED])
        .annotate(confirmed_on=_confirmed_at(UnitRegistrationEvent), ended_at=_ended_at(UnitRegistrationEvent))
        .filter(confirmed_on__lt=end)
        .filter(Q(ended_at__isnull=True) | Q(ended_at__gte=start))
    )
    unit_counts = _per_place(
        units, "community__path", places, {"n": lambda q: Count("unit_id", distinct=True, filter=q)}
    )
    orders = _per_place(
        ServiceOrder.objects.restrict(user, Perm.VIEW_PARTY).filter(
            _under(places, "building__path"),
            state__in=DONE_ORDER_STATES,
            completed_at__gte=start,
            completed_at__lt=end,
        ),
        "building__path",
        places,
        {"n": lambda q: Count("pk", filter=q), "hours": lambda q: Sum("hours", filter=q)},
    )
    wishes = (
        Wish.objects.restrict(user, Perm.VIEW_PARTY)
        .annotate(where=Coalesce("building__path", "community__path"))
        .filter(_under(places, "where"))
    )
    wish_counts = _per_place(
        wishes,
        "where",
        places,
        {
            "claimed": lambda q: Count(
                "pk", filter=q & Q(state__in=HELD_WISH_STATES, claimed_at__gte=start, claimed_at__lt=end)
            ),
            "confirmed": lambda q: Count(
                "pk", filter=q & Q(state=WishState.CONFIRMED, confirmed_at__gte=start, confirmed_at__lt=end)
            ),
        },
    )
    points = _per_place(
        _earnings(user, period).filter(_under(places, "where")),
        "where",
        places,
        {"n": lambda q: Sum("points", filter=q)},
    )
    difficulty = _difficulty(user, places, period)

    found: dict[int, Figures] = {}
    for place in places:
        care = difficulty.get(place.pk)
        found[place.pk] = Figures(
            members_registered=registered[place.pk]["n"] or 0,
            members_confirmed=confirmed[place.pk]["n"] or 0,
            units_registered=unit_counts[place.pk]["n"] or 0,
            households=(care["households"] or 0) if care is not None else None,
            households_paired=(care["paired"] or 0) if care is not None else None,
            orders_completed=orders[place.pk]["n"] or 0,
            service_hours=orders[place.pk]["hours"] or Decimal("0"),
            wishes_claimed=wish_counts[place.pk]["claimed"] or 0,
            wishes_confirmed=wish_counts[place.pk]["confirmed"] or 0,
            points_earned=points[place.pk]["n"] or 0,
        )
    return found


def _earnings(user: Any, period: OverviewPeriod) -> QuerySet[PointEntry]:
    """The earnings of the period, each with the place it counts at (``where``), within the user's scope."""
    order_place = ServiceOrder.objects.filter(pk=OuterRef("source_id")).values("building__path")[:1]
    wish_place = (
        Wish.objects.filter(pk=OuterRef("source_id"))
        .annotate(where=Coalesce("building__path", "community__path"))
        .values("where")[:1]
    )
    in_period = Q(day__gte=period.first_day, day__lte=period.last_day) | Q(
        day__isnull=True, at__gte=period.start, at__lt=period.end
    )
    return (
        PointEntry.objects.filter(in_period, kind=EntryKind.EARN)
        .annotate(
            where=Case(
                When(source=ORDER_SOURCE, then=Subquery(order_place)),
                When(source=WISH_SOURCE, then=Subquery(wish_place)),
                default=F("account__member__building__path"),
                output_field=CharField(),
            )
        )
        .filter(path_scope_q(user, Perm.VIEW_PARTY, "where"))
    )


def _difficulty(user: Any, places: Sequence[Place], period: OverviewPeriod) -> dict[int, dict[str, Any]]:
    """The households in difficulty and those paired during the period, only for the places the user holds
    VIEW_DIFFICULTY over (the others are left out: not available)."""
    allowed = [place for place in places if holds_over(user, Perm.VIEW_DIFFICULTY, place)]
    if not allowed:
        return {}
    first, last = period.first_day, period.last_day
    paired = Pairing.objects.filter(record=OuterRef("pk"), since__lte=last).filter(
        Q(ended_on__isnull=True) | Q(ended_on__gte=first)
    )
    records = (
        HouseholdInDifficulty.objects.restrict(user, Perm.VIEW_DIFFICULTY)
        .filter(_under(allowed, "household__path"), since__lte=last)
        .filter(Q(ended_on__isnull=True) | Q(ended_on__gte=first))
        .annotate(is_paired=Exists(paired))
    )
    return _per_place(
        records,
        "household__path",
        allowed,
        {
            "households": lambda q: Count("household_id", distinct=True, filter=q),
            "paired": lambda q: Count("household_id", distinct=True, filter=q & Q(is_paired=True)),
        },
    )


def party_figures(*, user: Any, place: Place, period: OverviewPeriod) -> Figures:
    """The figures of ``place`` for ``period``; 404 if the place lies outside the user's VIEW_PARTY scope."""
    if not overview_places(user).filter(pk=place.pk).exists():
        raise Http404
    return figures_for(user=user, places=[place], period=period)[place.pk]


# --- a community's lists ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CommunityCounts:
    registered_members: int
    unclaimed_wishes: int
    stale_wishes: int
    orders_waiting: int
    households_unpaired: int | None


def community_counts(*, user: Any, community: Place, stale_before: datetime) -> CommunityCounts:
    """What waits in a community now: registered members, published wishes (and those unclaimed since before
    ``stale_before``), orders waiting to be issued, households in difficulty not paired (None without
    VIEW_DIFFICULTY)."""
    members = (
        MemberRegistration.objects.restrict(user, Perm.VIEW_PARTY)
        .filter(community=community, state=RegistrationState.CONFIRMED)
        .count()
    )
    wishes = (
        Wish.objects.restrict(user, Perm.VIEW_PARTY)
        .filter(community=community, state=WishState.PUBLISHED)
        .aggregate(n=Count("pk"), stale=Count("pk", filter=Q(published_at__lt=stale_before)))
    )
    orders = (
        ServiceOrder.objects.restrict(user, Perm.VIEW_PARTY)
        .filter(community=community, state=OrderState.ORDERED)
        .count()
    )
    unpaired: int | None = None
    if may_see_difficulty(user=user, place=community):
        open_pairing = Pairing.objects.filter(record=OuterRef("pk"), ended_on__isnull=True)
        unpaired = (
            HouseholdInDifficulty.objects.restrict(user, Perm.VIEW_DIFFICULTY)
            .filter(household__path__startswith=community.path, ended_on__isnull=True)
            .exclude(Exists(open_pairing))
            .count()
        )
    return CommunityCounts(
        registered_members=members,
        unclaimed_wishes=wishes["n"] or 0,
        stale_wishes=wishes["stale"] or 0,
        orders_waiting=orders,
        households_unpaired=unpaired,
    )


__all__ = [
    "DEFINITIONS",
    "FIGURE_KEYS",
    "MAX_PERIOD_DAYS",
    "CommunityCounts",
    "FigureDefinition",
    "Figures",
    "OverviewPeriod",
    "community_counts",
    "figures_for",
    "may_see_difficulty",
    "overview_ancestors",
    "overview_children",
    "overview_place",
    "overview_roots",
    "party_figures",
    "period_this_month",
    "period_this_year",
]
