"""The co-construction figures on a built example, every number worked out by hand; the rows follow the user's area;
the page and its Excel export agree.

The example (T is today; the period is T−60 … T−1, both days included; the street's staff read the street 望江街道
with its communities 春晖社区 and 秋实社区):

units                  春晖: 明川供电公司 (recorded T−100); 秋实: 明川第二中学 (T−100); 春晖: 新来的单位
                       (recorded today, after the period: not counted); 临川人民医院 and 松林律师事务所 sit outside.
unit registrations     明川供电公司 → 春晖, confirmed T−50 (counted); 临川人民医院 → 春晖, confirmed T−40 (counted: it
                       sits outside, it registered inside); 明川第二中学 → 秋实, confirmed today (after the period).
part-time members      春晖 大党委: 王委员 term T−400 … T−30 (overlaps), 赵委员 term T−500 … T−61 (ends before the
                       period); 望江 大工委: 李委员 term T−10 … T+300 (overlaps; the street's row only).
needs                  春晖: T−10 (in), today (after), T−61 (before); 秋实: T−30 (in).
resources              明川供电公司: venue T−10, money T−20 (in), equipment today (after);
                       明川第二中学: people T−5 (in); 临川人民医院: venue T−5 (outside the street).
projects               春晖: created T−30, done T−2; 秋实: created T−70 (before), done T−5; 春晖: created today.
matches                春晖's need × the venue, made T−9 (in); 秋实's need × the people, made today (after).

                       望江 (total)   春晖    秋实
units                  2              1       1
units registered       2              2       0
part-time members      2              1       0
needs                  2              1       1
resources              3 (venue 1,    2 (venue 1, money 1)
                       money 1,               1 (people 1)
                       people 1)
projects created       1              1       0
list items             2+3+1 = 6      1+2+1 = 4   1+1+0 = 2
matches                1              1       0
projects done          2              1       1
"""

from __future__ import annotations

import datetime
import io
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from gridwork.accounts.models import User
from gridwork.cobuild import services
from gridwork.cobuild.categories import ServiceField
from gridwork.cobuild.figures import cobuild_figures, figures_table
from gridwork.cobuild.models import Match, Need, Project, Resource, ResourceKind
from gridwork.cobuild.tests.factories import (
    World,
    make_match,
    make_project,
    make_unit,
    make_world,
    publish_need,
    publish_resource,
)
from gridwork.common.flows import START
from gridwork.party.models import (
    PartTimeMember,
    PartyOrganisation,
    PartyOrgKind,
    RegistrationState,
    UnitRegistration,
    UnitRegistrationEvent,
)
from gridwork.people.models import ResidentUnit
from gridwork.places.models import Place
from gridwork.places.tests.factories import CityTree

pytestmark = pytest.mark.django_db


def day(offset: int) -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=offset)


def moment(offset: int) -> datetime.datetime:
    """Noon of the day T+offset, China time."""
    return datetime.datetime.combine(day(offset), datetime.time(12), tzinfo=timezone.get_current_timezone())


START_DAY, END_DAY = -60, -1


def _registration(unit: ResidentUnit, community: Place, *, confirmed: int | None) -> None:
    """A unit registration (单位报到) confirmed on the day T+``confirmed`` (now if None), written as rows with their
    events: the event log is append-only, so the past is written as it would have been."""
    registration = UnitRegistration.objects.create(
        unit=unit, community=community, state=RegistrationState.CONFIRMED, version=2
    )
    at = moment(confirmed) if confirmed is not None else timezone.now()
    UnitRegistrationEvent.objects.create(
        subject=registration, sequence=1, action=START, to_state="pending", at=at - datetime.timedelta(days=1)
    )
    UnitRegistrationEvent.objects.create(
        subject=registration, sequence=2, action="confirm", from_state="pending", to_state="confirmed", at=at
    )


def _part_time(organisation: PartyOrganisation, name: str, unit: ResidentUnit, start: int, end: int) -> None:
    PartTimeMember.objects.create(
        organisation=organisation, name=name, resident_unit=unit, term_start=day(start), term_end=day(end)
    )


