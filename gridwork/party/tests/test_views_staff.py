"""Staff pages of the registrations: access, scope (another community's objects are not found and cannot be acted
on), confirm / reject with reason, stale pages (409), the registered members by building and their Excel export
(masked without VIEW_PERSONAL_DATA), units' registrations and contacts."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from gridwork.accounts.roles import Role
from gridwork.accounts.tests.factories import make_resident_user, make_staff
from gridwork.audit.models import AuditEvent
from gridwork.party.models import MemberRegistration, RegistrationState, UnitContact, UnitRegistration
from gridwork.party.registrations import registration_reject, unit_registration_submit
from gridwork.party.tests.factories import World, confirmed, make_world, submit
from gridwork.places.tests.factories import CityTree

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(tree: CityTree) -> World:
    return make_world(tree)


def _client(user: Any) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


def _urls(world: World) -> dict[str, str]:
    registration = submit(world)
    unit_registration = unit_registration_submit(actor=world.staff, unit=world.unit, community=world.tree.community)
    return {
        "party:registration-list": reverse("party:registration-list"),
        "party:registration-detail": reverse("party:registration-detail", args=[registration.pk]),
        "party:registered-members": reverse("party:registered-members"),
        "party:registered-members-export": reverse("party:registered-members-export"),
        "party:unit-registration-list": reverse("party:unit-registration-list"),
        "party:unit-registration-detail": reverse("party:unit-registration-detail", args=[unit_registration.pk]),
        "party:unit-registration-create": reverse("party:unit-registration-create"),
        "party:unit-contacts": reverse("party:unit-contacts", args=[world.unit.pk]),
    }


def test_every_staff_page_sends_the_anonymous_to_sign_in_refuses_residents_and_opens_for_its_staff(
    world: World,
) -> None:
    resident = _client(make_resident_user(phone="13700001111"))
    staff = _client(world.staff)
    for name, url in _urls(world).items():
        anonymous = Client().get(url)
        assert anonymous.status_code == 302, name
        assert anonymous["Location"].startswith(reverse("accounts:login")), name
        assert resident.get(url).status_code == 403, name
        assert staff.get(url).status_code == 200, name


def test_a_grid_worker_sees_the_lists_but_may_not_record_a_units_registration(world: World) -> None:
    grid_worker = _client(make_staff(role=Role.GRID_WORKER, place=world.tree.grid, username="grid"))
    urls = _urls(world)
    assert grid_worker.get(urls["party:registration-list"]).status_code == 200
    assert grid_worker.get(urls["party:unit-registration-create"]).status_code == 403


def test_the_queue_shows_the_own_communitys_registrations_pending_first_with_filters(world: World) -> None:
    done = confirmed(world)
    other = make_resident_user(phone="13900002222")
    waiting = submit(world, user=other, name="王五", phone="13900002222", building=world.building_b)
    elsewhere = submit(
        world,
        user=make_resident_user(phone="13900003333"),
        phone="13900003333",
        community=world.tree.community2,
        building=world.building2,
    )
    html = _client(world.staff).get(reverse("party:registration-list")).content.decode()
    links = [reverse("party:registration-detail", args=[r.pk]) for r in (waiting, done)]
    assert all(f'href="{link}"' in html for link in links)
    assert html.index(links[0]) < html.index(links[1])  # awaiting confirmation first
    assert reverse("party:registration-detail", args=[elsewhere.pk]) not in html
    assert "13900002222" in html  # community staff hold VIEW_PERSONAL_DATA here
    pending_only = _client(world.staff).get(reverse("party:registration-list"), {"state": "pending"}).content.decode()
    assert links[0] in pending_only
    assert links[1] not in pending_only
    by_building = (
        _client(world.staff).get(reverse("party:registration-list"), {"building": world.building.code}).content.decode()
    )
    assert links[1] in by_building
    assert links[0] not in by_building


def test_the_street_sees_names_and_phones_masked(world: World) -> None:
    registration = submit(world)
    client = _client(world.street_staff)
    for url in (reverse("party:registration-list"), reverse("party:registration-detail", args=[registration.pk])):
        html = client.get(url).content.decode()
        assert "13900001111" not in html
        assert "139****1111" in html
        assert "李明华" not in html
        assert "李*华" in html


def test_another_communitys_staff_get_404_and_cannot_act(world: World) -> None:
    registration = submit(world)
    url = reverse("party:registration-detail", args=[registration.pk])
    client = _client(world.staff2)
    assert client.get(url).status_code == 404
    assert client.post(url, {"action": "confirm", "expected_version": 1}).status_code == 404
    assert client.post(url, {"action": "reject", "expected_version": 1, "reason": "x"}).status_code == 404
    stored = MemberRegistration.objects.get(pk=registration.pk)
    assert (stored.state, stored.version) == (RegistrationState.PENDING, 1)


def test_the_grid_worker_of_the_building_sees_a_registration_but_cannot_decide_it(world: World) -> None:
    """The only role with VIEW_PARTY and without MANAGE_PARTY is the grid worker: they see the members registered
    in the buildings of their grid, and a forged confirmation is refused; another grid's worker finds nothing."""
    registration = submit(world)
    assert registration.building.path.startswith(world.tree.grid.path)
    grid_worker = _client(make_staff(role=Role.GRID_WORKER, place=world.tree.grid, username="grid"))
    url = reverse("party:registration-detail", args=[registration.pk])
    assert grid_worker.get(url).status_code == 200
    assert grid_worker.post(url, {"action": "confirm", "expected_version": 1}).status_code in {403, 404}
    assert MemberRegistration.objects.get(pk=registration.pk).state == RegistrationState.PENDING
    other_grid = _client(make_staff(role=Role.GRID_WORKER, place=world.tree.grid2, username="grid2"))
    assert other_grid.get(url).status_code == 404


