"""Reading the households in difficulty, narrowed to the user's scope (``VIEW_DIFFICULTY``) before anything else.

A record outside the user's scope is not found (404). Names and addresses are masked unless the user holds
``VIEW_PERSONAL_DATA`` over the household (``personal_data_paths``); the views and the export apply it row by row.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.db.models import Count, Exists, F, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.http import Http404
from django.utils import timezone

from gridwork.accounts.models import User, UserKind
from gridwork.accounts.roles import Perm
from gridwork.care.models import Difficulty, HouseholdInDifficulty, Need, Pairing, Visit
from gridwork.care.services import holds_over, household_community, own_open_pairings
from gridwork.common.masking import mask_name, mask_phone
from gridwork.party.models import MemberRegistration, RegistrationState
from gridwork.people.models import Resident
from gridwork.places.models import Place, PlaceLevel

CANDIDATES_SHOWN = 20


def _open_pairing() -> QuerySet[Pairing]:
    """The open pairings of the outer query's record."""
    return Pairing.objects.filter(record=OuterRef("pk"), ended_on__isnull=True)


def _visited_since(day: date) -> QuerySet[Visit]:
    return Visit.objects.filter(record=OuterRef("pk"), visited_on__gte=day)


def _last_visit() -> Subquery:
    return Subquery(Visit.objects.filter(record=OuterRef("pk")).order_by("-visited_on").values("visited_on")[:1])


def personal_data_paths(user: Any) -> list[str]:
    """The place paths under which ``user`` sees names and addresses unmasked."""
    if not getattr(user, "is_authenticated", False) or not hasattr(user, "scope_paths"):
        return []
    return list(user.scope_paths(Perm.VIEW_PERSONAL_DATA))


def unmasked_for(paths: list[str], place: Place) -> bool:
    return any(place.path.startswith(path) for path in paths)


def household_communities(*, user: Any) -> QuerySet[Place]:
    """The communities the user may filter by: those under the units where they hold VIEW_DIFFICULTY."""
    return (
        Place.objects.restrict(user, Perm.VIEW_DIFFICULTY)
        .filter(level=PlaceLevel.COMMUNITY)
        .select_related("parent")
        .order_by("path")
    )


def _scoped(*, user: Any, community: Place | None) -> QuerySet[HouseholdInDifficulty]:
    records = HouseholdInDifficulty.objects.restrict(user, Perm.VIEW_DIFFICULTY)
    if community is not None:
        records = records.filter(household__path__startswith=community.path)
    return records


def household_list(
    *,
    user: Any,
    community: Place | None = None,
    kind: str = "",
    paired: bool | None = None,
    not_visited_days: int | None = None,
    ended: bool = False,
    today: date | None = None,
) -> QuerySet[HouseholdInDifficulty]:
    """The households in difficulty of the user's area (open records, or ended ones with ``ended``), those visited
    longest ago (or never) first. ``not_visited_days`` keeps the households with no visit in the last N days."""
    day = today or timezone.localdate()
    records = _scoped(user=user, community=community).filter(ended_on__isnull=not ended)
    if kind in Difficulty.values:
        # A JSON list of codes; the quoted code matches one element exactly on every database.
        records = records.filter(kinds__icontains=f'"{kind}"')
    records = records.annotate(paired=Exists(_open_pairing()), last_visit=_last_visit())
    if paired is not None:
        records = records.filter(paired=paired)
    if not_visited_days is not None:
        records = records.filter(Q(last_visit__isnull=True) | Q(last_visit__lt=day - timedelta(days=not_visited_days)))
    return (
        records.select_related("household__parent__parent")
        .prefetch_related(
            Prefetch(
                "household__residents",
                queryset=Resident.objects.order_by("-is_householder", "id"),
                to_attr="people",
            )
        )
        .prefetch_related(
            Prefetch(
                "pairings",
                queryset=Pairing.objects.filter(ended_on__isnull=True).select_related("member", "leader"),
                to_attr="open_pairings",
            ),
        )
        .order_by(F("last_visit").asc(nulls_first=True), "household__path", "id")
    )


