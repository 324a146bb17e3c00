"""Writing alliances (党建联盟): form one, edit it, add members and record them leaving, set the chair order, hand
the chair over early, record joint meetings (联席会议), dissolve it.

Only staff with MANAGE_PARTY over the alliance's organising place change it, and they add only communities and
resident units that lie in their own area (MANAGE_PARTY over them). Every change is a move of ``ALLIANCE_FLOW``:
a compare-and-set on the alliance's version with its event, in the same transaction as the rows it writes, so two
people changing one alliance at once cannot both win (the other gets ``StaleState`` and nothing of theirs stays).
Values are checked field by field (``ValidationError`` of a dict keyed by the forms' field names).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gridwork.accounts.roles import Perm
from gridwork.alliances.flows import ALLIANCE_FLOW, AllianceAction
from gridwork.alliances.models import (
    Alliance,
    AllianceMember,
    ChairChange,
    ChairChangeKind,
    JointMeeting,
    MeetingAttendance,
)
from gridwork.alliances.rotation import add_months, full_order, next_chair
from gridwork.alliances.selectors import (
    Rotation,
    alliance_managed_by,
    alliance_members,
    alliance_rotation,
    holds,
    member_dates,
)
from gridwork.common.flows import StaleState, flow_move, flow_start
from gridwork.people.models import ResidentUnit
from gridwork.places.models import Place, PlaceLevel

MAX_NAME = 100
MAX_PURPOSE = 2000
MAX_REASON = 500
MAX_VENUE = 120
MAX_TOPIC = 120
MAX_MINUTES = 20000
MAX_DECISIONS = 5000
MIN_TERM, MAX_TERM = 1, 36
MIN_ATTENDEES = 2
EARLIEST = date(2000, 1, 1)
ORGANISING_LEVELS = frozenset({PlaceLevel.STREET, PlaceLevel.COMMUNITY})


def _today() -> date:
    return timezone.localdate()


def _iso(day: date) -> str:
    return day.isoformat()


def _signed_in(actor: Any) -> None:
    if actor is None or not getattr(actor, "is_authenticated", False):
        raise PermissionDenied(_("Sign in first."))


def _require_manager(actor: Any, alliance: Alliance) -> None:
    _signed_in(actor)
    if not alliance_managed_by(user=actor, alliance=alliance):
        raise PermissionDenied(_("Only the staff of the place that organises the alliance may change it."))


def _fresh(alliance: Alliance | int) -> Alliance:
    pk = alliance.pk if isinstance(alliance, Alliance) else alliance
    return Alliance.objects.select_related("place").get(pk=pk)


def _check_move(alliance: Alliance, action: str, expected_version: int | None) -> None:
    """Refuse a move the alliance's state does not allow, or one made on a stale page, before checking its values."""
    if expected_version is not None and expected_version != alliance.version:
        raise StaleState
    ALLIANCE_FLOW.target(alliance.state, action)


def _raise(errors: dict[str, str]) -> None:
    if errors:
        raise ValidationError(errors)


def _day_errors(errors: dict[str, str], name: str, day: date | None, *, earliest: date, what: str) -> None:
    """``day`` must be given, not before ``earliest`` and not after today."""
    if day is None:
        errors[name] = _("Enter the date.")
    elif day > _today():
        errors[name] = _("The date cannot be in the future.")
    elif day < earliest:
        errors[name] = _("Choose a day on or after %(day)s (%(what)s).") % {"day": _iso(earliest), "what": what}


def _text_errors(errors: dict[str, str], name: str, value: str, *, limit: int, required: str | None) -> None:
    if required is not None and not value:
        errors[name] = required
    elif len(value) > limit:
        errors[name] = _("Keep it within %(max)d characters.") % {"max": limit}


# --- the alliance -----------------------------------------------------------------------------------------------------


