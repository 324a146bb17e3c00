"""Writing the three lists and the matches.

Every change of a need, a resource or a project goes through ``common.flows`` (``NEED_FLOW``, ``RESOURCE_FLOW``,
``PROJECT_FLOW``): one transaction that checks the table, compares and sets the subject's state and version, and
appends the event — edits, matches made and milestones included, as moves that keep the state. Who may act is checked
here: staff holding ``MANAGE_PARTY`` over the need's or project's community; for a resource, a contact of its unit
(``party.UnitContact``) or staff holding ``MANAGE_PARTY`` over the place where the unit sits.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gridwork.accounts.roles import Perm
from gridwork.alliances.models import Alliance, AllianceState
from gridwork.cobuild.categories import ServiceField
from gridwork.cobuild.flows import (
    NEED_FLOW,
    PROJECT_FLOW,
    RESOURCE_FLOW,
    NeedAction,
    ProjectAction,
    ResourceAction,
)
from gridwork.cobuild.models import (
    Match,
    Milestone,
    Need,
    NeedSource,
    Project,
    Resource,
    ResourceKind,
)
from gridwork.cobuild.suggestions import CITY_DEPTH, suggestion_for
from gridwork.common.flows import Flow, FlowSubject, StaleState, flow_move, flow_start
from gridwork.common.scope import holds_over
from gridwork.matters.models import Matter
from gridwork.party.models import UnitContact
from gridwork.people.models import ResidentUnit
from gridwork.places.models import Place, PlaceLevel
from gridwork.places.services import place_require_scope

MAX_TITLE = 80
MAX_TEXT = 2000
MAX_NOTE = 500
MAX_MEASURE = 16
MAX_AVAILABILITY = 100
MAX_HOTSPOT_KEY = 20
MAX_QUANTITY = Decimal("9999999999.99")
MAX_BUDGET = Decimal("999999999999.99")
MAX_YEARS_AHEAD = 5
MAX_MILESTONES = 30


# --- checks shared by the lists ---------------------------------------------------------------------------------------


def _text_error(value: str, *, maximum: int, required: str | None = None) -> str | None:
    if required is not None and not value:
        return required
    if len(value) > maximum:
        return _("Write at most %(max)d characters.") % {"max": maximum}
    return None


def _errors(**candidates: str | None) -> dict[str, str]:
    return {field: message for field, message in candidates.items() if message}


def _choice_error(value: str, choices: Any, message: str) -> str | None:
    return None if value in choices.values else message


def _quantity_errors(quantity: Decimal | None, measure: str) -> dict[str, str]:
    errors: dict[str, str] = {}
    if quantity is not None:
        if quantity <= 0:
            errors["quantity"] = _("Enter a quantity above zero, or leave it empty.")
        elif quantity > MAX_QUANTITY:
            errors["quantity"] = _("The quantity is too large.")
        elif quantity != quantity.quantize(Decimal("0.01")):
            errors["quantity"] = _("Use at most two decimal places.")
        if not measure:
            errors["quantity_unit"] = _("Say what the quantity counts (people, m², yuan, sets…).")
    elif measure:
        errors["quantity"] = _("Enter the quantity, or leave the unit of measure empty.")
    if len(measure) > MAX_MEASURE:
        errors["quantity_unit"] = _("Write at most %(max)d characters.") % {"max": MAX_MEASURE}
    return errors


def _latest_day() -> datetime.date:
    today = timezone.localdate()
    return today.replace(year=today.year + MAX_YEARS_AHEAD) if (today.month, today.day) != (2, 29) else today


def _day_error(day: datetime.date | None, *, earlier_allowed: bool = False) -> str | None:
    if day is None:
        return None
    if not earlier_allowed and day < timezone.localdate():
        return _("The day cannot be in the past.")
    if day > _latest_day():
        return _("Choose a day within %(years)d years.") % {"years": MAX_YEARS_AHEAD}
    return None


def _precheck(subject: FlowSubject, flow: Flow, action: str, expected_version: int | None) -> None:
    """Refuse at once a move made on a stale page or not possible in the subject's state, before any other check."""
    if expected_version is not None and expected_version != subject.version:
        raise StaleState
    flow.target(subject.state, action)  # type: ignore[attr-defined]