@dataclass(frozen=True)
class Coverage:
    """包联覆盖: the open records of an area, how many are paired, and how many were visited lately."""

    households: int
    paired: int
    visited_30: int
    visited_90: int

    def _share(self, count: int) -> int | None:
        return round(100 * count / self.households) if self.households else None

    @property
    def paired_share(self) -> int | None:
        return self._share(self.paired)

    @property
    def visited_30_share(self) -> int | None:
        return self._share(self.visited_30)

    @property
    def visited_90_share(self) -> int | None:
        return self._share(self.visited_90)


def coverage(*, user: Any, community: Place | None = None, today: date | None = None) -> Coverage:
    """The coverage figures of the user's area, computed now. "Visited in the last N days": a visit on or after the
    day N days before today."""
    day = today or timezone.localdate()
    figures = (
        _scoped(user=user, community=community)
        .filter(ended_on__isnull=True)
        .annotate(
            is_paired=Exists(_open_pairing()),
            seen_30=Exists(_visited_since(day - timedelta(days=30))),
            seen_90=Exists(_visited_since(day - timedelta(days=90))),
        )
        .aggregate(
            households=Count("pk"),
            paired=Count("pk", filter=Q(is_paired=True)),
            visited_30=Count("pk", filter=Q(seen_30=True)),
            visited_90=Count("pk", filter=Q(seen_90=True)),
        )
    )
    return Coverage(
        households=figures["households"] or 0,
        paired=figures["paired"] or 0,
        visited_30=figures["visited_30"] or 0,
        visited_90=figures["visited_90"] or 0,
    )


def household_get(*, user: Any, pk: int, perm: str = Perm.VIEW_DIFFICULTY) -> HouseholdInDifficulty:
    """One record in the user's scope for ``perm``; 404 otherwise (never 403: no probing)."""
    record = (
        HouseholdInDifficulty.objects.restrict(user, perm)
        .filter(pk=pk)
        .select_related("household__parent", "recorded_by", "ended_by")
        .first()
    )
    if record is None:
        raise Http404
    return record


def household_people(record: HouseholdInDifficulty) -> list[Resident]:
    """The residents of the household, the householder first."""
    return list(Resident.objects.filter(household_id=record.household_id).order_by("-is_householder", "id"))


def record_pairings(record: HouseholdInDifficulty) -> list[Pairing]:
    return list(
        Pairing.objects.filter(record=record)
        .select_related("member__community", "leader", "created_by", "ended_by")
        .order_by(F("ended_on").desc(nulls_first=True), "-since", "-id")
    )


def record_visits(record: HouseholdInDifficulty) -> list[Visit]:
    return list(
        Visit.objects.filter(record=record)
        .select_related("pairing__member", "pairing__leader", "recorded_by")
        .prefetch_related(
            Prefetch("needs", queryset=Need.objects.select_related("matter", "wish", "converted_by").order_by("id"))
        )
        .order_by("-visited_on", "-id")
    )


def pairing_get(*, user: Any, record: HouseholdInDifficulty, pk: int) -> Pairing:
    pairing = (
        Pairing.objects.restrict(user, Perm.VIEW_DIFFICULTY)
        .filter(record=record, pk=pk)
        .select_related("member", "leader")
        .first()
    )
    if pairing is None:
        raise Http404
    return pairing


def need_get(*, user: Any, pk: int) -> Need:
    need = (
        Need.objects.restrict(user, Perm.VIEW_DIFFICULTY)
        .filter(pk=pk)
        .select_related("visit__record__household__parent", "matter", "wish")
        .first()
    )
    if need is None:
        raise Http404
    return need


def may_manage(*, user: Any, record: HouseholdInDifficulty) -> bool:
    return holds_over(user, Perm.MANAGE_DIFFICULTY, record.household)


def may_file_matter(*, user: Any, record: HouseholdInDifficulty) -> bool:
    return holds_over(user, Perm.FILE_MATTERS, record.household)


def may_post_wish(*, user: Any, record: HouseholdInDifficulty) -> bool:
    """Staff post wishes on a resident's behalf where they hold MANAGE_PARTY (``wishes.services.wish_post``)."""
    return holds_over(user, Perm.MANAGE_PARTY, record.household)


