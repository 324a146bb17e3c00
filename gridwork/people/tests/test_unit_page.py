"""The unit's page reads the co-construction apps without importing them: their lists of the unit appear when the
models are there, narrowed by each model's own scope rule, and nothing breaks when a model is missing."""

from __future__ import annotations

from typing import Any

import pytest
from django.apps import apps
from django.test import Client
from django.urls import reverse

from gridwork.people import unit_page
from gridwork.people.tests.factories import Staff, make_staff_of, make_unit
from gridwork.places.tests.factories import CityTree

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(tree: CityTree) -> Staff:
    return make_staff_of(tree)


def model_or_skip(label: str) -> Any:
    try:
        return apps.get_model(label)
    except LookupError:
        pytest.skip(f"{label} is not there yet")


def test_a_missing_app_model_gives_no_section(tree: CityTree, staff: Staff, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(unit_page, "COBUILD_MODELS", (("nosuchapp", "Thing", "things", "Things", "nosuchapp:detail"),))
    unit = make_unit(tree.community)
    assert unit_page.cobuild_sections(user=staff.community, unit=unit) == []
    client = Client()
    client.force_login(staff.community)
    assert client.get(reverse("people:unit-detail", args=[unit.pk])).status_code == 200


def test_the_units_contracts_show_within_the_viewers_scope_only(tree: CityTree, staff: Staff) -> None:
    contract_model = model_or_skip("contracts.Contract")
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
    assert sections["contracts"].items[0].url == unit_page._url_of(here, "contracts:detail")
    assert unit_page._url_of(here, "contracts:no-such-page") == ""
    assert sections["contracts"].total == 1
    street_sections = {s.key: s for s in unit_page.cobuild_sections(user=staff.street, unit=unit)}
    assert street_sections["contracts"].total == 2


def test_the_units_resources_show_on_its_page(tree: CityTree, staff: Staff) -> None:
    resource_model = model_or_skip("cobuild.Resource")
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
    alliance_model = model_or_skip("alliances.Alliance")
    member_model = model_or_skip("alliances.AllianceMember")
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
