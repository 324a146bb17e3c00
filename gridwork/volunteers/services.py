"""Writing volunteer orders and the service menu.

Every move of an order goes through ``common.flows.flow_move`` (``ORDER_FLOW``): one transaction that checks the table,
compares and sets the order's state and version, and appends the event. Who may move is checked here: the resident
who ordered (rate, cancel), the staff holding ``MANAGE_PARTY`` over the order's community (issue, decline, cancel),
a member the order was issued to (take) and its taker (give back, complete). Completing earns the taker points by
the hour rule (``points_earn``), in the same transaction, once per order. The menu's writes are audited.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gridwork.accounts.roles import Perm
from gridwork.accounts.services import phone_is_valid, phone_normalise
from gridwork.audit.services import audit_record
from gridwork.common.flows import StaleState, flow_move, flow_start
from gridwork.party.models import MemberRegistration
from gridwork.party.selectors import member_registration_of
from gridwork.party.skills import Skill
from gridwork.places.models import Place, PlaceLevel
from gridwork.places.services import place_require_scope
from gridwork.points.models import PointBasis, PointEntry
from gridwork.points.services import Source, points_earn
from gridwork.volunteers.flows import ORDER_FLOW, OrderAction
from gridwork.volunteers.models import MAX_HOURS, OPEN_STATES, ServiceItem, ServiceOrder
from gridwork.volunteers.selectors import community_of_building, menu_offers_to
from gridwork.volunteers.suggestions import order_candidates

MAX_TEXT = 500
MAX_NAME = 50
MAX_ITEM_NAME = 60
MAX_DESCRIPTION = 1000
MAX_OPEN_ORDERS = 5  # a resident's orders waiting, issued or taken at once
DAYS_AHEAD = 60  # how far ahead a service may be wanted
MENU_LEVELS = frozenset({PlaceLevel.CITY, PlaceLevel.DISTRICT, PlaceLevel.STREET, PlaceLevel.COMMUNITY})
POINTS_SOURCE = "order"


def _text_error(value: str, *, maximum: int, required: str | None = None) -> str | None:
    if required is not None and not value:
        return required
    if len(value) > maximum:
        return _("Write at most %(max)d characters.") % {"max": maximum}
    return None


def _errors(**candidates: str | None) -> dict[str, str]:
    return {field: message for field, message in candidates.items() if message}


def _precheck(order: ServiceOrder, action: str, expected_version: int | None) -> None:
    """Refuse at once a move made on a stale page or not possible in the order's state, before any other check."""
    if expected_version is not None and expected_version != order.version:
        raise StaleState
    ORDER_FLOW.target(order.state, action)


def _member_of(actor: Any) -> MemberRegistration:
    member = member_registration_of(actor)
    if member is None:
        raise PermissionDenied(_("Only a registered party member may do this."))
    return member


def _staff_over(actor: Any, order: ServiceOrder) -> None:
    place_require_scope(actor=actor, place=order.community, perm=Perm.MANAGE_PARTY)


# --- ordering (点单) --------------------------------------------------------------------------------------------------


