"""Staff pages of resident units: who may open and change what, a form that names each wrong field (400), forged
POSTs for places or units outside the user's area, masking in the list without VIEW_PERSONAL_DATA, and the unit's
page with its registrations, part-time members and contacts."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from gridwork.accounts.tests.factories import make_resident_user
from gridwork.audit.models import AuditEvent
from gridwork.party.models import PartTimeMember, PartyOrganisation, PartyOrgKind, UnitContact
from gridwork.party.registrations import unit_registration_submit
from gridwork.people.models import ResidentUnit, ResidentUnitKind
from gridwork.people.tests.factories import Staff, make_staff_of, make_unit, valid_code
from gridwork.places.tests.factories import CityTree

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(tree: CityTree) -> Staff:
    return make_staff_of(tree)


def client_of(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def form_data(tree: CityTree, **changes: str) -> dict[str, str]:
    data = {
        "name": "明川第一中学",
        "credit_code": valid_code(11),
        "kind": ResidentUnitKind.SCHOOL,
        "place": tree.community.code,
        "party_organisation_name": "明川第一中学党委",
        "contact_name": "王老师",
        "contact_phone": "13900001234",
    }
    data.update(changes)
    return data


def test_the_pages_send_the_anonymous_to_sign_in_and_refuse_residents_and_those_without_the_perm(
    tree: CityTree, staff: Staff
) -> None:
    unit = make_unit(tree.community)
    resident = client_of(make_resident_user(phone="13700001111"))
    grid = client_of(staff.grid)
    for url in (reverse("people:unit-create"), reverse("people:unit-edit", args=[unit.pk])):
        assert Client().get(url).status_code == 302
        assert resident.get(url).status_code == 403
        assert grid.get(url).status_code == 403  # sees units, may not register or edit them
        assert client_of(staff.community).get(url).status_code == 200
    # A grid worker's area is the grid: a unit sitting in the community is not found.
    assert grid.get(reverse("people:unit-detail", args=[unit.pk])).status_code == 404


def test_registering_a_unit_through_the_form(tree: CityTree, staff: Staff) -> None:
    client = client_of(staff.community)
    page = client.get(reverse("people:unit-create"))
    assert tree.community.code in page.content.decode()
    assert tree.community2.code not in page.content.decode()
    response = client.post(reverse("people:unit-create"), form_data(tree))
    unit = ResidentUnit.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("people:unit-detail", args=[unit.pk])
    assert unit.place == tree.community
    assert AuditEvent.objects.filter(action="resident_unit.create", object_id=str(unit.pk)).exists()


def test_a_refused_form_names_each_field_with_400_and_saves_nothing(tree: CityTree, staff: Staff) -> None:
    response = client_of(staff.community).post(
        reverse("people:unit-create"),
        form_data(tree, name="", credit_code="91350100M000100Y44", kind="", place="", contact_phone="12345"),
    )
    assert response.status_code == 400
    body = response.content.decode()
    for field in ("name", "credit_code", "kind", "place", "contact_phone"):
        assert f'data-testid="error-{field}"' in body, field
    assert not ResidentUnit.objects.exists()
    # A forged kind is refused by the form itself.
    response = client_of(staff.community).post(reverse("people:unit-create"), form_data(tree, kind="bank"))
    assert response.status_code == 400
    assert 'data-testid="error-kind"' in response.content.decode()
    assert not ResidentUnit.objects.exists()


def test_another_streets_staff_cannot_register_a_unit_in_my_community_with_a_forged_post(
    tree: CityTree, staff: Staff
) -> None:
    response = client_of(staff.street2).post(reverse("people:unit-create"), form_data(tree))
    assert response.status_code == 400
    assert 'data-testid="error-place"' in response.content.decode()
    response = client_of(staff.community2).post(reverse("people:unit-create"), form_data(tree))
    assert response.status_code == 400
    assert not ResidentUnit.objects.exists()


def test_editing_a_unit_outside_the_area_is_not_found_and_changes_nothing(tree: CityTree, staff: Staff) -> None:
    unit = make_unit(tree.community)
    url = reverse("people:unit-edit", args=[unit.pk])
    for outsider in (staff.community2, staff.street2):
        client = client_of(outsider)
        assert client.get(url).status_code == 404
        data = form_data(tree, name="被篡改", credit_code=unit.credit_code, place=tree.community2.code)
        assert client.post(url, data).status_code == 404
    assert client_of(staff.street2).get(reverse("people:unit-detail", args=[unit.pk])).status_code == 404
    unit.refresh_from_db()
    assert unit.name == "明川供电公司"
    assert not AuditEvent.objects.filter(action="resident_unit.update").exists()


def test_a_forged_place_outside_the_area_on_edit_is_refused_on_the_field(tree: CityTree, staff: Staff) -> None:
    unit = make_unit(tree.community)
    response = client_of(staff.community).post(
        reverse("people:unit-edit", args=[unit.pk]),
        form_data(tree, credit_code=unit.credit_code, place=tree.community2.code),
    )
    assert response.status_code == 400
    assert 'data-testid="error-place"' in response.content.decode()
    unit.refresh_from_db()
    assert unit.place == tree.community


def test_editing_through_the_form_is_audited(tree: CityTree, staff: Staff) -> None:
    unit = make_unit(tree.community)
    response = client_of(staff.community).post(
        reverse("people:unit-edit", args=[unit.pk]),
        form_data(
            tree,
            name="明川供电公司春晖营业所",
            credit_code=unit.credit_code,
            kind=unit.kind,
            party_organisation_name=unit.party_organisation_name,
            contact_name="张建国",
            contact_phone="13812345678",
        ),
    )
    assert response.status_code == 302
    event = AuditEvent.objects.get(action="resident_unit.update")
    assert event.detail == {
        "changed": ["name"],
        "before": {"name": "明川供电公司"},
        "after": {"name": "明川供电公司春晖营业所"},
    }


def test_an_editor_without_personal_data_sees_the_contact_masked_and_keeps_it(tree: CityTree, staff: Staff) -> None:
    unit = make_unit(tree.community)
    client = client_of(staff.street)  # MANAGE_PARTY, no VIEW_PERSONAL_DATA
    page = client.get(reverse("people:unit-edit", args=[unit.pk])).content.decode()
    assert "13812345678" not in page
    assert "138****5678" in page
    data = form_data(
        tree, name="新名称", credit_code=unit.credit_code, kind=unit.kind, contact_name="", contact_phone=""
    )
    assert client.post(reverse("people:unit-edit", args=[unit.pk]), data).status_code == 302
    unit.refresh_from_db()
    assert (unit.name, unit.contact_name, unit.contact_phone) == ("新名称", "张建国", "13812345678")


def test_the_list_masks_the_contact_without_view_personal_data(tree: CityTree, staff: Staff) -> None:
    make_unit(tree.community)
    masked = client_of(staff.street).get(reverse("people:unit-list")).content.decode()
    assert "13812345678" not in masked
    assert "138****5678" in masked
    assert "张建国" not in masked
    unmasked = client_of(staff.community).get(reverse("people:unit-list")).content.decode()
    assert "13812345678" in unmasked
    assert "张建国" in unmasked
    detail = client_of(staff.street).get(reverse("people:unit-detail", args=[ResidentUnit.objects.get().pk]))
    assert "13812345678" not in detail.content.decode()


def test_the_list_shows_units_of_the_area_only_and_filters_by_kind(tree: CityTree, staff: Staff) -> None:
    own = make_unit(tree.community, "春晖小学", kind=ResidentUnitKind.SCHOOL)
    other_kind = make_unit(tree.community, "春晖医院", kind=ResidentUnitKind.HOSPITAL)
    elsewhere = make_unit(tree.community2, "秋实小学", kind=ResidentUnitKind.SCHOOL)
    body = client_of(staff.community).get(reverse("people:unit-list"), {"kind": "school"}).content.decode()
    assert reverse("people:unit-detail", args=[own.pk]) in body
    assert reverse("people:unit-detail", args=[other_kind.pk]) not in body
    assert reverse("people:unit-detail", args=[elsewhere.pk]) not in body


def test_the_unit_page_shows_its_registrations_terms_and_contacts(tree: CityTree, staff: Staff) -> None:
    unit = make_unit(tree.community)
    registration = unit_registration_submit(actor=staff.community, unit=unit, community=tree.community)
    committee = PartyOrganisation.objects.create(
        code="P-CH", name="春晖社区大党委", kind=PartyOrgKind.COMMUNITY_COMMITTEE, place=tree.community
    )
    term = PartTimeMember.objects.create(
        organisation=committee,
        name="张建国",
        resident_unit=unit,
        term_start=date(2025, 1, 1),
        term_end=date(2027, 12, 31),
        duties="联系单位党员",
    )
    contact = UnitContact.objects.create(unit=unit, user=make_resident_user(phone="13900005555", full_name="刘芳"))
    body = client_of(staff.community).get(reverse("people:unit-detail", args=[unit.pk])).content.decode()
    assert reverse("party:unit-registration-detail", args=[registration.pk]) in body
    assert reverse("party:parttime-detail", args=[term.pk]) in body
    assert reverse("party:unit-contact-remove", args=[unit.pk, contact.pk]) in body
    assert reverse("people:unit-edit", args=[unit.pk]) in body
    assert "13900005555" in body
    street_view = client_of(staff.street).get(reverse("people:unit-detail", args=[unit.pk])).content.decode()
    assert "13900005555" not in street_view
    assert "139****5555" in street_view


def test_the_unit_page_shows_terms_on_organisations_of_the_viewers_area_only(tree: CityTree, staff: Staff) -> None:
    unit = make_unit(tree.community)
    street_committee = PartyOrganisation.objects.create(
        code="P-WJ", name="望江街道大工委", kind=PartyOrgKind.WORKING_COMMITTEE, place=tree.street
    )
    term = PartTimeMember.objects.create(
        organisation=street_committee,
        name="张建国",
        resident_unit=unit,
        term_start=date(2025, 1, 1),
        term_end=date(2027, 12, 31),
    )
    url = reverse("people:unit-detail", args=[unit.pk])
    assert reverse("party:parttime-detail", args=[term.pk]) in client_of(staff.street).get(url).content.decode()
    community_view = client_of(staff.community).get(url).content.decode()
    assert reverse("party:parttime-detail", args=[term.pk]) not in community_view
    assert "望江街道大工委" not in community_view
