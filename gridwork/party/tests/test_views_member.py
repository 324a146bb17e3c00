"""The member's pages (/member/): register in two steps, see the state and the reason of a rejection, history,
withdraw; the registration decorator ``member_view`` sends the unregistered to ``member:register``."""

from __future__ import annotations

from typing import Any

import pytest
from django.http import HttpRequest, HttpResponse
from django.test import Client, RequestFactory
from django.urls import reverse

from gridwork.accounts.tests.factories import make_resident_user
from gridwork.party.access import member_view
from gridwork.party.models import MemberRegistration, RegistrationState
from gridwork.party.registrations import registration_reject
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


def _form(world: World, **values: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "community": world.tree.community.code,
        "building": world.building.code,
        "name": "李明华",
        "phone": "13900001111",
        "employer": "明川供电公司",
        "employer_party_organisation": "机关第一党支部",
        "employer_unit": "",
        "skills": ["tutoring", "legal_advice"],
    }
    data.update(values)
    return data


@pytest.mark.parametrize("name", ["member:home", "member:register"])
def test_signed_out_visitors_are_sent_to_sign_in(world: World, name: str) -> None:
    response = Client().get(reverse(name))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_withdraw_needs_sign_in_and_a_post(world: World) -> None:
    registration = submit(world)
    url = reverse("member:withdraw", args=[registration.pk])
    assert Client().post(url)["Location"].startswith(reverse("accounts:login"))
    assert _client(world.member).get(url).status_code == 405


def test_member_view_sends_the_unregistered_to_register(world: World) -> None:
    @member_view
    def page(request: HttpRequest) -> HttpResponse:
        return HttpResponse("ok")

    request = RequestFactory().get("/member/x/")
    request.user = world.member
    response = page(request)
    assert (response.status_code, response["Location"]) == (302, reverse("member:register"))


def test_the_form_comes_in_two_steps_community_then_building(world: World) -> None:
    client = _client(world.member)
    first = client.get(reverse("member:register"))
    assert first.status_code == 200
    assert 'data-testid="community-step"' in first.content.decode()
    assert 'data-testid="registration-form"' not in first.content.decode()
    second = client.get(reverse("member:register"), {"community": world.tree.community.code})
    html = second.content.decode()
    assert 'data-testid="registration-form"' in html
    assert world.building.code in html
    assert world.building_b.code in html
    assert world.building2.code not in html  # only the chosen community's buildings
    assert 'value="13900001111"' in html  # filled from the account


def test_a_member_registers_and_sees_it_awaiting_confirmation(world: World) -> None:
    client = _client(world.member)
    response = client.post(reverse("member:register"), _form(world))
    assert response.status_code == 302
    assert response["Location"] == reverse("member:home")
    registration = MemberRegistration.objects.get(user=world.member)
    assert (registration.state, registration.skills) == (RegistrationState.PENDING, ["tutoring", "legal_advice"])
    home = client.get(reverse("member:home")).content.decode()
    assert 'data-testid="pending"' in home
    assert 'data-testid="register"' not in home


def test_a_refused_form_names_the_field_answers_400_and_saves_nothing(world: World) -> None:
    client = _client(world.member)
    response = client.post(reverse("member:register"), _form(world, phone="123", employer=""))
    assert response.status_code == 400
    html = response.content.decode()
    assert 'data-testid="error-phone"' in html
    assert 'data-testid="error-employer"' in html
    another = client.post(reverse("member:register"), _form(world, building=world.building2.code))
    assert another.status_code == 400
    assert 'data-testid="error-building"' in another.content.decode()
    assert not MemberRegistration.objects.exists()


def test_a_second_registration_while_one_is_pending_is_refused_with_the_reason(world: World) -> None:
    submit(world)
    client = _client(world.member)
    assert 'data-testid="pending"' in client.get(reverse("member:register")).content.decode()
    response = client.post(
        reverse("member:register"),
        _form(world, community=world.tree.community2.code, building=world.building2.code),
    )
    assert response.status_code == 400
    assert "is awaiting confirmation" in response.content.decode()
    assert MemberRegistration.objects.count() == 1


def test_a_rejected_registration_states_why_on_the_members_page(world: World) -> None:
    registration = submit(world)
    registration_reject(
        actor=world.staff, registration=registration, reason="您登记的楼栋不在本社区范围内", expected_version=1
    )
    response = _client(world.member).get(reverse("member:home"))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-testid="rejected"' in html
    assert "您登记的楼栋不在本社区范围内" in html
    assert 'data-testid="register"' in html  # may register again


def test_the_history_shows_a_move_and_its_events(world: World) -> None:
    old = confirmed(world)
    submit(world, community=world.tree.community2, building=world.building2)
    html = _client(world.member).get(reverse("member:home")).content.decode()
    assert 'data-testid="current"' in html
    assert 'data-testid="pending"' in html
    assert 'data-testid="move"' not in html  # a move is already under way
    assert f'data-testid="registration-{old.pk}"' in html
    assert html.count('data-testid="events"') == 2
    assert world.staff.get_username() not in html  # the member sees what happened, not which staff did it


def test_a_confirmed_member_may_move_and_withdraw(world: World) -> None:
    registration = confirmed(world)
    client = _client(world.member)
    html = client.get(reverse("member:home")).content.decode()
    assert 'data-testid="move"' in html
    assert 'data-testid="withdraw"' in html
    moving = client.get(reverse("member:register")).content.decode()
    assert 'data-testid="moving"' in moving
    response = client.post(
        reverse("member:withdraw", args=[registration.pk]), {"expected_version": registration.version}
    )
    assert response.status_code == 302
    assert MemberRegistration.objects.get(pk=registration.pk).state == RegistrationState.WITHDRAWN


def test_withdrawing_on_a_stale_page_answers_409(world: World) -> None:
    registration = confirmed(world)
    response = _client(world.member).post(reverse("member:withdraw", args=[registration.pk]), {"expected_version": 1})
    assert response.status_code == 409
    assert 'data-testid="refusal"' in response.content.decode()
    assert MemberRegistration.objects.get(pk=registration.pk).state == RegistrationState.CONFIRMED


def test_a_forged_withdrawal_of_someone_elses_registration_is_not_found(world: World) -> None:
    registration = confirmed(world)
    other = make_resident_user(phone="13900002222")
    response = _client(other).post(reverse("member:withdraw", args=[registration.pk]), {"expected_version": 2})
    assert response.status_code == 404
    assert MemberRegistration.objects.get(pk=registration.pk).state == RegistrationState.CONFIRMED


def test_someone_never_registered_is_invited_to_register(world: World) -> None:
    html = _client(world.member).get(reverse("member:home")).content.decode()
    assert 'data-testid="unregistered"' in html
    assert 'data-testid="register"' in html
