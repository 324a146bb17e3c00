"""Test data for analysis: a town with buildings in several grids, communities, streets and districts, and a driver
that moves matters through the real services at given Beijing times, so that the rollup is counted exactly as in
production (never by writing its rows).

The November and December 2026 calendars used by the tests: 2 November is a Monday, 30 November a Monday, 1 December
a Tuesday; no public holiday falls in either month. Office hours are 08:30–12:00 and 14:00–17:30; a dispatch at
09:00 must be accepted by 11:00 (2 working hours); an accept at 10:00 must be replied to by 10:00 seven working days
later (a personal matter: three); a reply must be called back within three working days.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from gridwork.accounts.models import User
from gridwork.accounts.roles import Role
from gridwork.accounts.tests.factories import make_staff
from gridwork.analytics.areas import Area, area_of_department, area_of_place
from gridwork.analytics.measures import Figures, Weights
from gridwork.analytics.models import COUNTERS, DailyRollup
from gridwork.analytics.periods import Period, PeriodKind
from gridwork.analytics.selectors import area_figures
from gridwork.matters.models import Category, Matter
from gridwork.matters.services import matter_file, matter_transition
from gridwork.matters.tests.factories import TEXT
from gridwork.matters.workflow import TRANSITIONS, Action, Actor, ClosureReason, MatterKind
from gridwork.places.models import Department, Place, PlaceLevel
from gridwork.places.tests.factories import CityTree, make_place
from gridwork.supervision.sweep import SweepReport, run_sweep
from gridwork.supervision.tests.factories import at

When = str | datetime

# The staff role that handles a matter led by a place of each level.
HANDLER_ROLE = {
    PlaceLevel.GRID: Role.GRID_WORKER,
    PlaceLevel.COMMUNITY: Role.COMMUNITY_STAFF,
    PlaceLevel.STREET: Role.STREET_STAFF,
    PlaceLevel.DISTRICT: Role.DISTRICT_STAFF,
}


def moment(when: When) -> datetime:
    """``"2026-11-02 09:00"`` (Beijing time) or an aware datetime."""
    return at(when) if isinstance(when, str) else when


def month(text: str) -> Period:
    """The month ``"2026-11"``."""
    return Period.containing(PeriodKind.MONTH, date.fromisoformat(f"{text}-01"))


def area(unit: Place | Department) -> Area:
    return area_of_department(unit) if isinstance(unit, Department) else area_of_place(unit)


def figures(unit: Place | Department, period: Period, weights: Weights | None = None) -> Figures:
    """The unit's measures over the period, with the default weights unless others are given."""
    return area_figures(area(unit), period, weights or Weights())


def total_row(unit: Place | Department, day: str) -> dict[str, int]:
    """The counters of the unit's total row of one day; all zero when there is none."""
    found = area(unit)
    row = (
        DailyRollup.objects.filter(
            unit_kind=found.unit_kind, unit_id=found.unit_id, detail=False, day=date.fromisoformat(day)
        )
        .values(*COUNTERS)
        .first()
    )
    return {name: int((row or {}).get(name) or 0) for name in COUNTERS}


def nonzero(counts: dict[str, int]) -> dict[str, int]:
    return {name: value for name, value in counts.items() if value}