def _at(model: Any, pk: int, **offsets: int) -> None:
    model.objects.filter(pk=pk).update(**{field: moment(offset) for field, offset in offsets.items()})


def build(world: World) -> None:
    tree = world.tree
    _at(ResidentUnit, world.unit.pk, created_at=-100)
    _at(ResidentUnit, world.unit_street.pk, created_at=-100)
    make_unit(tree.community, "新来的单位")

    _registration(world.unit, tree.community, confirmed=-50)
    _registration(world.unit_district, tree.community, confirmed=-40)
    _registration(world.unit_street, tree.community2, confirmed=None)

    committee = PartyOrganisation.objects.create(
        code="C1", name="春晖社区大党委", kind=PartyOrgKind.COMMUNITY_COMMITTEE, place=tree.community
    )
    working = PartyOrganisation.objects.create(
        code="W1", name="望江街道大工委", kind=PartyOrgKind.WORKING_COMMITTEE, place=tree.street
    )
    _part_time(committee, "王委员", world.unit, -400, -30)
    _part_time(committee, "赵委员", world.unit, -500, -61)
    _part_time(working, "李委员", world.unit_street, -10, 300)

    need_in = publish_need(world)
    _at(Need, need_in.pk, created_at=-10)
    publish_need(world, title="今天的需求")
    _at(Need, publish_need(world, title="早先的需求").pk, created_at=-61)
    need2 = publish_need(world, actor=world.staff2, community=tree.community2, title="青少年课后托管", field="children")
    _at(Need, need2.pk, created_at=-30)

    venue = publish_resource(world, kind=ResourceKind.VENUE, title="老年人助餐场地")
    _at(Resource, venue.pk, created_at=-10)
    _at(Resource, publish_resource(world, kind=ResourceKind.MONEY, title="助餐资金").pk, created_at=-20)
    publish_resource(world, kind=ResourceKind.EQUIPMENT, title="餐车")
    people = publish_resource(
        world,
        unit=world.unit_street,
        kind=ResourceKind.PEOPLE,
        field=ServiceField.CHILDREN,
        title="青少年课后托管志愿教师",
        description="教师志愿者",
    )
    _at(Resource, people.pk, created_at=-5)
    _at(Resource, publish_resource(world, unit=world.unit_district, kind=ResourceKind.VENUE).pk, created_at=-5)

    done = make_project(world)
    services.project_start(actor=world.staff, project=done, expected_version=1)
    services.project_finish(actor=world.staff, project=done, expected_version=2)
    _at(Project, done.pk, created_at=-30, done_at=-2)
    done_earlier = make_project(world, actor=world.staff2, community=tree.community2, units=[world.unit_street])
    services.project_start(actor=world.staff2, project=done_earlier, expected_version=1)
    services.project_finish(actor=world.staff2, project=done_earlier, expected_version=2)
    _at(Project, done_earlier.pk, created_at=-70, done_at=-5)
    make_project(world, title="今天立的项目")

    _at(Match, make_match(world, need_in, venue).pk, made_at=-9)
    make_match(world, need2, people, actor=world.staff2)


@pytest.fixture
def world(tree: CityTree) -> World:
    world = make_world(tree)
    build(world)
    return world


def _figures(user: User, place: Place) -> dict[str, Any]:
    return cobuild_figures(user=user, place=place, start=day(START_DAY), end=day(END_DAY))