def test_staff_confirm_from_the_detail_page(world: World) -> None:
    registration = submit(world)
    url = reverse("party:registration-detail", args=[registration.pk])
    client = _client(world.staff)
    page = client.get(url).content.decode()
    assert 'data-testid="confirm"' in page
    assert 'name="expected_version" value="1"' in page
    response = client.post(url, {"action": "confirm", "expected_version": 1})
    assert response.status_code == 302
    assert MemberRegistration.objects.get(pk=registration.pk).state == RegistrationState.CONFIRMED
    after = client.get(url).content.decode()
    assert 'data-testid="confirm"' not in after
    assert 'data-testid="events"' in after


def test_a_rejection_without_reason_is_refused_at_its_field(world: World) -> None:
    registration = submit(world)
    url = reverse("party:registration-detail", args=[registration.pk])
    response = _client(world.staff).post(url, {"action": "reject", "expected_version": 1, "reason": " "})
    assert response.status_code == 400
    assert 'data-testid="error-reason"' in response.content.decode()
    assert MemberRegistration.objects.get(pk=registration.pk).state == RegistrationState.PENDING
    done = _client(world.staff).post(url, {"action": "reject", "expected_version": 1, "reason": "楼栋不符"})
    assert done.status_code == 302
    assert MemberRegistration.objects.get(pk=registration.pk).reason == "楼栋不符"


def test_a_stale_page_answers_409_with_its_message_and_changes_nothing(world: World) -> None:
    registration = submit(world)
    registration_reject(actor=world.staff, registration=registration, reason="重复", expected_version=1)
    url = reverse("party:registration-detail", args=[registration.pk])
    response = _client(world.staff).post(url, {"action": "confirm", "expected_version": 1})
    assert response.status_code == 409
    assert 'data-testid="refusal"' in response.content.decode()
    stored = MemberRegistration.objects.get(pk=registration.pk)
    assert (stored.state, stored.version) == (RegistrationState.REJECTED, 2)
    assert _client(world.staff).post(url, {"action": "confirm"}).status_code == 400  # no version at all


def test_registered_members_are_grouped_by_building_and_scoped(world: World) -> None:
    confirmed(world)
    confirmed(
        world, user=make_resident_user(phone="13900002222"), phone="13900002222", name="王五", building=world.building_b
    )
    submit(world, user=make_resident_user(phone="13900003333"), phone="13900003333", name="赵六")  # pending
    html = _client(world.staff).get(reverse("party:registered-members")).content.decode()
    assert html.count('data-testid="building-group"') == 2
    assert "李明华" in html
    assert "王五" in html
    assert "赵六" not in html
    assert "李明华" not in _client(world.staff2).get(reverse("party:registered-members")).content.decode()


def _rows(response: Any) -> list[tuple[Any, ...]]:
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    workbook = load_workbook(
        io.BytesIO(b"".join(response.streaming_content) if response.streaming else response.content)
    )
    return list(workbook.worksheets[0].iter_rows(values_only=True))