def visit_pairing_choices(*, user: Any, record: HouseholdInDifficulty) -> list[Pairing]:
    """The pairings a visit may be recorded under by this user: all open ones for staff over the household, their
    own otherwise."""
    if holds_over(user, Perm.VIEW_DIFFICULTY, record.household):
        return list(
            Pairing.objects.filter(record=record, ended_on__isnull=True)
            .select_related("member", "leader")
            .order_by("since", "id")
        )
    return own_open_pairings(user=user, record=record)


def member_choices(*, record: HouseholdInDifficulty) -> QuerySet[MemberRegistration]:
    """The confirmed members (双报到) of the household's community, who may be paired with it."""
    community = household_community(record.household)
    if community is None:
        return MemberRegistration.objects.none()
    return (
        MemberRegistration.objects.filter(community=community, state=RegistrationState.CONFIRMED)
        .select_related("building")
        .order_by("building__code", "name", "id")
    )


def _line_paths(place: Place) -> list[str]:
    """The paths of the place's ancestors (and itself): /a/, /a/b/, /a/b/c/ …"""
    codes = [code for code in place.path.split("/") if code]
    return ["/" + "/".join(codes[: index + 1]) + "/" for index in range(len(codes))]


LOCAL_LEVELS = (PlaceLevel.STREET, PlaceLevel.COMMUNITY, PlaceLevel.GRID)


def leader_choices(*, record: HouseholdInDifficulty) -> QuerySet[User]:
    """The local leaders offered for pairing: active staff with an active post at the household's grid, community or
    street. (District and city leaders, who may be paired too, are named by account: there are too many to list.)"""
    return (
        User.objects.filter(
            kind=UserKind.STAFF,
            is_active=True,
            posts__is_active=True,
            posts__place__path__in=_line_paths(record.household),
            posts__place__level__in=LOCAL_LEVELS,
        )
        .distinct()
        .order_by("full_name", "username")
    )


def household_candidates(*, user: Any, search: str) -> list[Place]:
    """Households the user may flag (MANAGE_DIFFICULTY) matching a code, name or address; each marked ``flagged``
    when it already has an open record."""
    search = search.strip()
    if not search:
        return []
    open_record = HouseholdInDifficulty.objects.filter(household=OuterRef("pk"), ended_on__isnull=True)
    return list(
        Place.objects.restrict(user, Perm.MANAGE_DIFFICULTY)
        .filter(level=PlaceLevel.HOUSEHOLD)
        .filter(Q(code__startswith=search) | Q(name__icontains=search) | Q(address__icontains=search))
        .annotate(flagged=Exists(open_record))
        .select_related("parent")
        .order_by("path")[:CANDIDATES_SHOWN]
    )


def flaggable_household(*, user: Any, code: str) -> Place | None:
    """The household with this code if the user may flag it (MANAGE_DIFFICULTY over it), else None."""
    return (
        Place.objects.restrict(user, Perm.MANAGE_DIFFICULTY)
        .filter(level=PlaceLevel.HOUSEHOLD, code=code.strip())
        .select_related("parent")
        .first()
    )


# --- how things are shown -----------------------------------------------------------------------------------------


def kind_labels(kinds: list[str]) -> list[str]:
    return [str(Difficulty(kind).label) for kind in kinds if kind in Difficulty.values]


def household_label(household: Place, *, unmasked: bool) -> str:
    """The household's address, or its building with the door hidden: 1号楼 · ***."""
    if unmasked:
        return household.address or household.name
    building = household.parent.name if household.parent is not None else ""
    return f"{building} · ***" if building else "***"


def person_label(resident: Resident | None, *, unmasked: bool) -> tuple[str, str]:
    """A resident's name and phone, masked unless ``unmasked``."""
    if resident is None:
        return "", ""
    if unmasked:
        return resident.name, resident.phone
    return mask_name(resident.name), mask_phone(resident.phone)


def partner_label(pairing: Pairing, *, unmasked: bool) -> str:
    """A pairing's partner: a member's name (personal data, masked likewise) or a leader's name (staff)."""
    if pairing.member is not None:
        return pairing.member.name if unmasked else mask_name(pairing.member.name)
    return str(pairing.leader) if pairing.leader is not None else ""
