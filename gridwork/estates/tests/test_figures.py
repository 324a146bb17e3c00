"""The coverage rates on a built example, against the figures worked out by hand below."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from gridwork.accounts.roles import Role
from gridwork.accounts.tests.factories import make_staff
from gridwork.estates import services
from gridwork.estates.figures import Rate, coverage_rows
from gridwork.estates.models import EstateKind
from gridwork.estates.tests.factories import World, committee, make_estate, make_world, member
from gridwork.party.models import PartyOrganisation
from gridwork.places.tests.factories import CityTree

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(tree: CityTree) -> World:
    return make_world(tree)


def build(world: World) -> None:
    """春晖社区:
    - 锦绣花园: active, party organisation, a community leader, a notice 10 days ago  → formed, party, leader, published
    - 和平里 (old): active, a liaison, its leader has left, a notice 4 months ago      → formed, party
    - 开放楼院 (open block): active, a leader, a notice 20 days ago                    → (not counted for formation)
                                                                                        leader, published
    - 新苑: committee still forming                                                     → should have one, not formed
    - 旧厂 (inactive): nothing                                                          → not counted
    秋实社区:
    - 翠湖苑: no committee                                                              → should have one, not formed
    - 秋园: active, no party, a leader, its only notice withdrawn                       → formed, leader
    """
    today = timezone.localdate()
    me, them = world.community, world.community2
    organisation = PartyOrganisation.objects.create(
        code="P1", name="锦绣花园党支部", kind="branch", place=world.tree.community
    )
    a = committee(me, world.estate, party_organisation=organisation)
    member(me, a, is_community_leader=True)
    services.notice_publish(actor=me, committee=a, title="t", body="b", published_on=today - timedelta(days=10))

    b = committee(me, world.estate_b, party_liaison_name="李联络")
    services.member_leave(actor=me, member=member(me, b, is_community_leader=True))
    member(me, b)
    services.notice_publish(actor=me, committee=b, title="t", body="b", published_on=today - timedelta(days=122))

    open_block = make_estate(world.tree.community, "开放楼院", kind=EstateKind.OPEN_BLOCK)
    c = committee(me, open_block)
    member(me, c, is_community_leader=True)
    services.notice_publish(actor=me, committee=c, title="t", body="b", published_on=today - timedelta(days=20))

    committee(me, make_estate(world.tree.community, "新苑"), elected=False)
    make_estate(world.tree.community, "旧厂", is_active=False)

    d = committee(them, make_estate(world.tree.community2, "秋园"))
    member(them, d, is_community_leader=True)
    notice = services.notice_publish(actor=them, committee=d, title="t", body="b", published_on=today)
    services.notice_withdraw(actor=them, notice=notice)


def figures(rows: list, code: str) -> list[tuple[int, int]]:
    row = next(row for row in rows if row.place.code == code)
    return [(rate.numerator, rate.denominator) for rate in row.rates()]


def test_the_rates_equal_the_hand_worked_figures(world: World) -> None:
    build(world)
    today = timezone.localdate()
    tree = world.tree
    city = make_staff(role=Role.CITY_STAFF, place=tree.city, username="city")
    rows = coverage_rows(user=city, today=today)
    # formation, party, cross-membership, publication as (numerator, denominator)
    assert figures(rows, tree.community.code) == [(2, 3), (2, 3), (2, 3), (2, 3)]
    assert figures(rows, tree.community2.code) == [(1, 2), (0, 1), (1, 1), (0, 1)]
    for unit in (tree.street, tree.district, tree.city):
        assert figures(rows, unit.code) == [(3, 5), (2, 4), (3, 4), (2, 4)]
    assert figures(rows, tree.street2.code) == [(0, 0)] * 4
    street_row = next(row for row in rows if row.place == tree.street)
    assert [rate.percent for rate in street_row.rates()] == [60.0, 50.0, 75.0, 50.0]
    assert Rate(0, 0).percent is None
    assert Rate(2, 3).percent == 66.7


def test_rows_within_the_users_units(world: World) -> None:
    build(world)
    today = timezone.localdate()
    mine = coverage_rows(user=world.community, today=today)
    assert [row.place for row in mine] == [world.tree.community]
    assert [(r.numerator, r.denominator) for r in mine[0].rates()] == [(2, 3), (2, 3), (2, 3), (2, 3)]
    street = coverage_rows(user=world.street, today=today)
    assert [row.place for row in street] == [world.tree.street, world.tree.community, world.tree.community2]
