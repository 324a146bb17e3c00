"""Which members to issue an order to (支部下单): a ranking staff can read and check.

``rank_members`` is pure: given where the order is, the skill it needs and each candidate's skills, building and
load, it scores every candidate and says why, in the words staff see ("same building", "has skill: Tutoring",
"2 orders in hand"). ``order_suggestions`` reads the candidates of an order from the database and ranks them.

The rule, in points:

- the skill the menu item needs: +100 if the member lists it (nothing is added or taken for a free-text order);
- nearness by the places tree: the same building +40, the same grid +25, the same community +15, another community
  of the street +5; when both buildings have coordinates, up to +10 more the closer they are (0 at 2 km and beyond);
- load: −15 for each order the member has taken and not yet completed.

The order's community's members come first (tier 1), then those of the street's other communities (tier 2); within a
tier the higher score first, and on equal scores the earlier registration first, so the order never flickers.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Count
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from gridwork.party.models import MemberRegistration, RegistrationState
from gridwork.party.skills import skill_labels
from gridwork.volunteers.models import OrderState, ServiceOrder

SKILL_POINTS = 100
BUILDING_POINTS = 40
GRID_POINTS = 25
COMMUNITY_POINTS = 15
STREET_POINTS = 5
DISTANCE_POINTS = 10
DISTANCE_HORIZON_M = 2000
LOAD_PENALTY = 15

# The depth of each level in a place path /city/district/street/community/grid/microgrid/.
STREET_DEPTH, COMMUNITY_DEPTH, GRID_DEPTH, BUILDING_DEPTH = 3, 4, 5, 6
EARTH_RADIUS_M = 6_371_000


@dataclass(frozen=True)
class Spot:
    """A building: its place path and, when known, its coordinates."""

    path: str
    latitude: float | None = None
    longitude: float | None = None


@dataclass(frozen=True)
class Candidate:
    member_id: int
    skills: frozenset[str]
    home: Spot
    load: int


@dataclass(frozen=True)
class Suggestion:
    member_id: int
    tier: int
    score: int
    reasons: tuple[str, ...]
    distance_m: int | None


def _codes(path: str) -> list[str]:
    return [code for code in path.split("/") if code]


def shared_depth(a: str, b: str) -> int:
    """How many levels from the city down two place paths share."""
    depth = 0
    for left, right in zip(_codes(a), _codes(b), strict=False):
        if left != right:
            break
        depth += 1
    return depth


def distance_m(a: Spot, b: Spot) -> int | None:
    """The great-circle distance between two buildings in metres, or None if either lacks coordinates."""
    if None in (a.latitude, a.longitude, b.latitude, b.longitude):
        return None
    lat1, lng1, lat2, lng2 = (math.radians(float(v)) for v in (a.latitude, a.longitude, b.latitude, b.longitude))  # type: ignore[arg-type]
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lng2 - lng1) / 2) ** 2
    return round(2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(h))))


def _distance_text(metres: int) -> str:
    if metres < 1000:
        return _("about %(metres)d m away") % {"metres": round(metres, -1)}
    return _("about %(km)s km away") % {"km": f"{metres / 1000:.1f}"}


def rank_one(*, skill: str, place: Spot, candidate: Candidate) -> Suggestion | None:
    """The score of one candidate and its reasons; None if the candidate lives outside the order's street."""
    shared = shared_depth(place.path, candidate.home.path)
    if shared < STREET_DEPTH:
        return None
    score, reasons = 0, []
    if skill:
        label = skill_labels([skill])[0]
        if skill in candidate.skills:
            score += SKILL_POINTS
            reasons.append(_("has skill: %(skill)s") % {"skill": label})
        else:
            reasons.append(_("does not list %(skill)s") % {"skill": label})
    if shared >= BUILDING_DEPTH:
        score += BUILDING_POINTS
        reasons.append(_("same building"))
    elif shared == GRID_DEPTH:
        score += GRID_POINTS
        reasons.append(_("same grid"))
    elif shared == COMMUNITY_DEPTH:
        score += COMMUNITY_POINTS
        reasons.append(_("same community"))
    else:
        score += STREET_POINTS
        reasons.append(_("another community of the street"))
    metres = distance_m(place, candidate.home)
    if metres is not None:
        score += round(DISTANCE_POINTS * max(0.0, 1 - metres / DISTANCE_HORIZON_M))
        if shared < BUILDING_DEPTH:
            reasons.append(_distance_text(metres))
    score -= LOAD_PENALTY * candidate.load
    if candidate.load:
        reasons.append(
            ngettext("%(count)d order in hand", "%(count)d orders in hand", candidate.load) % {"count": candidate.load}
        )
    else:
        reasons.append(_("no orders in hand"))
    tier = 1 if shared >= COMMUNITY_DEPTH else 2
    return Suggestion(member_id=candidate.member_id, tier=tier, score=score, reasons=tuple(reasons), distance_m=metres)


def rank_members(*, skill: str, place: Spot, candidates: Iterable[Candidate]) -> list[Suggestion]:
    """Every candidate of the order's street, best first (see the module's rule)."""
    ranked = [s for c in candidates if (s := rank_one(skill=skill, place=place, candidate=c)) is not None]
    return sorted(ranked, key=lambda s: (s.tier, -s.score, s.member_id))


@dataclass(frozen=True)
class RankedMember:
    member: MemberRegistration
    suggestion: Suggestion


def member_loads(member_ids: Iterable[int]) -> dict[int, int]:
    """How many orders each member has taken and not completed."""
    rows = (
        ServiceOrder.objects.filter(state=OrderState.TAKEN, taker_id__in=list(member_ids))
        .values("taker_id")
        .annotate(count=Count("id"))
    )
    return {row["taker_id"]: row["count"] for row in rows}


def order_candidates(order: ServiceOrder) -> list[MemberRegistration]:
    """The confirmed members of the order's street (its community's and its sister communities'), except the person
    who ordered: those the branch may issue the order to."""
    street_path = "/" + "/".join(_codes(order.community.path)[:STREET_DEPTH]) + "/"
    return list(
        MemberRegistration.objects.filter(state=RegistrationState.CONFIRMED, community__path__startswith=street_path)
        .exclude(user_id=order.ordered_by_id)
        .select_related("building", "community")
        .order_by("id")
    )


def order_suggestions(order: ServiceOrder, *, limit: int | None = None) -> list[RankedMember]:
    """The order's candidates ranked by ``rank_members``, each with its member."""
    members = {member.pk: member for member in order_candidates(order)}
    loads = member_loads(members)
    candidates = [
        Candidate(
            member_id=member.pk,
            skills=frozenset(str(code) for code in (member.skills or [])),
            home=Spot(member.building.path, member.building.latitude, member.building.longitude),
            load=loads.get(member.pk, 0),
        )
        for member in members.values()
    ]
    building = order.building
    place = Spot(building.path, building.latitude, building.longitude)
    skill = order.item.skill if order.item is not None else ""
    ranked = rank_members(skill=skill, place=place, candidates=candidates)
    if limit is not None:
        ranked = ranked[:limit]
    return [RankedMember(member=members[s.member_id], suggestion=s) for s in ranked]