def _alliance_errors(
    *, actor: Any, name: str, purpose: str, place: Place | None, started_on: date | None, term_months: int | None
) -> dict[str, str]:
    errors: dict[str, str] = {}
    _text_errors(errors, "name", name, limit=MAX_NAME, required=_("Name the alliance."))
    _text_errors(errors, "purpose", purpose, limit=MAX_PURPOSE, required=_("Say what the alliance is for."))
    if place is None:
        errors["place"] = _("Choose the street or community that organises the alliance.")
    elif place.level not in ORGANISING_LEVELS:
        errors["place"] = _("An alliance is organised by a street or a community.")
    elif not holds(actor, Perm.MANAGE_PARTY, place):
        errors["place"] = _("This place is outside the units you may manage.")
    _day_errors(errors, "started_on", started_on, earliest=EARLIEST, what=_("the earliest date"))
    if term_months is None or not MIN_TERM <= term_months <= MAX_TERM:
        errors["term_months"] = _("A chair's term is from %(min)d to %(max)d months.") % {
            "min": MIN_TERM,
            "max": MAX_TERM,
        }
    return errors


def alliance_create(
    *,
    actor: Any,
    name: str,
    purpose: str,
    place: Place | None,
    started_on: date | None,
    term_months: int | None,
    communities: Sequence[Place] = (),
    units: Sequence[ResidentUnit] = (),
) -> Alliance:
    """组建: form an alliance organised by a street or community the actor manages, with its first members (who
    join on the start date; the first of them chairs first)."""
    _signed_in(actor)
    name, purpose = name.strip(), purpose.strip()
    errors = _alliance_errors(
        actor=actor, name=name, purpose=purpose, place=place, started_on=started_on, term_months=term_months
    )
    if communities or units:
        errors.update(_new_member_errors(actor, None, communities, units))
    _raise(errors)
    assert place is not None
    assert started_on is not None
    assert term_months is not None
    with transaction.atomic():
        alliance = flow_start(
            Alliance(
                name=name,
                purpose=purpose,
                place=place,
                started_on=started_on,
                term_months=term_months,
                created_by=actor,
            ),
            flow=ALLIANCE_FLOW,
            actor=actor,
            note=_members_note(communities, units),
            data={
                "place": place.name,
                "started_on": _iso(started_on),
                "term_months": term_months,
                **_members_data(communities, units),
            },
        )
        if communities or units:
            _add_members(actor, alliance, communities, units, joined_on=started_on)
    return alliance


def alliance_update(
    *,
    actor: Any,
    alliance: Alliance,
    name: str,
    purpose: str,
    place: Place | None,
    started_on: date | None,
    term_months: int | None,
    expected_version: int | None = None,
) -> Alliance:
    """Edit the alliance. A new term length applies from the next turn of the chair (the running term is kept)."""
    alliance = _fresh(alliance)
    _require_manager(actor, alliance)
    _check_move(alliance, AllianceAction.UPDATE, expected_version)
    name, purpose = name.strip(), purpose.strip()
    errors = _alliance_errors(
        actor=actor, name=name, purpose=purpose, place=place, started_on=started_on, term_months=term_months
    )
    if started_on is not None and "started_on" not in errors:
        first_join = alliance.members.order_by("joined_on").values_list("joined_on", flat=True).first()
        first_meeting = alliance.meetings.order_by("held_on").values_list("held_on", flat=True).first()
        earliest = min(day for day in (first_join, first_meeting, _today()) if day is not None)
        if started_on > earliest:
            errors["started_on"] = _("Members joined or meetings were held from %(day)s: start on or before it.") % {
                "day": _iso(earliest)
            }
    _raise(errors)
    assert place is not None
    assert started_on is not None
    assert term_months is not None
    changes: dict[str, Any] = {
        "name": name,
        "purpose": purpose,
        "place": place,
        "started_on": started_on,
        "term_months": term_months,
    }
    changed = {field: str(value) for field, value in changes.items() if getattr(alliance, field) != value}
    with transaction.atomic():
        term_changed = term_months != alliance.term_months
        flow_move(
            alliance,
            flow=ALLIANCE_FLOW,
            action=AllianceAction.UPDATE,
            actor=actor,
            changes=changes,
            data={"changed": changed},
        )
        if term_changed:
            rotation = alliance_rotation(alliance=alliance)
            if rotation.current is not None:
                _record_change(
                    actor,
                    alliance,
                    kind=ChairChangeKind.SETTINGS,
                    starts_on=rotation.current.starts_on,
                    first_ends_on=rotation.current.ends_on,
                    chair=rotation.current.member,
                    order=rotation.order,
                    reason=_("Term changed to %(months)d months.") % {"months": term_months},
                )
    return alliance


