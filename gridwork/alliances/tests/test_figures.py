"""The alliances' figures for the co-construction figures page, and the short-of-meetings flag they share with the
list: counted within the user's area and the period only."""

from __future__ import annotations

from datetime import date

import pytest

from gridwork.alliances import services
from gridwork.alliances.figures import alliances_figures
from gridwork.alliances.selectors import alliance_list
from gridwork.alliances.tests.factories import AllianceWorld, form_alliance, meet, member_of

pytestmark = pytest.mark.django_db


def test_alliances_with_fewer_than_two_meetings_in_the_year_are_short(world: AllianceWorld) -> None:
    alliance = form_alliance(world)
    meet(world, alliance, held_on=date(2024, 3, 1))
    meet(world, alliance, held_on=date(2024, 9, 1))
    meet(world, alliance, held_on=date(2025, 3, 1))
    by_year = {
        year: [(a.meetings_in_year, a.short) for a in alliance_list(user=world.street_staff, year=year)]
        for year in (2023, 2024, 2025)
    }
    assert by_year == {2023: [(0, True)], 2024: [(2, False)], 2025: [(1, True)]}
    assert alliance_list(user=world.street_staff, year=2022).count() == 0  # not formed yet
    assert [a.pk for a in alliance_list(user=world.street_staff, year=2024, short_only=True)] == []
    assert [a.pk for a in alliance_list(user=world.street_staff, year=2025, short_only=True)] == [alliance.pk]


def test_figures_count_alliances_members_and_meetings_of_the_period_in_the_users_area(world: AllianceWorld) -> None:
    alliance = form_alliance(world)
    form_alliance(world, name="春晖社区联盟", place=world.tree.community, communities=[world.tree.community], units=[])
    services.alliance_member_leave(
        actor=world.street_staff, alliance=alliance, member=member_of(alliance, world.unit), left_on=date(2024, 5, 1)
    )
    meet(world, alliance, held_on=date(2023, 6, 1))
    meet(world, alliance, held_on=date(2024, 3, 1))
    meet(world, alliance, held_on=date(2024, 9, 1))
    figures = alliances_figures(
        user=world.street_staff, place=world.tree.street, start=date(2024, 1, 1), end=date(2024, 12, 31)
    )
    assert figures == {
        "alliances": 2,
        "formed": 0,
        "active_members": 3,  # 春晖 and 秋实 in the street's alliance, 春晖 in its own
        "member_communities": 3,
        "member_units": 0,
        "meetings": 2,
        "short_of_meetings": 1,  # the community's alliance met not at all in 2024
        "year": 2024,
    }
    community2 = alliances_figures(
        user=world.street_staff, place=world.tree.community2, start=date(2024, 1, 1), end=date(2024, 12, 31)
    )
    assert community2["alliances"] == 1  # only the street's alliance has 秋实 as a member
    far = alliances_figures(
        user=world.far_staff, place=world.tree.street2, start=date(2023, 1, 1), end=date(2024, 12, 31)
    )
    assert far["alliances"] == far["meetings"] == 0
    before = alliances_figures(
        user=world.street_staff, place=world.tree.street, start=date(2023, 1, 1), end=date(2023, 12, 31)
    )
    assert (before["formed"], before["member_units"], before["meetings"]) == (2, 1, 1)