def test_the_export_masks_phones_for_a_viewer_without_view_personal_data(world: World) -> None:
    confirmed(world)
    rows = _rows(_client(world.street_staff).get(reverse("party:registered-members-export")))
    assert len(rows[0]) == 9  # the header, in the language of the request
    assert rows[1][2:4] == ("李*华", "139****1111")
    assert "13900001111" not in str(rows)
    assert not AuditEvent.objects.filter(action="member_registration.export_unmasked").exists()


def test_the_export_is_unmasked_for_the_community_and_audited(world: World) -> None:
    confirmed(world)
    response = _client(world.staff).get(
        reverse("party:registered-members-export"), {"community": world.tree.community.code}
    )
    rows = _rows(response)
    assert rows[1][2:4] == ("李明华", "13900001111")
    assert rows[1][7] == "Tutoring、IT help"
    audit = AuditEvent.objects.get(action="member_registration.export_unmasked")
    assert audit.detail["unmasked"] == 1
    assert audit.actor_id == world.staff.pk
    assert len(_rows(_client(world.staff2).get(reverse("party:registered-members-export")))) == 1  # header only


def test_a_formula_typed_by_a_member_stays_text_in_the_export(world: World) -> None:
    confirmed(world, employer='=HYPERLINK("http://x")')
    response = _client(world.staff).get(reverse("party:registered-members-export"))
    workbook = load_workbook(io.BytesIO(response.content))
    cell = workbook.worksheets[0]["E2"]
    assert cell.data_type == "s"


# --- units ------------------------------------------------------------------------------------------------------------


def test_units_registrations_are_scoped_and_decided_on_their_page(world: World) -> None:
    registration = unit_registration_submit(actor=world.staff, unit=world.unit, community=world.tree.community)
    url = reverse("party:unit-registration-detail", args=[registration.pk])
    assert _client(world.staff2).get(url).status_code == 404
    assert _client(world.staff2).post(url, {"action": "confirm", "expected_version": 1}).status_code == 404
    list_html = _client(world.staff2).get(reverse("party:unit-registration-list")).content.decode()
    assert url not in list_html
    assert url in _client(world.staff).get(reverse("party:unit-registration-list")).content.decode()
    assert _client(world.staff).post(url, {"action": "reject", "expected_version": 1}).status_code == 400
    assert _client(world.staff).post(url, {"action": "confirm", "expected_version": 9}).status_code == 409
    assert _client(world.staff).post(url, {"action": "confirm", "expected_version": 1}).status_code == 302
    assert UnitRegistration.objects.get(pk=registration.pk).state == RegistrationState.CONFIRMED


def test_staff_record_a_units_registration_for_units_of_their_scope(world: World) -> None:
    client = _client(world.staff)
    page = client.get(reverse("party:unit-registration-create")).content.decode()
    assert world.unit.name in page
    assert world.unit2.name not in page
    refused = client.post(
        reverse("party:unit-registration-create"), {"unit": world.unit2.pk, "community": world.tree.community.code}
    )
    assert refused.status_code == 400
    response = client.post(
        reverse("party:unit-registration-create"),
        {"unit": world.unit.pk, "community": world.tree.community.code, "offers": "会议室一间"},
    )
    assert response.status_code == 302
    assert UnitRegistration.objects.get().offers == "会议室一间"
    again = client.post(
        reverse("party:unit-registration-create"), {"unit": world.unit.pk, "community": world.tree.community.code}
    )
    assert again.status_code == 400
    assert 'data-testid="error-community"' in again.content.decode()


def test_staff_add_a_unit_contact_by_mobile_number(world: World) -> None:
    person = make_resident_user(phone="13900006666", full_name="周七")
    url = reverse("party:unit-contacts", args=[world.unit.pk])
    client = _client(world.staff)
    unknown = client.post(url, {"account": "13900009999"})
    assert unknown.status_code == 400
    assert 'data-testid="error-account"' in unknown.content.decode()
    assert client.post(url, {"account": "139 0000 6666"}).status_code == 302
    assert UnitContact.objects.get().user == person
    assert AuditEvent.objects.filter(action="unit_contact.add").count() == 1
    assert _client(world.staff2).get(url).status_code == 404
    assert _client(world.staff2).post(url, {"account": "13900006666"}).status_code == 404
    masked = _client(world.street_staff).get(url).content.decode()
    assert "139****6666" in masked
    assert "13900006666" not in masked