def test_the_figures_of_the_built_example(world: World) -> None:
    tree = world.tree
    street = _figures(world.street_staff, tree.street)
    chunhui = _figures(world.street_staff, tree.community)
    qiushi = _figures(world.street_staff, tree.community2)
    kinds = dict.fromkeys(ResourceKind.values, 0)
    assert street == {
        "units": 2,
        "units_registered": 2,
        "part_time_members": 2,
        "needs": 2,
        "resources": 3,
        "resources_by_kind": {**kinds, "venue": 1, "money": 1, "people": 1},
        "projects": 1,
        "list_items": 6,
        "matches": 1,
        "projects_done": 2,
    }
    assert chunhui == {
        "units": 1,
        "units_registered": 2,
        "part_time_members": 1,
        "needs": 1,
        "resources": 2,
        "resources_by_kind": {**kinds, "venue": 1, "money": 1},
        "projects": 1,
        "list_items": 4,
        "matches": 1,
        "projects_done": 1,
    }
    assert qiushi == {
        "units": 1,
        "units_registered": 0,
        "part_time_members": 0,
        "needs": 1,
        "resources": 1,
        "resources_by_kind": {**kinds, "people": 1},
        "projects": 0,
        "list_items": 2,
        "matches": 0,
        "projects_done": 1,
    }


def test_the_period_includes_both_of_its_days(world: World) -> None:
    # the need of T−61 comes in when the period starts a day earlier; today's when it ends today
    tree = world.tree
    wider = cobuild_figures(user=world.street_staff, place=tree.community, start=day(-61), end=day(0))
    assert wider["needs"] == 3
    assert wider["units"] == 2  # 新来的单位, recorded today
    assert wider["matches"] == 1  # 秋实's match of today is not 春晖's


def test_a_user_counts_only_what_lies_in_their_scope(world: World) -> None:
    # 秋实's staff asking about the street see only their community's part of it
    seen = _figures(world.staff2, world.tree.street)
    assert (seen["needs"], seen["resources"], seen["projects_done"], seen["units"]) == (1, 1, 1, 1)


def test_the_table_has_the_area_then_its_communities_with_the_other_apps_figures(world: World) -> None:
    rows = figures_table(user=world.street_staff, area=world.tree.street, start=day(START_DAY), end=day(END_DAY))
    assert [(row.place, row.is_total) for row in rows] == [
        (world.tree.street, True),
        (world.tree.community, False),
        (world.tree.community2, False),
    ]
    assert rows[0].cobuild["list_items"] == 6
    assert rows[0].contracts["total"] == 0
    assert rows[0].alliances["alliances"] == 0
    community_rows = figures_table(user=world.staff, area=world.tree.community, start=day(START_DAY), end=day(END_DAY))
    assert [row.place for row in community_rows] == [world.tree.community]


def _client(user: User) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


def test_the_page_and_the_workbook_show_the_same_figures(world: World) -> None:
    query = {"since": day(START_DAY).isoformat(), "until": day(END_DAY).isoformat(), "area": world.tree.street.code}
    client = _client(world.street_staff)
    page = client.get(reverse("cobuild:figures"), query)
    assert page.status_code == 200
    body = page.content.decode()
    assert f'data-place="{world.tree.community2.code}"' in body
    assert 'data-key="cobuild.list_items">6<' in body
    assert 'data-key="cobuild.resources_by_kind.venue">1<' in body
    response = client.get(reverse("cobuild:figures-export"), query)
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
    header, *rows = list(sheet.iter_rows(values_only=True))
    column = header.index("List items")
    assert [(row[0], row[column]) for row in rows] == [("望江街道", 6), ("春晖社区", 4), ("秋实社区", 2)]
    assert "Contracts signed" in header
    assert "Joint meetings held" in header


def test_an_area_outside_is_not_found_and_a_bad_period_named(world: World) -> None:
    client = _client(world.staff2)
    for outside in (world.tree.community, world.tree.street, world.tree.city):  # a sibling, the parents
        assert client.get(reverse("cobuild:figures"), {"area": outside.code}).status_code == 404
        assert client.get(reverse("cobuild:figures-export"), {"area": outside.code}).status_code == 404
    response = client.get(reverse("cobuild:figures"), {"since": day(0).isoformat(), "until": day(-5).isoformat()})
    assert response.status_code == 400
    assert "The end date is before the start date." in response.content.decode()
    default = client.get(reverse("cobuild:figures"))
    assert default.status_code == 200
    assert f'data-place="{world.tree.community2.code}"' in default.content.decode()
    assert f'data-place="{world.tree.community.code}"' not in default.content.decode()