@dataclass
class Town:
    """The tree of ``make_city_tree`` with a building in a grid of every branch, the city's dispatch centre that
    dispatches, rates on call-back, decides and verifies everywhere, and a handler for every lead unit."""

    tree: CityTree
    operator: User
    buildings: dict[str, Place]
    department2: Department
    handlers: dict[tuple[str, int], User] = field(default_factory=dict)

    # --- who acts --------------------------------------------------------------------------------------------

    def handler(self, matter: Matter) -> User:
        """A member of staff of the unit leading ``matter`` now (made on first use)."""
        fresh = Matter.objects.select_related("lead_place", "lead_department").get(pk=matter.pk)
        if fresh.lead_department is not None:
            return self.department_handler(fresh.lead_department)
        assert fresh.lead_place is not None, "the matter has no lead unit"
        place = fresh.lead_place
        key = ("place", place.pk)
        if key not in self.handlers:
            self.handlers[key] = make_staff(
                role=HANDLER_ROLE[PlaceLevel(place.level)], place=place, username=f"h-{place.code}"
            )
        return self.handlers[key]

    def department_handler(self, department: Department) -> User:
        key = ("department", department.pk)
        if key not in self.handlers:
            self.handlers[key] = make_staff(
                role=Role.DEPARTMENT_HANDLER,
                place=department.place,
                department=department,
                username=f"h-{department.code}",
            )
        return self.handlers[key]

    def actor_for(self, matter: Matter, action: str) -> User:
        if TRANSITIONS[action].actor in {Actor.LEAD_UNIT, Actor.HANDLING_UNIT}:
            return self.handler(matter)
        return self.operator

    # --- the moves, at given times ---------------------------------------------------------------------------

    def file(
        self,
        *,
        at: When,
        where: str = "grid",
        kind: str = MatterKind.PROFESSIONAL,
        channel: str = "resident_web",
        category: Category | None = None,
    ) -> Matter:
        receipt = matter_file(
            actor=None,
            channel=channel,
            text=TEXT,
            building=self.buildings[where],
            kind=kind,
            category=category,
            now=moment(at),
        )
        return Matter.objects.get(pk=receipt.matter_id)

    def move(
        self, matter: Matter, action: str, data: dict[str, Any] | None = None, *, at: When, note: str = ""
    ) -> Matter:
        return matter_transition(
            actor=self.actor_for(matter, action),
            matter_id=matter.pk,
            action=action,
            data=data or {},
            note=note,
            now=moment(at),
        )

    def dispatch(
        self, matter: Matter, *, at: When, to: Place | Department | None = None, kind: str | None = None
    ) -> Matter:
        """To ``to`` (default: the matter's community)."""
        fresh = Matter.objects.get(pk=matter.pk)
        target = to if to is not None else fresh.community
        data: dict[str, Any] = {"kind": kind or fresh.kind}
        if fresh.category_id:
            data["category_id"] = fresh.category_id
        if isinstance(target, Department):
            data["lead_department_id"] = target.pk
        else:
            data["lead_place_id"] = target.pk
        return self.move(matter, Action.DISPATCH, data, at=at)

    def accept(self, matter: Matter, *, at: When) -> Matter:
        return self.move(matter, Action.ACCEPT, at=at)

    def give_back(self, matter: Matter, *, at: When) -> Matter:
        """退单: the lead unit returns the matter to the dispatcher."""
        return self.move(matter, Action.RETURN, at=at, note="不属于本单位职责")

    def overrule(self, matter: Matter, *, at: When) -> Matter:
        return self.move(matter, Action.OVERRULE, at=at, note="属于本单位职责")

    def reply(self, matter: Matter, *, at: When) -> Matter:
        return self.move(matter, Action.REPLY, {"text": "已处理"}, at=at)

    def rate(self, matter: Matter, satisfaction: str, *, at: When) -> Matter:
        return self.move(matter, Action.RATE, {"satisfaction": satisfaction, "by": "call_back"}, at=at)

    def verify_close(self, matter: Matter, *, at: When) -> Matter:
        return self.move(matter, Action.VERIFY_CLOSE, at=at)

    def close_by_agreement(self, matter: Matter, *, at: When) -> Matter:
        return self.move(matter, Action.CLOSE_BY_AGREEMENT, at=at, note="居民同意办结")

    def discard(self, matter: Matter, *, at: When) -> Matter:
        return self.move(matter, Action.DISCARD, {"reason": ClosureReason.INVALID}, at=at)

    def request_extension(self, matter: Matter, days: int, *, at: When) -> Matter:
        return self.move(matter, Action.REQUEST_EXTENSION, {"days": days}, at=at, note="需要采购材料")

    def decide_extension(self, matter: Matter, *, approved: bool, days: int, at: When) -> Matter:
        return self.move(matter, Action.DECIDE_EXTENSION, {"approved": approved, "days": days}, at=at)

    def sweep(self, at: When) -> SweepReport:
        return run_sweep(now=moment(at))

    # --- whole loops ---------------------------------------------------------------------------------------------

    def accepted(
        self,
        *,
        filed: When,
        dispatched: When,
        accepted: When,
        where: str = "grid",
        to: Place | Department | None = None,
        kind: str = MatterKind.PROFESSIONAL,
    ) -> Matter:
        """Filed, dispatched and accepted: in progress."""
        matter = self.file(at=filed, where=where, kind=kind)
        self.dispatch(matter, at=dispatched, to=to)
        return self.accept(matter, at=accepted)

    def rated_and_closed(
        self, matter: Matter, *, replied: When, rating: str | None, closed: When, rated: When | None = None
    ) -> Matter:
        """Replied, rated at ``rated`` (unless ``rating`` is None: never rated) and verified."""
        self.reply(matter, at=replied)
        if rating is not None:
            assert rated is not None
            self.rate(matter, rating, at=rated)
        return self.verify_close(matter, at=closed)


def make_town(tree: CityTree) -> Town:
    """A building in each of: the tree's grid ("grid"), its sibling grid ("grid2"), the sibling community's grid
    ("community2"), a grid of the sibling street ("street2") and one of the other district ("district2")."""
    community2_grid = Place.objects.get(parent=tree.community2, level=PlaceLevel.GRID)
    street2_community = make_place(PlaceLevel.COMMUNITY, tree.street2, 1, "临川社区")
    street2_grid = make_place(PlaceLevel.GRID, street2_community, 1, "临川社区第一网格")
    district2_street = Place.objects.get(parent=tree.district2, level=PlaceLevel.STREET)
    district2_community = make_place(PlaceLevel.COMMUNITY, district2_street, 1, "松林社区")
    district2_grid = make_place(PlaceLevel.GRID, district2_community, 1, "松林社区第一网格")
    buildings = {"grid": tree.microgrid}
    for key, grid in (
        ("grid2", tree.grid2),
        ("community2", community2_grid),
        ("street2", street2_grid),
        ("district2", district2_grid),
    ):
        buildings[key] = make_place(PlaceLevel.MICROGRID, grid, 1, f"{grid.name}1号楼", address=f"{grid.name}1号楼")
    operator = make_staff(
        role=Role.DISPATCH_CENTRE, place=tree.city, department=tree.dispatch_centre, username="operator"
    )
    department2 = Department.objects.create(code="D520102002", name="东湖区城市管理局", place=tree.district)
    return Town(tree=tree, operator=operator, buildings=buildings, department2=department2)