def order_place(
    *,
    actor: Any,
    building: Place | None,
    for_name: str,
    for_phone: str,
    wanted_on: datetime.date | None,
    item: ServiceItem | None = None,
    text: str = "",
    wanted_from: datetime.time | None = None,
    wanted_to: datetime.time | None = None,
) -> ServiceOrder:
    """点单: a signed-in resident orders a service from their community's menu (``item``), or asks in free text,
    for a person (themself or a neighbour) at a building, on a day and, if they like, in a window of hours."""
    if not getattr(actor, "is_authenticated", False) or getattr(actor, "is_staff_member", True):
        raise PermissionDenied(_("Only a signed-in resident may order a service."))
    text, for_name, for_phone = text.strip(), for_name.strip(), phone_normalise(for_phone.strip())
    errors: dict[str, str] = {}
    community = None
    if building is None or building.level != PlaceLevel.MICROGRID:
        errors["building"] = _("Choose the building where the service is needed.")
    else:
        community = community_of_building(building)
    if item is not None and (community is None or not item.active or not menu_offers_to(item, community)):
        errors["item"] = _("This service is not on the menu of your community.")
    if item is None and not text:
        errors["text"] = _("Choose a service from the menu, or say what you need.")
    errors |= _errors(
        text=errors.get("text") or _text_error(text, maximum=MAX_TEXT),
        for_name=_text_error(for_name, maximum=MAX_NAME, required=_("Enter the name of the person to serve.")),
        for_phone=None
        if phone_is_valid(for_phone)
        else _("Enter a mainland mobile number of 11 digits, such as 13812345678."),
    )
    today = timezone.localdate()
    if wanted_on is None:
        errors["wanted_on"] = _("Choose the day.")
    elif wanted_on < today:
        errors["wanted_on"] = _("The day cannot be in the past.")
    elif wanted_on > today + datetime.timedelta(days=DAYS_AHEAD):
        errors["wanted_on"] = _("Choose a day within %(days)d days.") % {"days": DAYS_AHEAD}
    if (wanted_from is None) != (wanted_to is None):
        errors["wanted_to"] = _("Give both the start and the end of the time, or neither.")
    elif wanted_from is not None and wanted_to is not None and wanted_to <= wanted_from:
        errors["wanted_to"] = _("The end must be after the start.")
    with transaction.atomic():
        open_orders = ServiceOrder.objects.filter(ordered_by=actor, state__in=OPEN_STATES).count()
        if open_orders >= MAX_OPEN_ORDERS:
            errors["__all__"] = _(
                "You have %(count)d orders open. Wait until one is done, or cancel one, before ordering again."
            ) % {"count": open_orders}
        if errors:
            raise ValidationError(errors)
        assert building is not None
        assert community is not None
        assert wanted_on is not None
        order = ServiceOrder(
            ordered_by=actor,
            for_name=for_name,
            for_phone=for_phone,
            community=community,
            building=building,
            item=item,
            text=text,
            wanted_on=wanted_on,
            wanted_from=wanted_from,
            wanted_to=wanted_to,
        )
        return flow_start(order, flow=ORDER_FLOW, actor=actor, data={"item": item.pk if item else None})


# --- the branch (下单) ------------------------------------------------------------------------------------------------


def order_issue(
    *,
    actor: Any,
    order: ServiceOrder,
    members: Iterable[MemberRegistration],
    expected_version: int | None,
    note: str = "",
) -> ServiceOrder:
    """下单: staff holding ``MANAGE_PARTY`` over the order's community offer it to at least one confirmed member of
    the community or its street (the suggestions' candidates). Issuing an issued order again adds members."""
    _staff_over(actor, order)
    _precheck(order, OrderAction.ISSUE, expected_version)
    note = note.strip()
    chosen: dict[int, MemberRegistration] = {member.pk: member for member in members}
    errors = _errors(note=_text_error(note, maximum=MAX_TEXT))
    with transaction.atomic():
        allowed = {member.pk for member in order_candidates(order)}
        already = set(order.issued_to.values_list("pk", flat=True))
        if not chosen:
            errors["members"] = _("Choose at least one member.")
        elif set(chosen) - allowed:
            errors["members"] = _(
                "Only confirmed members of this community or its street, other than the person who ordered, can be "
                "issued this order."
            )
        elif not set(chosen) - already:
            errors["members"] = _("The order is already issued to these members.")
        if errors:
            raise ValidationError(errors)
        added = sorted(set(chosen) - already)
        flow_move(
            order,
            flow=ORDER_FLOW,
            action=OrderAction.ISSUE,
            actor=actor,
            note=note,
            data={"members": added},
            changes={"issued_at": order.issued_at or timezone.now()},
            expected_version=expected_version,
        )
        order.issued_to.add(*(chosen[pk] for pk in added))
    return order


def order_decline(*, actor: Any, order: ServiceOrder, reason: str, expected_version: int | None) -> ServiceOrder:
    """The branch declines an order it cannot serve, saying why (the resident reads the reason)."""
    _staff_over(actor, order)
    _precheck(order, OrderAction.DECLINE, expected_version)
    reason = reason.strip()
    errors = _errors(reason=_text_error(reason, maximum=MAX_TEXT, required=_("Say why the order is declined.")))
    if errors:
        raise ValidationError(errors)
    flow_move(
        order,
        flow=ORDER_FLOW,
        action=OrderAction.DECLINE,
        actor=actor,
        note=reason,
        changes={"reason": reason, "closed_at": timezone.now()},
        expected_version=expected_version,
    )
    return order


# --- the member (接单) ------------------------------------------------------------------------------------------------