def alliance_dissolve(
    *, actor: Any, alliance: Alliance, on: date | None, reason: str, expected_version: int | None = None
) -> Alliance:
    """Dissolve the alliance on ``on``: every member still in it leaves that day."""
    alliance = _fresh(alliance)
    _require_manager(actor, alliance)
    _check_move(alliance, AllianceAction.DISSOLVE, expected_version)
    reason = reason.strip()
    errors: dict[str, str] = {}
    latest_join = alliance.members.order_by("-joined_on").values_list("joined_on", flat=True).first()
    latest_meeting = alliance.meetings.order_by("-held_on").values_list("held_on", flat=True).first()
    earliest = max(day for day in (alliance.started_on, latest_join, latest_meeting) if day is not None)
    _day_errors(errors, "on", on, earliest=earliest, what=_("the last member joined or meeting held"))
    _text_errors(errors, "reason", reason, limit=MAX_REASON, required=_("Say why the alliance is dissolved."))
    _raise(errors)
    assert on is not None
    with transaction.atomic():
        flow_move(
            alliance,
            flow=ALLIANCE_FLOW,
            action=AllianceAction.DISSOLVE,
            actor=actor,
            note=reason,
            data={"on": _iso(on)},
            changes={"dissolved_on": on},
        )
        alliance.members.filter(left_on__isnull=True).update(left_on=on, leave_reason=reason)
    return alliance


# --- members ----------------------------------------------------------------------------------------------------------


def _new_member_errors(
    actor: Any, alliance: Alliance | None, communities: Sequence[Place], units: Sequence[ResidentUnit]
) -> dict[str, str]:
    errors: dict[str, str] = {}
    community_ids = [community.pk for community in communities]
    unit_ids = [unit.pk for unit in units]
    current_communities: set[int] = set()
    current_units: set[int] = set()
    if alliance is not None:
        current = alliance.members.filter(left_on__isnull=True)
        current_communities = {pk for pk in current.values_list("community_id", flat=True) if pk is not None}
        current_units = {pk for pk in current.values_list("unit_id", flat=True) if pk is not None}
    for community in communities:
        if community.level != PlaceLevel.COMMUNITY:
            errors["communities"] = _("%(place)s is not a community.") % {"place": community.name}
        elif not holds(actor, Perm.MANAGE_PARTY, community):
            errors["communities"] = _("%(place)s is outside the units you may manage.") % {"place": community.name}
        elif community_ids.count(community.pk) > 1:
            errors["communities"] = _("%(place)s is chosen twice.") % {"place": community.name}
        elif community.pk in current_communities:
            errors["communities"] = _("%(place)s is already a member.") % {"place": community.name}
    for unit in units:
        if not holds(actor, Perm.MANAGE_PARTY, unit.place):
            errors["units"] = _("%(unit)s sits outside the units you may manage.") % {"unit": unit.name}
        elif unit_ids.count(unit.pk) > 1:
            errors["units"] = _("%(unit)s is chosen twice.") % {"unit": unit.name}
        elif unit.pk in current_units:
            errors["units"] = _("%(unit)s is already a member.") % {"unit": unit.name}
    return errors


def _members_data(communities: Sequence[Place], units: Sequence[ResidentUnit]) -> dict[str, Any]:
    return {
        "communities": [{"id": c.pk, "name": c.name} for c in communities],
        "units": [{"id": u.pk, "name": u.name} for u in units],
    }


def _members_note(communities: Sequence[Place], units: Sequence[ResidentUnit]) -> str:
    return "、".join([c.name for c in communities] + [u.name for u in units])


