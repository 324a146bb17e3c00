"""Reading volunteer orders and the service menu: staff through their scope, residents their own orders, members
the orders issued to them or taken by them. Anything else is not found (404)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import BooleanField, Case, Exists, IntegerField, OuterRef, Q, QuerySet, Value, When
from django.http import Http404

from gridwork.accounts.roles import Perm
from gridwork.common.scope import holds_over, holds_over_path
from gridwork.party.models import MemberRegistration
from gridwork.places.models import Place, PlaceLevel
from gridwork.volunteers.models import OrderEvent, OrderState, ServiceItem, ServiceOrder

COMMUNITY_DEPTH = 4

# The staff queue: what waits for the branch first, then what waits for members, then the rest.
QUEUE_ORDER = Case(
    When(state=OrderState.ORDERED, then=Value(0)),
    When(state=OrderState.ISSUED, then=Value(1)),
    When(state=OrderState.TAKEN, then=Value(2)),
    When(state=OrderState.COMPLETED, then=Value(3)),
    default=Value(4),
    output_field=IntegerField(),
)


def community_of_building(building: Place) -> Place | None:
    """The community a building (micro-grid) lies in."""
    prefixes = building.ancestor_paths(include_self=True)
    if len(prefixes) <= COMMUNITY_DEPTH:
        return None
    return Place.objects.filter(path=prefixes[COMMUNITY_DEPTH - 1], level=PlaceLevel.COMMUNITY).first()


def menu_offers_to(item: ServiceItem, community: Place) -> bool:
    """Whether ``item`` is on the menu of ``community``: offered by it or by a place above it."""
    return item.place.path in community.ancestor_paths(include_self=True)


# --- the menu ---------------------------------------------------------------------------------------------------------


def service_menu(*, community: Place) -> QuerySet[ServiceItem]:
    """The services a community's residents may order: those offered by the community and by every place above it."""
    return (
        ServiceItem.objects.filter(active=True, place__path__in=community.ancestor_paths(include_self=True))
        .select_related("place")
        .order_by("name", "id")
    )


def service_item_list(*, user: Any, active: bool | None = None) -> QuerySet[ServiceItem]:
    """The menus' services in the user's scope (staff)."""
    items = ServiceItem.objects.restrict(user, Perm.VIEW_PARTY).select_related("place")
    if active is not None:
        items = items.filter(active=active)
    return items.order_by("place__path", "-active", "name", "id")


def service_item_get(*, user: Any, pk: int, perm: str = Perm.VIEW_PARTY) -> ServiceItem:
    item = ServiceItem.objects.restrict(user, perm).select_related("place").filter(pk=pk).first()
    if item is None:
        raise Http404
    return item


def menu_place_choices(*, user: Any) -> QuerySet[Place]:
    """The places whose menus the user may add to: communities and the places above them, in their scope."""
    levels = [PlaceLevel.CITY, PlaceLevel.DISTRICT, PlaceLevel.STREET, PlaceLevel.COMMUNITY]
    return Place.objects.restrict(user, Perm.MANAGE_PARTY).filter(level__in=levels).order_by("path")


# --- staff ------------------------------------------------------------------------------------------------------------


def _with_personal(orders: QuerySet[ServiceOrder], user: Any) -> QuerySet[ServiceOrder]:
    """Each order marked ``personal_visible`` when the user holds the unmask permission over its place."""
    if getattr(user, "has_perm_anywhere", None) and user.has_perm_anywhere(Perm.VIEW_PERSONAL_DATA):
        visible = ServiceOrder.objects.restrict(user, Perm.VIEW_PERSONAL_DATA).filter(pk=OuterRef("pk"))
        return orders.annotate(personal_visible=Exists(visible))
    return orders.annotate(personal_visible=Value(False, output_field=BooleanField()))


def order_queue(*, user: Any, state: str = "", search: str = "") -> QuerySet[ServiceOrder]:
    """The orders of the user's scope, those waiting for the branch first, then by age (oldest waiting first)."""
    orders = ServiceOrder.objects.restrict(user, Perm.VIEW_PARTY).select_related(
        "community", "building", "item", "taker"
    )
    if state:
        orders = orders.filter(state=state)
    if search:
        orders = orders.filter(Q(item__name__icontains=search) | Q(text__icontains=search))
    return _with_personal(orders, user).annotate(queue_rank=QUEUE_ORDER).order_by("queue_rank", "created_at", "id")


def order_state_counts(*, user: Any) -> dict[str, int]:
    counts = dict.fromkeys(OrderState.values, 0)
    rows = ServiceOrder.objects.restrict(user, Perm.VIEW_PARTY).values_list("state").order_by()
    for (state,) in rows:
        counts[state] = counts.get(state, 0) + 1
    return counts


