"""The staff pages at /staff/social-orgs/: scope (another community's staff find nothing: 404; a street's base is not
found by a community's staff), permissions (a grid worker may read but not write: 403; a department's handler may not
read: 403), refused forms (400 with the field named), masking of phones, and the incubation moves (409 when stale)."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from gridwork.accounts.roles import Role
from gridwork.accounts.tests.factories import make_staff
from gridwork.places.tests.factories import CityTree
from gridwork.socialorgs import services
from gridwork.socialorgs.models import (
    FilingStatus,
    Incubation,
    IncubationState,
    Member,
    Organisation,
    OrgKind,
)
from gridwork.socialorgs.tests.factories import World, make_member, make_organisation, make_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(tree: CityTree) -> World:
    return make_world(tree)


@pytest.fixture
def org(world: World) -> Organisation:
    return make_organisation(world.community, world.tree.community, name="春晖助老服务社")


def client_of(user: Any) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


def form_data(world: World, **changes: Any) -> dict[str, Any]:
    data = {
        "name": "春晖四点半课堂",
        "kind": OrgKind.SOCIAL_ORG,
        "service_field": "children_youth",
        "place": world.tree.community.pk,
        "filing": FilingStatus.FILED,
        "registration_number": "",
        "founded_on": "2025-03-01",
        "contact_name": "陈老师",
        "contact_phone": "13700003333",
        "services": "课后托管",
    }
    data.update(changes)
    return data


def enter(world: World, org: Organisation) -> Incubation:
    return services.incubation_enter(
        actor=world.community, organisation=org, base=world.base, entered_on=timezone.localdate()
    )


class TestScope:
    def test_the_list_shows_the_users_units_only(self, world: World, org: Organisation) -> None:
        other = make_organisation(world.community2, world.tree.community2)
        mine = client_of(world.community).get(reverse("socialorgs:organisation-list"))
        assert mine.status_code == 200
        assert [row["organisation"] for row in mine.context["rows"]] == [org]
        street = client_of(world.street).get(reverse("socialorgs:organisation-list"))
        assert {row["organisation"] for row in street.context["rows"]} == {org, other}
        grid = client_of(world.grid).get(reverse("socialorgs:organisation-list"))  # a community-wide read
        assert [row["organisation"] for row in grid.context["rows"]] == [org]

    def test_another_communitys_objects_are_not_found(self, world: World, org: Organisation) -> None:
        member = make_member(world.community, org)
        incubation = enter(world, org)
        client = client_of(world.community2)
        for name in (
            "organisation-detail",
            "organisation-edit",
            "organisation-dissolve",
            "member-add",
            "incubation-enter",
        ):
            assert client.get(reverse(f"socialorgs:{name}", args=[org.pk])).status_code == 404, name
        for name in ("member-edit", "member-leave"):
            assert client.get(reverse(f"socialorgs:{name}", args=[member.pk])).status_code == 404, name
        assert client.get(reverse("socialorgs:incubation-detail", args=[incubation.pk])).status_code == 404
        move = reverse("socialorgs:incubation-move", args=[incubation.pk])
        assert client.post(move, {"action": "withdraw", "version": 1, "on": "2026-01-01"}).status_code == 404
        assert (
            client_of(world.community).get(reverse("socialorgs:base-detail", args=[world.base.pk])).status_code == 404
        )

    def test_the_street_sees_and_manages_below_it(self, world: World, org: Organisation) -> None:
        client = client_of(world.street)
        assert client.get(reverse("socialorgs:organisation-detail", args=[org.pk])).status_code == 200
        assert client.get(reverse("socialorgs:organisation-edit", args=[org.pk])).status_code == 200
        assert client.get(reverse("socialorgs:base-detail", args=[world.base.pk])).status_code == 200

    def test_filters(self, world: World, org: Organisation) -> None:
        team = make_organisation(world.street, world.tree.community2, name="秋实志愿队", kind=OrgKind.VOLUNTEER_TEAM)
        gone = make_organisation(world.community, world.tree.community, name="旧组织")
        services.organisation_dissolve(
            actor=world.community, organisation=gone, dissolved_on=date(2026, 1, 1), reason="停"
        )
        client = client_of(world.street)
        url = reverse("socialorgs:organisation-list")

        def names(**query: str) -> set[str]:
            return {row["organisation"].name for row in client.get(url, query).context["rows"]}

        assert names() == {org.name, team.name}
        assert names(kind=OrgKind.VOLUNTEER_TEAM) == {team.name}
        assert names(place=world.tree.community.code) == {org.name}
        assert names(status="dissolved") == {gone.name}
        assert names(status="all", q="旧") == {gone.name}


class TestPermissions:
    def test_a_grid_worker_reads_but_may_not_write(self, world: World) -> None:
        client = client_of(world.grid)
        assert client.get(reverse("socialorgs:organisation-list")).status_code == 200
        assert client.get(reverse("socialorgs:organisation-create")).status_code == 403
        assert client.post(reverse("socialorgs:base-create"), {}).status_code == 403

    def test_without_view_actors_nothing_opens(self, world: World, org: Organisation) -> None:
        handler = make_staff(
            role=Role.DEPARTMENT_HANDLER, place=world.tree.district, username="dept", department=world.tree.department
        )
        client = client_of(handler)
        for url in (
            reverse("socialorgs:organisation-list"),
            reverse("socialorgs:organisation-detail", args=[org.pk]),
            reverse("socialorgs:figures"),
            reverse("socialorgs:base-list"),
        ):
            assert client.get(url).status_code == 403, url

    def test_anonymous_is_sent_to_sign_in(self) -> None:
        assert Client().get(reverse("socialorgs:organisation-list")).status_code == 302


class TestForms:
    def test_create(self, world: World) -> None:
        response = client_of(world.community).post(reverse("socialorgs:organisation-create"), form_data(world))
        assert response.status_code == 302
        assert Organisation.objects.get(name="春晖四点半课堂").contact_phone == "13700003333"

    def test_a_registered_organisation_without_number_is_refused_on_the_field(self, world: World) -> None:
        response = client_of(world.community).post(
            reverse("socialorgs:organisation-create"), form_data(world, filing=FilingStatus.REGISTERED)
        )
        assert response.status_code == 400
        assert 'data-testid="error-registration_number"' in response.content.decode()
        assert not Organisation.objects.exists()

    def test_a_place_outside_is_refused_on_the_field(self, world: World) -> None:
        response = client_of(world.community).post(
            reverse("socialorgs:organisation-create"), form_data(world, place=world.tree.community2.pk)
        )
        assert response.status_code == 400
        assert "place" in response.context["form"].errors

    def test_dissolve_needs_a_reason(self, world: World, org: Organisation) -> None:
        url = reverse("socialorgs:organisation-dissolve", args=[org.pk])
        client = client_of(world.community)
        refused = client.post(url, {"dissolved_on": "2026-01-01", "reason": ""})
        assert refused.status_code == 400
        assert 'data-testid="error-reason"' in refused.content.decode()
        assert client.post(url, {"dissolved_on": "2026-01-01", "reason": "负责人迁出"}).status_code == 302
        org.refresh_from_db()
        assert org.dissolved_on == date(2026, 1, 1)
        page = client.get(reverse("socialorgs:organisation-detail", args=[org.pk]))
        assert 'data-testid="dissolved"' in page.content.decode()
        assert 'data-testid="organisation-edit"' not in page.content.decode()

    def test_members_add_and_leave(self, world: World, org: Organisation) -> None:
        client = client_of(world.community)
        added = client.post(
            reverse("socialorgs:member-add", args=[org.pk]),
            {
                "name": "赵六",
                "role": "leader",
                "is_party_member": "on",
                "phone": "13600004444",
                "joined_on": "2025-06-01",
            },
        )
        assert added.status_code == 302
        member = Member.objects.get(name="赵六")
        assert member.is_party_member
        refused = client.post(reverse("socialorgs:member-leave", args=[member.pk]), {"left_on": "2025-01-01"})
        assert refused.status_code == 400
        assert 'data-testid="error-left_on"' in refused.content.decode()
        assert (
            client.post(reverse("socialorgs:member-leave", args=[member.pk]), {"left_on": "2025-07-01"}).status_code
            == 302
        )
        page = client.get(reverse("socialorgs:organisation-detail", args=[org.pk]))
        assert page.context["member_count"] == 0

    def test_a_bad_member_is_refused_on_the_field(self, world: World, org: Organisation) -> None:
        response = client_of(world.community).post(
            reverse("socialorgs:member-add", args=[org.pk]),
            {"name": "赵六", "role": "boss", "phone": "x", "joined_on": "2025-06-01"},
        )
        assert response.status_code == 400
        assert set(response.context["form"].errors) == {"role"}


class TestMasking:
    def test_phones_are_masked_without_personal_data_permission(self, world: World, org: Organisation) -> None:
        make_member(world.community, org, phone="13912345678")
        url = reverse("socialorgs:organisation-detail", args=[org.pk])
        street = client_of(world.street).get(url).content.decode()
        assert "13800001111" not in street
        assert "138****1111" in street
        assert "13912345678" not in street
        assert "139****5678" in street
        community = client_of(world.community).get(url).content.decode()
        assert "13800001111" in community
        assert "13912345678" in community
        listing = client_of(world.street).get(reverse("socialorgs:organisation-list")).content.decode()
        assert "13800001111" not in listing

    def test_a_masked_phone_sent_back_keeps_the_phone(self, world: World, org: Organisation) -> None:
        client = client_of(world.street)
        url = reverse("socialorgs:organisation-edit", args=[org.pk])
        form = client.get(url).context["form"]
        assert form.initial["contact_phone"] == "138****1111"
        data = form_data(world, name=org.name, contact_phone="138****1111", services="新服务")
        assert client.post(url, data).status_code == 302
        org.refresh_from_db()
        assert (org.contact_phone, org.services) == ("13800001111", "新服务")


class TestIncubationPages:
    def test_enter_move_and_stale(self, world: World, org: Organisation) -> None:
        client = client_of(world.community)
        entered = client.post(
            reverse("socialorgs:incubation-enter", args=[org.pk]),
            {"base": world.base.pk, "entered_on": timezone.localdate().isoformat(), "mentor": "", "notes": ""},
        )
        assert entered.status_code == 302
        incubation = Incubation.objects.get(organisation=org)
        move = reverse("socialorgs:incubation-move", args=[incubation.pk])
        today = timezone.localdate().isoformat()
        refused = client.post(move, {"action": "mentor", "version": 1, "on": today, "mentor": ""})
        assert refused.status_code == 400
        assert 'data-testid="error-mentor"' in refused.content.decode()
        assert client.post(move, {"action": "mentor", "version": 1, "on": today, "mentor": "王老师"}).status_code == 302
        stale = client.post(move, {"action": "withdraw", "version": 1, "on": today})
        assert stale.status_code == 409
        not_allowed = client.post(move, {"action": "mentor", "version": 2, "on": today, "mentor": "王"})
        assert not_allowed.status_code == 409
        incubation.refresh_from_db()
        assert incubation.state == IncubationState.MENTORING
        page = client.get(reverse("socialorgs:incubation-detail", args=[incubation.pk]))
        assert page.status_code == 200
        assert [move["action"] for move in page.context["moves"]] == ["graduate", "withdraw"]
        assert len(page.context["events"]) == 2

    def test_a_second_open_incubation_is_refused_on_the_field(self, world: World, org: Organisation) -> None:
        enter(world, org)
        response = client_of(world.community).post(
            reverse("socialorgs:incubation-enter", args=[org.pk]),
            {"base": world.base.pk, "entered_on": timezone.localdate().isoformat()},
        )
        assert response.status_code == 400
        assert "base" in response.context["form"].errors

    def test_bases(self, world: World) -> None:
        client = client_of(world.street)
        assert [b.pk for b in client.get(reverse("socialorgs:base-list")).context["bases"]] == [world.base.pk]
        created = client.post(
            reverse("socialorgs:base-create"),
            {"name": "第二基地", "place": world.tree.street.pk, "address": "望江路9号"},
        )
        assert created.status_code == 302
        refused = client.post(
            reverse("socialorgs:base-create"), {"name": "第二基地", "place": world.tree.street.pk, "address": "x"}
        )
        assert refused.status_code == 400
        assert 'data-testid="error-name"' in refused.content.decode()
