"""The mediators' roster: who may add and change a mediator (MANAGE_DISPUTES over its place; the communities served
under it), what each user sees (their area, and those serving it from above), the load, and the pages."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse

from gridwork.audit.models import AuditEvent
from gridwork.mediation.models import DisputeType, Mediator, MediatorKind
from gridwork.mediation.selectors_documents import mediator_roster
from gridwork.mediation.services.mediators import mediator_create, mediator_update
from gridwork.mediation.tests.factories import CaseWorld, assigned_case, case_world
from gridwork.places.tests.factories import CityTree


@pytest.fixture
def world(tree: CityTree) -> CaseWorld:
    return case_world(tree)


def client_for(user: Any) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


def create(world: CaseWorld, **fields: Any) -> Mediator:
    values: dict[str, Any] = {
        "actor": world.staff,
        "name": "法律顾问孙律师",
        "kind": MediatorKind.LEGAL_ADVISER,
        "place": world.tree.community,
        "communities": [world.tree.community],
        "dispute_types": [DisputeType.CONTRACT, DisputeType.LABOUR],
        "phone": "13800001111",
    }
    values.update(fields)
    return mediator_create(**values)


def test_a_mediator_is_added_and_audited(world: CaseWorld) -> None:
    mediator = create(world, max_open_cases=3, user=world.grid_worker)
    assert mediator.place == world.tree.community
    assert mediator.available
    assert list(mediator.communities.all()) == [world.tree.community]
    assert mediator.dispute_types == [DisputeType.CONTRACT, DisputeType.LABOUR]
    audit = AuditEvent.objects.get(action="mediation.mediator_create")
    assert audit.actor == world.staff
    assert audit.object_id == str(mediator.pk)


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"name": " "}, "name"),
        ({"kind": "judge"}, "kind"),
        ({"communities": ["community2"]}, "communities"),
        ({"place": "grid"}, "place"),
        ({"dispute_types": ["gossip"]}, "dispute_types"),
        ({"max_open_cases": 0}, "max_open_cases"),
        ({"phone": "call me"}, "phone"),
    ],
)
def test_a_wrong_field_is_refused_on_its_field(world: CaseWorld, fields: dict[str, Any], field: str) -> None:
    resolved = {
        key: (
            [getattr(world.tree, item) for item in value]
            if key == "communities"
            else getattr(world.tree, value)
            if key == "place"
            else value
        )
        for key, value in fields.items()
    }
    with pytest.raises(ValidationError) as refused:
        create(world, **resolved)
    assert field in refused.value.message_dict
    assert not Mediator.objects.filter(name="法律顾问孙律师").exists()


def test_a_street_mediator_serves_communities_under_the_street(world: CaseWorld) -> None:
    mediator = create(
        world,
        actor=world.street_staff,
        place=world.tree.street,
        communities=[world.tree.community, world.tree.community2],
    )
    assert mediator.communities.count() == 2


@pytest.mark.parametrize("who", ["staff2", "grid_worker", "street2_staff"])
def test_only_the_places_managers_add_a_mediator(world: CaseWorld, who: str) -> None:
    with pytest.raises(PermissionDenied):
        create(world, actor=getattr(world, who))
    assert not Mediator.objects.filter(name="法律顾问孙律师").exists()


def test_a_community_cannot_add_a_mediator_for_its_street(world: CaseWorld) -> None:
    with pytest.raises(PermissionDenied):
        create(world, place=world.tree.street, communities=[])


def test_availability_and_load_are_changed_and_audited(world: CaseWorld) -> None:
    updated = mediator_update(actor=world.staff, mediator=world.mediator, available=False, max_open_cases=2)
    assert not updated.available
    assert updated.max_open_cases == 2
    assert updated.name == "调解员老周"  # untouched
    audit = AuditEvent.objects.get(action="mediation.mediator_update")
    assert set(audit.detail["changed"]) == {"available", "max_open_cases"}


def test_a_mediator_is_changed_only_within_scope(world: CaseWorld) -> None:
    with pytest.raises(PermissionDenied):
        mediator_update(actor=world.staff2, mediator=world.mediator, available=False)
    with pytest.raises(PermissionDenied):
        mediator_update(actor=world.staff, mediator=world.lawyer, available=False)  # the street's
    with pytest.raises(PermissionDenied):
        mediator_update(actor=world.staff, mediator=world.mediator, place=world.tree.community2, communities=[])
    world.mediator.refresh_from_db()
    assert world.mediator.available
    assert world.mediator.place == world.tree.community


def test_the_roster_shows_the_users_area_and_who_serves_it_from_above(world: CaseWorld) -> None:
    def names(user: Any) -> set[str]:
        return {mediator.name for mediator in mediator_roster(user)}

    community = {"调解员老周", "律师陈明", "调解员老郑"}
    assert names(world.staff) == community
    assert names(world.grid_worker) == community
    assert names(world.staff2) == {"律师陈明", "调解员老吴"}
    assert names(world.street_staff) == community | {"调解员老吴"}
    assert names(world.street2_staff) == set()
    assert {m.name for m in mediator_roster(world.staff, available=True)} == {"调解员老周", "律师陈明"}


def test_the_roster_counts_open_cases(world: CaseWorld) -> None:
    assigned_case(world)
    assigned_case(world)
    loads = {mediator.name: mediator.open_cases for mediator in mediator_roster(world.staff)}  # type: ignore[attr-defined]
    assert loads == {"调解员老周": 2, "律师陈明": 0, "调解员老郑": 0}


# --- the pages --------------------------------------------------------------------------------------------------------


def test_the_roster_page_shows_the_load_and_edit_links_where_allowed(world: CaseWorld) -> None:
    world.mediator.max_open_cases = 1
    world.mediator.save(update_fields=["max_open_cases"])
    assigned_case(world)
    page = client_for(world.staff).get(reverse("mediation:mediator-list"))
    assert page.status_code == 200
    assert b"1 / 1" in page.content
    assert b"Full" in page.content
    assert reverse("mediation:mediator-edit", args=[world.mediator.pk]).encode() in page.content
    assert reverse("mediation:mediator-edit", args=[world.lawyer.pk]).encode() not in page.content
    grid_page = client_for(world.grid_worker).get(reverse("mediation:mediator-list"))
    assert grid_page.status_code == 200
    assert b'data-testid="mediator-edit"' not in grid_page.content
    assert b'data-testid="mediator-add"' not in grid_page.content


def test_the_create_form_adds_and_names_the_wrong_field(world: CaseWorld) -> None:
    client = client_for(world.staff)
    url = reverse("mediation:mediator-create")
    data = {
        "name": "民警小马",
        "kind": MediatorKind.POLICE,
        "place": world.tree.community.pk,
        "communities": [world.tree.community.pk],
        "dispute_types": [DisputeType.NEIGHBOUR],
        "available": "on",
        "max_open_cases": 4,
        "username": world.grid_worker.username,
    }
    assert client.get(url).status_code == 200
    refused = client.post(url, {**data, "name": ""})
    assert refused.status_code == 400
    assert b'data-testid="error-name"' in refused.content
    unknown = client.post(url, {**data, "username": "nobody-here"})
    assert unknown.status_code == 400
    assert b'data-testid="error-username"' in unknown.content
    assert client.post(url, data).status_code == 302
    mediator = Mediator.objects.get(name="民警小马")
    assert mediator.user == world.grid_worker
    assert mediator.max_open_cases == 4


def test_the_create_form_cannot_place_a_mediator_outside_scope(world: CaseWorld) -> None:
    data = {"name": "X", "kind": MediatorKind.POLICE, "place": world.tree.community2.pk, "max_open_cases": 4}
    response = client_for(world.staff).post(reverse("mediation:mediator-create"), data)
    assert response.status_code == 400  # not a choice
    assert not Mediator.objects.filter(name="X").exists()
    assert client_for(world.grid_worker).post(reverse("mediation:mediator-create"), data).status_code == 403


def test_the_edit_form_changes_availability(world: CaseWorld) -> None:
    url = reverse("mediation:mediator-edit", args=[world.mediator.pk])
    client = client_for(world.staff)
    page = client.get(url)
    assert page.status_code == 200
    assert "调解员老周".encode() in page.content
    data = {
        "name": "调解员老周",
        "kind": MediatorKind.PEOPLES_MEDIATOR,
        "place": world.tree.community.pk,
        "communities": [world.tree.community.pk],
        "dispute_types": [DisputeType.NEIGHBOUR, DisputeType.FAMILY],
        "max_open_cases": 5,
    }  # "available" unticked
    assert client.post(url, data).status_code == 302
    world.mediator.refresh_from_db()
    assert not world.mediator.available


@pytest.mark.parametrize(
    ("who", "target", "status"),
    [
        ("staff2", "mediator", 404),
        ("staff", "lawyer", 404),
        ("staff", "far_mediator", 404),
        ("grid_worker", "mediator", 403),
        ("street2_staff", "mediator", 404),
    ],
)
def test_the_edit_form_is_out_of_reach_outside_scope(world: CaseWorld, who: str, target: str, status: int) -> None:
    mediator: Mediator = getattr(world, target)
    url = reverse("mediation:mediator-edit", args=[mediator.pk])
    response = client_for(getattr(world, who)).post(url, {"name": "改名", "kind": mediator.kind, "max_open_cases": 1})
    assert response.status_code == status
    mediator.refresh_from_db()
    assert mediator.name != "改名"
