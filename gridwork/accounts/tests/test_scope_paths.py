"""``User.scope_paths``: the units a post reaches for a permission. A grid worker's community-wide reads
(``COMMUNITY_WIDE_READS``: service centres, deliberation, the community's actors) reach their whole community and
nothing beyond it; every other permission, and every write, stays at the grid; other posts are not lifted."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from gridwork.accounts.models import Post, User
from gridwork.accounts.roles import COMMUNITY_WIDE_READS, Perm, Role
from gridwork.accounts.tests.factories import make_staff
from gridwork.centres.models import Centre, Room
from gridwork.centres.tests.factories import make_centre, make_room
from gridwork.estates.models import Estate
from gridwork.places.models import Place
from gridwork.places.tests.factories import CityTree

pytestmark = pytest.mark.django_db

GRID_READS = (Perm.VIEW_MATTERS, Perm.VIEW_PEOPLE, Perm.VIEW_PERSONAL_DATA, Perm.VIEW_DIFFICULTY, Perm.VIEW_PLACES)
WRITES_NOT_HELD = (Perm.MANAGE_ACTORS, Perm.MANAGE_CENTRES, Perm.MANAGE_DELIBERATION)


def test_the_community_wide_reads_are_the_three_of_positions_and_voice_and_actors() -> None:
    assert frozenset({Perm.VIEW_CENTRES, Perm.VIEW_DELIBERATION, Perm.VIEW_ACTORS}) == COMMUNITY_WIDE_READS


@pytest.mark.parametrize("perm", [Perm.VIEW_CENTRES, Perm.VIEW_DELIBERATION, Perm.VIEW_ACTORS])
def test_a_grid_workers_community_wide_read_reaches_their_community(tree: CityTree, perm: str) -> None:
    worker = make_staff(role=Role.GRID_WORKER, place=tree.grid, username="grid1")
    assert worker.scope_paths(perm) == [tree.community.path]
    assert not any(tree.community2.path.startswith(path) for path in worker.scope_paths(perm))


@pytest.mark.parametrize("perm", GRID_READS)
def test_a_grid_workers_other_reads_stay_at_the_grid(tree: CityTree, perm: str) -> None:
    worker = make_staff(role=Role.GRID_WORKER, place=tree.grid, username="grid1")
    assert worker.scope_paths(perm) == [tree.grid.path]


@pytest.mark.parametrize("perm", WRITES_NOT_HELD)
def test_a_grid_worker_reaches_nothing_for_a_write_they_do_not_hold(tree: CityTree, perm: str) -> None:
    worker = make_staff(role=Role.GRID_WORKER, place=tree.grid, username="grid1")
    assert worker.scope_paths(perm) == []


@pytest.mark.parametrize(
    ("role", "level"),
    [(Role.COMMUNITY_STAFF, "community"), (Role.STREET_STAFF, "street"), (Role.DISTRICT_STAFF, "district")],
)
@pytest.mark.parametrize("perm", [Perm.VIEW_CENTRES, Perm.MANAGE_ACTORS, Perm.VIEW_PEOPLE])
def test_posts_above_the_grid_are_not_lifted(tree: CityTree, role: str, level: str, perm: str) -> None:
    place: Place = getattr(tree, level)
    staff = make_staff(role=role, place=place, username=f"{level}-staff")
    assert staff.scope_paths(perm) == [place.path]


def test_each_grid_post_reaches_its_own_community_and_an_ended_post_nothing(tree: CityTree) -> None:
    worker = make_staff(role=Role.GRID_WORKER, place=tree.grid, username="grid1")
    grid_of_community2 = Place.objects.get(parent=tree.community2, level="grid")
    Post.objects.create(user=worker, role=Role.GRID_WORKER, place=grid_of_community2)
    assert sorted(worker.scope_paths(Perm.VIEW_ACTORS)) == sorted([tree.community.path, tree.community2.path])
    assert sorted(worker.scope_paths(Perm.VIEW_MATTERS)) == sorted([tree.grid.path, grid_of_community2.path])

    Post.objects.filter(user=worker, place=grid_of_community2).update(is_active=False)
    worker = User.objects.get(pk=worker.pk)
    assert worker.scope_paths(Perm.VIEW_ACTORS) == [tree.community.path]


def test_the_scope_rule_keeps_the_own_communitys_objects_and_not_the_siblings(tree: CityTree) -> None:
    worker = make_staff(role=Role.GRID_WORKER, place=tree.grid, username="grid1")
    own = Estate.objects.create(community=tree.community, name="锦绣花园", households=300)
    sibling = Estate.objects.create(community=tree.community2, name="翠湖苑", households=200)
    assert list(Estate.objects.restrict(worker, Perm.VIEW_ACTORS)) == [own]
    assert not Estate.objects.restrict(worker, Perm.MANAGE_ACTORS).exists()
    assert sibling not in Estate.objects.restrict(worker, Perm.VIEW_ACTORS)


# --- reads open, writes stay shut -----------------------------------------------------------------------------------


def _client(tree: CityTree) -> Client:
    client = Client()
    client.force_login(make_staff(role=Role.GRID_WORKER, place=tree.grid, username="grid1"))
    return client


def test_a_grid_worker_reads_their_communitys_centre_but_cannot_change_it(tree: CityTree) -> None:
    station = make_centre(tree.community, name="春晖社区党群服务站")
    make_room(station)
    client = _client(tree)
    assert client.get(reverse("centres:centre-detail", args=[station.pk])).status_code == 200

    edit = client.post(
        reverse("centres:centre-edit", args=[station.pk]), {"name": "改过的名字", "place": tree.community.pk}
    )
    room = client.post(reverse("centres:room-create", args=[station.pk]), {"name": "新房间", "capacity": 10})
    assert edit.status_code in {403, 404}
    assert room.status_code in {403, 404}
    assert Centre.objects.get(pk=station.pk).name == "春晖社区党群服务站"
    assert Room.objects.filter(centre=station).count() == 1


def test_a_grid_worker_reads_their_communitys_estate_but_cannot_change_it(tree: CityTree) -> None:
    estate = Estate.objects.create(community=tree.community, name="锦绣花园", households=300)
    client = _client(tree)
    assert client.get(reverse("estates:estate-detail", args=[estate.pk])).status_code == 200

    edit = client.post(
        reverse("estates:estate-edit", args=[estate.pk]),
        {"name": "改过的名字", "community": tree.community.pk, "kind": estate.kind, "households": 1},
    )
    committee = client.post(
        reverse("estates:committee-create", args=[estate.pk]), {"term_start": "2026-01-01", "term_end": "2029-01-01"}
    )
    assert edit.status_code in {403, 404}
    assert committee.status_code in {403, 404}
    estate.refresh_from_db()
    assert (estate.name, estate.households) == ("锦绣花园", 300)
    assert not estate.committees.exists()


def test_a_grid_worker_sees_nothing_of_the_sibling_community(tree: CityTree) -> None:
    station2 = make_centre(tree.community2, name="秋实社区党群服务站")
    estate2 = Estate.objects.create(community=tree.community2, name="翠湖苑", households=200)
    client = _client(tree)
    assert client.get(reverse("centres:centre-detail", args=[station2.pk])).status_code == 404
    assert client.get(reverse("estates:estate-detail", args=[estate2.pk])).status_code == 404
    assert "秋实社区党群服务站" not in client.get(reverse("centres:centre-list")).content.decode()
    assert "翠湖苑" not in client.get(reverse("estates:estate-list")).content.decode()
