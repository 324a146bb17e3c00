"""Visit coverage on a built example, the figures worked out by hand.

春晖社区第一网格 (tree.grid) has three households: 101 visited twice in the month, 102 once, 103 not at all → 2 ÷ 3.
春晖社区第二网格 (tree.grid2) has one household, visited only the month before → 0 ÷ 1.
春晖社区 sums its grids: (2 + 0) ÷ (3 + 1) = 2 ÷ 4 = 50.0%.
秋实社区第一网格 has one household, visited in the month → 1 ÷ 1; 秋实社区 likewise.
望江街道 sums its communities: (2 + 1) ÷ (4 + 1) = 3 ÷ 5 = 60.0%.
"""

from __future__ import annotations

import io
from datetime import date, timedelta

import pytest
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from gridwork.gridvisits.coverage import Coverage, coverage
from gridwork.gridvisits.tests.factories import VisitWorld, visit
from gridwork.places.models import Place, PlaceLevel
from gridwork.places.tests.factories import make_place

pytestmark = pytest.mark.django_db


def _months() -> tuple[date, date]:
    """The first day of last month and a day of the month before it (both in the past)."""
    first_this = date.today().replace(day=1)
    first_last = (first_this - timedelta(days=1)).replace(day=1)
    return first_last, first_last - timedelta(days=3)


@pytest.fixture
def example(world: VisitWorld) -> tuple[VisitWorld, date]:
    month, before = _months()
    make_place("household", world.tree.microgrid, 3, "1号楼1单元103", address="春晖路1号1号楼1单元103")
    visit(world, visited_on=month, needs=())
    visit(world, visited_on=month + timedelta(days=1), needs=())
    visit(world, household=world.neighbour, visited_on=month + timedelta(days=2), needs=())
    visit(world, by=world.grid2_worker, household=world.household_grid2, visited_on=before, needs=())
    visit(world, by=world.staff2, household=world.household2, visited_on=month, needs=())
    return world, month


def _line(lines: list[Coverage], place: Place) -> Coverage:
    return next(line for line in lines if line.place == place)


def test_the_coverage_of_the_street_equals_the_figures_worked_by_hand(example: tuple[VisitWorld, date]) -> None:
    world, month = example
    streets = coverage(user=world.street, year=month.year, month=month.month)
    assert [street.total.place for street in streets] == [world.tree.street]
    street = streets[0]
    assert (street.total.visited, street.total.households, street.total.percent) == (3, 5, "60.0%")
    chunhui = _line(street.communities, world.tree.community)
    assert (chunhui.visited, chunhui.households, chunhui.percent) == (2, 4, "50.0%")
    assert [(g.visited, g.households, g.percent) for g in chunhui.grids] == [(2, 3, "66.7%"), (0, 1, "0.0%")]
    qiushi = _line(street.communities, world.tree.community2)
    assert (qiushi.visited, qiushi.households, qiushi.percent) == (1, 1, "100.0%")
    third = Place.objects.get(parent=world.tree.community2, level=PlaceLevel.GRID)
    assert [grid.place for grid in qiushi.grids] == [third]


def test_a_grid_worker_sees_only_their_grid(example: tuple[VisitWorld, date]) -> None:
    world, month = example
    streets = coverage(user=world.grid_worker, year=month.year, month=month.month)
    grids = [grid for street in streets for community in street.communities for grid in community.grids]
    assert [(grid.place, grid.visited, grid.households) for grid in grids] == [(world.tree.grid, 2, 3)]


def test_the_page_and_the_export_show_the_numerators(example: tuple[VisitWorld, date]) -> None:
    world, month = example
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(world.staff)
    chosen = f"{month:%Y-%m}"
    page = client.get(reverse("gridvisits:coverage"), {"month": chosen})
    assert page.status_code == 200
    assert world.tree.community2.name not in page.content.decode()  # another community's grid
    response = client.get(reverse("gridvisits:coverage-export"), {"month": chosen})
    assert response.status_code == 200
    rows = list(load_workbook(io.BytesIO(response.content)).worksheets[0].iter_rows(values_only=True))
    community = next(row for row in rows if row[2] == world.tree.community.code)
    assert community[3:6] == (2, 4, 0.5)
    grid = next(row for row in rows if row[2] == world.tree.grid.code)
    assert grid[3:5] == (2, 3)


def test_a_household_moved_to_another_grid_counts_where_it_lies_now(example: tuple[VisitWorld, date]) -> None:
    """The visits of 101 recorded grid 1; 101 now lies in grid 2: grid 1 has 1 of 2 visited, grid 2 1 of 2 — the
    numerator counts the same households as the denominator (never above 100%)."""
    world, month = example
    building_g2 = world.household_grid2.parent
    assert building_g2 is not None
    moved = world.household
    Place.objects.filter(pk=moved.pk).update(parent=building_g2, path=f"{building_g2.path}{moved.code}/")
    streets = coverage(user=world.street, year=month.year, month=month.month)
    chunhui = _line(streets[0].communities, world.tree.community)
    assert [(g.visited, g.households) for g in chunhui.grids] == [(1, 2), (1, 2)]
    assert (chunhui.visited, chunhui.households) == (2, 4)