def _city_path(path: str) -> str:
    codes = [code for code in path.split("/") if code]
    return "/" + "/".join(codes[:CITY_DEPTH]) + "/"


def _changed(subject: Any, values: dict[str, Any]) -> dict[str, Any]:
    return {name: value for name, value in values.items() if getattr(subject, name) != value}


# --- 需求清单 ---------------------------------------------------------------------------------------------------------


def _staff_over(actor: Any, place: Place) -> None:
    place_require_scope(actor=actor, place=place, perm=Perm.MANAGE_PARTY)


def _need_errors(
    *,
    actor: Any,
    community: Place,
    title: str,
    description: str,
    field: str,
    source: str,
    matter: Matter | None,
    hotspot_key: str,
    quantity: Decimal | None,
    quantity_unit: str,
    wanted_by: datetime.date | None,
    wanted_by_unchanged: bool = False,
) -> dict[str, str]:
    errors = _errors(
        title=_text_error(title, maximum=MAX_TITLE, required=_("Give the need a title.")),
        description=_text_error(description, maximum=MAX_TEXT),
        field=_choice_error(field, ServiceField, _("Choose the field of work.")),
        source=_choice_error(source, NeedSource, _("Say where the need comes from.")),
        hotspot_key=_text_error(hotspot_key, maximum=MAX_HOTSPOT_KEY),
        wanted_by=_day_error(wanted_by, earlier_allowed=wanted_by_unchanged),
    )
    errors |= _quantity_errors(quantity, quantity_unit)
    if matter is not None:
        if source != NeedSource.MATTERS:
            errors["matter"] = _("Link a matter only to a need that comes from residents' matters.")
        elif not Matter.objects.restrict(actor, Perm.VIEW_MATTERS).filter(pk=matter.pk).exists():
            errors["matter"] = _("No matter with this number is in your area.")
        elif matter.community_id != community.pk:
            errors["matter"] = _("This matter was filed in another community.")
    elif hotspot_key:
        errors["matter"] = _("A need taken from a hot spot names the hot spot's first matter.")
    return errors


def need_publish(
    *,
    actor: Any,
    community: Place | None,
    title: str,
    field: str,
    source: str,
    description: str = "",
    matter: Matter | None = None,
    hotspot_key: str = "",
    quantity: Decimal | None = None,
    quantity_unit: str = "",
    wanted_by: datetime.date | None = None,
) -> Need:
    """发布需求: staff holding ``MANAGE_PARTY`` over a community publish a need of its residents."""
    if community is None or community.level != PlaceLevel.COMMUNITY:
        raise ValidationError({"community": _("Choose the community whose residents have the need.")})
    _staff_over(actor, community)
    title, description, quantity_unit, hotspot_key = (
        title.strip(),
        description.strip(),
        quantity_unit.strip(),
        hotspot_key.strip(),
    )
    errors = _need_errors(
        actor=actor,
        community=community,
        title=title,
        description=description,
        field=field,
        source=source,
        matter=matter,
        hotspot_key=hotspot_key,
        quantity=quantity,
        quantity_unit=quantity_unit,
        wanted_by=wanted_by,
    )
    if errors:
        raise ValidationError(errors)
    need = Need(
        community=community,
        title=title,
        description=description,
        field=field,
        source=source,
        matter=matter,
        hotspot_key=hotspot_key,
        quantity=quantity,
        quantity_unit=quantity_unit if quantity is not None else "",
        wanted_by=wanted_by,
        created_by=actor,
    )
    return flow_start(need, flow=NEED_FLOW, actor=actor, data={"matter": matter.number if matter else None})


