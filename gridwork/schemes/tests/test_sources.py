"""The figures computed indicators read. The analytics rates come from the rollup, built as the analytics tests
build it (matters moved through the real services at fixed Beijing times), and are read, never recomputed: the
expected figure is worked out here from the scenario and the written definition."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from gridwork.analytics.tests.factories import Town, figures, make_town, month
from gridwork.matters.workflow import Satisfaction
from gridwork.party.models import PartyOrganisation, PartyOrgKind
from gridwork.party.tests.factories import confirmed, make_world
from gridwork.places.tests.factories import CityTree
from gridwork.schemes.models import IndicatorMethod, TargetKind
from gridwork.schemes.scoring import Answer, score_version
from gridwork.schemes.sources import SOURCES, compute_figure, period_between, source_choices
from gridwork.schemes.tests.factories import draft, group, indicator
from gridwork.workforce import services as workforce
from gridwork.workforce.models import Post
from gridwork.workforce.tests.factories import make_course, make_worker

pytestmark = pytest.mark.django_db

NOV_1, NOV_30, DEC_1, DEC_31 = date(2026, 11, 1), date(2026, 11, 30), date(2026, 12, 1), date(2026, 12, 31)


def _two_rated_matters(town: Town) -> None:
    """Two matters of 春晖社区's first grid, accepted on time, replied, rated — one satisfied, one basically
    satisfied — and closed in November 2026."""
    for rating in (Satisfaction.SATISFIED, Satisfaction.BASICALLY):
        matter = town.accepted(filed="2026-11-02 08:30", dispatched="2026-11-02 09:00", accepted="2026-11-02 09:30")
        town.rated_and_closed(
            matter, replied="2026-11-03 10:00", rating=rating, rated="2026-11-04 09:00", closed="2026-11-04 10:00"
        )


def test_a_computed_indicator_reads_the_analytics_figure_of_the_targets_unit(tree: CityTree, manager: Any) -> None:
    town = make_town(tree)
    _two_rated_matters(town)
    # satisfaction: (1 × 1 satisfied + 0.8 × 1 basically) / 2 rated = 0.9 → 90 %
    assert compute_figure("satisfaction_rate", tree.community, NOV_1, NOV_30) == Decimal("90.0000")
    # read from the analytics selectors, not recomputed: the same figure as the analysis pages show
    assert figures(tree.community, month("2026-11")).satisfaction_rate == pytest.approx(0.9)
    # both answered before the 11:00 deadline, both resolved and closed on time
    for key in ("response_rate", "resolution_rate", "on_time_closure_rate"):
        assert compute_figure(key, tree.community, NOV_1, NOV_30) == Decimal("100.0000"), key
    # the grid's own unit has the same two matters; the sibling community has none → no data, not zero
    assert compute_figure("satisfaction_rate", tree.grid, NOV_1, NOV_30) == Decimal("90.0000")
    assert compute_figure("satisfaction_rate", tree.community2, NOV_1, NOV_30) is None
    assert compute_figure("satisfaction_rate", tree.community, DEC_1, DEC_31) is None
    assert compute_figure("satisfaction_rate", tree.department, NOV_1, NOV_30) is None

    version = draft(manager)
    only = group(manager, version, "C", "100")
    item = indicator(
        manager,
        version,
        only,
        "C1",
        "10",
        IndicatorMethod.COMPUTED,
        source="satisfaction_rate",
        full_at="100",
        zero_at="60",
    )
    figure = compute_figure(item.source, tree.community, NOV_1, NOV_30)
    result = score_version(version, {item.pk: Answer(figure)})
    # 90 % on the scale 60 → 100: 10 × 30 / 40 = 7.50 of 10 → the group's 100 × 7.5 / 10 = 75
    assert result.indicators[item.pk] == Decimal("7.50")
    assert result.total == Decimal("75.00")
    # December: no rated matter → the indicator is missing, not scored from a made-up zero figure
    december = score_version(version, {item.pk: Answer(compute_figure(item.source, tree.community, DEC_1, DEC_31))})
    assert [missing.code for missing in december.missing] == ["C1"]


def test_a_whole_year_is_read_as_the_analytics_year() -> None:
    year = period_between(date(2026, 1, 1), date(2026, 12, 31))
    assert (year.kind, year.label()) == ("year", "2026")
    odd = period_between(date(2026, 3, 15), date(2026, 5, 2))
    assert (odd.start, odd.end) == (date(2026, 3, 15), date(2026, 5, 2))


def test_grid_branch_share_counts_grids_with_a_branch_founded_by_the_end(tree: CityTree) -> None:
    committee = PartyOrganisation.objects.create(
        code="P-CH", name="春晖社区大党委", kind=PartyOrgKind.COMMUNITY_COMMITTEE, place=tree.community
    )
    PartyOrganisation.objects.create(
        code="P-CH-1", name="第一网格党支部", kind=PartyOrgKind.BRANCH, parent=committee, place=tree.grid
    )
    late = PartyOrganisation.objects.create(
        code="P-CH-2",
        name="第二网格党支部",
        kind=PartyOrgKind.BRANCH,
        parent=committee,
        place=tree.grid2,
        founded_on=date(2027, 3, 1),
    )
    # 春晖社区 has two grids; the second grid's branch was founded after 2026 → 1 of 2 = 50 %
    assert compute_figure("grid_branch_share", tree.community, date(2026, 1, 1), date(2026, 12, 31)) == Decimal(
        "50.0000"
    )
    assert compute_figure("grid_branch_share", tree.community, date(2027, 1, 1), date(2027, 12, 31)) == Decimal(
        "100.0000"
    )
    # an estate branch's figure is its community's
    assert compute_figure("grid_branch_share", late, date(2027, 1, 1), date(2027, 12, 31)) == Decimal("100.0000")


def test_confirmed_members_counts_confirmed_registrations_of_the_community(tree: CityTree) -> None:
    world = make_world(tree)
    confirmed(world)
    today = date.today()
    assert compute_figure("confirmed_members", tree.community, date(2000, 1, 1), today) == Decimal(1)
    assert compute_figure("confirmed_members", tree.grid, date(2000, 1, 1), today) == Decimal(1)  # building in grid
    assert compute_figure("confirmed_members", tree.grid2, date(2000, 1, 1), today) == Decimal(0)
    assert compute_figure("confirmed_members", tree.community2, date(2000, 1, 1), today) == Decimal(0)


def test_training_hours_and_staffing_gap_read_the_workforce(tree: CityTree, manager: Any) -> None:
    secretary = make_worker(manager, tree.community, "李书记", post=Post.HEAD, is_secretary=True)
    spring = make_course(manager, tree.city, hours="24", end=date(2026, 3, 5))
    workforce.training_record_add(actor=manager, course=spring, worker=secretary, hours=Decimal(24), passed=True)
    year = (date(2026, 1, 1), date(2026, 12, 31))
    assert compute_figure("training_hours", secretary, *year) == Decimal(24)
    assert compute_figure("training_hours", tree.community, *year) == Decimal(24)  # the community's secretary
    assert compute_figure("training_hours", tree.community2, *year) is None  # no secretary: no data
    # 2,100 households recorded → at least 9 workers; one serving → 8 missing; the secretary's figure is the same
    assert compute_figure("staffing_gap", tree.community, *year) == Decimal(8)
    assert compute_figure("staffing_gap", secretary, *year) == Decimal(8)


def test_every_source_says_what_it_fits_and_how() -> None:
    assert set(SOURCES) >= {
        "satisfaction_rate",
        "response_rate",
        "resolution_rate",
        "on_time_closure_rate",
        "grid_branch_share",
        "confirmed_members",
        "training_hours",
        "staffing_gap",
    }
    assert all(str(source.how) and source.unit in {"%", "hours", "count"} for source in SOURCES.values())
    department = {key for key, _label in source_choices(TargetKind.DEPARTMENT)}
    assert department == {"satisfaction_rate", "response_rate", "resolution_rate", "on_time_closure_rate"}
