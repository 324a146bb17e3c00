"""The coverage rates of owners' committees (seed 002: "业委会（物管会）组建率、党的组织覆盖率、社区'两委'成员兼任物管会
成员覆盖率、履职公示率达100%"), per community, street, district and city within the user's units.

Exactly:
- formation rate (组建率) = estates that should have a committee (active, not an open block) with an active committee
  ÷ estates that should have a committee;
- party coverage (党的组织覆盖率) = active committees with a party organisation inside them or a party liaison
  ÷ active committees;
- cross-membership (两委成员兼任覆盖率) = active committees with at least one sitting member (not left) who is a
  community leader ÷ active committees;
- duty publication (履职公示率) = active committees with a public duty notice published in the last three calendar
  months (from the same day three months before today to today) ÷ active committees.

A rate with a denominator of 0 is none ("—"), not 0 % or 100 %. A unit's figures are the sums of its communities'.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db.models import Exists, OuterRef
from django.utils.translation import gettext_lazy as _

from gridwork.accounts.roles import Perm
from gridwork.estates.elections import notice_window_start
from gridwork.estates.models import Committee, CommitteeMember, CommitteeStatus, DutyNotice, Estate, EstateKind
from gridwork.places.codes import ancestor_paths
from gridwork.places.models import LEVEL_ORDER, Place, PlaceLevel

LEVELS = (PlaceLevel.CITY, PlaceLevel.DISTRICT, PlaceLevel.STREET, PlaceLevel.COMMUNITY)

DEFINITIONS = (
    (
        _("Formation rate"),
        _(
            "Estates that should have a committee (active, not an open block) with an active committee ÷ estates "
            "that should have a committee."
        ),
    ),
    (
        _("Party coverage"),
        _("Active committees with a party organisation inside them or a party liaison ÷ active committees."),
    ),
    (
        _("Cross-membership"),
        _(
            "Active committees with at least one sitting member who is a community leader (社区两委, 交叉任职) ÷ "
            "active committees."
        ),
    ),
    (
        _("Duty publication"),
        _(
            "Active committees with a public duty notice (履职公示) published in the last three calendar months ÷ "
            "active committees."
        ),
    ),
)


@dataclass(frozen=True)
class Rate:
    numerator: int
    denominator: int

    @property
    def percent(self) -> float | None:
        if not self.denominator:
            return None
        return round(100 * self.numerator / self.denominator, 1)


@dataclass
class Counts:
    estates: int = 0  # that should have a committee
    formed: int = 0  # of those, with an active committee
    active: int = 0  # active committees
    party: int = 0
    leader: int = 0
    published: int = 0

    def add(self, other: Counts) -> None:
        for name in ("estates", "formed", "active", "party", "leader", "published"):
            setattr(self, name, getattr(self, name) + getattr(other, name))


@dataclass
class CoverageRow:
    place: Place
    counts: Counts = field(default_factory=Counts)

    @property
    def depth(self) -> int:
        return LEVEL_ORDER.index(self.place.level)

    @property
    def formation(self) -> Rate:
        return Rate(self.counts.formed, self.counts.estates)

    @property
    def party(self) -> Rate:
        return Rate(self.counts.party, self.counts.active)

    @property
    def cross_membership(self) -> Rate:
        return Rate(self.counts.leader, self.counts.active)

    @property
    def publication(self) -> Rate:
        return Rate(self.counts.published, self.counts.active)

    def rates(self) -> list[Rate]:
        return [self.formation, self.party, self.cross_membership, self.publication]


def _community_counts(user: Any, today: date) -> dict[str, Counts]:
    """Per community path, the counts of the estates and committees the user may see."""
    by_path: dict[str, Counts] = {}
    active_of_estate = Committee.objects.filter(estate=OuterRef("pk"), state=CommitteeStatus.ACTIVE)
    estates = (
        Estate.objects.restrict(user, Perm.VIEW_ACTORS)
        .filter(is_active=True)
        .exclude(kind=EstateKind.OPEN_BLOCK)
        .annotate(formed=Exists(active_of_estate))
        .values_list("community__path", "formed")
    )
    for path, formed in estates:
        counts = by_path.setdefault(path, Counts())
        counts.estates += 1
        counts.formed += int(formed)
    leaders = CommitteeMember.objects.filter(committee=OuterRef("pk"), is_community_leader=True, left_on__isnull=True)
    notices = DutyNotice.objects.filter(
        committee=OuterRef("pk"), is_public=True, published_on__gte=notice_window_start(today), published_on__lte=today
    )
    committees = (
        Committee.objects.restrict(user, Perm.VIEW_ACTORS)
        .filter(state=CommitteeStatus.ACTIVE)
        .annotate(has_leader=Exists(leaders), has_notice=Exists(notices))
        .values_list(
            "estate__community__path",
            "party_organisation_id",
            "party_liaison_member_id",
            "party_liaison_name",
            "has_leader",
            "has_notice",
        )
    )
    for path, organisation, member, liaison, has_leader, has_notice in committees:
        counts = by_path.setdefault(path, Counts())
        counts.active += 1
        counts.party += int(bool(organisation or member or liaison.strip()))
        counts.leader += int(has_leader)
        counts.published += int(has_notice)
    return by_path


def coverage_rows(*, user: Any, today: date) -> list[CoverageRow]:
    """The rows of the units within the user's reach (VIEW_ACTORS), top down: city, districts, streets,
    communities, each with the sums over its communities."""
    places = list(Place.objects.restrict(user, Perm.VIEW_ACTORS).filter(level__in=LEVELS).order_by("path"))
    rows = {place.path: CoverageRow(place) for place in places}
    for path, counts in _community_counts(user, today).items():
        for prefix in ancestor_paths(path, include_self=True):
            if prefix in rows:
                rows[prefix].counts.add(counts)
    return [rows[place.path] for place in places]