def need_update(
    *,
    actor: Any,
    need: Need,
    expected_version: int | None,
    title: str,
    field: str,
    source: str,
    description: str = "",
    matter: Matter | None = None,
    quantity: Decimal | None = None,
    quantity_unit: str = "",
    wanted_by: datetime.date | None = None,
) -> Need:
    """Edit an open need (its community stays). A hot spot it was taken from stays named while its matter does."""
    _staff_over(actor, need.community)
    _precheck(need, NEED_FLOW, NeedAction.EDIT, expected_version)
    title, description, quantity_unit = title.strip(), description.strip(), quantity_unit.strip()
    hotspot_key = need.hotspot_key if matter is not None and matter.pk == need.matter_id else ""
    errors = _need_errors(
        actor=actor,
        community=need.community,
        title=title,
        description=description,
        field=field,
        source=source,
        matter=matter,
        hotspot_key=hotspot_key,
        quantity=quantity,
        quantity_unit=quantity_unit,
        wanted_by=wanted_by,
        wanted_by_unchanged=wanted_by == need.wanted_by,
    )
    if errors:
        raise ValidationError(errors)
    changes = _changed(
        need,
        {
            "title": title,
            "description": description,
            "field": field,
            "source": source,
            "matter": matter,
            "hotspot_key": hotspot_key,
            "quantity": quantity,
            "quantity_unit": quantity_unit if quantity is not None else "",
            "wanted_by": wanted_by,
        },
    )
    if not changes:
        return need
    flow_move(
        need,
        flow=NEED_FLOW,
        action=NeedAction.EDIT,
        actor=actor,
        data={"fields": sorted(changes)},
        changes=changes,
        expected_version=expected_version,
    )
    return need


def need_meet(*, actor: Any, need: Need, expected_version: int | None, note: str = "") -> Need:
    """The need is met (by the matches and projects made for it, or otherwise: the note says how)."""
    _staff_over(actor, need.community)
    _precheck(need, NEED_FLOW, NeedAction.MEET, expected_version)
    note = note.strip()
    errors = _errors(note=_text_error(note, maximum=MAX_NOTE))
    if errors:
        raise ValidationError(errors)
    flow_move(
        need,
        flow=NEED_FLOW,
        action=NeedAction.MEET,
        actor=actor,
        note=note,
        changes={"closed_at": timezone.now()},
        expected_version=expected_version,
    )
    return need


def need_reopen(*, actor: Any, need: Need, expected_version: int | None, note: str = "") -> Need:
    _staff_over(actor, need.community)
    _precheck(need, NEED_FLOW, NeedAction.REOPEN, expected_version)
    note = note.strip()
    errors = _errors(note=_text_error(note, maximum=MAX_NOTE, required=_("Say why the need is open again.")))
    if errors:
        raise ValidationError(errors)
    flow_move(
        need,
        flow=NEED_FLOW,
        action=NeedAction.REOPEN,
        actor=actor,
        note=note,
        changes={"closed_at": None},
        expected_version=expected_version,
    )
    return need


def need_withdraw(*, actor: Any, need: Need, reason: str, expected_version: int | None) -> Need:
    _staff_over(actor, need.community)
    _precheck(need, NEED_FLOW, NeedAction.WITHDRAW, expected_version)
    reason = reason.strip()
    errors = _errors(reason=_text_error(reason, maximum=MAX_NOTE, required=_("Say why the need is withdrawn.")))
    if errors:
        raise ValidationError(errors)
    flow_move(
        need,
        flow=NEED_FLOW,
        action=NeedAction.WITHDRAW,
        actor=actor,
        note=reason,
        changes={"reason": reason, "closed_at": timezone.now()},
        expected_version=expected_version,
    )
    return need


# --- 资源清单 ---------------------------------------------------------------------------------------------------------


