"""Writing reward exchanges (积分兑换): a member asks, the community approves or rejects, the member may withdraw.

Every move goes through ``EXCHANGE_FLOW`` (``gridwork.common.flows``). Approval is one transaction: the move (a
compare-and-set on the exchange's state and version), the spend (``points_spend``: a conditional update of the
balance, once per exchange) and the stock (a conditional update, ``stock > 0`` or no limit). If any of them fails,
nothing is saved and ``ExchangeRefused`` (or ``StaleState``) says why. The reward's row is locked first, then the
exchange's, then the account's, everywhere, so two approvals never wait for each other in a circle.

Who: the member asks and withdraws only for themselves; staff holding MANAGE_PARTY over the member's community
decide.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils.translation import gettext as _

from gridwork.accounts.roles import Perm
from gridwork.common.flows import StaleState, flow_move, flow_start
from gridwork.party.models import MemberRegistration, RegistrationState
from gridwork.points.flows import EXCHANGE_FLOW, ExchangeAction
from gridwork.points.models import Exchange, ExchangeState, PointAccount, Reward
from gridwork.points.rewards import reward_offered_to
from gridwork.points.services import NotEnoughPoints, Source, point_account_of, points_spend

SOURCE = "exchange"
MAX_REASON = 500


class ExchangeRefused(Exception):
    """The approval cannot be made now (points short, out of stock, the reward withdrawn…): nothing was saved."""


def _is_own(actor: Any, member: MemberRegistration) -> bool:
    return bool(getattr(actor, "is_authenticated", False)) and member.user_id == actor.pk


def exchange_may_decide(*, user: Any, exchange: Exchange) -> bool:
    """Whether ``user`` may approve or reject: MANAGE_PARTY over the member's community (None: the system)."""
    if user is None:
        return True
    return Exchange.objects.restrict(user, Perm.MANAGE_PARTY).filter(pk=exchange.pk).exists()


def _require_decider(actor: Any, exchange: Exchange) -> None:
    if not exchange_may_decide(user=actor, exchange=exchange):
        raise PermissionDenied(_("Only the staff of the member's community may decide on this request."))


def exchange_request(*, actor: Any, member: MemberRegistration, reward: Reward) -> Exchange:
    """The member asks for ``reward``: it must be offered to their community, still offered, in stock, and their
    balance must cover its cost now (the points are spent only when the community approves)."""
    if not _is_own(actor, member):
        raise PermissionDenied(_("A member may ask for a reward only for themselves."))
    if member.state != RegistrationState.CONFIRMED:
        raise PermissionDenied(_("Only a member whose registration is confirmed may exchange points."))
    with transaction.atomic():
        reward = Reward.objects.select_related("place").get(pk=reward.pk)
        community = MemberRegistration.objects.select_related("community").get(pk=member.pk).community
        account = point_account_of(member)
        error = ""
        if not reward.active:
            error = _("This reward is no longer offered.")
        elif not reward_offered_to(reward, community):
            error = _("This reward is not offered to your community.")
        elif reward.stock == 0:
            error = _("This reward is out of stock.")
        elif account.balance < reward.cost:
            error = str(NotEnoughPoints(account.balance, reward.cost))
        elif Exchange.objects.filter(account=account, reward=reward, state=ExchangeState.REQUESTED).exists():
            error = _("You have already asked for this reward; the community has not answered yet.")
        if error:
            raise ValidationError({"reward": error})
        exchange = Exchange(account=account, reward=reward, cost=reward.cost)
        try:
            with transaction.atomic():
                flow_start(exchange, flow=EXCHANGE_FLOW, actor=actor, data={"reward": reward.name, "cost": reward.cost})
        except IntegrityError as duplicate:  # the same request sent twice at once
            raise ValidationError(
                {"reward": _("You have already asked for this reward; the community has not answered yet.")}
            ) from duplicate
    return exchange


def exchange_approve(*, actor: Any, exchange: Exchange, expected_version: int | None) -> Exchange:
    """批准: spend the member's points on the reward and take one from the stock, with the move, all or nothing.

    Raises ``StaleState`` (someone decided first, or the page was old), ``MoveRefused`` (not waiting any more) or
    ``ExchangeRefused`` (points short, out of stock, the reward withdrawn, the member gone): nothing is saved."""
    _require_decider(actor, exchange)
    if expected_version is not None and expected_version != exchange.version:
        raise StaleState
    state, version = exchange.state, exchange.version
    try:
        with transaction.atomic():
            reward = Reward.objects.select_for_update(no_key=True).select_related("place").get(pk=exchange.reward_id)
            flow_move(
                exchange,
                flow=EXCHANGE_FLOW,
                action=ExchangeAction.APPROVE,
                actor=actor,
                data={"reward": reward.name, "cost": exchange.cost},
                expected_version=expected_version,
            )
            account = PointAccount.objects.select_related("member__community").get(pk=exchange.account_id)
            member = account.member
            if not reward.active:
                raise ExchangeRefused(
                    _("“%(reward)s” is no longer offered: reject the request.") % {"reward": reward.name}
                )
            if member.state != RegistrationState.CONFIRMED or not reward_offered_to(reward, member.community):
                raise ExchangeRefused(
                    _(
                        "The member is no longer registered with a community this reward is offered to: "
                        "reject the request."
                    )
                )
            try:
                points_spend(
                    member=member,
                    points=exchange.cost,
                    source=Source(SOURCE, exchange.pk),
                    actor=actor,
                    note=reward.name,
                )
            except NotEnoughPoints as short:
                raise ExchangeRefused(
                    _("The member's points do not cover it any more: %(why)s") % {"why": short}
                ) from short
            taken = (
                Reward.objects.filter(pk=reward.pk)
                .filter(Q(stock__isnull=True) | Q(stock__gt=0))
                .update(stock=F("stock") - 1)
            )
            if not taken:
                raise ExchangeRefused(_("“%(reward)s” is out of stock.") % {"reward": reward.name})
    except BaseException:
        exchange.state, exchange.version = state, version  # nothing was saved: neither is the page's copy moved
        raise
    return exchange


def exchange_reject(*, actor: Any, exchange: Exchange, reason: str, expected_version: int | None) -> Exchange:
    """驳回: with the reason the member reads."""
    _require_decider(actor, exchange)
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the request is rejected; the member reads it.")})
    if len(reason) > MAX_REASON:
        raise ValidationError({"reason": _("The reason is longer than %(max)d characters.") % {"max": MAX_REASON}})
    flow_move(
        exchange,
        flow=EXCHANGE_FLOW,
        action=ExchangeAction.REJECT,
        actor=actor,
        note=reason,
        changes={"reason": reason},
        expected_version=expected_version,
    )
    return exchange


def exchange_withdraw(*, actor: Any, exchange: Exchange, expected_version: int | None = None) -> Exchange:
    """The member takes back their own request while it waits."""
    member = MemberRegistration.objects.get(points__pk=exchange.account_id)
    if not _is_own(actor, member):
        raise PermissionDenied(_("Only the member who asked may withdraw the request."))
    flow_move(
        exchange,
        flow=EXCHANGE_FLOW,
        action=ExchangeAction.WITHDRAW,
        actor=actor,
        expected_version=expected_version,
    )
    return exchange