def _record_change(
    actor: Any,
    alliance: Alliance,
    *,
    kind: str,
    starts_on: date,
    first_ends_on: date | None = None,
    chair: int | None,
    order: Sequence[int],
    reason: str = "",
) -> ChairChange:
    return ChairChange.objects.create(
        alliance=alliance,
        kind=kind,
        starts_on=starts_on,
        first_ends_on=first_ends_on or add_months(starts_on, alliance.term_months),
        chair_id=chair,
        order=list(order),
        term_months=alliance.term_months,
        reason=reason,
        recorded_by=actor,
        recorded_at=timezone.now(),
    )


def _add_members(
    actor: Any, alliance: Alliance, communities: Sequence[Place], units: Sequence[ResidentUnit], *, joined_on: date
) -> list[AllianceMember]:
    """Within the caller's transaction, after the alliance's move: the rows, and the first chair if there is none."""
    rows = [AllianceMember(alliance=alliance, community=c, joined_on=joined_on, added_by=actor) for c in communities]
    rows += [AllianceMember(alliance=alliance, unit=u, joined_on=joined_on, added_by=actor) for u in units]
    try:
        with transaction.atomic():
            for row in rows:
                row.save()
    except IntegrityError as error:
        raise StaleState from error  # someone added the same member at the same moment
    rotation = alliance_rotation(alliance=alliance)
    if rotation.current is None or rotation.current.member is None:
        last = rotation.last_change
        starts_on = max(joined_on, last.starts_on) if last is not None else joined_on
        _record_change(
            actor,
            alliance,
            kind=ChairChangeKind.START,
            starts_on=starts_on,
            chair=rows[0].pk,
            order=rotation.order,
        )
    return rows


def alliance_members_add(
    *,
    actor: Any,
    alliance: Alliance,
    communities: Sequence[Place],
    units: Sequence[ResidentUnit],
    joined_on: date | None,
    expected_version: int | None = None,
) -> list[AllianceMember]:
    """加入: communities and resident units of the actor's area join the alliance on ``joined_on``; they come last
    in the chair order. A community or unit already in the alliance cannot join again until it has left."""
    alliance = _fresh(alliance)
    _require_manager(actor, alliance)
    _check_move(alliance, AllianceAction.JOIN, expected_version)
    errors = _new_member_errors(actor, alliance, communities, units)
    if not communities and not units:
        errors["communities"] = _("Choose at least one community or resident unit.")
    _day_errors(errors, "joined_on", joined_on, earliest=alliance.started_on, what=_("the alliance's start"))
    _raise(errors)
    assert joined_on is not None
    with transaction.atomic():
        flow_move(
            alliance,
            flow=ALLIANCE_FLOW,
            action=AllianceAction.JOIN,
            actor=actor,
            data={"joined_on": _iso(joined_on), **_members_data(communities, units)},
            note=_members_note(communities, units),
        )
        return _add_members(actor, alliance, communities, units, joined_on=joined_on)