def resource_may_edit(*, actor: Any, unit: ResidentUnit) -> bool:
    """A contact of the unit, or staff holding ``MANAGE_PARTY`` over the place where it sits."""
    if not getattr(actor, "is_authenticated", False):
        return False
    if UnitContact.objects.filter(unit=unit, user=actor).exists():
        return True
    return holds_over(actor, Perm.MANAGE_PARTY, unit.place)


def _speaks_for(actor: Any, unit: ResidentUnit) -> None:
    if not resource_may_edit(actor=actor, unit=unit):
        raise PermissionDenied(_("Only the unit's contacts, or staff over the place where it sits, may do this."))


def _resource_errors(
    *,
    kind: str,
    field: str,
    title: str,
    description: str,
    quantity: Decimal | None,
    quantity_unit: str,
    available_from: datetime.date | None,
    available_to: datetime.date | None,
    availability: str,
    from_unchanged: bool = False,
    to_unchanged: bool = False,
) -> dict[str, str]:
    errors = _errors(
        kind=_choice_error(kind, ResourceKind, _("Choose what kind of resource it is.")),
        field=_choice_error(field, ServiceField, _("Choose the field of work.")),
        title=_text_error(title, maximum=MAX_TITLE, required=_("Give the resource a title.")),
        description=_text_error(description, maximum=MAX_TEXT),
        availability=_text_error(availability, maximum=MAX_AVAILABILITY),
        available_from=_day_error(available_from, earlier_allowed=True),
        available_to=_day_error(available_to, earlier_allowed=to_unchanged),
    )
    errors |= _quantity_errors(quantity, quantity_unit)
    if available_from is not None and available_to is not None and available_to < available_from:
        errors["available_to"] = _("The last day is before the first day.")
    return errors


def resource_publish(
    *,
    actor: Any,
    unit: ResidentUnit | None,
    kind: str,
    field: str,
    title: str,
    description: str = "",
    quantity: Decimal | None = None,
    quantity_unit: str = "",
    available_from: datetime.date | None = None,
    available_to: datetime.date | None = None,
    availability: str = "",
) -> Resource:
    """发布资源: a unit's contact publishes what the unit offers, or staff do it on the unit's behalf."""
    if unit is None:
        raise ValidationError({"unit": _("Choose the unit that offers the resource.")})
    _speaks_for(actor, unit)
    title, description, quantity_unit, availability = (
        title.strip(),
        description.strip(),
        quantity_unit.strip(),
        availability.strip(),
    )
    errors = _resource_errors(
        kind=kind,
        field=field,
        title=title,
        description=description,
        quantity=quantity,
        quantity_unit=quantity_unit,
        available_from=available_from,
        available_to=available_to,
        availability=availability,
    )
    if errors:
        raise ValidationError(errors)
    resource = Resource(
        unit=unit,
        kind=kind,
        field=field,
        title=title,
        description=description,
        quantity=quantity,
        quantity_unit=quantity_unit if quantity is not None else "",
        available_from=available_from,
        available_to=available_to,
        availability=availability,
        created_by=actor,
    )
    return flow_start(resource, flow=RESOURCE_FLOW, actor=actor, data={"unit": unit.pk})


def resource_update(
    *,
    actor: Any,
    resource: Resource,
    expected_version: int | None,
    kind: str,
    field: str,
    title: str,
    description: str = "",
    quantity: Decimal | None = None,
    quantity_unit: str = "",
    available_from: datetime.date | None = None,
    available_to: datetime.date | None = None,
    availability: str = "",
) -> Resource:
    """Edit an available resource (its unit stays)."""
    _speaks_for(actor, resource.unit)
    _precheck(resource, RESOURCE_FLOW, ResourceAction.EDIT, expected_version)
    title, description, quantity_unit, availability = (
        title.strip(),
        description.strip(),
        quantity_unit.strip(),
        availability.strip(),
    )
    errors = _resource_errors(
        kind=kind,
        field=field,
        title=title,
        description=description,
        quantity=quantity,
        quantity_unit=quantity_unit,
        available_from=available_from,
        available_to=available_to,
        availability=availability,
        to_unchanged=available_to == resource.available_to,
    )
    if errors:
        raise ValidationError(errors)
    changes = _changed(
        resource,
        {
            "kind": kind,
            "field": field,
            "title": title,
            "description": description,
            "quantity": quantity,
            "quantity_unit": quantity_unit if quantity is not None else "",
            "available_from": available_from,
            "available_to": available_to,
            "availability": availability,
        },
    )
    if not changes:
        return resource
    flow_move(
        resource,
        flow=RESOURCE_FLOW,
        action=ResourceAction.EDIT,
        actor=actor,
        data={"fields": sorted(changes)},
        changes=changes,
        expected_version=expected_version,
    )
    return resource


