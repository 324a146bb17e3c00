"""The co-construction figures (共建统计): per place of the user's area and per period, what the units, the three lists,
the contracts and the alliances add up to.

``cobuild_figures(user=, place=, start=, end=)`` counts, of what ``user`` may see (VIEW_PARTY) under ``place``, for
the days ``start``–``end`` (both included, China time):

- ``units``: resident units sitting under the place, recorded by the period's end; ``units_registered``: the units
  (wherever they sit) registered (单位报到) with a community under the place, confirmed by the period's end and still
  confirmed;
- ``part_time_members``: part-time members (兼职委员) of the place's 大工委/大党委 whose term overlaps the period;
- ``needs``, ``resources`` (and ``resources_by_kind``), ``projects``: list items published or created in the period;
  ``list_items``, their sum;
- ``matches``: matches made in the period (for needs of communities under the place);
- ``projects_done``: projects done in the period.

``figures_table`` puts a row per place — the area, then each street or community right under it — with the figures
of the contracts (``contracts.figures.contracts_figures``) and the alliances (``alliances.figures.alliances_figures``)
beside cobuild's own, each under its app's key; ``*_columns`` name the columns the page and the workbook show.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db.models import Count
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from gridwork.accounts.roles import Perm
from gridwork.alliances.figures import alliances_figures
from gridwork.cobuild.models import Match, Need, Project, ProjectState, Resource, ResourceKind
from gridwork.common.scope import minimal_paths
from gridwork.contracts.figures import contracts_figures
from gridwork.contracts.models import ContractParty, ContractStage
from gridwork.party.flows import RegistrationAction
from gridwork.party.models import PartTimeMember, RegistrationState, UnitRegistration, UnitRegistrationEvent
from gridwork.people.models import ResidentUnit
from gridwork.places.models import Place, PlaceLevel

FIGURE_LEVELS = (PlaceLevel.CITY, PlaceLevel.DISTRICT, PlaceLevel.STREET, PlaceLevel.COMMUNITY, PlaceLevel.GRID)
COMPARED_LEVELS = (PlaceLevel.CITY, PlaceLevel.DISTRICT, PlaceLevel.STREET)  # whose children get rows of their own


def bounds(start: date, end: date) -> tuple[datetime, datetime]:
    """The moments the days ``start``–``end`` (both included) begin and end, in the platform's time zone."""
    zone = timezone.get_current_timezone()
    return (
        datetime.combine(start, time.min, tzinfo=zone),
        datetime.combine(end + timedelta(days=1), time.min, tzinfo=zone),
    )


def cobuild_figures(*, user: Any, place: Place, start: date, end: date) -> dict[str, Any]:
    """The figures of the module's docstring as a dict of plain numbers."""
    since, until = bounds(start, end)
    under = place.path

    units = ResidentUnit.objects.restrict(user, Perm.VIEW_PARTY).filter(
        place__path__startswith=under, created_at__lt=until
    )
    confirmed = UnitRegistrationEvent.objects.filter(action=RegistrationAction.CONFIRM, at__lt=until).values("subject")
    registered = (
        UnitRegistration.objects.restrict(user, Perm.VIEW_PARTY)
        .filter(community__path__startswith=under, state=RegistrationState.CONFIRMED, pk__in=confirmed)
        .values("unit")
        .distinct()
        .count()
    )
    part_time = (
        PartTimeMember.objects.restrict(user, Perm.VIEW_PARTY)
        .filter(organisation__place__path__startswith=under, term_start__lte=end, term_end__gte=start)
        .count()
    )

    needs = Need.objects.restrict(user, Perm.VIEW_PARTY).filter(
        community__path__startswith=under, created_at__gte=since, created_at__lt=until
    )
    resources = Resource.objects.restrict(user, Perm.VIEW_PARTY).filter(
        unit__place__path__startswith=under, created_at__gte=since, created_at__lt=until
    )
    by_kind = dict.fromkeys(ResourceKind.values, 0)
    for kind, count in resources.values_list("kind").annotate(count=Count("id")).values_list("kind", "count"):
        by_kind[kind] = count
    projects = Project.objects.restrict(user, Perm.VIEW_PARTY).filter(community__path__startswith=under)
    created = projects.filter(created_at__gte=since, created_at__lt=until).count()
    matches = (
        Match.objects.restrict(user, Perm.VIEW_PARTY)
        .filter(need__community__path__startswith=under, made_at__gte=since, made_at__lt=until)
        .count()
    )
    need_count, resource_count = needs.count(), sum(by_kind.values())
    return {
        "units": units.count(),
        "units_registered": registered,
        "part_time_members": part_time,
        "needs": need_count,
        "resources": resource_count,
        "resources_by_kind": by_kind,
        "projects": created,
        "list_items": need_count + resource_count + created,
        "matches": matches,
        "projects_done": projects.filter(state=ProjectState.DONE, done_at__gte=since, done_at__lt=until).count(),
    }


