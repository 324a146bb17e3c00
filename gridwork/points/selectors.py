"""Reading points: rules, the rewards catalogue, exchange requests and members' accounts, narrowed to the reader.

Staff read through ``restrict`` (the scope rule): exchanges and accounts of the communities under their posts,
rewards offered by places under their posts (and, read-only, those their communities get from above). A member reads
only their own account, ledger and requests, and the rewards offered to their community.

A person has one account (``services.point_account_of``), hung on one of their registrations; a member's balance is
read through the person (the registration's user), so it shows right even before the account has followed a move.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import (
    BooleanField,
    Case,
    Count,
    Exists,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.http import Http404

from gridwork.accounts.roles import Perm
from gridwork.common.scope import minimal_paths
from gridwork.party.models import MemberRegistration, RegistrationState
from gridwork.places.codes import ancestor_paths
from gridwork.places.models import Place
from gridwork.points.models import (
    Exchange,
    ExchangeEvent,
    ExchangeState,
    PointAccount,
    PointEntry,
    PointRule,
    Reward,
)
from gridwork.points.rewards import REWARD_LEVELS
from gridwork.points.rules import point_rule_may_manage

# --- rules ------------------------------------------------------------------------------------------------------


def point_rule_list() -> QuerySet[PointRule]:
    """Every rule (they are city-wide), by basis, newest first, with the number of ledger lines each paid."""
    return PointRule.objects.annotate(paid=Count("entries")).order_by("basis", "-valid_from", "-id")


def point_rule_get(pk: int) -> PointRule:
    rule = point_rule_list().filter(pk=pk).first()
    if rule is None:
        raise Http404
    return rule


def point_rules_may_manage(*, user: Any) -> bool:
    return point_rule_may_manage(user)


# --- the catalogue ------------------------------------------------------------------------------------------------


def reward_list(*, user: Any, show_withdrawn: bool = False) -> QuerySet[Reward]:
    """The rewards offered by places under the user's posts (each marked ``may_manage``), and those offered from
    above to the places under their posts, read-only (``from_above``); offered ones first."""
    paths = minimal_paths(user.scope_paths(Perm.VIEW_PARTY)) if getattr(user, "is_authenticated", False) else []
    own = Reward.objects.restrict(user, Perm.VIEW_PARTY)
    above_paths = sorted({above for path in paths for above in ancestor_paths(path, include_self=False)})
    above = Reward.objects.filter(place__path__in=above_paths)
    rewards = (own | above).select_related("place")
    if not show_withdrawn:
        rewards = rewards.filter(active=True)
    managed = Reward.objects.restrict(user, Perm.MANAGE_PARTY).filter(pk=OuterRef("pk"))
    in_scope = Reward.objects.restrict(user, Perm.VIEW_PARTY).filter(pk=OuterRef("pk"))
    return rewards.annotate(
        may_manage=Exists(managed),
        from_above=~Exists(in_scope),
        waiting=Count("exchanges", filter=Q(exchanges__state=ExchangeState.REQUESTED)),
    ).order_by("-active", "place__path", "cost", "name", "id")


def reward_get_to_manage(*, user: Any, pk: int) -> Reward:
    """A reward the user may edit or withdraw (MANAGE_PARTY over its place); any other is not found."""
    reward = Reward.objects.restrict(user, Perm.MANAGE_PARTY).filter(pk=pk).select_related("place").first()
    if reward is None:
        raise Http404
    return reward


def reward_places(*, user: Any) -> QuerySet[Place]:
    """The places a user may offer a reward from: a community, street, district or the city under their posts where
    they hold MANAGE_PARTY."""
    return (
        Place.objects.restrict(user, Perm.MANAGE_PARTY)
        .filter(level__in=REWARD_LEVELS)
        .select_related("parent")
        .order_by("path")
    )


def rewards_for_member(*, member: MemberRegistration) -> QuerySet[Reward]:
    """The rewards offered to the member's community (by it, its street, district or the city) and still offered."""
    community = Place.objects.get(pk=member.community_id)
    return (
        Reward.objects.filter(active=True, place__path__in=community.ancestor_paths(include_self=True))
        .select_related("place")
        .order_by("cost", "name", "id")
    )


def reward_for_member_get(*, member: MemberRegistration, pk: int) -> Reward:
    reward = rewards_for_member(member=member).filter(pk=pk).first()
    if reward is None:
        raise Http404
    return reward


# --- a person's account -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Balance:
    balance: int
    earned: int
    spent: int


def member_account(*, member: MemberRegistration) -> PointAccount | None:
    """The person's account (whichever of their registrations it hangs on), or None before any points moved."""
    return PointAccount.objects.filter(member__user_id=member.user_id).order_by("-id").first()