def _resource_move(
    *,
    actor: Any,
    resource: Resource,
    action: str,
    expected_version: int | None,
    note: str,
    changes: dict[str, Any] | None = None,
    note_field: str = "note",
) -> Resource:
    _speaks_for(actor, resource.unit)
    _precheck(resource, RESOURCE_FLOW, action, expected_version)
    note = note.strip()
    errors = _errors(**{note_field: _text_error(note, maximum=MAX_NOTE)})
    if errors:
        raise ValidationError(errors)
    flow_move(
        resource,
        flow=RESOURCE_FLOW,
        action=action,
        actor=actor,
        note=note,
        changes=changes,
        expected_version=expected_version,
    )
    return resource


def resource_use_up(*, actor: Any, resource: Resource, expected_version: int | None, note: str = "") -> Resource:
    """The resource is used up: no longer offered for matching."""
    return _resource_move(
        actor=actor,
        resource=resource,
        action=ResourceAction.USE_UP,
        expected_version=expected_version,
        note=note,
        changes={"closed_at": timezone.now()},
    )


def resource_restore(*, actor: Any, resource: Resource, expected_version: int | None, note: str = "") -> Resource:
    """A used-up resource is available again (replenished)."""
    return _resource_move(
        actor=actor,
        resource=resource,
        action=ResourceAction.RESTORE,
        expected_version=expected_version,
        note=note,
        changes={"closed_at": None},
    )


def resource_withdraw(*, actor: Any, resource: Resource, expected_version: int | None, reason: str = "") -> Resource:
    """The unit takes the resource off its list (matches already made stay)."""
    reason = reason.strip()
    return _resource_move(
        actor=actor,
        resource=resource,
        action=ResourceAction.WITHDRAW,
        expected_version=expected_version,
        note=reason,
        changes={"reason": reason, "closed_at": timezone.now()},
        note_field="reason",
    )


# --- 对接 -------------------------------------------------------------------------------------------------------------


def match_make(
    *, actor: Any, need: Need, resource: Resource, expected_version: int | None = None, note: str = ""
) -> Match:
    """对接: staff holding ``MANAGE_PARTY`` over the need's community accept one of the need's suggestions; the match
    keeps the score and reasons shown, and the need records it as an event. Once per need and resource: the second
    attempt, even at the same moment, is refused (the unique constraint, and the compare-and-set on the need)."""
    _staff_over(actor, need.community)
    if expected_version is not None and expected_version != need.version:
        raise StaleState
    note = note.strip()
    errors = _errors(note=_text_error(note, maximum=MAX_NOTE))
    already = _("This resource is already matched with this need.")
    if Match.objects.filter(need=need, resource=resource).exists():
        errors["resource"] = already
    if errors:
        raise ValidationError(errors)
    suggestion = suggestion_for(need, resource)
    if suggestion is None:
        raise ValidationError(
            {
                "resource": _(
                    "This resource is not among the need's suggestions: it is used up, withdrawn, past its last day "
                    "or does not fit."
                )
            }
        )
    _precheck(need, NEED_FLOW, NeedAction.MATCH, expected_version)  # last, right before the compare-and-set
    try:
        with transaction.atomic():
            flow_move(
                need,
                flow=NEED_FLOW,
                action=NeedAction.MATCH,
                actor=actor,
                note=note,
                data={"resource": resource.pk, "score": suggestion.score},
                expected_version=expected_version,
            )
            return Match.objects.create(
                need=need,
                resource=resource,
                score=suggestion.score,
                reasons=list(suggestion.reasons),
                note=note,
                made_by=actor,
            )
    except IntegrityError:
        raise ValidationError({"resource": already}) from None


