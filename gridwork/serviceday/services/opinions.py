"""Collecting opinions for the service day (征集意见), by the 15th of the month.

Three ways in: the public form, which anyone may use for a community while its collection is open on the calendar
(from the 1st to the 15th, and until the staff close it); the staff recording an opinion heard at a door or a meeting;
and the staff pulling matters of the community (open ones, or filed recently) into the cycle's opinions, each matter
once. The staff may add opinions while the cycle still collects, late or not. A contact's name and phone are personal
data: masked in every list.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from gridwork.accounts.roles import Perm
from gridwork.matters.models import Matter
from gridwork.places.models import Place, PlaceLevel
from gridwork.serviceday.calendar import next_month, stage_dates
from gridwork.serviceday.models import CycleState, Opinion, OpinionSource, ServiceCycle, Topic
from gridwork.serviceday.services.common import (
    MAX_NAME,
    MAX_OPINION,
    clean_phone,
    clean_text,
    day_of,
    is_resident,
    locked_cycle,
    moment,
    refuse,
    require_manage,
)
from gridwork.serviceday.services.cycles import cycle_open

MAX_MATTERS_AT_ONCE = 50


def _opinion_errors(*, topic: str, text: str, name: str, phone: str) -> tuple[dict[str, Any], dict[str, str]]:
    errors: dict[str, str] = {}
    values = {
        "text": clean_text(
            text,
            field="text",
            limit=MAX_OPINION,
            errors=errors,
            required=_("Write your opinion: what you would like the service day to offer, or what needs doing."),
        ),
        "name": clean_text(name, field="name", limit=MAX_NAME, errors=errors),
        "phone": clean_phone(phone, field="phone", errors=errors),
        "topic": topic,
    }
    if topic not in Topic.values:
        errors["topic"] = _("Choose what your opinion is about.")
    return values, errors


def collecting_cycle(community: Place, *, at: datetime | None = None) -> ServiceCycle | None:
    """The community's cycle whose public collection is open at ``at``: this month's, collecting, on or before its
    collection's due day; opened now if the daily job has not opened it yet. ``None`` when no collection is open."""
    on = day_of(at)
    window = stage_dates(on).window(CycleState.COLLECT)
    if not window.contains(on):
        return None
    cycle, _created = cycle_open(community=community, year=on.year, month=on.month, at=at)
    return cycle if cycle.state == CycleState.COLLECT else None


def next_collection_opens(*, at: datetime | None = None) -> str:
    on = day_of(at)
    year, month = (on.year, on.month) if on.day == 1 else next_month(on.year, on.month)
    return date_format(stage_dates((year, month)).opens, "SHORT_DATE_FORMAT")


def opinion_submit(
    *,
    user: Any,
    community: Place,
    topic: str,
    text: str,
    name: str = "",
    phone: str = "",
    at: datetime | None = None,
) -> Opinion:
    """The public form: anyone's opinion for the community's service day while its collection is open. A signed-in
    resident's opinion is kept with their account (they may rate the items afterwards), their phone the account's
    unless they give another. Staff use the staff pages."""
    if community.level != PlaceLevel.COMMUNITY:
        raise ValidationError({"community": _("Choose a community.")})
    if getattr(user, "is_authenticated", False) and not is_resident(user):
        raise ValidationError(_("Staff record opinions on the cycle's staff page, not on the public form."))
    resident = is_resident(user)
    if resident and not phone.strip():
        phone = getattr(user, "phone", "") or ""
    values, errors = _opinion_errors(topic=topic, text=text, name=name, phone=phone)
    refuse(errors)
    with transaction.atomic():
        cycle = collecting_cycle(community, at=at)
        cycle = locked_cycle(cycle) if cycle is not None else None
        if cycle is None or cycle.state != CycleState.COLLECT:
            raise ValidationError(
                _(
                    "The collection of opinions for the service day of %(community)s is closed. The next one opens "
                    "on %(day)s."
                )
                % {"community": community.name, "day": next_collection_opens(at=at)}
            )
        return Opinion.objects.create(
            cycle=cycle,
            source=OpinionSource.FORM,
            user=user if resident else None,
            created_at=moment(at),
            **values,
        )


def _require_collecting(cycle: ServiceCycle) -> None:
    if cycle.state != CycleState.COLLECT:
        raise ValidationError(_("The collection of this cycle is closed: opinions are added while it collects."))


def opinion_record(
    *,
    actor: Any,
    cycle: ServiceCycle,
    topic: str,
    text: str,
    name: str = "",
    phone: str = "",
    at: datetime | None = None,
) -> Opinion:
    """Staff record an opinion heard at a door, on the phone or at a meeting, while the cycle collects."""
    require_manage(actor, cycle)
    values, errors = _opinion_errors(topic=topic, text=text, name=name, phone=phone)
    refuse(errors)
    with transaction.atomic():
        current = locked_cycle(cycle)
        _require_collecting(current)
        return Opinion.objects.create(
            cycle=current, source=OpinionSource.STAFF, created_by=actor, created_at=moment(at), **values
        )


def pullable_matters(*, actor: Any, cycle: ServiceCycle) -> Any:
    """The matters of the cycle's community the actor may see (VIEW_MATTERS), not yet among its opinions."""
    taken = Opinion.objects.filter(cycle=cycle, matter__isnull=False).values("matter_id")
    return (
        Matter.objects.restrict(actor, Perm.VIEW_MATTERS).filter(community_id=cycle.community_id).exclude(pk__in=taken)
    )


def opinions_from_matters(
    *, actor: Any, cycle: ServiceCycle, matters: Sequence[Matter], topic: str = Topic.OTHER, at: datetime | None = None
) -> list[Opinion]:
    """Pull matters of the community into the cycle's opinions (each matter once per cycle: a unique constraint).
    The opinion says what the matter says (title and description); the reporter's contact stays on the matter, and
    a resident who reported it from their account may rate the items."""
    require_manage(actor, cycle)
    matters = list({matter.pk: matter for matter in matters}.values())
    errors: dict[str, str] = {}
    if not matters:
        errors["matters"] = _("Choose at least one matter.")
    elif len(matters) > MAX_MATTERS_AT_ONCE:
        errors["matters"] = _("Choose at most %(count)d matters at once.") % {"count": MAX_MATTERS_AT_ONCE}
    if topic not in Topic.values:
        errors["topic"] = _("Choose what the matters are about.")
    refuse(errors)
    with transaction.atomic():
        current = locked_cycle(cycle)
        _require_collecting(current)
        allowed = set(pullable_matters(actor=actor, cycle=current).values_list("pk", flat=True))
        refused = [matter.number for matter in matters if matter.pk not in allowed]
        if refused:
            raise ValidationError(
                {
                    "matters": _(
                        "Not a matter of %(community)s that you may see, or already among the opinions: %(numbers)s."
                    )
                    % {"community": current.community.name, "numbers": ", ".join(refused)}
                }
            )
        return [
            Opinion.objects.create(
                cycle=current,
                source=OpinionSource.MATTER,
                topic=topic,
                text=f"{matter.title}\n{matter.text}"[:MAX_OPINION],
                matter=matter,
                user=matter.reporter if is_resident(matter.reporter) else None,
                created_by=actor,
                created_at=moment(at),
            )
            for matter in matters
        ]
