"""Reading alliances (党建联盟): for staff who see them (VIEW_PARTY over the organising place or a current member
community) and for those who change them (MANAGE_PARTY over the organising place). An alliance a user may not see,
or may not change when a change is asked, is not found (404).

The chair is computed (``gridwork.alliances.rotation``) from the alliance's changes of chair and its members' dates;
the list counts each alliance's joint meetings in a year and flags those short of the two a year.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date
from typing import Any

from django.db.models import BooleanField, Case, Count, IntegerField, OuterRef, Q, QuerySet, Subquery, Value, When
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils import timezone

from gridwork.accounts.roles import Perm
from gridwork.alliances.flows import ACTION_LABELS
from gridwork.alliances.models import (
    Alliance,
    AllianceEvent,
    AllianceMember,
    AllianceState,
    ChairChange,
    ChairChangeKind,
    JointMeeting,
)
from gridwork.alliances.rotation import ROTATION, Change, Dates, Spell, chair_spells, full_order, spell_on
from gridwork.common.scope import holds_over
from gridwork.people.models import ResidentUnit
from gridwork.places.models import Place, PlaceLevel

MEETINGS_A_YEAR = 2  # 联席会议: at least twice a year
RELATED = ("place", "place__parent")


# --- who may do what --------------------------------------------------------------------------------------------------


holds = holds_over  # the name the services import; the rule is common.scope.holds_over


def alliance_managed_by(*, user: Any, alliance: Alliance) -> bool:
    """Whether ``user`` may change the alliance: MANAGE_PARTY over its organising place."""
    return holds_over(user, Perm.MANAGE_PARTY, alliance.place)


# --- lists ------------------------------------------------------------------------------------------------------------


def year_bounds(year: int) -> tuple[date, date]:
    return date(year, 1, 1), date(year, 12, 31)


def with_counts(alliances: QuerySet[Alliance], *, year: int, on: date | None = None) -> QuerySet[Alliance]:
    """``alliances`` with ``meetings_in_year`` (joint meetings held in ``year``), ``member_count`` (members in the
    alliance on ``on``, by default today or the year's last day if the year is over) and ``short`` (an active
    alliance with fewer than two meetings in the year)."""
    first, last = year_bounds(year)
    on = on or min(timezone.localdate(), last)
    meetings = (
        JointMeeting.objects.filter(alliance=OuterRef("pk"), held_on__gte=first, held_on__lte=last)
        .order_by()
        .values("alliance")
        .annotate(n=Count("pk"))
        .values("n")
    )
    members = (
        AllianceMember.objects.filter(alliance=OuterRef("pk"), joined_on__lte=on)
        .filter(Q(left_on__isnull=True) | Q(left_on__gt=on))
        .order_by()
        .values("alliance")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return alliances.annotate(
        meetings_in_year=Coalesce(Subquery(meetings, output_field=IntegerField()), Value(0)),
        member_count=Coalesce(Subquery(members, output_field=IntegerField()), Value(0)),
    ).annotate(
        short=Case(
            When(state=AllianceState.ACTIVE, meetings_in_year__lt=MEETINGS_A_YEAR, then=Value(True)),
            default=Value(False),
            output_field=BooleanField(),
        )
    )


def active_in(alliances: QuerySet[Alliance], *, first: date, last: date) -> QuerySet[Alliance]:
    """The alliances that existed at some time from ``first`` to ``last``."""
    return alliances.filter(started_on__lte=last).filter(Q(dissolved_on__isnull=True) | Q(dissolved_on__gte=first))


def short_of_meetings(alliances: QuerySet[Alliance], *, year: int) -> QuerySet[Alliance]:
    """Of ``alliances`` (annotated by ``with_counts``), the active ones with fewer than two meetings in ``year``."""
    return alliances.filter(state=AllianceState.ACTIVE, **{"meetings_in_year__lt": MEETINGS_A_YEAR})


def alliances_visible(*, user: Any, place: Place | None = None) -> QuerySet[Alliance]:
    """The alliances ``user`` sees (VIEW_PARTY); ``place`` keeps those organised at or under it or with a current
    member community under it."""
    alliances = Alliance.objects.restrict(user, Perm.VIEW_PARTY)
    if place is not None:
        member_of = AllianceMember.objects.filter(community__path__startswith=place.path, left_on__isnull=True)
        alliances = alliances.filter(Q(place__path__startswith=place.path) | Q(pk__in=member_of.values("alliance")))
    return alliances


def alliance_list(
    *, user: Any, year: int, place: Place | None = None, short_only: bool = False, state: str = ""
) -> QuerySet[Alliance]:
    """The alliances ``user`` sees (``alliances_visible``) that existed in ``year``, with the year's meeting counts,
    those short of meetings first."""
    first, last = year_bounds(year)
    alliances = active_in(alliances_visible(user=user, place=place), first=first, last=last)
    if state:
        alliances = alliances.filter(state=state)
    alliances = with_counts(alliances.select_related(*RELATED), year=year)
    if short_only:
        alliances = short_of_meetings(alliances, year=year)
    return alliances.order_by("-short", "name", "id")


def alliance_get(*, user: Any, pk: int) -> Alliance:
    """An alliance ``user`` sees (VIEW_PARTY), else 404."""
    alliance = Alliance.objects.restrict(user, Perm.VIEW_PARTY).select_related(*RELATED).filter(pk=pk).first()
    if alliance is None:
        raise Http404
    return alliance


def alliance_get_managed(*, user: Any, pk: int) -> Alliance:
    """An alliance ``user`` may change, else 404: among those the user holds MANAGE_PARTY over (``restrict``: the
    organising place or a member community), one whose organising place it is (``alliance_managed_by``, as the
    services check) — a member community's staff take part in the alliance but do not change it."""
    alliance = Alliance.objects.restrict(user, Perm.MANAGE_PARTY).select_related(*RELATED).filter(pk=pk).first()
    if alliance is None or not alliance_managed_by(user=user, alliance=alliance):
        raise Http404
    return alliance