def member_balance(*, member: MemberRegistration) -> Balance:
    account = member_account(member=member)
    if account is None:
        return Balance(balance=0, earned=0, spent=0)
    return Balance(balance=account.balance, earned=account.earned, spent=account.earned - account.balance)


def member_ledger(*, member: MemberRegistration) -> QuerySet[PointEntry]:
    """The person's ledger, newest first."""
    account = member_account(member=member)
    if account is None:
        return PointEntry.objects.none()
    return PointEntry.objects.filter(account=account).select_related("rule").order_by("-id")


def member_exchanges(*, member: MemberRegistration) -> QuerySet[Exchange]:
    """The person's exchange requests, those waiting first, then the newest."""
    account = member_account(member=member)
    if account is None:
        return Exchange.objects.none()
    waiting = Case(When(state=ExchangeState.REQUESTED, then=0), default=1, output_field=IntegerField())
    return (
        Exchange.objects.filter(account=account)
        .select_related("reward__place")
        .order_by(waiting.asc(), "-created_at", "-id")
    )


def member_exchange_get(*, member: MemberRegistration, pk: int) -> Exchange:
    """One of the member's own requests; anybody else's is not found."""
    exchange = member_exchanges(member=member).filter(pk=pk).first()
    if exchange is None:
        raise Http404
    return exchange


# --- staff: exchanges -----------------------------------------------------------------------------------------------


def _with_unmasked(queryset: QuerySet[Any], user: Any, lookup: str) -> QuerySet[Any]:
    """Mark each row ``unmasked`` when ``user`` holds VIEW_PERSONAL_DATA over the community at ``lookup`` (a path)."""
    if not getattr(user, "is_authenticated", False) or not user.has_perm_anywhere(Perm.VIEW_PERSONAL_DATA):
        return queryset.annotate(unmasked=Value(False, output_field=BooleanField()))
    condition = Q(pk__in=[])
    for path in minimal_paths(user.scope_paths(Perm.VIEW_PERSONAL_DATA)):
        condition |= Q(**{f"{lookup}__startswith": path})
    return queryset.annotate(
        unmasked=Case(When(condition, then=Value(True)), default=Value(False), output_field=BooleanField())
    )


def exchange_queue(*, user: Any, state: str = "") -> QuerySet[Exchange]:
    """The exchange requests of the user's communities: those waiting first (oldest first, as they came), then the
    decided ones, newest first."""
    exchanges = Exchange.objects.restrict(user, Perm.VIEW_PARTY).select_related(
        "reward__place", "account__member__community"
    )
    if state:
        exchanges = exchanges.filter(state=state)
    waiting = Case(When(state=ExchangeState.REQUESTED, then=0), default=1, output_field=IntegerField())
    first_come = Case(When(state=ExchangeState.REQUESTED, then="id"), default=Value(0))
    return _with_unmasked(exchanges, user, "account__member__building__path").order_by(
        waiting.asc(), first_come.asc(), "-created_at", "-id"
    )


def exchange_get(*, user: Any, pk: int) -> Exchange:
    exchange = exchange_queue(user=user).filter(pk=pk).first()
    if exchange is None:
        raise Http404
    return exchange


def exchange_events(exchange: Exchange) -> list[ExchangeEvent]:
    return list(ExchangeEvent.objects.filter(subject=exchange).order_by("sequence"))


# --- staff: accounts --------------------------------------------------------------------------------------------------


def account_communities(*, user: Any) -> QuerySet[Place]:
    """The communities whose members' accounts the user may list."""
    return Place.objects.restrict(user, Perm.VIEW_PARTY).filter(level="community").order_by("path")


def _person_account(field: str) -> Subquery:
    return Subquery(PointAccount.objects.filter(member__user_id=OuterRef("user_id")).order_by("-id").values(field)[:1])


def account_list(*, user: Any, community: Place | None = None, order: str = "") -> QuerySet[MemberRegistration]:
    """The members registered (confirmed) with the user's communities, each with ``balance`` and ``earned`` (zero
    before any points moved) and ``unmasked``; by community and name, or by balance (``order="balance"``)."""
    members: QuerySet[Any] = (
        MemberRegistration.objects.restrict(user, Perm.VIEW_PARTY)
        .filter(state=RegistrationState.CONFIRMED)
        .select_related("community", "building")
        .annotate(
            balance=Coalesce(_person_account("balance"), Value(0)),
            earned=Coalesce(_person_account("earned"), Value(0)),
        )
    )
    if community is not None:
        members = members.filter(community=community)
    members = _with_unmasked(members, user, "building__path")
    if order == "balance":
        return members.order_by("-balance", "community__path", "name", "id")
    return members.order_by("community__path", "name", "id")


def account_get(*, user: Any, pk: int) -> MemberRegistration:
    """One member of the user's communities (a confirmed registration), with balance; any other is not found."""
    member = account_list(user=user).filter(pk=pk).first()
    if member is None:
        raise Http404
    return member
