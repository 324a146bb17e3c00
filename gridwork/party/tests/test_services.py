"""Writing party organisations and members (gridwork/party/services.py)."""

from __future__ import annotations

import datetime
from collections.abc import Iterator

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone, translation

from gridwork.accounts.models import User
from gridwork.accounts.roles import Role
from gridwork.accounts.tests.factories import make_staff
from gridwork.audit.models import AuditEvent
from gridwork.party.models import PartyMember, PartyOrganisation, PartyOrgKind
from gridwork.party.services import (
    party_member_create,
    party_organisation_create,
    party_organisation_errors,
    party_organisation_move,
)
from gridwork.places.tests.factories import CityTree


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    """The messages are checked in their English source text, whatever translations exist."""
    with translation.override("en"):
        yield


@pytest.fixture
def street_staff(tree: CityTree) -> User:
    return make_staff(role=Role.STREET_STAFF, place=tree.street, username="street1")


@pytest.fixture
def committees(tree: CityTree, street_staff: User) -> tuple[PartyOrganisation, PartyOrganisation]:
    working = party_organisation_create(
        actor=street_staff,
        code="DGW001",
        name="望江街道大工委",
        kind=PartyOrgKind.WORKING_COMMITTEE,
        parent=None,
        place=tree.street,
    )
    community = party_organisation_create(
        actor=street_staff,
        code="DDW001",
        name="春晖社区大党委",
        kind=PartyOrgKind.COMMUNITY_COMMITTEE,
        parent=working,
        place=tree.community,
    )
    return working, community


def errors_of(excinfo: pytest.ExceptionInfo[ValidationError]) -> dict[str, list[str]]:
    return excinfo.value.message_dict


# --- rules -----------------------------------------------------------------------------------------------


def test_rules_accept_a_branch_of_a_grid_under_its_community_committee() -> None:
    errors = party_organisation_errors(
        code="ZB1",
        name="第一网格党支部",
        kind=PartyOrgKind.BRANCH,
        parent_kind=PartyOrgKind.COMMUNITY_COMMITTEE,
        parent_place_path="/c/d/s/m/",
        place_level="grid",
        place_path="/c/d/s/m/g/",
    )
    assert errors == {}


@pytest.mark.parametrize(
    ("kind", "parent_kind", "place_level", "field"),
    [
        (PartyOrgKind.BRANCH, PartyOrgKind.WORKING_COMMITTEE, "grid", "parent"),
        (PartyOrgKind.BRANCH, None, "grid", "parent"),
        (PartyOrgKind.WORKING_COMMITTEE, PartyOrgKind.WORKING_COMMITTEE, "street", "parent"),
        (PartyOrgKind.GROUP, PartyOrgKind.BRANCH, "community", "place"),
        ("club", None, "street", "kind"),
    ],
)
def test_rules_refuse_wrong_kinds_and_levels(kind: str, parent_kind: str | None, place_level: str, field: str) -> None:
    errors = party_organisation_errors(
        code="X1",
        name="x",
        kind=kind,
        parent_kind=parent_kind,
        parent_place_path=None,
        place_level=place_level,
        place_path=None,
    )
    assert field in errors


# --- organisations ---------------------------------------------------------------------------------------


def test_create_an_organisation_with_audit(committees: tuple[PartyOrganisation, PartyOrganisation]) -> None:
    working, community = committees
    assert community.parent == working
    assert AuditEvent.objects.filter(action="party_organisation.create").count() == 2


def test_create_refuses_a_place_outside_the_parent_place(
    tree: CityTree, street_staff: User, committees: tuple[PartyOrganisation, PartyOrganisation]
) -> None:
    _, community = committees
    with pytest.raises(ValidationError) as excinfo:
        party_organisation_create(
            actor=street_staff,
            code="ZB9",
            name="秋实社区第一网格党支部",
            kind=PartyOrgKind.BRANCH,
            parent=community,  # 春晖社区大党委
            place=tree.community2.children.get(),
        )
    assert "place" in errors_of(excinfo)


def test_create_refuses_a_taken_code_and_wrong_level(
    tree: CityTree, street_staff: User, committees: tuple[PartyOrganisation, PartyOrganisation]
) -> None:
    _, community = committees
    with pytest.raises(ValidationError) as excinfo:
        party_organisation_create(
            actor=street_staff,
            code="DDW001",
            name="x",
            kind=PartyOrgKind.BRANCH,
            parent=community,
            place=tree.household,
        )
    assert {"code", "place"} <= set(errors_of(excinfo))