def alliance_member_leave(
    *,
    actor: Any,
    alliance: Alliance,
    member: AllianceMember,
    left_on: date | None,
    reason: str = "",
    expected_version: int | None = None,
) -> AllianceMember:
    """退出: a member leaves on ``left_on`` (its row is kept). If it was the chair then, the next member in the order
    takes the chair that day, for a full term."""
    alliance = _fresh(alliance)
    _require_manager(actor, alliance)
    _check_move(alliance, AllianceAction.LEAVE, expected_version)
    member = AllianceMember.objects.select_related("community", "unit").get(pk=member.pk)
    if member.alliance_id != alliance.pk:
        raise PermissionDenied(_("This is not a member of the alliance."))
    reason = reason.strip()
    errors: dict[str, str] = {}
    if member.left_on is not None:
        errors["left_on"] = _("%(member)s already left on %(day)s.") % {
            "member": member.name,
            "day": _iso(member.left_on),
        }
    else:
        _day_errors(errors, "left_on", left_on, earliest=member.joined_on, what=_("the day it joined"))
    _text_errors(errors, "reason", reason, limit=MAX_REASON, required=None)
    _raise(errors)
    assert left_on is not None
    members = alliance_members(alliance=alliance)
    rotation = alliance_rotation(alliance=alliance, members=members)
    chairs_after = any(spell.member == member.pk and spell.ends_on > left_on for spell in rotation.spells)
    last = rotation.last_change
    if chairs_after and last is not None and left_on < last.starts_on:
        raise ValidationError(
            {
                "left_on": _(
                    "%(member)s chairs the alliance after that day: choose a day on or after %(day)s, the last change "
                    "of chair."
                )
                % {"member": member.name, "day": _iso(last.starts_on)}
            }
        )
    with transaction.atomic():
        flow_move(
            alliance,
            flow=ALLIANCE_FLOW,
            action=AllianceAction.LEAVE,
            actor=actor,
            note=reason,
            data={"member": member.pk, "name": member.name, "left_on": _iso(left_on)},
        )
        updated = AllianceMember.objects.filter(pk=member.pk, left_on__isnull=True).update(
            left_on=left_on, leave_reason=reason
        )
        if not updated:
            raise StaleState
        member.left_on, member.leave_reason = left_on, reason
        if rotation.chair_on(left_on) == member.pk:
            dates = member_dates([member if m.pk == member.pk else m for m in members])
            order = full_order(last.order if last is not None else [], dates)
            _record_change(
                actor,
                alliance,
                kind=ChairChangeKind.LEFT,
                starts_on=left_on,
                chair=next_chair(order, member.pk, on=left_on, members=dates),
                order=[m for m in order if m != member.pk],
                reason=_("%(member)s left the alliance.") % {"member": member.name},
            )
    return member


# --- the chair --------------------------------------------------------------------------------------------------------


def _running(rotation: Rotation) -> Any:
    if rotation.current is None:
        raise ValidationError({"order": _("The alliance has no members yet.")})
    return rotation.current


def alliance_chair_order(
    *, actor: Any, alliance: Alliance, order: Sequence[int], expected_version: int | None = None
) -> ChairChange:
    """轮值顺序: the order in which the current members chair the alliance, from the next turn on (the running term
    is kept). ``order`` lists every current member's id once."""
    alliance = _fresh(alliance)
    _require_manager(actor, alliance)
    _check_move(alliance, AllianceAction.ORDER, expected_version)
    rotation = alliance_rotation(alliance=alliance)
    running = _running(rotation)
    order = list(order)
    if sorted(order) != sorted(rotation.order) or len(set(order)) != len(order):
        raise ValidationError({"order": _("Give every current member one place in the order, each place once.")})
    with transaction.atomic():
        flow_move(alliance, flow=ALLIANCE_FLOW, action=AllianceAction.ORDER, actor=actor, data={"order": order})
        return _record_change(
            actor,
            alliance,
            kind=ChairChangeKind.SETTINGS,
            starts_on=running.starts_on,
            first_ends_on=running.ends_on,
            chair=running.member,
            order=order,
        )


def alliance_chair_hand_over(
    *,
    actor: Any,
    alliance: Alliance,
    to: AllianceMember | None,
    on: date | None,
    reason: str,
    expected_version: int | None = None,
) -> ChairChange:
    """提前交接: the chair passes to ``to`` on ``on``, before its term ends, for the reason given; ``to`` serves a
    full term from that day and the rotation goes on from it."""
    alliance = _fresh(alliance)
    _require_manager(actor, alliance)
    _check_move(alliance, AllianceAction.HAND_OVER, expected_version)
    reason = reason.strip()
    members = alliance_members(alliance=alliance)
    rotation = alliance_rotation(alliance=alliance, members=members)
    errors: dict[str, str] = {}
    last = rotation.last_change
    if last is None:
        errors["to"] = _("The alliance has no members yet.")
    else:
        _day_errors(errors, "on", on, earliest=last.starts_on, what=_("the last change of chair"))
    _text_errors(errors, "reason", reason, limit=MAX_REASON, required=_("Say why the chair is handed over early."))
    if to is None or to.alliance_id != alliance.pk:
        errors["to"] = _("Choose the member who takes the chair.")
    elif on is not None and "on" not in errors:
        if not to.active_on(on) or to.left_on is not None:
            errors["to"] = _("%(member)s is not in the alliance on that day.") % {"member": to.name}
        elif rotation.chair_on(on) == to.pk:
            errors["to"] = _("%(member)s already chairs the alliance then.") % {"member": to.name}
    _raise(errors)
    assert to is not None
    assert on is not None
    previous = rotation.chair_on(on)
    with transaction.atomic():
        flow_move(
            alliance,
            flow=ALLIANCE_FLOW,
            action=AllianceAction.HAND_OVER,
            actor=actor,
            note=reason,
            data={"from": previous, "to": to.pk, "to_name": to.name, "on": _iso(on)},
        )
        return _record_change(
            actor,
            alliance,
            kind=ChairChangeKind.HANDOVER,
            starts_on=on,
            chair=to.pk,
            order=rotation.order,
            reason=reason,
        )