# --- 项目清单 ---------------------------------------------------------------------------------------------------------


def _project_errors(
    *,
    community: Place,
    title: str,
    goal: str,
    field: str,
    units: list[ResidentUnit],
    budget: Decimal | None,
    starts_on: datetime.date | None,
    ends_on: datetime.date | None,
    match: Match | None,
) -> dict[str, str]:
    errors = _errors(
        title=_text_error(title, maximum=MAX_TITLE, required=_("Give the project a title.")),
        goal=_text_error(goal, maximum=MAX_TEXT, required=_("Say what the project is to achieve.")),
        field=_choice_error(field, ServiceField, _("Choose the field of work.")),
        starts_on=None if starts_on is not None else _("Enter the first day."),
        ends_on=_day_error(ends_on, earlier_allowed=True) if ends_on is not None else _("Enter the last day."),
    )
    if starts_on is not None and ends_on is not None and ends_on < starts_on:
        errors["ends_on"] = _("The last day is before the first day.")
    if budget is not None:
        if budget < 0:
            errors["budget"] = _("The budget cannot be negative.")
        elif budget > MAX_BUDGET:
            errors["budget"] = _("The budget is too large.")
        elif budget != budget.quantize(Decimal("0.01")):
            errors["budget"] = _("Give the budget in yuan with at most two decimal places (fen).")
    city = _city_path(community.path)
    if not units:
        errors["units"] = _("Name at least one resident unit taking part.")
    elif any(not unit.place.path.startswith(city) for unit in units):
        errors["units"] = _("Every party must be a resident unit of the community's city.")
    elif match is not None and match.resource.unit_id not in {unit.pk for unit in units}:
        errors["units"] = _("The unit of the matched resource must be a party.")
    return errors


def _alliance_check(actor: Any, alliance: Alliance | None) -> None:
    """A joint project names an active alliance the actor acts for (``selectors.alliance_choices``)."""
    if alliance is None:
        return
    offered = Alliance.objects.restrict(actor, Perm.MANAGE_PARTY).filter(pk=alliance.pk, state=AllianceState.ACTIVE)
    if not offered.exists():
        raise ValidationError({"alliance": _("Choose an active alliance of your area.")})


def project_create(
    *,
    actor: Any,
    community: Place | None,
    title: str,
    goal: str,
    field: str,
    units: Iterable[ResidentUnit],
    starts_on: datetime.date | None,
    ends_on: datetime.date | None,
    budget: Decimal | None = None,
    match: Match | None = None,
    alliance: Alliance | None = None,
) -> Project:
    """立项: staff holding ``MANAGE_PARTY`` over a community create a project with its parties, from a match (the
    need's community, the resource's unit among the parties; one project per match) or directly."""
    if match is not None:
        community = match.need.community
    if community is None or community.level != PlaceLevel.COMMUNITY:
        raise ValidationError({"community": _("Choose the community of the project.")})
    _staff_over(actor, community)
    units = list({unit.pk: unit for unit in units}.values())
    title, goal = title.strip(), goal.strip()
    errors = _project_errors(
        community=community,
        title=title,
        goal=goal,
        field=field,
        units=units,
        budget=budget,
        starts_on=starts_on,
        ends_on=ends_on,
        match=match,
    )
    made_already = _("A project was already made from this match.")
    if match is not None and Project.objects.filter(match=match).exists():
        errors["__all__"] = made_already
    if errors:
        raise ValidationError(errors)
    assert starts_on is not None
    assert ends_on is not None
    _alliance_check(actor, alliance)
    project = Project(
        community=community,
        title=title,
        goal=goal,
        field=field,
        budget=budget,
        starts_on=starts_on,
        ends_on=ends_on,
        match=match,
        alliance=alliance,
        created_by=actor,
    )
    try:
        with transaction.atomic():
            flow_start(
                project,
                flow=PROJECT_FLOW,
                actor=actor,
                data={"match": match.pk if match else None, "units": [unit.pk for unit in units]},
            )
            project.units.set(units)
    except IntegrityError:
        raise ValidationError({"__all__": made_already}) from None
    return project


