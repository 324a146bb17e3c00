"""The API's scope matrix: every endpoint × a user at their unit, and objects at own, child, sibling and parent.

The same rule as the pages (``common/tests/test_scope_matrix.py``): own and child objects answer, sibling and parent
ones are not found (404), lists hold own and child objects only. A new endpoint must be added here.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from rest_framework.test import APIClient

from gridwork.accounts.roles import ROLE_PERMISSIONS, Perm, Role
from gridwork.analytics.areas import ANALYSED_LEVELS
from gridwork.common.tests.scope_world import RELATIONS, VISIBLE, ScopeWorld, build_scope_world
from gridwork.matters.models import Matter
from gridwork.matters.workflow import TRANSITIONS, Action
from gridwork.places.tests.factories import CityTree

Objects = dict[str, Any]


def _area_figures(objects: Objects) -> str | None:
    """The figures of a place (``?area=<code>``); none below the grid, which is not analysed."""
    place = objects["place"]
    if place.level not in ANALYSED_LEVELS:
        return None
    return f"{reverse('api:analytics-figures')}?area={place.code}"


DETAIL_ENDPOINTS: dict[str, tuple[Callable[[Objects], str | None], str]] = {
    "api:matter-detail": (lambda o: reverse("api:matter-detail", args=[o["matter"].number]), Perm.VIEW_MATTERS),
    "api:matter-events": (lambda o: reverse("api:matter-events", args=[o["matter"].number]), Perm.VIEW_MATTERS),
    "api:matter-similar": (lambda o: reverse("api:matter-similar", args=[o["matter"].number]), Perm.VIEW_MATTERS),
    "api:place-detail": (lambda o: reverse("api:place-detail", args=[o["place"].code]), Perm.VIEW_PLACES),
    "api:analytics-figures": (_area_figures, Perm.VIEW_MATTERS),
}
MOVE_ENDPOINTS = {f"api:matter-{action}" for action in TRANSITIONS if action != Action.FILE}
# A move naming a second matter: the one in the URL and the one in the body must both be in the area.
MERGE_ENDPOINT = "api:matter-merge"
LIST_ENDPOINTS: dict[str, tuple[str, Callable[[Objects], str], str]] = {
    "api:matter-list": ("?page_size=200", lambda o: o["matter"].number, Perm.VIEW_MATTERS),
    "api:place-list": ("?page_size=500", lambda o: f'"code":"{o["place"].code}"', Perm.VIEW_PLACES),
}
UNSCOPED_ENDPOINTS = {
    "api:schema": "the schema describes the API to anyone",
    "api:docs": "the documentation page",
    "api:me": "the caller's own account",
    "api:category-list": "the taxonomy names classes, not matters",
    "api:category-detail": "the taxonomy names classes, not matters",
    "api:department-list": "departments sit at districts and the city, not in the scope world; see test_places_api.py",
    "api:hotline-order": "files a matter; what it answers is read through matter_get, tested in test_hotline_api.py",
    "api:analytics-rankings": "league tables of the units under the caller's areas; tested in test_analytics_api.py",
}
LEVEL_CASES = [
    ("grid", Role.GRID_WORKER),
    ("community", Role.COMMUNITY_STAFF),
    ("street", Role.STREET_STAFF),
    ("district", Role.DISTRICT_STAFF),
]


def _names(patterns: list[URLPattern | URLResolver], namespace: str = "") -> set[str]:
    names: set[str] = set()
    for entry in patterns:
        if isinstance(entry, URLResolver):
            names |= _names(entry.url_patterns, entry.namespace or namespace)
        elif entry.name and namespace:
            names.add(f"{namespace}:{entry.name}")
    return names


def test_every_endpoint_is_in_the_matrix() -> None:
    api = {name for name in _names(get_resolver().url_patterns) if name.startswith("api:")}
    covered = set(DETAIL_ENDPOINTS) | MOVE_ENDPOINTS | {MERGE_ENDPOINT} | set(LIST_ENDPOINTS) | set(UNSCOPED_ENDPOINTS)
    assert api - covered == set(), "add these endpoints to the API scope matrix"
    assert len(MOVE_ENDPOINTS) == len(TRANSITIONS) - 1


@pytest.fixture(params=LEVEL_CASES, ids=[level for level, _ in LEVEL_CASES])
def world(request: pytest.FixtureRequest, tree: CityTree, settings: Any, tmp_path: Any) -> ScopeWorld:
    settings.MEDIA_ROOT = tmp_path / "media"
    level, role = request.param
    return build_scope_world(tree, own_level=level, role=role)


def _client(world: ScopeWorld) -> APIClient:
    client = APIClient()
    client.force_authenticate(world.user)
    return client


def _holds(world: ScopeWorld, perm: str) -> bool:
    return perm in ROLE_PERMISSIONS[world.user.active_posts[0].role]


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(DETAIL_ENDPOINTS))
def test_objects_of_own_and_child_units_answer_and_others_are_not_found(world: ScopeWorld, name: str) -> None:
    build, perm = DETAIL_ENDPOINTS[name]
    client = _client(world)
    urls = {relation: build(world.objects[relation]) for relation in RELATIONS}
    # None: no such object at this level (the figures of a micro-grid, below the analysed levels)
    statuses = {relation: client.get(url).status_code for relation, url in urls.items() if url is not None}
    assert len(statuses) >= 3
    if not _holds(world, perm):
        assert statuses == dict.fromkeys(statuses, 403)
        return
    assert statuses == {relation: 200 if relation in VISIBLE else 404 for relation in statuses}


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(MOVE_ENDPOINTS))
def test_a_move_on_a_matter_outside_the_area_is_not_found(world: ScopeWorld, name: str) -> None:
    client = _client(world)
    for relation in RELATIONS:
        matter = world.objects[relation]["matter"]
        response = client.post(reverse(name, args=[matter.number]), {}, format="json")
        if relation in VISIBLE and _holds(world, Perm.VIEW_MATTERS):
            assert response.status_code != 404, relation
            assert response.status_code < 500
        else:
            assert response.status_code == 404, relation
        assert response["Content-Type"] == "application/json"


@pytest.mark.django_db
def test_a_merge_of_or_into_a_matter_outside_the_area_is_not_found(world: ScopeWorld) -> None:
    """The merge names two matters: the duplicate in the URL (outside the area: 404) and the original in the body
    (outside the area: a field error, as discard's ``duplicate_of``). Both in the area, the merge reaches the
    service, here refused on purpose by a version that is not the matter's (the scope world's matters carry a
    hand-made event, so no move of theirs is carried out)."""
    client = _client(world)
    matters = {relation: world.objects[relation]["matter"] for relation in RELATIONS}
    sees = _holds(world, Perm.VIEW_MATTERS)
    own_url = reverse(MERGE_ENDPOINT, args=[matters["own"].number])
    for outside in ("sibling", "parent"):
        response = client.post(own_url, {"original": matters[outside].number}, format="json")
        assert response.status_code == (400 if sees else 404), outside
        if sees:
            assert set(response.json()["errors"]) == {"original"}
    for relation in RELATIONS:
        matter = matters[relation]
        original = matters["child" if relation == "own" else "own"]
        body = {"original": original.number, "version": matter.version + 1}
        response = client.post(reverse(MERGE_ENDPOINT, args=[matter.number]), body, format="json")
        if relation in VISIBLE and sees:
            assert response.status_code == 409, relation
            assert response.json()["code"] == "conflict"
        else:
            assert response.status_code == 404, relation
        assert response["Content-Type"] == "application/json"
    assert [Matter.objects.get(pk=matter.pk).version for matter in matters.values()] == [
        matter.version for matter in matters.values()
    ]


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(LIST_ENDPOINTS))
def test_lists_hold_own_and_child_objects_only(world: ScopeWorld, name: str) -> None:
    query, mark_of, perm = LIST_ENDPOINTS[name]
    response = _client(world).get(reverse(name) + query)
    if not _holds(world, perm):
        assert response.status_code == 403
        return
    assert response.status_code == 200
    body = response.content.decode()
    marks = {relation: mark_of(world.objects[relation]) for relation in RELATIONS}
    shown = {relation: mark in body for relation, mark in marks.items() if mark}
    assert shown == {relation: relation in VISIBLE for relation in shown}
    assert len(shown) == len(RELATIONS)


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(DETAIL_ENDPOINTS))
def test_without_sign_in_the_answer_is_401_json(tree: CityTree, name: str, settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"
    world = build_scope_world(tree, own_level="community")
    url = DETAIL_ENDPOINTS[name][0](world.objects["own"])
    assert url is not None
    response = APIClient().get(url)
    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"