def order_get(*, user: Any, pk: int) -> ServiceOrder:
    """An order in the user's scope (staff), marked ``personal_visible``; 404 otherwise."""
    orders = ServiceOrder.objects.restrict(user, Perm.VIEW_PARTY).select_related(
        "community__parent", "building__parent", "item", "taker", "ordered_by"
    )
    order = _with_personal(orders, user).filter(pk=pk).first()
    if order is None:
        raise Http404
    return order


def order_may_manage(*, user: Any, order: ServiceOrder) -> bool:
    """Whether the user may issue, decline or cancel the order (``MANAGE_PARTY`` over its community)."""
    return holds_over(user, Perm.MANAGE_PARTY, order.community)


may_at = holds_over_path  # the name the staff views import; the rule is common.scope.holds_over_path


def order_events(order: ServiceOrder) -> QuerySet[OrderEvent]:
    return OrderEvent.objects.filter(subject=order).order_by("sequence")


def order_issued_members(order: ServiceOrder) -> QuerySet[MemberRegistration]:
    return order.issued_to.select_related("building", "community").order_by("id")


# --- residents --------------------------------------------------------------------------------------------------------


def resident_order_list(*, user: Any) -> QuerySet[ServiceOrder]:
    """The orders the user placed, newest first."""
    if not getattr(user, "is_authenticated", False):
        return ServiceOrder.objects.none()
    return (
        ServiceOrder.objects.filter(ordered_by=user).select_related("item", "building").order_by("-created_at", "-id")
    )


def resident_order_get(*, user: Any, pk: int) -> ServiceOrder:
    order = resident_order_list(user=user).select_related("taker", "community").filter(pk=pk).first()
    if order is None:
        raise Http404
    return order


def resident_home_building(*, user: Any) -> Place | None:
    """Where a resident's orders are for, unless they choose: their household's building, else that of their last
    order."""
    resident = getattr(user, "resident", None) if getattr(user, "is_authenticated", False) else None
    if resident is not None:
        household = Place.objects.filter(pk=resident.household_id).select_related("parent").first()
        if household is not None and household.parent is not None and household.parent.level == PlaceLevel.MICROGRID:
            return household.parent
    last = (
        ServiceOrder.objects.filter(ordered_by=user).order_by("-created_at", "-id").select_related("building").first()
    )
    return last.building if last is not None else None


def building_search(*, query: str, limit: int = 20) -> QuerySet[Place]:
    """Buildings (micro-grids) whose name or address, or whose grid's or community's name, has every word typed.
    Not scoped: a resident may order for any building of the city, as they may report about it."""
    condition = Q(level=PlaceLevel.MICROGRID)
    words = query.split()[:5]
    if not words:
        return Place.objects.none()
    for word in words:
        condition &= (
            Q(name__icontains=word)
            | Q(address__icontains=word)
            | Q(parent__name__icontains=word)
            | Q(parent__parent__name__icontains=word)
        )
    return Place.objects.filter(condition).select_related("parent__parent").order_by("path")[:limit]


def building_get(code: str) -> Place | None:
    if not code:
        return None
    return Place.objects.filter(code=code.strip(), level=PlaceLevel.MICROGRID).select_related("parent__parent").first()


# --- members ----------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class MemberOrders:
    offered: list[ServiceOrder]
    in_hand: list[ServiceOrder]
    done: list[ServiceOrder]


DONE_SHOWN = 30


def member_orders(*, member: MemberRegistration) -> MemberOrders:
    """The orders issued to the member and not yet taken, those the member has in hand, and the last ones done."""
    related = ("item", "building", "community")
    offered = (
        ServiceOrder.objects.filter(state=OrderState.ISSUED, issued_to=member)
        .select_related(*related)
        .order_by("wanted_on", "id")
    )
    in_hand = (
        ServiceOrder.objects.filter(state=OrderState.TAKEN, taker=member)
        .select_related(*related)
        .order_by("wanted_on", "id")
    )
    done = (
        ServiceOrder.objects.filter(state__in=[OrderState.COMPLETED, OrderState.RATED], taker=member)
        .select_related(*related)
        .order_by("-completed_at", "-id")[:DONE_SHOWN]
    )
    return MemberOrders(offered=list(offered), in_hand=list(in_hand), done=list(done))


def member_order_get(*, member: MemberRegistration, pk: int) -> ServiceOrder:
    """An order issued to the member or taken by them; 404 otherwise."""
    order = (
        ServiceOrder.objects.filter(Q(issued_to=member) | Q(taker=member))
        .filter(pk=pk)
        .select_related("item", "building__parent", "community", "taker")
        .distinct()
        .first()
    )
    if order is None:
        raise Http404
    return order