def test_create_outside_scope_is_denied(tree: CityTree) -> None:
    other = make_staff(role=Role.STREET_STAFF, place=tree.street2, username="street2")
    with pytest.raises(PermissionDenied):
        party_organisation_create(
            actor=other, code="DGW9", name="x", kind=PartyOrgKind.WORKING_COMMITTEE, parent=None, place=tree.street
        )


def test_move_refuses_itself_and_descendants(
    tree: CityTree, street_staff: User, committees: tuple[PartyOrganisation, PartyOrganisation]
) -> None:
    _, community = committees
    first = party_organisation_create(
        actor=street_staff,
        code="GN1",
        name="物业功能型党组织",
        kind=PartyOrgKind.FUNCTIONAL,
        parent=community,
        place=tree.community,
    )
    second = party_organisation_create(
        actor=street_staff,
        code="GN2",
        name="楼宇功能型党组织",
        kind=PartyOrgKind.FUNCTIONAL,
        parent=first,
        place=tree.grid,
    )
    third = party_organisation_create(
        actor=street_staff,
        code="GN3",
        name="快递功能型党组织",
        kind=PartyOrgKind.FUNCTIONAL,
        parent=second,
        place=tree.grid,
    )
    for new_parent in (first, second, third):
        with pytest.raises(ValidationError) as excinfo:
            party_organisation_move(actor=street_staff, organisation=first, parent=new_parent)
        assert "cannot sit under itself" in errors_of(excinfo)["parent"][0]
    assert PartyOrganisation.objects.get(pk=first.pk).parent_id == community.pk

    moved = party_organisation_move(actor=street_staff, organisation=third, parent=first)
    assert moved.parent_id == first.pk
    assert AuditEvent.objects.filter(action="party_organisation.move").count() == 1


def test_move_refuses_a_parent_of_the_wrong_kind(
    tree: CityTree, street_staff: User, committees: tuple[PartyOrganisation, PartyOrganisation]
) -> None:
    working, community = committees
    branch = party_organisation_create(
        actor=street_staff,
        code="ZB1",
        name="第一网格党支部",
        kind=PartyOrgKind.BRANCH,
        parent=community,
        place=tree.grid,
    )
    with pytest.raises(ValidationError) as excinfo:
        party_organisation_move(actor=street_staff, organisation=branch, parent=working)
    assert "parent" in errors_of(excinfo)


# --- members ---------------------------------------------------------------------------------------------


def test_create_a_member(
    tree: CityTree, street_staff: User, committees: tuple[PartyOrganisation, PartyOrganisation]
) -> None:
    _, community = committees
    member = party_member_create(
        actor=street_staff,
        name="李红",
        phone="139-1234-5678",
        organisation=community,
        in_service=True,
        employer="明川市第一中学",
        household=tree.household,
        joined_on=datetime.date(2001, 7, 1),
    )
    assert member.phone == "13912345678"
    assert AuditEvent.objects.get(action="party_member.create").detail == {
        "organisation": "DDW001",
        "in_service": True,
    }


@pytest.mark.parametrize("phone", ["12912345678", "1391234567", "139123456789", "abc"])
def test_member_phone_must_be_a_mainland_mobile(
    street_staff: User, committees: tuple[PartyOrganisation, PartyOrganisation], phone: str
) -> None:
    with pytest.raises(ValidationError) as excinfo:
        party_member_create(actor=street_staff, name="李红", phone=phone, organisation=committees[1])
    assert "phone" in errors_of(excinfo)


def test_in_service_member_needs_an_employer(
    street_staff: User, committees: tuple[PartyOrganisation, PartyOrganisation]
) -> None:
    with pytest.raises(ValidationError) as excinfo:
        party_member_create(actor=street_staff, name="李红", organisation=committees[1], in_service=True)
    assert "employer" in errors_of(excinfo)
    assert not PartyMember.objects.exists()


def test_member_rules_refuse_future_date_wrong_household_and_repeated_phone(
    tree: CityTree, street_staff: User, committees: tuple[PartyOrganisation, PartyOrganisation]
) -> None:
    organisation = committees[1]
    party_member_create(actor=street_staff, name="李红", phone="13912345678", organisation=organisation)
    with pytest.raises(ValidationError) as excinfo:
        party_member_create(
            actor=street_staff,
            name="王明",
            phone="13912345678",
            organisation=organisation,
            joined_on=timezone.localdate() + datetime.timedelta(days=1),
            household=tree.microgrid,
        )
    assert {"phone", "joined_on", "household"} <= set(errors_of(excinfo))
    assert PartyMember.objects.count() == 1