def alliances_of_unit(*, user: Any, unit: ResidentUnit) -> QuerySet[Alliance]:
    """The alliances ``unit`` is or was a member of that the user sees (VIEW_PARTY)."""
    memberships = AllianceMember.objects.filter(unit=unit).values("alliance")
    return Alliance.objects.restrict(user, Perm.VIEW_PARTY).filter(pk__in=memberships)


def alliance_place_choices(*, user: Any, perm: str = Perm.VIEW_PARTY) -> QuerySet[Place]:
    """The streets and communities where ``user`` holds ``perm``: where alliances are organised (or filtered)."""
    return (
        Place.objects.restrict(user, perm)
        .filter(level__in=[PlaceLevel.STREET, PlaceLevel.COMMUNITY])
        .select_related("parent")
        .order_by("path")
    )


def member_community_choices(*, user: Any) -> QuerySet[Place]:
    """The communities ``user`` may add to an alliance (MANAGE_PARTY over them)."""
    return (
        Place.objects.restrict(user, Perm.MANAGE_PARTY)
        .filter(level=PlaceLevel.COMMUNITY)
        .select_related("parent")
        .order_by("path")
    )


def member_unit_choices(*, user: Any) -> QuerySet[ResidentUnit]:
    """The resident units ``user`` may add to an alliance (MANAGE_PARTY over the place where they sit)."""
    return ResidentUnit.objects.restrict(user, Perm.MANAGE_PARTY).select_related("place").order_by("name", "id")


# --- one alliance -----------------------------------------------------------------------------------------------------


def alliance_members(*, alliance: Alliance) -> list[AllianceMember]:
    """Every membership of the alliance, current and past, in the order they were recorded."""
    return list(alliance.members.select_related("community", "community__parent", "unit").order_by("id"))


def _change(row: ChairChange) -> Change:
    return Change(
        starts_on=row.starts_on,
        first_ends_on=row.first_ends_on,
        chair=row.chair_id,
        order=tuple(int(member) for member in row.order),
        term_months=row.term_months,
        kind=row.kind,
        reason=row.reason,
        sequence=row.pk,
    )


def member_dates(members: Sequence[AllianceMember]) -> dict[int, Dates]:
    return {member.pk: Dates(member.joined_on, member.left_on) for member in members}


def _until_dissolved(spells: list[Spell], alliance: Alliance) -> list[Spell]:
    """The spells cut at the day the alliance was dissolved: nobody chairs it from then on."""
    end = alliance.dissolved_on
    if end is None:
        return spells
    return [replace(spell, ends_on=min(spell.ends_on, end)) for spell in spells if spell.starts_on < end]


@dataclass(frozen=True)
class Rotation:
    """An alliance's chair as computed on ``today``: every spell so far (oldest first), the running one, and the
    chair order of the members in it now."""

    spells: list[Spell]
    current: Spell | None
    order: list[int]
    last_change: ChairChange | None

    def chair_on(self, day: date) -> int | None:
        spell = spell_on(self.spells, day)
        return spell.member if spell is not None else None


