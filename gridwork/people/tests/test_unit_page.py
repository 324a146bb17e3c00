"""The unit's page lists the unit's resources, projects, contracts and alliances through each co-construction app's
selector (``<things>_of_unit``), narrowed by that app's own scope rule."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from gridwork.alliances import selectors as alliance_selectors
from gridwork.alliances.models import Alliance, AllianceMember
from gridwork.cobuild import selectors as cobuild_selectors
from gridwork.cobuild.models import Project, Resource
from gridwork.contracts import selectors as contract_selectors
from gridwork.contracts.models import Contract
from gridwork.people import unit_page
from gridwork.people.tests.factories import Staff, make_staff_of, make_unit
from gridwork.places.tests.factories import CityTree

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(tree: CityTree) -> Staff:
    return make_staff_of(tree)


def test_every_section_comes_from_its_app_s_selector(tree: CityTree, staff: Staff) -> None:
    unit = make_unit(tree.community)
    assert [(key, rows_of) for key, _title, rows_of, _url in unit_page.SECTIONS] == [
        ("resources", cobuild_selectors.resources_of_unit),
        ("projects", cobuild_selectors.projects_of_unit),
        ("contracts", contract_selectors.contracts_of_unit),
        ("alliances", alliance_selectors.alliances_of_unit),
    ]
    assert not hasattr(unit_page, "apps")  # no looking up other apps' models by name
    sections = unit_page.cobuild_sections(user=staff.community, unit=unit)
    assert [(s.key, s.total) for s in sections] == [
        ("resources", 0),
        ("projects", 0),
        ("contracts", 0),
        ("alliances", 0),
    ]
    client = Client()
    client.force_login(staff.community)
    assert client.get(reverse("people:unit-detail", args=[unit.pk])).status_code == 200


def test_the_units_projects_show_within_the_viewers_scope_only(tree: CityTree, staff: Staff) -> None:
    unit = make_unit(tree.community)
    here = Project.objects.create(
        title="幸福食堂",
        goal="午餐",
        field="elderly",
        community=tree.community,
        created_by=staff.community,
        starts_on="2026-01-01",
        ends_on="2026-12-31",
    )
    there = Project.objects.create(
        title="法律进社区",
        goal="讲座",
        field="legal",
        community=tree.community2,
        created_by=staff.community2,
        starts_on="2026-01-01",
        ends_on="2026-12-31",
    )
    here.units.add(unit)
    there.units.add(unit)
    Project.objects.create(
        title="不相干",
        goal="x",
        field="other",
        community=tree.community,
        created_by=staff.community,
        starts_on="2026-01-01",
        ends_on="2026-12-31",
    )
    assert list(cobuild_selectors.projects_of_unit(user=staff.community, unit=unit)) == [here]
    assert set(cobuild_selectors.projects_of_unit(user=staff.street, unit=unit)) == {here, there}
    sections = {s.key: s for s in unit_page.cobuild_sections(user=staff.community, unit=unit)}
    assert [item.url for item in sections["projects"].items] == [reverse("cobuild:project-detail", args=[here.pk])]


def test_the_units_contracts_show_within_the_viewers_scope_only(tree: CityTree, staff: Staff) -> None:
    contract_model = Contract
    unit = make_unit(tree.community)
    other_unit = make_unit(tree.community, "明川自来水公司")
    here = contract_model.objects.create(
        number="GJ20260001", title="春晖共建契约", community=tree.community, unit=unit, created_by=staff.community
    )
    contract_model.objects.create(
        number="GJ20260002", title="秋实共建契约", community=tree.community2, unit=unit, created_by=staff.community2
    )
    contract_model.objects.create(
        number="GJ20260003", title="别家的契约", community=tree.community, unit=other_unit, created_by=staff.community
    )
    sections = {s.key: s for s in unit_page.cobuild_sections(user=staff.community, unit=unit)}
    assert [item.label for item in sections["contracts"].items] == [str(here)]
    assert sections["contracts"].items[0].url == reverse("contracts:detail", args=[here.pk])
    assert sections["contracts"].total == 1
    street_sections = {s.key: s for s in unit_page.cobuild_sections(user=staff.street, unit=unit)}
    assert street_sections["contracts"].total == 2


def test_the_units_resources_show_on_its_page(tree: CityTree, staff: Staff) -> None:
    resource_model = Resource
    unit = make_unit(tree.community)
    resource_model.objects.create(
        unit=unit, kind="venue", field="culture", title="职工活动中心周末开放", created_by=staff.community
    )
    client = Client()
    client.force_login(staff.community)
    body = client.get(reverse("people:unit-detail", args=[unit.pk])).content.decode()
    assert 'data-testid="unit-resources"' in body
    assert "职工活动中心周末开放" in body


def test_the_alliances_the_unit_belongs_to_show_through_their_memberships(tree: CityTree, staff: Staff) -> None:
    alliance_model, member_model = Alliance, AllianceMember
    unit = make_unit(tree.community)
    joined = alliance_model.objects.create(
        name="望江党建联盟", purpose="共建共治", place=tree.street, started_on="2026-01-01", created_by=staff.street
    )
    alliance_model.objects.create(
        name="另一个联盟", purpose="共建共治", place=tree.street, started_on="2026-01-01", created_by=staff.street
    )
    member_model.objects.create(alliance=joined, unit=unit, joined_on="2026-01-01", added_by=staff.street)
    sections = {s.key: s for s in unit_page.cobuild_sections(user=staff.street, unit=unit)}
    assert [item.label for item in sections["alliances"].items] == ["望江党建联盟"]
    # The community's staff see an alliance organised by the street only when their community is a member.
    community_sections = {s.key: s for s in unit_page.cobuild_sections(user=staff.community, unit=unit)}
    assert community_sections["alliances"].total == 0
