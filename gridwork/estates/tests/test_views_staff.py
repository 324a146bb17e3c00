"""The staff pages at /staff/estates/: scope (another community's estate or committee is not found: 404; a grid
worker may not manage: 403), the forms' refusals (400 with the field), moves on a stale page (409), phones masked
without VIEW_PERSONAL_DATA, and the coverage page with its export."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from gridwork.estates.models import Committee, CommitteeStatus, Estate
from gridwork.estates.tests.factories import World, committee, make_world, member
from gridwork.places.models import Place
from gridwork.places.tests.factories import CityTree

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(tree: CityTree) -> World:
    return make_world(tree)


def client_of(user: Any) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


class TestEstates:
    def test_the_list_shows_the_users_units_and_filters(self, world: World) -> None:
        page = client_of(world.community).get(reverse("estates:estate-list"))
        assert page.status_code == 200
        assert set(page.context["page_obj"]) == {world.estate, world.estate_b}
        street = client_of(world.street)
        assert set(street.get(reverse("estates:estate-list")).context["page_obj"]) == {
            world.estate,
            world.estate_b,
            world.estate2,
        }
        filtered = street.get(reverse("estates:estate-list"), {"community": world.tree.community2.pk})
        assert list(filtered.context["page_obj"]) == [world.estate2]
        assert list(street.get(reverse("estates:estate-list"), {"q": "和平"}).context["page_obj"]) == [world.estate_b]

    def test_another_communitys_objects_are_not_found(self, world: World) -> None:
        theirs = committee(world.community2, world.estate2)
        seat = member(world.community2, theirs)
        client = client_of(world.community)
        for name in ("estate-detail", "estate-edit", "committee-create"):
            assert client.get(reverse(f"estates:{name}", args=[world.estate2.pk])).status_code == 404
        for name in ("committee-detail", "committee-edit", "member-create", "meeting-create", "notice-create"):
            assert client.get(reverse(f"estates:{name}", args=[theirs.pk])).status_code == 404
        assert client.post(reverse("estates:member-leave", args=[seat.pk])).status_code == 404
        move = reverse("estates:committee-move", args=[theirs.pk, "dissolve"])
        assert client.post(move, {"version": 1}).status_code == 404
        assert Committee.objects.get(pk=theirs.pk).state == CommitteeStatus.ACTIVE

    def test_a_grid_worker_may_not_manage(self, world: World) -> None:
        client = client_of(world.grid)
        assert client.get(reverse("estates:estate-list")).status_code == 200
        assert client.get(reverse("estates:estate-create")).status_code == 403
        assert client.post(reverse("estates:committee-create", args=[world.estate.pk])).status_code == 403

    def test_create_with_a_grid_of_another_community_is_400(self, world: World) -> None:
        other_grid = Place.objects.get(name="秋实社区第一网格")
        response = client_of(world.community).post(
            reverse("estates:estate-create"),
            {
                "name": "新城",
                "community": world.tree.community.pk,
                "kind": "commercial",
                "grids": [other_grid.pk],
                "households": 10,
                "buildings": 2,
            },
        )
        assert response.status_code == 400
        assert "grids" in response.context["form"].errors
        assert not Estate.objects.filter(name="新城").exists()

    def test_the_form_offers_the_chosen_communitys_grids_only(self, world: World) -> None:
        client = client_of(world.street)
        blank = client.get(reverse("estates:estate-create"))
        assert blank.status_code == 200
        assert not blank.context["form"].fields["grids"].queryset.exists()
        chosen = client.get(reverse("estates:estate-create"), {"community": world.tree.community.pk})
        assert set(chosen.context["form"].fields["grids"].queryset) == {world.tree.grid, world.tree.grid2}
        outside = client_of(world.community2).get(
            reverse("estates:estate-create"), {"community": world.tree.community.pk}
        )
        assert set(outside.context["form"].fields["grids"].queryset) == {Place.objects.get(name="秋实社区第一网格")}

    def test_create_and_edit(self, world: World) -> None:
        client = client_of(world.community)
        data = {
            "name": "新城",
            "community": world.tree.community.pk,
            "kind": "old",
            "grids": [world.tree.grid.pk],
            "households": 10,
            "buildings": 2,
            "is_active": "on",
        }
        response = client.post(reverse("estates:estate-create"), data)
        estate = Estate.objects.get(name="新城")
        assert response.status_code == 302
        assert list(estate.grids.all()) == [world.tree.grid]
        response = client.post(reverse("estates:estate-edit", args=[estate.pk]), data | {"households": 20})
        assert response.status_code == 302
        estate.refresh_from_db()
        assert estate.households == 20


class TestCommittees:
    def test_record_a_second_current_committee_is_400(self, world: World) -> None:
        client = client_of(world.community)
        url = reverse("estates:committee-create", args=[world.estate.pk])
        data = {"kind": "owners", "term_start": "2024-01-01", "term_end": "2027-01-01", "elected": "on"}
        assert client.post(url, data).status_code == 302
        response = client.post(url, data)
        assert response.status_code == 400
        assert response.context["form"].non_field_errors()
        bad = client.post(
            reverse("estates:committee-create", args=[world.estate_b.pk]), data | {"term_end": "2023-01-01"}
        )
        assert bad.status_code == 400
        assert "term_end" in bad.context["form"].errors

    def test_stale_move_is_409(self, world: World) -> None:
        made = committee(world.community, world.estate)
        client = client_of(world.community)
        assert (
            client.post(reverse("estates:committee-move", args=[made.pk, "end_term"]), {"version": 1}).status_code
            == 302
        )
        response = client.post(reverse("estates:committee-move", args=[made.pk, "dissolve"]), {"version": 1})
        assert response.status_code == 409
        wrong = client.post(reverse("estates:committee-move", args=[made.pk, "activate"]), {"version": 2})
        assert wrong.status_code == 400
        assert Committee.objects.get(pk=made.pk).state == CommitteeStatus.TERM_ENDED

    def test_phones_masked_without_personal_data(self, world: World) -> None:
        made = committee(world.community, world.estate)
        member(world.community, made, phone="13912345678")
        url = reverse("estates:committee-detail", args=[made.pk])
        street_page = client_of(world.street).get(url).content.decode()
        assert "139****5678" in street_page
        assert "13912345678" not in street_page
        assert "13912345678" in client_of(world.community).get(url).content.decode()

    def test_member_meeting_notice_forms(self, world: World) -> None:
        made = committee(world.community, world.estate)
        client = client_of(world.community)
        bad = client.post(
            reverse("estates:member-create", args=[made.pk]), {"name": "王", "role": "chair", "phone": "x"}
        )
        assert bad.status_code == 400
        assert "phone" in bad.context["form"].errors
        ok = client.post(
            reverse("estates:member-create", args=[made.pk]),
            {"name": "王明", "role": "chair", "is_community_leader": "on", "staff_user": world.community.pk},
        )
        assert ok.status_code == 302
        assert made.members.get().staff_user == world.community
        today = timezone.localdate().isoformat()
        meeting = client.post(
            reverse("estates:meeting-create", args=[made.pk]),
            {
                "held_on": today,
                "kind": "committee",
                "topic": "停车",
                "attendance": 5,
                "decision_text": "同意",
                "decision_votes_for": 4,
            },
        )
        assert meeting.status_code == 302
        recorded = made.meetings.get()
        assert recorded.decisions.get().votes_for == 4
        decision = client.post(
            reverse("estates:decision-create", args=[recorded.pk]),
            {"text": "", "votes_for": 1, "votes_against": 0, "votes_abstain": 0},
        )
        assert decision.status_code == 400
        assert "text" in decision.context["form"].errors
        notice = client.post(
            reverse("estates:notice-create", args=[made.pk]), {"title": "公示", "body": "内容", "published_on": today}
        )
        assert notice.status_code == 302
        assert made.notices.count() == 1


def test_coverage_page_and_export(world: World) -> None:
    made = committee(world.community, world.estate)
    member(world.community, made, is_community_leader=True)
    client = client_of(world.street)
    page = client.get(reverse("estates:coverage"))
    assert page.status_code == 200
    assert [row.place for row in page.context["rows"]] == [
        world.tree.street,
        world.tree.community,
        world.tree.community2,
    ]
    export = client.get(reverse("estates:coverage-export"))
    assert export.status_code == 200
    sheet = load_workbook(io.BytesIO(export.content)).worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[1][0] == world.tree.street.name
    assert rows[1][2:5] == (1, 3, 33.3)  # formation: 1 of 锦绣花园, 和平里, 翠湖苑
    assert "13912345678" not in str(rows)
