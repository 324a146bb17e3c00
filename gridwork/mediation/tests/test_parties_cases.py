"""Parties' personal data: masked on every page a grid worker can open (never a full phone, ID number or name), shown
in full only to VIEW_DISPUTE_PARTIES over the case on request, each showing audited; outside the scope 404."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.urls import reverse

from gridwork.accounts.models import User
from gridwork.audit.models import AuditEvent
from gridwork.mediation.models import DisputeCase
from gridwork.mediation.services.cases import mediator_recuse, party_reveal
from gridwork.mediation.tests.factories import (
    ADDRESSES,
    ID_NUMBERS,
    NAMES,
    PHONES,
    CaseWorld,
    assigned_case,
    case_world,
    concluded_case,
    fresh,
    party,
    register_case,
)
from gridwork.places.tests.factories import CityTree

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(tree: CityTree) -> CaseWorld:
    return case_world(tree)


def client_for(user: User) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


def assert_masked(content: str) -> None:
    for secret in (*NAMES, *PHONES, *ID_NUMBERS, *ADDRESSES):
        assert secret not in content, secret


def cases_at_every_state(world: CaseWorld) -> list[DisputeCase]:
    registered = register_case(world)
    recused = assigned_case(world)
    mediator_recuse(
        actor=world.staff,
        case=recused,
        party=party(recused, "respondent"),
        reason="调解员与申请人相识",
        expected_version=recused.version,
    )
    return [registered, fresh(recused), assigned_case(world), concluded_case(world)]


def test_a_grid_worker_never_sees_a_party_in_full(world: CaseWorld) -> None:
    cases = cases_at_every_state(world)
    client = client_for(world.grid_worker)
    response = client.get(reverse("mediation:case-list"))
    assert response.status_code == 200
    content = response.content.decode()
    assert all(case.number in content for case in cases)
    assert_masked(content)
    assert "139****0001" in content or "王*国" in content
    for case in cases:
        response = client.get(reverse("mediation:case-detail", args=[case.pk]))
        assert response.status_code == 200
        content = response.content.decode()
        assert_masked(content)
        assert "139****0001" in content
        assert "王*国" in content
        assert 'data-testid="party-reveal"' not in content
        # the manager's pages are closed to grid workers
        for name in ("mediation:case-recuse", "mediation:case-session", "mediation:case-conclude"):
            assert client.get(reverse(name, args=[case.pk])).status_code == 403
    for case in cases:
        for each in case.parties.all():
            response = client.post(reverse("mediation:party-reveal", args=[each.pk]))
            assert response.status_code == 403
            assert_masked(response.content.decode())
    assert not AuditEvent.objects.filter(action="mediation.reveal_party").exists()
    # the search cannot be used to confirm a name either
    content = client.get(reverse("mediation:case-list"), {"q": NAMES[0]}).content.decode()
    assert cases[0].number not in content


def test_community_staff_see_masked_until_they_ask(world: CaseWorld) -> None:
    case = register_case(world)
    client = client_for(world.staff)
    content = client.get(reverse("mediation:case-detail", args=[case.pk])).content.decode()
    assert_masked(content)
    assert 'data-testid="party-reveal"' in content


def test_showing_a_party_in_full_is_audited(world: CaseWorld) -> None:
    case = register_case(world)
    applicant = party(case)
    client = client_for(world.staff)
    url = reverse("mediation:party-reveal", args=[applicant.pk])
    assert client.get(url).status_code == 405
    response = client.post(url)
    assert response.status_code == 200
    content = response.content.decode()
    assert NAMES[0] in content
    assert PHONES[0] in content
    assert ID_NUMBERS[0] in content
    assert NAMES[1] not in content  # one party at a time
    assert response["Cache-Control"] == "no-store"
    event = AuditEvent.objects.get(action="mediation.reveal_party")
    assert event.actor == world.staff
    assert event.object_id == str(applicant.pk)
    assert event.detail["case"] == case.number
    assert set(event.detail["fields"]) == {"name", "phone", "id_number", "address"}
    # the street above may too, audited again
    assert client_for(world.street_staff).post(url).status_code == 200
    assert AuditEvent.objects.filter(action="mediation.reveal_party").count() == 2


def test_showing_a_party_of_another_community_is_404(world: CaseWorld) -> None:
    case = register_case(world)
    url = reverse("mediation:party-reveal", args=[party(case).pk])
    for outsider in (world.staff2, world.street2_staff):
        response = client_for(outsider).post(url)
        assert response.status_code == 404
        assert_masked(response.content.decode())
    assert not AuditEvent.objects.filter(action="mediation.reveal_party").exists()


def test_the_service_refuses_without_the_permission(world: CaseWorld) -> None:
    case = register_case(world)
    with pytest.raises(PermissionDenied):
        party_reveal(actor=world.grid_worker, party=party(case))
    with pytest.raises(PermissionDenied):
        party_reveal(actor=world.staff2, party=party(case))
    assert party_reveal(actor=world.staff, party=party(case)).name == NAMES[0]
    assert AuditEvent.objects.filter(action="mediation.reveal_party").count() == 1


def test_an_organisation_is_named_in_full(world: CaseWorld) -> None:
    from gridwork.mediation.services.cases import PartyInput

    case = register_case(
        world,
        parties=[
            PartyInput("applicant", NAMES[0], PHONES[0]),
            PartyInput("respondent", "明川物业管理有限公司", "08515550000", is_organisation=True),
        ],
    )
    content = client_for(world.grid_worker).get(reverse("mediation:case-detail", args=[case.pk])).content.decode()
    assert "明川物业管理有限公司" in content
    assert "08515550000" not in content
    assert NAMES[0] not in content
