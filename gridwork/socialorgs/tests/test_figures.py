"""The figures against the target on a built example, every number worked out by hand below, for a community's, a
street's and a district's staff; the target read from settings; and the Excel export carrying the same numbers."""

from __future__ import annotations

import io
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.test import Client, override_settings
from django.urls import reverse
from openpyxl import load_workbook

from gridwork.places.tests.factories import CityTree
from gridwork.socialorgs import services
from gridwork.socialorgs.figures import Row, target_figures
from gridwork.socialorgs.flows import IncubationAction
from gridwork.socialorgs.models import FilingStatus, OrgKind
from gridwork.socialorgs.tests.factories import World, make_member, make_organisation, make_world

pytestmark = pytest.mark.django_db
NOW = datetime(2026, 3, 2, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


@pytest.fixture
def world(tree: CityTree) -> World:
    """春晖社区 (community):
    A social org, filed             → counts; 2 members, one of whom left → 1 current; entered and graduated
    B social org, registered        → counts; entered, still open
    C social org, registered, dissolved → does not count; its 1 member is not counted; entered, withdrawn (dissolved)
    D social org, not yet filed     → "not yet filed"
    E volunteer team, filed         → volunteer teams; 1 member
    F cultural group, not yet filed → cultural groups
    G social org, filed             → counts
    so: counting 3, unfiled 1, volunteer 1, cultural 1, other 0, members 2, incubated 3 (A, B, C), in incubation 1
    (B), graduated 1 (A).
    秋实社区 (community2): H social org filed → counting 1; I other → other 1; nothing else.
    望江街道 (street): J volunteer team → a street-level organisation, counted for no community.
    """
    w = make_world(tree)
    c, home = w.community, tree.community
    a = make_organisation(c, home, name="A")
    b = make_organisation(c, home, name="B", filing=FilingStatus.REGISTERED, registration_number="R-B")
    dissolved = make_organisation(c, home, name="C", filing=FilingStatus.REGISTERED, registration_number="R-C")
    make_organisation(c, home, name="D", filing=FilingStatus.UNFILED)
    e = make_organisation(c, home, name="E", kind=OrgKind.VOLUNTEER_TEAM)
    make_organisation(c, home, name="F", kind=OrgKind.CULTURAL_GROUP, filing=FilingStatus.UNFILED)
    make_organisation(c, home, name="G")
    make_member(c, a, name="甲")
    left = make_member(c, a, name="乙")
    services.member_leave(actor=c, member=left, left_on=date(2026, 2, 1), today=date(2026, 3, 2))
    make_member(c, e, name="丙")
    make_member(c, dissolved, name="丁")
    for org in (a, b, dissolved):
        incubation = services.incubation_enter(
            actor=c, organisation=org, base=w.base, entered_on=date(2026, 1, 5), at=NOW
        )
        if org is a:
            services.incubation_move(
                actor=c, incubation=incubation, action=IncubationAction.MENTOR, on=date(2026, 1, 6), mentor="王", at=NOW
            )
            services.incubation_move(
                actor=c, incubation=incubation, action=IncubationAction.GRADUATE, on=date(2026, 3, 1), at=NOW
            )
    services.organisation_dissolve(
        actor=c, organisation=dissolved, dissolved_on=date(2026, 2, 20), reason="解散", at=NOW
    )
    make_organisation(w.community2, tree.community2, name="H")
    make_organisation(w.community2, tree.community2, name="I", kind=OrgKind.OTHER)
    make_organisation(w.street, tree.street, name="J", kind=OrgKind.VOLUNTEER_TEAM)
    return w


def numbers(row: Row) -> tuple[int, ...]:
    return (
        row.counting,
        row.unfiled,
        row.volunteer_teams,
        row.cultural_groups,
        row.other,
        row.members,
        row.incubated,
        row.in_incubation,
        row.graduated,
    )


CHUNHUI = (3, 1, 1, 1, 0, 2, 3, 1, 1)
QIUSHI = (1, 0, 0, 0, 1, 0, 0, 0, 0)
STREET = (4, 1, 1, 1, 1, 2, 3, 1, 1)  # the sum of the two communities


@override_settings(GRIDWORK_SOCIALORGS_TARGET=3)
def test_the_streets_figures(world: World) -> None:
    figures = target_figures(user=world.street)
    assert figures.target == 3
    chunhui, qiushi = figures.communities
    assert (chunhui.place, qiushi.place) == (world.tree.community, world.tree.community2)
    assert numbers(chunhui) == CHUNHUI
    assert (chunhui.meets, chunhui.gap) == (True, 0)
    assert numbers(qiushi) == QIUSHI
    assert (qiushi.meets, qiushi.gap) == (False, 2)
    [street] = figures.areas  # the district is above the street's staff
    assert street.place == world.tree.street
    assert numbers(street) == STREET
    assert (street.communities, street.meeting, street.share, street.street_level) == (2, 1, 50.0, 1)


@override_settings(GRIDWORK_SOCIALORGS_TARGET=3)
def test_the_districts_figures_roll_up(world: World) -> None:
    figures = target_figures(user=world.district)
    assert [row.place for row in figures.areas] == [world.tree.district, world.tree.street]
    for row in figures.areas:
        assert numbers(row) == STREET
        assert (row.communities, row.meeting, row.street_level) == (2, 1, 1)


def test_the_default_target_is_15_and_a_community_sees_itself_only(world: World) -> None:
    figures = target_figures(user=world.community)
    assert figures.target == 15
    [chunhui] = figures.communities
    assert numbers(chunhui) == CHUNHUI
    assert (chunhui.meets, chunhui.gap) == (False, 12)
    assert figures.areas == []


@override_settings(GRIDWORK_SOCIALORGS_TARGET=3)
def test_the_page_and_the_export(world: World) -> None:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(world.street)
    page = client.get(reverse("socialorgs:figures"))
    assert page.status_code == 200
    assert "Counting toward the target" in page.content.decode()
    response = client.get(reverse("socialorgs:figures-export"))
    assert response.status_code == 200
    workbook = load_workbook(io.BytesIO(response.content))
    communities = list(workbook["Communities"].iter_rows(values_only=True))
    assert communities[1][:12] == ("春晖社区", world.tree.community.code, 3, *CHUNHUI)
    assert communities[2][-2:] == ("no", 2)
    areas = list(workbook["Areas"].iter_rows(values_only=True))
    assert areas[1][3:] == (2, 1, 50, *STREET, 1)
    assert "13800001111" not in str(communities) + str(areas)
