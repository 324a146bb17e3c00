"""Sorting the opinions into items (梳理分类, by the 25th) and recording the service day's results (the 5th).

An item says what the service day offers; it takes up opinions of its own cycle (an opinion belongs to one item at a
time: choosing it for another moves it), names who helps — registered party members of the community (双报到) as
volunteers and resident units of the community or its street —, and may name the community's activity that holds it.
Items are made, changed and dropped while the cycle sorts or prepares the day; from the service day on, each planned
item's result is recorded: done, or not done with the reason.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from gridwork.activities.models import Activity
from gridwork.common.flows import flow_move, flow_start
from gridwork.party.models import MemberRegistration
from gridwork.people.models import ResidentUnit
from gridwork.serviceday import selectors
from gridwork.serviceday.calendar import cycle_dates
from gridwork.serviceday.flows import ITEM_FLOW, ItemAction
from gridwork.serviceday.models import CycleState, Item, Opinion, ServiceCycle, Topic
from gridwork.serviceday.services.common import (
    MAX_DESCRIPTION,
    MAX_NOTE,
    MAX_TITLE,
    clean_text,
    day_of,
    locked_cycle,
    moment,
    refuse,
    require_manage,
)

PREPARING = (CycleState.SORT, CycleState.SERVE)


@dataclass(frozen=True)
class ItemInput:
    title: str
    topic: str
    description: str = ""
    opinions: Sequence[Opinion] = field(default_factory=tuple)
    members: Sequence[MemberRegistration] = field(default_factory=tuple)
    units: Sequence[ResidentUnit] = field(default_factory=tuple)
    activity: Activity | None = None


def _require_preparing(cycle: ServiceCycle) -> None:
    if cycle.state not in PREPARING:
        raise ValidationError(
            _("Items are made and changed while the cycle sorts the opinions or prepares the service day.")
        )


def _ids(objects: Sequence[Any]) -> list[int]:
    return sorted({obj.pk for obj in objects})


def _item_values(*, actor: Any, cycle: ServiceCycle, data: ItemInput) -> dict[str, Any]:
    """The item's own fields, checked; its opinions, helpers and activity checked against the cycle's community."""
    errors: dict[str, str] = {}
    values: dict[str, Any] = {
        "title": clean_text(
            data.title, field="title", limit=MAX_TITLE, errors=errors, required=_("Give the item a title.")
        ),
        "description": clean_text(data.description, field="description", limit=MAX_DESCRIPTION, errors=errors),
        "topic": data.topic,
    }
    if data.topic not in Topic.values:
        errors["topic"] = _("Choose what the item is about.")
    opinions = set(Opinion.objects.filter(cycle=cycle).values_list("pk", flat=True))
    if any(opinion.pk not in opinions for opinion in data.opinions):
        errors["opinions"] = _("Choose opinions of this cycle only.")
    members = set(selectors.volunteer_choices(cycle).values_list("pk", flat=True))
    if any(member.pk not in members for member in data.members):
        errors["members"] = _("Choose party members registered with %(community)s (双报到) only.") % {
            "community": cycle.community.name
        }
    units = set(selectors.unit_choices(cycle).values_list("pk", flat=True))
    if any(unit.pk not in units for unit in data.units):
        errors["units"] = _("Choose resident units of %(community)s or its street only.") % {
            "community": cycle.community.name
        }
    if (
        data.activity is not None
        and not selectors.activity_choices(user=actor, cycle=cycle).filter(pk=data.activity.pk).exists()
    ):
        errors["activity"] = _("Choose an activity of %(community)s around this service day.") % {
            "community": cycle.community.name
        }
    refuse(errors)
    values["activity"] = data.activity
    return values


def _link(item: Item, data: ItemInput) -> None:
    item.members.set(_ids(data.members))
    item.units.set(_ids(data.units))
    chosen = _ids(data.opinions)
    Opinion.objects.filter(item=item).exclude(pk__in=chosen).update(item=None)
    Opinion.objects.filter(cycle_id=item.cycle_id, pk__in=chosen).update(item=item)


def _links(data: ItemInput) -> dict[str, Any]:
    return {
        "opinions": _ids(data.opinions),
        "members": _ids(data.members),
        "units": _ids(data.units),
        "activity": data.activity.pk if data.activity is not None else None,
    }


def item_create(*, actor: Any, cycle: ServiceCycle, data: ItemInput, at: datetime | None = None) -> Item:
    """Make an item of the cycle's opinions while it sorts or prepares the service day."""
    require_manage(actor, cycle)
    with transaction.atomic():
        current = locked_cycle(cycle)
        _require_preparing(current)
        values = _item_values(actor=actor, cycle=current, data=data)
        item = flow_start(
            Item(cycle=current, created_by=actor, created_at=moment(at), **values),
            flow=ITEM_FLOW,
            actor=actor,
            data=_links(data),
            at=moment(at),
        )
        _link(item, data)
    return item


def item_edit(*, actor: Any, item: Item, expected_version: int, data: ItemInput, at: datetime | None = None) -> Item:
    """Change a planned item: its text, opinions, helpers and activity."""
    require_manage(actor, item.cycle)
    with transaction.atomic():
        current = locked_cycle(item.cycle)
        _require_preparing(current)
        values = _item_values(actor=actor, cycle=current, data=data)
        flow_move(
            item,
            flow=ITEM_FLOW,
            action=ItemAction.EDIT,
            actor=actor,
            changes=values,
            data=_links(data),
            expected_version=expected_version,
            at=moment(at),
        )
        _link(item, data)
    return item


def item_drop(*, actor: Any, item: Item, expected_version: int, reason: str, at: datetime | None = None) -> Item:
    """Drop a planned item (it will not be offered), with the reason; its opinions are free to go to another item."""
    require_manage(actor, item.cycle)
    errors: dict[str, str] = {}
    reason = clean_text(
        reason, field="reason", limit=MAX_NOTE, errors=errors, required=_("Say why the item is dropped.")
    )
    refuse(errors)
    with transaction.atomic():
        current = locked_cycle(item.cycle)
        _require_preparing(current)
        flow_move(
            item,
            flow=ITEM_FLOW,
            action=ItemAction.DROP,
            actor=actor,
            note=reason,
            expected_version=expected_version,
            at=moment(at),
        )
        Opinion.objects.filter(item=item).update(item=None)
    return item


def item_record_result(
    *, actor: Any, item: Item, expected_version: int, done: bool, note: str = "", at: datetime | None = None
) -> Item:
    """The service day's result of an item: done, or not done with the reason; from the service day on, while the
    cycle is at its service day (a result may be corrected until the day is finished)."""
    require_manage(actor, item.cycle)
    errors: dict[str, str] = {}
    note = clean_text(
        note,
        field="note",
        limit=MAX_NOTE,
        errors=errors,
        required=None if done else _("Say why the item was not done, and what happens instead."),
    )
    refuse(errors)
    with transaction.atomic():
        current = locked_cycle(item.cycle)
        service_day = cycle_dates(current).service_day
        if current.state != CycleState.SERVE:
            raise ValidationError(_("Results are recorded while the cycle is at its service day."))
        if day_of(at) < service_day:
            raise ValidationError(
                _("The results are recorded from the service day, %(day)s.")
                % {"day": date_format(service_day, "SHORT_DATE_FORMAT")}
            )
        flow_move(
            item,
            flow=ITEM_FLOW,
            action=ItemAction.DONE if done else ItemAction.NOT_DONE,
            actor=actor,
            note=note,
            changes={"result_note": note, "result_recorded_at": moment(at)},
            expected_version=expected_version,
            at=moment(at),
        )
    return item
