"""Registering and editing resident units: every field checked and named, the place within the actor's area and at
the level of a community or street, the credit code valid and unique, nothing saved on a refusal, and an audit row
with the values before and after (the contact masked)."""

from __future__ import annotations

from dataclasses import replace

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from gridwork.audit.models import AuditEvent
from gridwork.people.models import ResidentUnit, ResidentUnitKind
from gridwork.people.services import UnitValues, resident_unit_create, resident_unit_update
from gridwork.people.tests.factories import Staff, make_staff_of, make_unit, valid_code
from gridwork.places.tests.factories import CityTree

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(tree: CityTree) -> Staff:
    return make_staff_of(tree)


def values(tree: CityTree, **changes: object) -> UnitValues:
    base = UnitValues(
        credit_code=valid_code(1),
        name="明川第一中学",
        kind=ResidentUnitKind.SCHOOL,
        place=tree.community,
        party_organisation_name="明川第一中学党委",
        contact_name="王老师",
        contact_phone="139 0000 1234",
    )
    return replace(base, **changes)  # type: ignore[arg-type]


def errors_of(excinfo: pytest.ExceptionInfo[ValidationError]) -> dict[str, list[str]]:
    return excinfo.value.message_dict


def test_community_staff_register_a_unit_in_their_community_and_it_is_audited(tree: CityTree, staff: Staff) -> None:
    code = valid_code(1)
    unit = resident_unit_create(actor=staff.community, values=values(tree, credit_code=code.lower()))
    assert unit.credit_code == code
    assert unit.contact_phone == "13900001234"
    event = AuditEvent.objects.get(action="resident_unit.create")
    assert event.object_id == str(unit.pk)
    after = event.detail["after"]
    assert after["credit_code"] == code
    assert after["place"] == tree.community.code
    assert after["contact_phone"] == "139****1234"
    assert after["contact_name"] == "王*师"


def test_street_staff_register_units_at_the_street_or_its_communities(tree: CityTree, staff: Staff) -> None:
    at_street = resident_unit_create(actor=staff.street, values=values(tree, place=tree.street))
    in_community2 = resident_unit_create(
        actor=staff.street, values=values(tree, credit_code=valid_code(2), place=tree.community2)
    )
    assert at_street.place == tree.street
    assert in_community2.place == tree.community2


def test_every_wrong_field_is_named_and_nothing_is_saved(tree: CityTree, staff: Staff) -> None:
    bad = UnitValues(
        credit_code="91350100M000100Y44",
        name="",
        kind="bank",
        place=tree.grid,
        party_organisation_name="党" * 121,
        contact_name="",
        contact_phone="12345",
    )
    with pytest.raises(ValidationError) as excinfo:
        resident_unit_create(actor=staff.community, values=bad)
    errors = errors_of(excinfo)
    assert set(errors) == {
        "credit_code",
        "name",
        "kind",
        "place",
        "party_organisation_name",
        "contact_phone",
        "contact_name",
    }
    assert "check character" in errors["credit_code"][0]
    assert "not a Grid" in errors["place"][0]
    assert not ResidentUnit.objects.exists()
    assert not AuditEvent.objects.filter(action__startswith="resident_unit").exists()


def test_a_landline_with_its_area_code_is_a_contact_phone(tree: CityTree, staff: Staff) -> None:
    unit = resident_unit_create(actor=staff.community, values=values(tree, contact_phone="0851-85551234"))
    assert unit.contact_phone == "0851-85551234"


def test_a_place_outside_the_actors_area_is_refused_on_the_field(tree: CityTree, staff: Staff) -> None:
    with pytest.raises(ValidationError) as excinfo:
        resident_unit_create(actor=staff.street2, values=values(tree))
    assert "outside" in errors_of(excinfo)["place"][0]
    with pytest.raises(ValidationError) as excinfo:
        resident_unit_create(actor=staff.community, values=values(tree, place=tree.street))
    assert "outside" in errors_of(excinfo)["place"][0]
    with pytest.raises(ValidationError):
        resident_unit_create(actor=staff.grid, values=values(tree, place=tree.community))
    assert not ResidentUnit.objects.exists()


