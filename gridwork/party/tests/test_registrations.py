"""Writing the registrations (gridwork/party/registrations.py): validation field by field, one pending at a time,
moves with history, who may decide, reasons, stale pages; units' registrations and their contacts."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError

from gridwork.accounts.roles import Role
from gridwork.accounts.tests.factories import make_resident_user, make_staff
from gridwork.audit.models import AuditEvent
from gridwork.common.flows import MoveRefused, StaleState
from gridwork.party.models import (
    MemberRegistration,
    RegistrationEvent,
    RegistrationState,
    UnitContact,
    UnitRegistration,
    UnitRegistrationEvent,
)
from gridwork.party.registrations import (
    registration_confirm,
    registration_reject,
    registration_withdraw,
    unit_contact_add,
    unit_registration_confirm,
    unit_registration_reject,
    unit_registration_submit,
    unit_registration_withdraw,
)
from gridwork.party.selectors import member_registration_of
from gridwork.party.skills import Skill
from gridwork.party.tests.factories import World, confirmed, contact_of, make_world, submit
from gridwork.places.tests.factories import CityTree

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(tree: CityTree) -> World:
    return make_world(tree)


def _snapshot(registration: Any) -> tuple[Any, ...]:
    stored = type(registration).objects.get(pk=registration.pk)
    return stored.state, stored.version, stored.reason, stored.events.count()


# --- submitting -------------------------------------------------------------------------------------------------------


def test_a_member_submits_a_pending_registration_with_its_first_event(world: World) -> None:
    registration = submit(world, phone="+86 139-0000-1111", skills=["it_help", "tutoring", "it_help"], name=" 李明华 ")
    stored = MemberRegistration.objects.get(pk=registration.pk)
    assert (stored.state, stored.version, stored.user_id) == (RegistrationState.PENDING, 1, world.member.pk)
    assert (stored.name, stored.phone) == ("李明华", "13900001111")
    assert stored.skills == [Skill.TUTORING, Skill.IT_HELP]  # each once, in the list's order
    assert stored.transferred_from is None
    event = RegistrationEvent.objects.get(subject=stored)
    assert (event.sequence, event.action, event.to_state) == (1, "create", "pending")
    assert event.data == {"community": world.tree.community.code, "building": world.building.code}
    assert member_registration_of(world.member) is None  # not a member until confirmed


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"name": ""}, "name"),
        ({"name": "李" * 51}, "name"),
        ({"phone": "12345"}, "phone"),
        ({"phone": ""}, "phone"),
        ({"employer": "  "}, "employer"),
        ({"employer": "x" * 121}, "employer"),
        ({"employer_party_organisation": ""}, "employer_party_organisation"),
        ({"employer_party_organisation": "x" * 121}, "employer_party_organisation"),
        ({"skills": ["flying"]}, "skills"),
    ],
)
def test_each_wrong_value_is_named_by_its_field_and_nothing_is_saved(
    world: World, values: dict[str, Any], field: str
) -> None:
    with pytest.raises(ValidationError) as refused:
        submit(world, **values)
    assert set(refused.value.message_dict) == {field}
    assert not MemberRegistration.objects.exists()


def test_the_community_must_be_a_community_and_the_building_a_building_under_it(world: World) -> None:
    tree = world.tree
    cases = [
        ({"community": tree.street}, "community", "Choose a community, not a Street."),
        ({"building": tree.grid}, "building", "Choose a building (micro-grid), not a Grid."),
        ({"building": world.building2}, "building", "This building is not in 春晖社区; choose one of its buildings."),
    ]
    for values, field, message in cases:
        with pytest.raises(ValidationError) as refused:
            submit(world, **values)
        assert refused.value.message_dict == {field: [message]}
    from gridwork.party.registrations import registration_submit

    with pytest.raises(ValidationError) as refused:
        registration_submit(
            actor=world.member,
            name="",
            phone="1",
            employer="",
            employer_party_organisation="",
            employer_unit=None,
            community=None,
            building=None,
            skills=["?"],
        )
    assert set(refused.value.message_dict) == {
        "name",
        "phone",
        "employer",
        "employer_party_organisation",
        "community",
        "building",
        "skills",
    }
    assert not MemberRegistration.objects.exists()


def test_a_signed_out_visitor_cannot_submit(world: World) -> None:
    with pytest.raises(PermissionDenied):
        submit(world, user=AnonymousUser())  # type: ignore[arg-type]


def test_one_pending_registration_at_a_time(world: World) -> None:
    first = submit(world)
    with pytest.raises(ValidationError) as refused:
        submit(world, community=world.tree.community2, building=world.building2)
    assert refused.value.message_dict[NON_FIELD_ERRORS] == [
        "Your registration with 春晖社区 is awaiting confirmation. Wait for the community's answer, "
        "or withdraw it first."
    ]
    assert list(MemberRegistration.objects.values_list("pk", flat=True)) == [first.pk]
    registration_reject(actor=world.staff, registration=first, reason="查无此人", expected_version=1)
    again = submit(world)
    assert again.state == RegistrationState.PENDING


def test_a_member_already_registered_with_the_community_cannot_register_there_again(world: World) -> None:
    confirmed(world)
    with pytest.raises(ValidationError) as refused:
        submit(world, building=world.building_b)
    assert refused.value.message_dict == {
        "community": ["You are already registered with 春晖社区. To move, choose your new community."]
    }


# --- moving: a transfer with history ----------------------------------------------------------------------------------


def test_a_move_holds_the_old_registration_until_the_new_community_confirms(world: World) -> None:
    old = confirmed(world)
    new = submit(world, community=world.tree.community2, building=world.building2)
    assert new.transferred_from_id == old.pk
    assert RegistrationEvent.objects.get(subject=new).data["moved_from"] == old.pk
    assert MemberRegistration.objects.get(pk=old.pk).state == RegistrationState.CONFIRMED
    assert member_registration_of(world.member) == old

    registration_confirm(actor=world.staff2, registration=new, expected_version=1)

    old.refresh_from_db()
    new.refresh_from_db()
    assert (old.state, new.state) == (RegistrationState.TRANSFERRED, RegistrationState.CONFIRMED)
    assert new.transferred_from_id == old.pk
    assert new.confirmed_at is not None
    assert member_registration_of(world.member) == new
    transfer = RegistrationEvent.objects.get(subject=old, action="transfer_out")
    assert (transfer.from_state, transfer.to_state, transfer.note) == ("confirmed", "transferred", "秋实社区")
    assert transfer.data == {"to_registration": new.pk, "to_community": world.tree.community2.code}
    assert transfer.actor_id == world.staff2.pk
    assert RegistrationEvent.objects.get(subject=new, action="confirm").data == {"moved_from": old.pk}
    assert [e.action for e in old.events.order_by("sequence")] == ["create", "confirm", "transfer_out"]


def test_a_rejected_move_keeps_the_old_registration_and_a_later_move_still_works(world: World) -> None:
    old = confirmed(world)
    refused = submit(world, community=world.tree.community2, building=world.building2)
    registration_reject(actor=world.staff2, registration=refused, reason="楼栋不符", expected_version=1)
    refused.refresh_from_db()
    assert refused.transferred_from is None  # the link goes; the event keeps it
    assert RegistrationEvent.objects.get(subject=refused, action="reject").data == {"moved_from": old.pk}
    assert member_registration_of(world.member) == old
    moved = submit(world, community=world.tree.community2, building=world.building2)
    registration_confirm(actor=world.staff2, registration=moved, expected_version=1)
    assert MemberRegistration.objects.get(pk=old.pk).state == RegistrationState.TRANSFERRED
    assert MemberRegistration.objects.get(pk=moved.pk).transferred_from_id == old.pk


def test_withdrawing_a_pending_move_keeps_the_old_registration(world: World) -> None:
    old = confirmed(world)
    move = submit(world, community=world.tree.community2, building=world.building2)
    registration_withdraw(actor=world.member, registration=move)
    move.refresh_from_db()
    assert (move.state, move.transferred_from) == (RegistrationState.WITHDRAWN, None)
    assert member_registration_of(world.member) == old


# --- deciding ---------------------------------------------------------------------------------------------------------


def test_another_communitys_staff_can_neither_confirm_nor_reject_and_nothing_changes(world: World) -> None:
    registration = submit(world)
    grid_worker = make_staff(role=Role.GRID_WORKER, place=world.tree.grid, username="grid")
    before = _snapshot(registration)
    for outsider in (world.staff2, grid_worker, world.member):
        with pytest.raises(PermissionDenied):
            registration_confirm(actor=outsider, registration=registration, expected_version=1)
        with pytest.raises(PermissionDenied):
            registration_reject(actor=outsider, registration=registration, reason="no", expected_version=1)
    assert _snapshot(registration) == before


def test_the_street_above_may_confirm(world: World) -> None:
    registration = submit(world)
    registration_confirm(actor=world.street_staff, registration=registration, expected_version=1)
    assert MemberRegistration.objects.get(pk=registration.pk).state == RegistrationState.CONFIRMED


def test_a_rejection_needs_a_reason_and_keeps_it_for_the_member(world: World) -> None:
    registration = submit(world)
    before = _snapshot(registration)
    for reason in ("", "   ", "x" * 501):
        with pytest.raises(ValidationError) as refused:
            registration_reject(actor=world.staff, registration=registration, reason=reason, expected_version=1)
        assert set(refused.value.message_dict) == {"reason"}
    assert _snapshot(registration) == before
    registration_reject(actor=world.staff, registration=registration, reason=" 本小区无此楼栋住户 ", expected_version=1)
    stored = MemberRegistration.objects.get(pk=registration.pk)
    assert (stored.state, stored.reason) == (RegistrationState.REJECTED, "本小区无此楼栋住户")
    assert RegistrationEvent.objects.get(subject=stored, action="reject").note == "本小区无此楼栋住户"


def test_a_stale_version_is_refused_and_nothing_changes(world: World) -> None:
    registration = submit(world)
    stale_copy = MemberRegistration.objects.get(pk=registration.pk)
    registration_reject(actor=world.staff, registration=registration, reason="重复", expected_version=1)
    before = _snapshot(registration)
    with pytest.raises(StaleState):
        registration_confirm(actor=world.staff, registration=stale_copy, expected_version=1)
    fresh = MemberRegistration.objects.get(pk=registration.pk)
    with pytest.raises(StaleState):
        registration_confirm(actor=world.staff, registration=fresh, expected_version=1)
    with pytest.raises(MoveRefused):
        registration_confirm(actor=world.staff, registration=fresh, expected_version=fresh.version)
    assert _snapshot(registration) == before


def test_only_the_member_withdraws_and_a_withdrawn_member_is_no_longer_registered(world: World) -> None:
    registration = confirmed(world)
    other = make_resident_user(phone="13900002222")
    for outsider in (other, world.staff):
        with pytest.raises(PermissionDenied):
            registration_withdraw(actor=outsider, registration=registration)
    assert member_registration_of(world.member) == registration
    registration_withdraw(actor=world.member, registration=registration, expected_version=registration.version)
    assert MemberRegistration.objects.get(pk=registration.pk).state == RegistrationState.WITHDRAWN
    assert member_registration_of(world.member) is None


# --- units' registrations (单位报到) and contacts ------------------------------------------------------------------


def test_staff_record_a_units_registration_only_for_a_unit_and_community_of_their_scope(world: World) -> None:
    registration = unit_registration_submit(
        actor=world.staff, unit=world.unit, community=world.tree.community, offers="党员志愿者 20 人"
    )
    assert (registration.state, registration.version) == (RegistrationState.PENDING, 1)
    assert UnitRegistrationEvent.objects.get(subject=registration).data["by_contact"] is False
    with pytest.raises(PermissionDenied):
        unit_registration_submit(actor=world.staff2, unit=world.unit, community=world.tree.community2)
    with pytest.raises(ValidationError) as refused:
        unit_registration_submit(actor=world.staff, unit=world.unit, community=world.tree.community2)
    assert set(refused.value.message_dict) == {"community"}
    assert UnitRegistration.objects.count() == 1


def test_a_unit_contact_registers_with_any_community_once_at_a_time(world: World) -> None:
    contact = contact_of(world.unit, "13900003333")
    registration = unit_registration_submit(actor=contact, unit=world.unit, community=world.tree.community2)
    with pytest.raises(ValidationError) as refused:
        unit_registration_submit(actor=contact, unit=world.unit, community=world.tree.community2)
    assert set(refused.value.message_dict) == {"community"}
    with pytest.raises(ValidationError) as refused:
        unit_registration_submit(actor=contact, unit=world.unit, community=world.tree.street, offers="x" * 2001)
    assert set(refused.value.message_dict) == {"community", "offers"}
    with pytest.raises(PermissionDenied):  # a contact of one unit does not speak for another
        unit_registration_submit(actor=contact, unit=world.unit2, community=world.tree.community2)
    unit_registration_reject(actor=world.staff2, registration=registration, reason="材料不全", expected_version=1)
    unit_registration_submit(actor=contact, unit=world.unit, community=world.tree.community2)


def test_a_units_registration_is_decided_by_its_community_only(world: World) -> None:
    contact = contact_of(world.unit, "13900003333")
    registration = unit_registration_submit(actor=contact, unit=world.unit, community=world.tree.community)
    before = _snapshot(registration)
    with pytest.raises(PermissionDenied):
        unit_registration_confirm(actor=world.staff2, registration=registration, expected_version=1)
    with pytest.raises(PermissionDenied):
        unit_registration_confirm(actor=contact, registration=registration, expected_version=1)
    with pytest.raises(ValidationError):
        unit_registration_reject(actor=world.staff, registration=registration, reason="", expected_version=1)
    with pytest.raises(StaleState):
        unit_registration_confirm(actor=world.staff, registration=registration, expected_version=7)
    assert _snapshot(registration) == before
    unit_registration_confirm(actor=world.staff, registration=registration, expected_version=1)
    assert UnitRegistration.objects.get(pk=registration.pk).state == RegistrationState.CONFIRMED
    stranger = make_resident_user(phone="13900004444")
    with pytest.raises(PermissionDenied):
        unit_registration_withdraw(actor=stranger, registration=registration)
    unit_registration_withdraw(actor=contact, registration=registration)
    assert UnitRegistration.objects.get(pk=registration.pk).state == RegistrationState.WITHDRAWN


def test_a_unit_contact_is_added_by_staff_of_the_units_place_and_audited(world: World) -> None:
    person = make_resident_user(phone="13900005555")
    with pytest.raises(PermissionDenied):
        unit_contact_add(actor=world.staff2, unit=world.unit, user=person)
    with pytest.raises(PermissionDenied):
        unit_contact_add(actor=person, unit=world.unit, user=person)
    with pytest.raises(ValidationError) as refused:
        unit_contact_add(actor=world.staff, unit=world.unit, user=None)
    assert set(refused.value.message_dict) == {"account"}
    assert not UnitContact.objects.exists()
    contact = unit_contact_add(actor=world.staff, unit=world.unit, user=person)
    audit = AuditEvent.objects.get(action="unit_contact.add")
    assert (audit.actor_id, audit.object_id) == (world.staff.pk, str(contact.pk))
    assert audit.detail["unit"] == world.unit.pk
    with pytest.raises(ValidationError):
        unit_contact_add(actor=world.staff, unit=world.unit, user=person)
    assert UnitContact.objects.count() == 1
