"""The employer's pages (/unit/): only a unit's contacts get in; each sees the members who name their unit as
employer, across communities, and no one else's (404)."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from gridwork.accounts.tests.factories import make_resident_user
from gridwork.party.models import RegistrationState, UnitRegistration
from gridwork.party.registrations import unit_registration_submit
from gridwork.party.tests.factories import World, confirmed, contact_of, make_world, submit
from gridwork.places.tests.factories import CityTree

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(tree: CityTree) -> World:
    return make_world(tree)


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _members(world: World) -> dict[str, Any]:
    """Two members of ``unit`` in two communities, one of ``unit2``, one of ``unit`` still pending."""
    return {
        "ours": confirmed(world),
        "ours_elsewhere": confirmed(
            world,
            user=make_resident_user(phone="13900002222"),
            name="王五",
            phone="13900002222",
            community=world.tree.community2,
            building=world.building2,
        ),
        "theirs": confirmed(
            world,
            user=make_resident_user(phone="13900003333"),
            name="赵六",
            phone="13900003333",
            employer="明川自来水公司",
            employer_unit=world.unit2,
        ),
        "pending": submit(world, user=make_resident_user(phone="13900004444"), name="孙八", phone="13900004444"),
    }


def test_the_anonymous_are_sent_to_sign_in_and_non_contacts_refused(world: World) -> None:
    members = _members(world)
    urls = [
        reverse("unit:home"),
        reverse("unit:register"),
        reverse("unit:member", args=[members["ours"].pk]),
    ]
    registration = unit_registration_submit(actor=world.staff, unit=world.unit, community=world.tree.community)
    withdraw = reverse("unit:registration-withdraw", args=[registration.pk])
    resident, staff = _client(make_resident_user(phone="13700001111")), _client(world.staff)
    for url in urls:
        assert Client().get(url)["Location"].startswith(reverse("accounts:login")), url
        assert resident.get(url).status_code == 403, url
        assert staff.get(url).status_code == 403, url  # staff of the community are not the employer
    assert Client().post(withdraw)["Location"].startswith(reverse("accounts:login"))
    assert resident.post(withdraw).status_code == 403
    assert UnitRegistration.objects.get(pk=registration.pk).state == RegistrationState.PENDING


def test_a_contact_sees_the_units_members_across_communities_and_no_one_elses(world: World) -> None:
    members = _members(world)
    html = _client(contact_of(world.unit, "13900005555")).get(reverse("unit:home")).content.decode()
    for key, shown in (("ours", True), ("ours_elsewhere", True), ("theirs", False), ("pending", False)):
        assert (reverse("unit:member", args=[members[key].pk]) in html) is shown, key
    assert "王五" in html
    assert "秋实社区" in html
    assert "赵六" not in html


def test_an_employer_cannot_see_another_employers_member(world: World) -> None:
    members = _members(world)
    client = _client(contact_of(world.unit, "13900005555"))
    assert client.get(reverse("unit:member", args=[members["theirs"].pk])).status_code == 404
    assert client.get(reverse("unit:member", args=[members["pending"].pk])).status_code == 404
    theirs = _client(contact_of(world.unit2, "13900006666"))
    assert theirs.get(reverse("unit:member", args=[members["ours"].pk])).status_code == 404
    assert theirs.get(reverse("unit:member", args=[members["theirs"].pk])).status_code == 200


def test_a_members_page_leaves_room_for_the_record_and_evaluation_without_figures(world: World) -> None:
    members = _members(world)
    response = _client(contact_of(world.unit, "13900005555")).get(reverse("unit:member", args=[members["ours"].pk]))
    html = response.content.decode()
    assert response.status_code == 200
    assert 'data-testid="performance-record"' in html
    assert 'data-testid="dual-evaluation"' in html
    assert "李明华" in html
    assert "139****1111" in html
    assert "13900001111" not in html


def test_a_contact_registers_the_unit_with_a_community_and_withdraws_it(world: World) -> None:
    client = _client(contact_of(world.unit, "13900005555"))
    page = client.get(reverse("unit:register")).content.decode()
    assert world.unit.name in page
    assert world.unit2.name not in page
    forged = client.post(reverse("unit:register"), {"unit": world.unit2.pk, "community": world.tree.community.code})
    assert forged.status_code == 400
    assert not UnitRegistration.objects.exists()
    done = client.post(
        reverse("unit:register"), {"unit": world.unit.pk, "community": world.tree.community2.code, "offers": "义诊"}
    )
    assert done.status_code == 302
    registration = UnitRegistration.objects.get()
    assert (registration.unit, registration.community) == (world.unit, world.tree.community2)
    again = client.post(reverse("unit:register"), {"unit": world.unit.pk, "community": world.tree.community2.code})
    assert again.status_code == 400
    other = _client(contact_of(world.unit2, "13900006666"))
    withdraw = reverse("unit:registration-withdraw", args=[registration.pk])
    assert other.post(withdraw, {"expected_version": 1}).status_code == 404
    assert client.post(withdraw, {"expected_version": 5}).status_code == 409
    assert client.post(withdraw, {"expected_version": 1}).status_code == 302
    assert UnitRegistration.objects.get().state == RegistrationState.WITHDRAWN


def test_a_rejected_unit_registration_shows_its_reason_to_the_contact(world: World) -> None:
    from gridwork.party.registrations import unit_registration_reject

    contact = contact_of(world.unit, "13900005555")
    registration = unit_registration_submit(actor=contact, unit=world.unit, community=world.tree.community)
    unit_registration_reject(
        actor=world.staff, registration=registration, reason="请补充党组织信息", expected_version=1
    )
    html = _client(contact).get(reverse("unit:home")).content.decode()
    assert "请补充党组织信息" in html