def alliance_rotation(
    *, alliance: Alliance, today: date | None = None, members: Sequence[AllianceMember] | None = None
) -> Rotation:
    """The alliance's rotating chair up to ``today`` (by default, today)."""
    today = today or timezone.localdate()
    members = alliance_members(alliance=alliance) if members is None else members
    rows = list(ChairChange.objects.filter(alliance=alliance).order_by("starts_on", "id"))
    dates = member_dates(members)
    spells = _until_dissolved(chair_spells([_change(row) for row in rows], dates, until=today), alliance)
    last = rows[-1] if rows else None
    order = full_order(last.order if last is not None else [], dates)
    return Rotation(
        spells=spells,
        current=spell_on(spells, today),
        order=[member for member in order if dates[member].active_on(today)],
        last_change=last,
    )


@dataclass(frozen=True)
class SpellRow:
    """A spell in the chair as the page shows it."""

    member: AllianceMember | None
    starts_on: date
    ends_on: date
    running: bool
    how: str
    reason: str


def spell_rows(*, rotation: Rotation, members: Sequence[AllianceMember], today: date | None = None) -> list[SpellRow]:
    """The history of chairs, newest first, with how each spell began."""
    today = today or timezone.localdate()
    by_pk = {member.pk: member for member in members}
    labels = {ROTATION: "", **{kind.value: str(kind.label) for kind in ChairChangeKind}}
    return [
        SpellRow(
            member=by_pk.get(spell.member) if spell.member is not None else None,
            starts_on=spell.starts_on,
            ends_on=spell.ends_on,
            running=spell.covers(today),
            how=labels.get(spell.kind, spell.kind),
            reason=spell.reason,
        )
        for spell in reversed(rotation.spells)
    ]


def alliance_meetings(*, alliance: Alliance) -> QuerySet[JointMeeting]:
    return (
        alliance.meetings.select_related("chair", "chair__community", "chair__unit")
        .prefetch_related("attendees__community", "attendees__unit")
        .order_by("-held_on", "-id")
    )


def alliance_meeting_get(*, alliance: Alliance, meeting_id: int) -> JointMeeting:
    meeting = alliance_meetings(alliance=alliance).filter(pk=meeting_id).first()
    if meeting is None:
        raise Http404
    return meeting


def meetings_in_year(*, alliance: Alliance, year: int) -> int:
    first, last = year_bounds(year)
    return alliance.meetings.filter(held_on__gte=first, held_on__lte=last).count()


def alliance_projects(*, alliance: Alliance) -> list[Any] | None:
    """The alliance's joint projects (``cobuild.Project.alliance``), or None while that link does not exist."""
    related = getattr(alliance, "projects", None)
    if related is None:
        return None
    return list(related.all().order_by("-starts_on", "-id"))


@dataclass(frozen=True)
class TimelineEntry:
    at: Any
    label: str
    actor_name: str
    note: str


def alliance_timeline(*, alliance: Alliance) -> list[TimelineEntry]:
    """The alliance's events, newest first."""
    events = AllianceEvent.objects.filter(subject=alliance).order_by("-sequence")
    return [
        TimelineEntry(
            at=event.at,
            label=str(ACTION_LABELS.get(event.action, event.action)),
            actor_name=event.actor_name,
            note=event.note,
        )
        for event in events
    ]


def chairs_now(alliances: Sequence[Alliance], *, today: date | None = None) -> dict[int, AllianceMember | None]:
    """The chair of each of ``alliances`` today, in two queries (for lists and exports)."""
    today = today or timezone.localdate()
    by_alliance = {alliance.pk: alliance for alliance in alliances}
    ids = list(by_alliance)
    members: dict[int, list[AllianceMember]] = {pk: [] for pk in ids}
    for member in AllianceMember.objects.filter(alliance_id__in=ids).select_related("community", "unit").order_by("id"):
        members[member.alliance_id].append(member)
    changes: dict[int, list[Change]] = {pk: [] for pk in ids}
    for row in ChairChange.objects.filter(alliance_id__in=ids).order_by("starts_on", "id"):
        changes[row.alliance_id].append(_change(row))
    chairs: dict[int, AllianceMember | None] = {}
    for pk in ids:
        by_pk = {member.pk: member for member in members[pk]}
        spells = _until_dissolved(chair_spells(changes[pk], member_dates(members[pk]), until=today), by_alliance[pk])
        spell = spell_on(spells, today)
        chairs[pk] = by_pk.get(spell.member) if spell is not None and spell.member is not None else None
    return chairs