def project_update(
    *,
    actor: Any,
    project: Project,
    expected_version: int | None,
    title: str,
    goal: str,
    field: str,
    units: Iterable[ResidentUnit],
    starts_on: datetime.date | None,
    ends_on: datetime.date | None,
    budget: Decimal | None = None,
    alliance: Alliance | None = None,
) -> Project:
    """Edit a planned project (its community and match stay)."""
    _staff_over(actor, project.community)
    _precheck(project, PROJECT_FLOW, ProjectAction.EDIT, expected_version)
    units = list({unit.pk: unit for unit in units}.values())
    title, goal = title.strip(), goal.strip()
    errors = _project_errors(
        community=project.community,
        title=title,
        goal=goal,
        field=field,
        units=units,
        budget=budget,
        starts_on=starts_on,
        ends_on=ends_on,
        match=project.match,
    )
    if starts_on is not None and ends_on is not None:
        outside = project.milestones.exclude(due_on__gte=starts_on, due_on__lte=ends_on)
        if outside.exists():
            errors["ends_on"] = _("A milestone is due outside these dates; move it first.")
    if errors:
        raise ValidationError(errors)
    if alliance is not None and alliance.pk != project.alliance_id:
        _alliance_check(actor, alliance)
    values: dict[str, Any] = {
        "title": title,
        "goal": goal,
        "field": field,
        "budget": budget,
        "starts_on": starts_on,
        "ends_on": ends_on,
        "alliance": alliance,
    }
    changes = _changed(project, values)
    before = set(project.units.values_list("pk", flat=True))
    after = {unit.pk for unit in units}
    if not changes and before == after:
        return project
    with transaction.atomic():
        flow_move(
            project,
            flow=PROJECT_FLOW,
            action=ProjectAction.EDIT,
            actor=actor,
            data={"fields": sorted(changes), "units": sorted(after)}
            if before != after
            else {"fields": sorted(changes)},
            changes=changes,
            expected_version=expected_version,
        )
        if before != after:
            project.units.set(units)
    return project


def milestone_add(
    *, actor: Any, project: Project, title: str, due_on: datetime.date | None, expected_version: int | None
) -> Milestone:
    """A milestone of a planned project, due within its dates."""
    _staff_over(actor, project.community)
    _precheck(project, PROJECT_FLOW, ProjectAction.ADD_MILESTONE, expected_version)
    title = title.strip()
    errors = _errors(title=_text_error(title, maximum=MAX_TITLE, required=_("Say what the milestone is.")))
    if due_on is None:
        errors["due_on"] = _("Enter the day it is due.")
    elif not project.starts_on <= due_on <= project.ends_on:
        errors["due_on"] = _("Choose a day within the project's dates (%(start)s to %(end)s).") % {
            "start": project.starts_on.isoformat(),
            "end": project.ends_on.isoformat(),
        }
    if project.milestones.count() >= MAX_MILESTONES:
        errors["__all__"] = _("A project has at most %(max)d milestones.") % {"max": MAX_MILESTONES}
    if errors:
        raise ValidationError(errors)
    assert due_on is not None
    with transaction.atomic():
        milestone = Milestone.objects.create(project=project, title=title, due_on=due_on)
        flow_move(
            project,
            flow=PROJECT_FLOW,
            action=ProjectAction.ADD_MILESTONE,
            actor=actor,
            note=title,
            data={"milestone": milestone.pk, "due_on": due_on.isoformat()},
            expected_version=expected_version,
        )
    return milestone


