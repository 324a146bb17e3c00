"""The ≥ 15 target (每个社区不少于15个社区社会组织): per community of the user's units, how many organisations count
toward it, against the target (``settings.GRIDWORK_SOCIALORGS_TARGET``, 15 by default), the other kinds of groups in
their own columns, and incubation; rolled up per street, district and city for the areas wholly within the user's
units. The definitions are written here once and shown on the page and in the export.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db.models import Count, Q
from django.utils.translation import gettext_lazy as _

from gridwork.accounts.roles import Perm
from gridwork.common.scope import minimal_paths
from gridwork.places.models import Place, PlaceLevel
from gridwork.socialorgs.models import (
    OPEN_INCUBATION_STATES,
    FilingStatus,
    Incubation,
    IncubationState,
    Member,
    Organisation,
    OrgKind,
)

DEFAULT_TARGET = 15
AREA_LEVELS = (PlaceLevel.CITY, PlaceLevel.DISTRICT, PlaceLevel.STREET)
COUNTED_FILINGS = (FilingStatus.REGISTERED, FilingStatus.FILED)

DEFINITIONS = (
    (
        _("Counting toward the target"),
        _(
            "Active (not dissolved) community social organisations whose home is the community and that are registered "
            "with civil affairs (登记) or filed at the street (备案). Volunteer teams, cultural groups, other groups, "
            "organisations not yet filed and street-level organisations do not count."
        ),
    ),
    (_("Target"), _("The least number of counting organisations a community should have (15 unless set otherwise).")),
    (_("Meets the target"), _("A community meets the target when its counting organisations reach the target.")),
    (_("Gap"), _("How many counting organisations the community still lacks (0 when it meets the target).")),
    (_("Not yet filed"), _("Active community social organisations of the community not yet registered or filed.")),
    (
        _("Volunteer teams, cultural groups, other"),
        _("Active organisations of each kind whose home is the community, whatever their filing."),
    ),
    (_("Members"), _("Current members (not left) of the community's active organisations of every kind.")),
    (_("Incubated"), _("The community's organisations (active or dissolved) that ever entered an incubation base.")),
    (_("In incubation"), _("The community's organisations now entered or in mentoring at a base.")),
    (_("Graduated"), _("The community's organisations (active or dissolved) that graduated from a base.")),
    (
        _("Areas"),
        _(
            "A street, district or city row sums its communities' rows; its share is communities meeting the target ÷ "
            "communities. Street-level organisations are active organisations of every kind whose home is a street "
            "of the area; they count for no community."
        ),
    ),
)


def target() -> int:
    return int(getattr(settings, "GRIDWORK_SOCIALORGS_TARGET", DEFAULT_TARGET))


@dataclass
class Row:
    """The figures of a community, or of an area (the sum of its communities)."""

    place: Place
    target: int
    counting: int = 0
    unfiled: int = 0
    volunteer_teams: int = 0
    cultural_groups: int = 0
    other: int = 0
    members: int = 0
    incubated: int = 0
    in_incubation: int = 0
    graduated: int = 0
    communities: int = 1
    meeting: int = 0
    street_level: int = 0

    @property
    def meets(self) -> bool:
        return self.counting >= self.target

    @property
    def gap(self) -> int:
        return max(0, self.target - self.counting)

    @property
    def share(self) -> float | None:
        """Percent of the area's communities meeting the target; None without communities."""
        return round(100 * self.meeting / self.communities, 1) if self.communities else None

    SUMMED = (
        "counting",
        "unfiled",
        "volunteer_teams",
        "cultural_groups",
        "other",
        "members",
        "incubated",
        "in_incubation",
        "graduated",
        "communities",
        "meeting",
    )

    def add(self, other: Row) -> None:
        for name in self.SUMMED:
            setattr(self, name, getattr(self, name) + getattr(other, name))


@dataclass
class Figures:
    target: int
    communities: list[Row] = field(default_factory=list)
    areas: list[Row] = field(default_factory=list)


def _active(kind: str, **extra: Any) -> Q:
    return Q(dissolved_on__isnull=True, kind=kind, **extra)


def _community_rows(communities: list[Place], goal: int) -> list[Row]:
    rows = {place.pk: Row(place=place, target=goal) for place in communities}
    counts = (
        Organisation.objects.filter(place__in=communities)
        .values("place_id")
        .annotate(
            counting=Count("pk", filter=_active(OrgKind.SOCIAL_ORG, filing__in=COUNTED_FILINGS)),
            unfiled=Count("pk", filter=_active(OrgKind.SOCIAL_ORG, filing=FilingStatus.UNFILED)),
            volunteer_teams=Count("pk", filter=_active(OrgKind.VOLUNTEER_TEAM)),
            cultural_groups=Count("pk", filter=_active(OrgKind.CULTURAL_GROUP)),
            other=Count("pk", filter=_active(OrgKind.OTHER)),
        )
        .order_by()
    )
    for values in counts:
        row = rows[values.pop("place_id")]
        for name, value in values.items():
            setattr(row, name, value)
    members = (
        Member.objects.filter(
            organisation__place__in=communities, left_on__isnull=True, organisation__dissolved_on__isnull=True
        )
        .values("organisation__place_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for values in members:
        rows[values["organisation__place_id"]].members = values["n"]
    incubations = (
        Incubation.objects.filter(organisation__place__in=communities)
        .values("organisation__place_id")
        .annotate(
            incubated=Count("organisation", distinct=True),
            in_incubation=Count("organisation", distinct=True, filter=Q(state__in=OPEN_INCUBATION_STATES)),
            graduated=Count("organisation", distinct=True, filter=Q(state=IncubationState.GRADUATED)),
        )
        .order_by()
    )
    for values in incubations:
        row = rows[values.pop("organisation__place_id")]
        for name, value in values.items():
            setattr(row, name, value)
    for row in rows.values():
        row.meeting = 1 if row.meets else 0
    return [rows[place.pk] for place in communities]


def _area_rows(user: Any, community_rows: list[Row], goal: int) -> list[Row]:
    """The streets, districts and city over the communities that lie wholly within the user's units."""
    scope = minimal_paths(user.scope_paths(Perm.VIEW_ACTORS))
    codes = {code for row in community_rows for code in row.place.ancestor_codes()}
    areas = [
        place
        for place in Place.objects.filter(code__in=codes, level__in=AREA_LEVELS).order_by("path")
        if any(place.path.startswith(path) for path in scope)
    ]
    rows: list[Row] = []
    for area in areas:
        total = Row(place=area, target=goal, communities=0)
        for row in community_rows:
            if row.place.path.startswith(area.path):
                total.add(row)
        rows.append(total)
    street_counts: dict[str, int] = defaultdict(int)
    for path, n in (
        Organisation.objects.filter(place__level=PlaceLevel.STREET, dissolved_on__isnull=True)
        .values_list("place__path")
        .annotate(n=Count("pk"))
        .order_by()
    ):
        street_counts[path] = n
    for total in rows:
        total.street_level = sum(n for path, n in street_counts.items() if path.startswith(total.place.path))
    return rows


def target_figures(*, user: Any) -> Figures:
    """The figures of every community of the user's units and of the areas above them within their units."""
    goal = target()
    communities = list(
        Place.objects.restrict(user, Perm.VIEW_ACTORS).filter(level=PlaceLevel.COMMUNITY).order_by("path")
    )
    community_rows = _community_rows(communities, goal)
    return Figures(target=goal, communities=community_rows, areas=_area_rows(user, community_rows, goal))