# --- meetings ---------------------------------------------------------------------------------------------------------


def alliance_meeting_record(
    *,
    actor: Any,
    alliance: Alliance,
    held_on: date | None,
    venue: str,
    topic: str,
    attendees: Sequence[AllianceMember],
    minutes: str,
    decisions: str = "",
    expected_version: int | None = None,
) -> JointMeeting:
    """联席会议: record a joint meeting — when, where, on what, the members present (at least two, each in the
    alliance that day), the minutes (required) and the decisions. Kept as recorded."""
    alliance = _fresh(alliance)
    _require_manager(actor, alliance)
    _check_move(alliance, AllianceAction.MEETING, expected_version)
    venue, topic, minutes, decisions = venue.strip(), topic.strip(), minutes.strip(), decisions.strip()
    errors: dict[str, str] = {}
    _day_errors(errors, "held_on", held_on, earliest=alliance.started_on, what=_("the alliance's start"))
    _text_errors(errors, "venue", venue, limit=MAX_VENUE, required=_("Say where the meeting was held."))
    _text_errors(errors, "topic", topic, limit=MAX_TOPIC, required=_("Give the meeting's topic."))
    _text_errors(errors, "minutes", minutes, limit=MAX_MINUTES, required=_("Write the minutes of the meeting."))
    _text_errors(errors, "decisions", decisions, limit=MAX_DECISIONS, required=None)
    chosen = [member.pk for member in attendees]
    present = {
        member.pk: member for member in AllianceMember.objects.filter(pk__in=chosen).select_related("community", "unit")
    }
    attendees = [present[pk] for pk in chosen if pk in present]
    if len(present) != len(chosen):
        errors["attendees"] = _("A member is chosen twice.")
    elif any(member.alliance_id != alliance.pk for member in attendees):
        errors["attendees"] = _("Choose members of this alliance.")
    elif held_on is not None and "held_on" not in errors:
        absent = [member.name for member in attendees if not member.active_on(held_on)]
        if absent:
            errors["attendees"] = _("Not in the alliance on that day: %(members)s.") % {"members": "、".join(absent)}
    if "attendees" not in errors and len(present) < MIN_ATTENDEES:
        errors["attendees"] = _("A joint meeting has at least %(n)d members present.") % {"n": MIN_ATTENDEES}
    _raise(errors)
    assert held_on is not None
    rotation = alliance_rotation(alliance=alliance)
    with transaction.atomic():
        flow_move(
            alliance,
            flow=ALLIANCE_FLOW,
            action=AllianceAction.MEETING,
            actor=actor,
            note=topic,
            data={"held_on": _iso(held_on), "attendees": sorted(present)},
        )
        meeting = JointMeeting.objects.create(
            alliance=alliance,
            held_on=held_on,
            venue=venue,
            topic=topic,
            minutes=minutes,
            decisions=decisions,
            chair_id=rotation.chair_on(held_on),
            recorded_by=actor,
            recorded_at=timezone.now(),
        )
        MeetingAttendance.objects.bulk_create(
            [MeetingAttendance(meeting=meeting, member=member) for member in present.values()]
        )
    return meeting