def order_take(*, actor: Any, order: ServiceOrder, expected_version: int | None = None) -> ServiceOrder:
    """接单: a member the order was issued to takes it. A compare-and-set: of two members taking at once, one wins and
    the other gets ``StaleState`` (or ``MoveRefused``, if the first had already finished)."""
    member = _member_of(actor)
    if not order.issued_to.filter(pk=member.pk).exists():
        raise PermissionDenied(_("This order was not issued to you."))
    _precheck(order, OrderAction.TAKE, expected_version)
    flow_move(
        order,
        flow=ORDER_FLOW,
        action=OrderAction.TAKE,
        actor=actor,
        data={"member": member.pk},
        changes={"taker": member, "taken_at": timezone.now()},
        expected_version=expected_version,
    )
    return order


def _taker(actor: Any, order: ServiceOrder) -> MemberRegistration:
    member = _member_of(actor)
    if order.taker_id != member.pk:
        raise PermissionDenied(_("Only the member who took this order may do this."))
    return member


def order_give_back(
    *, actor: Any, order: ServiceOrder, reason: str, expected_version: int | None = None
) -> ServiceOrder:
    """The taker gives the order back, saying why; it is open again to the members it was issued to."""
    member = _taker(actor, order)
    _precheck(order, OrderAction.GIVE_BACK, expected_version)
    reason = reason.strip()
    errors = _errors(reason=_text_error(reason, maximum=MAX_TEXT, required=_("Say why you give the order back.")))
    if errors:
        raise ValidationError(errors)
    flow_move(
        order,
        flow=ORDER_FLOW,
        action=OrderAction.GIVE_BACK,
        actor=actor,
        note=reason,
        data={"member": member.pk},
        changes={"taker": None, "taken_at": None},
        expected_version=expected_version,
    )
    return order


def hours_error(hours: Any) -> str | None:
    """What is wrong with ``hours`` of service: more than 0, at most 24, in hundredths at most."""
    try:
        value = Decimal(str(hours))
    except (InvalidOperation, ValueError):
        return _("Enter the hours as a number, such as 1.5.")
    if not value.is_finite() or value <= 0 or value > MAX_HOURS:
        return _("Enter more than 0 and at most %(max)s hours.") % {"max": MAX_HOURS}
    if value != value.quantize(Decimal("0.01")):
        return _("Enter the hours to two decimal places at most.")
    return None


@dataclass(frozen=True)
class Completion:
    order: ServiceOrder
    points: PointEntry | None


def order_complete(
    *, actor: Any, order: ServiceOrder, hours: Decimal, note: str = "", expected_version: int | None = None
) -> Completion:
    """The taker records the service done and its hours (more than 0, at most 24); the hours earn points by the rule
    in force today (``service_hour``), once for the order, in the same transaction."""
    member = _taker(actor, order)
    _precheck(order, OrderAction.COMPLETE, expected_version)
    note = note.strip()
    errors = _errors(hours=hours_error(hours), note=_text_error(note, maximum=MAX_TEXT))
    if errors:
        raise ValidationError(errors)
    hours = Decimal(str(hours)).quantize(Decimal("0.01"))
    with transaction.atomic():
        flow_move(
            order,
            flow=ORDER_FLOW,
            action=OrderAction.COMPLETE,
            actor=actor,
            note=note,
            data={"hours": str(hours)},
            changes={"hours": hours, "completed_at": timezone.now()},
            expected_version=expected_version,
        )
        entry = points_earn(
            member=member,
            basis=PointBasis.SERVICE_HOUR,
            quantity=hours,
            source=Source(POINTS_SOURCE, order.pk),
            actor=actor,
            note=order.title,
        )
    return Completion(order=order, points=entry)


# --- the resident again -----------------------------------------------------------------------------------------------


def order_rate(
    *, actor: Any, order: ServiceOrder, stars: int, comment: str = "", expected_version: int | None = None
) -> ServiceOrder:
    """The person who ordered rates the service done: 1 to 5 stars and a comment, once."""
    if not getattr(actor, "is_authenticated", False) or order.ordered_by_id != actor.pk:
        raise PermissionDenied(_("Only the person who ordered may rate the service."))
    _precheck(order, OrderAction.RATE, expected_version)
    comment = comment.strip()
    errors = _errors(comment=_text_error(comment, maximum=MAX_TEXT))
    if not isinstance(stars, int) or isinstance(stars, bool) or not 1 <= stars <= 5:
        errors["stars"] = _("Choose from 1 to 5 stars.")
    if errors:
        raise ValidationError(errors)
    flow_move(
        order,
        flow=ORDER_FLOW,
        action=OrderAction.RATE,
        actor=actor,
        note=comment,
        data={"stars": stars},
        changes={"rating": stars, "comment": comment, "rated_at": timezone.now()},
        expected_version=expected_version,
    )
    return order