def test_a_credit_code_is_registered_once(tree: CityTree, staff: Staff) -> None:
    resident_unit_create(actor=staff.community, values=values(tree))
    with pytest.raises(ValidationError) as excinfo:
        resident_unit_create(actor=staff.community2, values=values(tree, place=tree.community2, name="另一个单位"))
    assert "already registered" in errors_of(excinfo)["credit_code"][0]
    assert ResidentUnit.objects.count() == 1


def test_an_edit_saves_what_changed_and_audits_before_and_after(tree: CityTree, staff: Staff) -> None:
    unit = make_unit(tree.community, credit_code=valid_code(5))
    new_code = valid_code(6)
    resident_unit_update(
        actor=staff.community,
        unit=unit,
        values=UnitValues(
            credit_code=new_code,
            name=unit.name,
            kind=ResidentUnitKind.GOVERNMENT,
            place=tree.community,
            party_organisation_name=unit.party_organisation_name,
            contact_name="李四",
            contact_phone="13900002222",
        ),
    )
    unit.refresh_from_db()
    assert (unit.credit_code, unit.kind, unit.contact_name) == (new_code, ResidentUnitKind.GOVERNMENT, "李四")
    event = AuditEvent.objects.get(action="resident_unit.update")
    assert event.detail["changed"] == ["credit_code", "kind", "contact_name", "contact_phone"]
    assert event.detail["before"] == {
        "credit_code": valid_code(5),
        "kind": ResidentUnitKind.STATE_ENTERPRISE,
        "contact_name": "张*国",
        "contact_phone": "138****5678",
    }
    assert event.detail["after"]["credit_code"] == new_code
    assert event.detail["after"]["contact_phone"] == "139****2222"


def test_an_edit_that_changes_nothing_writes_nothing(tree: CityTree, staff: Staff) -> None:
    unit = make_unit(tree.community)
    same = UnitValues(
        credit_code=unit.credit_code,
        name=unit.name,
        kind=unit.kind,
        place=unit.place,
        party_organisation_name=unit.party_organisation_name,
        contact_name=unit.contact_name,
        contact_phone=unit.contact_phone,
    )
    resident_unit_update(actor=staff.community, unit=unit, values=same)
    assert not AuditEvent.objects.filter(action="resident_unit.update").exists()


def test_keep_contact_keeps_the_contact_an_editor_saw_masked(tree: CityTree, staff: Staff) -> None:
    unit = make_unit(tree.community)
    resident_unit_update(
        actor=staff.street,
        unit=unit,
        values=UnitValues(
            credit_code=unit.credit_code, name="明川供电公司春晖营业所", kind=unit.kind, place=unit.place
        ),
        keep_contact=True,
    )
    unit.refresh_from_db()
    assert unit.name == "明川供电公司春晖营业所"
    assert (unit.contact_name, unit.contact_phone) == ("张建国", "13812345678")


def test_an_edit_of_a_unit_outside_the_area_or_moving_it_out_is_refused(tree: CityTree, staff: Staff) -> None:
    unit = make_unit(tree.community)
    moved = UnitValues(credit_code=unit.credit_code, name=unit.name, kind=unit.kind, place=tree.community2)
    with pytest.raises(PermissionDenied):
        resident_unit_update(actor=staff.community2, unit=unit, values=moved)
    with pytest.raises(ValidationError) as excinfo:
        resident_unit_update(actor=staff.community, unit=unit, values=moved)
    assert "outside" in excinfo.value.message_dict["place"][0]
    unit.refresh_from_db()
    assert unit.place == tree.community
    resident_unit_update(actor=staff.street, unit=unit, values=moved)
    unit.refresh_from_db()
    assert unit.place == tree.community2


def test_an_edit_keeps_the_units_own_credit_code_and_refuses_anothers(tree: CityTree, staff: Staff) -> None:
    unit = make_unit(tree.community)
    other = make_unit(tree.community, name="明川自来水公司")
    taken = UnitValues(credit_code=other.credit_code, name=unit.name, kind=unit.kind, place=unit.place)
    with pytest.raises(ValidationError) as excinfo:
        resident_unit_update(actor=staff.community, unit=unit, values=taken)
    assert "already registered" in excinfo.value.message_dict["credit_code"][0]