def milestone_done(
    *,
    actor: Any,
    project: Project,
    milestone: Milestone,
    done_on: datetime.date | None,
    expected_version: int | None,
    note: str = "",
) -> Milestone:
    """A milestone of a project under way is done, on a day not in the future, with a note of what was done."""
    _staff_over(actor, project.community)
    if milestone.project_id != project.pk:
        raise PermissionDenied(_("This milestone is not of this project."))
    _precheck(project, PROJECT_FLOW, ProjectAction.MILESTONE_DONE, expected_version)
    note = note.strip()
    errors = _errors(note=_text_error(note, maximum=MAX_NOTE))
    if milestone.done_on is not None:
        errors["__all__"] = _("This milestone is already done.")
    if done_on is None:
        errors["done_on"] = _("Enter the day it was done.")
    elif done_on > timezone.localdate():
        errors["done_on"] = _("The day cannot be in the future.")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        flow_move(
            project,
            flow=PROJECT_FLOW,
            action=ProjectAction.MILESTONE_DONE,
            actor=actor,
            note=note,
            data={"milestone": milestone.pk, "done_on": done_on.isoformat() if done_on else None},
            expected_version=expected_version,
        )
        if not Milestone.objects.filter(pk=milestone.pk, done_on__isnull=True).update(done_on=done_on, note=note):
            raise StaleState
    milestone.done_on, milestone.note = done_on, note
    return milestone


def project_start(*, actor: Any, project: Project, expected_version: int | None, note: str = "") -> Project:
    """The project is under way."""
    _staff_over(actor, project.community)
    _precheck(project, PROJECT_FLOW, ProjectAction.START, expected_version)
    note = note.strip()
    errors = _errors(note=_text_error(note, maximum=MAX_NOTE))
    if errors:
        raise ValidationError(errors)
    flow_move(
        project,
        flow=PROJECT_FLOW,
        action=ProjectAction.START,
        actor=actor,
        note=note,
        changes={"started_at": timezone.now()},
        expected_version=expected_version,
    )
    return project


def project_finish(*, actor: Any, project: Project, expected_version: int | None, note: str = "") -> Project:
    """The project is done: every milestone must be done first."""
    _staff_over(actor, project.community)
    _precheck(project, PROJECT_FLOW, ProjectAction.FINISH, expected_version)
    note = note.strip()
    errors = _errors(note=_text_error(note, maximum=MAX_NOTE))
    open_milestones = project.milestones.filter(done_on__isnull=True).count()
    if open_milestones:
        errors["__all__"] = _("%(count)d milestones are not done yet; mark them done first.") % {
            "count": open_milestones
        }
    if errors:
        raise ValidationError(errors)
    flow_move(
        project,
        flow=PROJECT_FLOW,
        action=ProjectAction.FINISH,
        actor=actor,
        note=note,
        changes={"done_at": timezone.now()},
        expected_version=expected_version,
    )
    return project


def project_cancel(*, actor: Any, project: Project, reason: str, expected_version: int | None) -> Project:
    _staff_over(actor, project.community)
    _precheck(project, PROJECT_FLOW, ProjectAction.CANCEL, expected_version)
    reason = reason.strip()
    errors = _errors(reason=_text_error(reason, maximum=MAX_NOTE, required=_("Say why the project is cancelled.")))
    if errors:
        raise ValidationError(errors)
    flow_move(
        project,
        flow=PROJECT_FLOW,
        action=ProjectAction.CANCEL,
        actor=actor,
        note=reason,
        changes={"reason": reason, "closed_at": timezone.now()},
        expected_version=expected_version,
    )
    return project