@dataclass(frozen=True)
class FigureRow:
    place: Place
    is_total: bool
    cobuild: dict[str, Any]
    contracts: dict[str, Any]
    alliances: dict[str, Any]


def figure_places(*, user: Any, area: Place) -> list[Place]:
    """The rows' places: the area, then the streets or communities right under it that the user sees."""
    if area.level == PlaceLevel.COMMUNITY:
        return [area]
    children = (
        Place.objects.restrict(user, Perm.VIEW_PARTY).filter(parent=area, level__in=FIGURE_LEVELS).order_by("code")
    )
    return [area, *children]


def figures_table(*, user: Any, area: Place, start: date, end: date) -> list[FigureRow]:
    """A row per place of ``figure_places``, the first (the area) being the total."""
    rows = []
    for index, place in enumerate(figure_places(user=user, area=area)):
        arguments = {"user": user, "place": place, "start": start, "end": end}
        rows.append(
            FigureRow(
                place=place,
                is_total=index == 0,
                cobuild=cobuild_figures(**arguments),
                contracts=contracts_figures(**arguments),
                alliances=alliances_figures(**arguments),
            )
        )
    return rows


def area_choices(*, user: Any) -> list[Place]:
    """The places whose figures the user may read: from the city down to the grids, in their area."""
    return list(Place.objects.restrict(user, Perm.VIEW_PARTY).filter(level__in=FIGURE_LEVELS).order_by("path"))


def default_area(*, user: Any) -> Place | None:
    """The highest place where the user holds VIEW_PARTY (the first, if several)."""
    paths = minimal_paths(user.scope_paths(Perm.VIEW_PARTY))
    for path in paths:
        place = Place.objects.filter(path=path, level__in=FIGURE_LEVELS).first()
        if place is not None:
            return place
    return None


# --- the columns of the page and the workbook -----------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    group: str  # "cobuild", "contracts" or "alliances"
    key: tuple[str, ...]  # the path of the value in the group's dict
    label: Promise | str
    kind: str = "count"  # count, rate (0–1), score


def cobuild_columns() -> list[Column]:
    return [
        Column("cobuild", ("units",), _("Resident units")),
        Column("cobuild", ("units_registered",), _("Units registered with a community")),
        Column("cobuild", ("part_time_members",), _("Part-time committee members")),
        Column("cobuild", ("needs",), _("Needs published")),
        *(
            Column("cobuild", ("resources_by_kind", kind), _("Resources: %(kind)s") % {"kind": label})
            for kind, label in ResourceKind.choices
        ),
        Column("cobuild", ("resources",), _("Resources published")),
        Column("cobuild", ("projects",), _("Projects created")),
        Column("cobuild", ("list_items",), _("List items")),
        Column("cobuild", ("matches",), _("Matches made")),
        Column("cobuild", ("projects_done",), _("Projects done")),
    ]


def value_at(row: FigureRow, column: Column) -> Any:
    """The row's value of ``column``; None when there is none (an average without any score)."""
    value: Any = getattr(row, column.group)
    for part in column.key:
        if not isinstance(value, dict):
            return None
        value = value.get(part)
    return value


def contracts_columns() -> list[Column]:
    """The columns of ``contracts_figures``: contracts by stage (now), signed, clauses due and performed on time in the
    period, the parties' average scores (0–100) and the residents' (stars), kept apart."""
    return [
        *(
            Column("contracts", ("by_stage", stage), _("Contracts: %(stage)s") % {"stage": label})
            for stage, label in ContractStage.choices
        ),
        Column("contracts", ("total",), _("Contracts")),
        Column("contracts", ("signed",), _("Contracts signed")),
        Column("contracts", ("clauses_due",), _("Clauses due")),
        Column("contracts", ("performed_on_time",), _("Clauses performed on time")),
        Column("contracts", ("on_time_rate",), _("Performed on time"), kind="rate"),
        *(
            Column("contracts", ("average_scores", party), _("Average score: %(party)s") % {"party": label}, "score")
            for party, label in ContractParty.choices
        ),
        Column("contracts", ("residents_average",), _("Residents' rating (stars)"), kind="score"),
    ]


def alliances_columns() -> list[Column]:
    """The columns of ``alliances_figures``: alliances (and those formed in the period), their members at the period's
    end, joint meetings held in the period, and the active alliances short of two meetings in the end's year."""
    return [
        Column("alliances", ("alliances",), _("Alliances")),
        Column("alliances", ("formed",), _("Alliances formed")),
        Column("alliances", ("member_communities",), _("Member communities")),
        Column("alliances", ("member_units",), _("Member units")),
        Column("alliances", ("meetings",), _("Joint meetings held")),
        Column("alliances", ("short_of_meetings",), _("Alliances short of two meetings")),
    ]
