"""Writing the rewards catalogue (积分兑换商品): what a community, street, district or the city offers for points.

A reward is offered by a place and seen by the members of every community under it. It is made, edited and withdrawn
by staff holding MANAGE_PARTY over its place (the community's or the street's staff, or above). The stock is a
count, or empty for no limit; approvals take it down by a compare-and-set (``exchanges``), and an edit saves a new
stock only if nobody took one since the page was opened. Withdrawing a reward rejects its open requests with that
reason. Every write is audited.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from gridwork.accounts.roles import Perm
from gridwork.audit.services import audit_record
from gridwork.common.flows import flow_move
from gridwork.places.models import Place, PlaceLevel
from gridwork.places.services import level_label, place_require_scope
from gridwork.points.flows import EXCHANGE_FLOW, ExchangeAction
from gridwork.points.models import Exchange, ExchangeState, Reward

REWARD_LEVELS = (PlaceLevel.CITY, PlaceLevel.DISTRICT, PlaceLevel.STREET, PlaceLevel.COMMUNITY)
MAX_NAME = 80
MAX_DESCRIPTION = 1000
MAX_COST = 100_000
MAX_STOCK = 100_000


class _Unset:
    def __repr__(self) -> str:
        return "UNSET"


UNSET: Any = _Unset()


def reward_offered_to(reward: Reward, community: Place) -> bool:
    """Whether ``reward`` is offered to the members of ``community`` (its place is the community or above it)."""
    return community.path.startswith(reward.place.path)


def reward_errors(*, name: str, description: str, cost: int | None, stock: int | None) -> dict[str, str]:
    errors: dict[str, str] = {}
    if not name:
        errors["name"] = _("Enter the name of the reward.")
    elif len(name) > MAX_NAME:
        errors["name"] = _("The name is longer than %(max)d characters.") % {"max": MAX_NAME}
    if len(description) > MAX_DESCRIPTION:
        errors["description"] = _("The description is longer than %(max)d characters.") % {"max": MAX_DESCRIPTION}
    if cost is None or cost < 1 or cost > MAX_COST:
        errors["cost"] = _("Enter a whole number of points from 1 to %(max)d.") % {"max": MAX_COST}
    if stock is not None and (stock < 0 or stock > MAX_STOCK):
        errors["stock"] = _("Enter a stock from 0 to %(max)d, or leave it empty for no limit.") % {"max": MAX_STOCK}
    return errors


def reward_create(
    *, actor: Any, place: Place, name: str, description: str = "", cost: int, stock: int | None
) -> Reward:
    """A reward offered by ``place`` (a community, street, district or the city) for ``cost`` points."""
    name, description = name.strip(), description.strip()
    with transaction.atomic():
        place_require_scope(actor=actor, place=place, perm=Perm.MANAGE_PARTY)
        errors = reward_errors(name=name, description=description, cost=cost, stock=stock)
        if place.level not in REWARD_LEVELS:
            errors["place"] = _(
                "A reward is offered by a community, a street, a district or the city, not a %(level)s."
            ) % {"level": level_label(place.level)}
        if errors:
            raise ValidationError(errors)
        reward = Reward.objects.create(place=place, name=name, description=description, cost=cost, stock=stock)
        audit_record(
            actor=actor,
            action="reward.create",
            target=reward,
            detail={"place": place.code, "name": name, "cost": cost, "stock": stock},
        )
    return reward


def reward_update(
    *,
    actor: Any,
    reward: Reward,
    name: str,
    description: str = "",
    cost: int,
    stock: int | None,
    stock_was: int | None = UNSET,
) -> Reward:
    """Change a reward's name, description, cost and stock. ``stock_was`` (the stock the edit page showed) refuses a
    new stock when approvals took some since: the stock field then says what it is now. A new cost applies to
    requests made from now on; those waiting keep the cost they were made at."""
    name, description = name.strip(), description.strip()
    with transaction.atomic():
        current = Reward.objects.select_for_update(no_key=True).select_related("place").get(pk=reward.pk)
        place_require_scope(actor=actor, place=current.place, perm=Perm.MANAGE_PARTY)
        if not current.active:
            raise ValidationError(_("This reward has been withdrawn; it can no longer be changed."))
        errors = reward_errors(name=name, description=description, cost=cost, stock=stock)
        if stock_was is not UNSET and current.stock != stock_was:
            errors["stock"] = _(
                "The stock changed while you were editing (exchanges were approved): it is now %(stock)s. "
                "Check the new stock and save again."
            ) % {"stock": current.stock if current.stock is not None else _("no limit")}
        if errors:
            raise ValidationError(errors)
        before: dict[str, Any] = {
            "name": current.name,
            "description": current.description,
            "cost": current.cost,
            "stock": current.stock,
        }
        after: dict[str, Any] = {"name": name, "description": description, "cost": cost, "stock": stock}
        changed = [field for field, value in after.items() if before[field] != value]
        for field in changed:
            setattr(current, field, after[field])
        if changed:
            current.save(update_fields=changed)
            audit_record(
                actor=actor,
                action="reward.update",
                target=current,
                detail={field: {"from": before[field], "to": after[field]} for field in changed},
            )
    for field, value in after.items():
        setattr(reward, field, value)
    return current


def reward_withdraw(*, actor: Any, reward: Reward) -> Reward:
    """Stop offering a reward. Its open requests are rejected, saying so; approved ones stay as they are."""
    with transaction.atomic():
        current = Reward.objects.select_for_update(no_key=True).select_related("place").get(pk=reward.pk)
        place_require_scope(actor=actor, place=current.place, perm=Perm.MANAGE_PARTY)
        if not current.active:
            return current
        current.active = False
        current.save(update_fields=["active"])
        reason = _("The reward “%(reward)s” is no longer offered.") % {"reward": current.name}
        rejected = []
        for exchange in Exchange.objects.filter(reward=current, state=ExchangeState.REQUESTED).order_by("pk"):
            flow_move(
                exchange,
                flow=EXCHANGE_FLOW,
                action=ExchangeAction.REJECT,
                actor=actor,
                note=reason,
                changes={"reason": reason},
            )
            rejected.append(exchange.pk)
        audit_record(actor=actor, action="reward.withdraw", target=current, detail={"rejected": rejected})
    reward.active = False
    return current