def order_cancel(
    *, actor: Any, order: ServiceOrder, reason: str = "", expected_version: int | None = None
) -> ServiceOrder:
    """Cancel an order not yet taken: by the person who ordered (a reason if they like) or by staff holding
    ``MANAGE_PARTY`` over its community (with a reason, which the resident reads)."""
    by_resident = getattr(actor, "is_authenticated", False) and order.ordered_by_id == actor.pk
    if not by_resident:
        _staff_over(actor, order)
    _precheck(order, OrderAction.CANCEL, expected_version)
    reason = reason.strip()
    required = None if by_resident else _("Say why the order is cancelled.")
    errors = _errors(reason=_text_error(reason, maximum=MAX_TEXT, required=required))
    if errors:
        raise ValidationError(errors)
    flow_move(
        order,
        flow=ORDER_FLOW,
        action=OrderAction.CANCEL,
        actor=actor,
        note=reason,
        data={"by": "resident" if by_resident else "staff"},
        changes={"reason": reason, "closed_at": timezone.now()},
        expected_version=expected_version,
    )
    return order


# --- the menu ---------------------------------------------------------------------------------------------------------


def service_item_errors(*, name: str, description: str, skill: str) -> dict[str, str]:
    return _errors(
        name=_text_error(name, maximum=MAX_ITEM_NAME, required=_("Enter the name of the service.")),
        description=_text_error(description, maximum=MAX_DESCRIPTION),
        skill=None if skill == "" or skill in Skill.values else _("Choose a skill from the list."),
    )


def _duplicate_name(place: Place, name: str, exclude: int | None = None) -> bool:
    items = ServiceItem.objects.filter(place=place, name=name, active=True)
    if exclude is not None:
        items = items.exclude(pk=exclude)
    return items.exists()


def service_item_create(*, actor: Any, place: Place, name: str, description: str = "", skill: str = "") -> ServiceItem:
    """Put a service on the menu of ``place``: a community, or a street, district or city for all its communities."""
    name, description = name.strip(), description.strip()
    place_require_scope(actor=actor, place=place, perm=Perm.MANAGE_PARTY)
    errors = service_item_errors(name=name, description=description, skill=skill)
    if place.level not in MENU_LEVELS:
        errors["place"] = _("A menu belongs to a community, street, district or city.")
    with transaction.atomic():
        if "name" not in errors and _duplicate_name(place, name):
            errors["name"] = _("This menu already offers a service of this name.")
        if errors:
            raise ValidationError(errors)
        item = ServiceItem.objects.create(place=place, name=name, description=description, skill=skill)
        audit_record(
            actor=actor, action="service_item.create", target=item, detail={"place": place.code, "skill": skill}
        )
    return item


def service_item_update(
    *, actor: Any, item: ServiceItem, name: str, description: str, skill: str, active: bool
) -> ServiceItem:
    """Change a service of the menu (or put a withdrawn one back with ``active``)."""
    name, description = name.strip(), description.strip()
    place_require_scope(actor=actor, place=item.place, perm=Perm.MANAGE_PARTY)
    errors = service_item_errors(name=name, description=description, skill=skill)
    with transaction.atomic():
        if "name" not in errors and active and _duplicate_name(item.place, name, exclude=item.pk):
            errors["name"] = _("This menu already offers a service of this name.")
        if errors:
            raise ValidationError(errors)
        before = {"name": item.name, "skill": item.skill, "active": item.active}
        item.name, item.description, item.skill, item.active = name, description, skill, active
        item.save(update_fields=["name", "description", "skill", "active", "updated_at"])
        audit_record(
            actor=actor,
            action="service_item.update",
            target=item,
            detail={"before": before, "after": {"name": name, "skill": skill, "active": active}},
        )
    return item


def service_item_withdraw(*, actor: Any, item: ServiceItem) -> ServiceItem:
    """Take a service off the menu: no new orders; orders already placed go on."""
    place_require_scope(actor=actor, place=item.place, perm=Perm.MANAGE_PARTY)
    if not item.active:
        return item
    with transaction.atomic():
        item.active = False
        item.save(update_fields=["active", "updated_at"])
        audit_record(actor=actor, action="service_item.withdraw", target=item)
    return item
