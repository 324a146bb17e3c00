"""A resident's own application for people's mediation (/mediation/): the case, its parties, its first event and the
community's notification; the form's refusals (400 naming the field; the consent to mediation required); the limit of
open applications; a resident sees only their own applications (404 otherwise) and no staff page (403); the
applicant's copy of the agreement, each download audited."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from gridwork.accounts.models import User
from gridwork.accounts.tests.factories import make_resident_user
from gridwork.audit.models import AuditEvent
from gridwork.common.flows import START
from gridwork.common.tests.racing import race
from gridwork.mediation.models import CaseEvent, CaseSource, CaseState, DisputeCase, DisputeType, Outcome, PartyRole
from gridwork.mediation.services.agreements import agreement_create
from gridwork.mediation.services.applications import MAX_OPEN_APPLICATIONS, case_apply, resident_home_community
from gridwork.mediation.services.cases import PartyInput, case_conclude, mediator_assign, session_record
from gridwork.mediation.tests.factories import CaseWorld, case_world, fresh
from gridwork.notifications.models import Notification
from gridwork.people.models import Resident
from gridwork.places.tests.factories import CityTree

APPLICANT_NAME = "张三丰"
APPLICANT_PHONE = "13700001111"
OTHER_NAME = "李四海"
OTHER_PHONE = "13700002222"
TERMS = "楼上住户于十日内修复防水层并赔偿人民币贰仟元。"


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def world(tree: CityTree) -> CaseWorld:
    return case_world(tree)


@pytest.fixture
def resident(db: None) -> User:
    return make_resident_user(phone=APPLICANT_PHONE, full_name=APPLICANT_NAME)


@pytest.fixture
def other_resident(db: None) -> User:
    return make_resident_user(phone="13700003333", full_name="王五")


def client_for(user: Any) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


def form_data(world: CaseWorld, **fields: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "community": world.tree.community.code,
        "dispute_type": DisputeType.NEIGHBOUR,
        "facts": "楼上卫生间漏水至我家，已协商两次未果。",
        "request_text": "请楼上修复防水并赔偿维修费用。",
        "other_name": OTHER_NAME,
        "other_phone": OTHER_PHONE,
        "other_address": "春晖路1号1号楼1单元201",
        "applicant_name": APPLICANT_NAME,
        "consent": "on",
    }
    data.update(fields)
    return {key: value for key, value in data.items() if value is not None}


def apply(world: CaseWorld, resident: User, **fields: Any) -> DisputeCase:
    values: dict[str, Any] = {
        "resident_user": resident,
        "community": world.tree.community,
        "dispute_type": DisputeType.NEIGHBOUR,
        "facts": "楼上卫生间漏水至我家。",
        "request_text": "请楼上修复防水。",
        "other_party": PartyInput(PartyRole.RESPONDENT, OTHER_NAME, phone=OTHER_PHONE),
        "applicant_name": resident.full_name,
        "applicant_phone": resident.phone or "",
    }
    values.update(fields)
    return case_apply(**values)


def agreed(world: CaseWorld, case: DisputeCase) -> DisputeCase:
    """The community mediates the application to an agreement (with its PDF), through the staff's services."""
    case = mediator_assign(actor=world.staff, case=fresh(case), mediator=world.mediator, expected_version=case.version)
    session_record(
        actor=world.staff,
        case=case,
        held_at=timezone.now() - timedelta(hours=1),
        location="春晖社区调解室",
        participants="张三丰、李四海、调解员老周",
        notes="双方同意调解。",
        expected_version=case.version,
    )
    case = fresh(case)
    agreement_create(
        actor=world.staff,
        case=case,
        facts=case.facts,
        terms=TERMS,
        performance="十日内履行完毕。",
        signed_on=timezone.localdate(),
        follow_up_on=[timezone.localdate() + timedelta(days=10)],
        expected_version=case.version,
    )
    return fresh(case)


# --- applying -----------------------------------------------------------------------------------------------------


def test_a_resident_applies_and_the_community_is_told(
    world: CaseWorld, resident: User, django_capture_on_commit_callbacks: Any
) -> None:
    client = client_for(resident)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("mediation_resident:apply"), form_data(world))
    case = DisputeCase.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("mediation_resident:detail", args=[case.pk])

    assert re.fullmatch(r"调-\d{4}-000001", case.number)
    assert case.source == CaseSource.APPLICATION
    assert case.state == CaseState.REGISTERED
    assert case.place == world.tree.community
    assert case.community == world.tree.community
    assert case.registered_by == resident
    assert "请楼上修复防水并赔偿维修费用。" in case.facts
    assert APPLICANT_NAME not in case.title
    assert OTHER_NAME not in case.title
    parties = {party.role: party for party in case.parties.all()}
    assert (parties[PartyRole.APPLICANT].name, parties[PartyRole.APPLICANT].phone) == (APPLICANT_NAME, APPLICANT_PHONE)
    assert (parties[PartyRole.RESPONDENT].name, parties[PartyRole.RESPONDENT].phone) == (OTHER_NAME, OTHER_PHONE)
    assert parties[PartyRole.RESPONDENT].address == "春晖路1号1号楼1单元201"

    event = CaseEvent.objects.get(subject=case)
    assert (event.action, event.sequence, event.to_state) == (START, 1, CaseState.REGISTERED)
    assert event.actor == resident
    assert APPLICANT_NAME not in event.actor_name  # the staff timeline is read by grid workers: no party's name
    assert event.data["source"] == CaseSource.APPLICATION
    assert event.data["consent"]

    told = Notification.objects.filter(url=reverse("mediation:case-detail", args=[case.pk]))
    assert set(told.values_list("recipient", flat=True)) == {world.staff.pk}  # the community's dispute staff only
    assert case.number in told.get().text

    mine = client.get(reverse("mediation_resident:mine"))
    assert mine.status_code == 200
    assert case.number in mine.content.decode()
    page = client.get(reverse("mediation_resident:detail", args=[case.pk])).content.decode()
    assert 'data-testid="next-step"' in page
    assert "mediation committee has your application" in page


def test_the_staff_page_says_the_party_applied_online(world: CaseWorld, resident: User) -> None:
    case = apply(world, resident)
    page = client_for(world.staff).get(reverse("mediation:case-detail", args=[case.pk])).content.decode()
    assert "A party&#x27;s application" in page or "A party's application" in page
    assert "Applied for online by the party themselves" in page
    assert APPLICANT_NAME not in page
    assert APPLICANT_PHONE not in page


def test_the_form_starts_from_the_households_community(world: CaseWorld, resident: User) -> None:
    Resident.objects.create(name=APPLICANT_NAME, household=world.tree.household, user=resident)
    assert resident_home_community(fresh_user(resident)) == world.tree.community
    response = client_for(resident).get(reverse("mediation_resident:apply"))
    page = response.content.decode()
    assert response.status_code == 200
    assert f'<option value="{world.tree.community.code}" selected>' in page
    assert f'value="{APPLICANT_NAME}"' in page
    assert APPLICANT_PHONE in page


def test_without_a_household_the_resident_finds_the_community(world: CaseWorld, resident: User) -> None:
    client = client_for(resident)
    page = client.get(reverse("mediation_resident:apply")).content.decode()
    assert '<option value="" selected>' in page  # nothing chosen for them
    found = client.get(reverse("mediation_resident:apply"), {"find": "春晖路1号"}).content.decode()
    assert f"?community={world.tree.community.code}" in found
    chosen = client.get(reverse("mediation_resident:apply"), {"community": world.tree.community2.code})
    assert f'<option value="{world.tree.community2.code}" selected>' in chosen.content.decode()


def fresh_user(user: User) -> User:
    return User.objects.get(pk=user.pk)


# --- refusals -----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("other_name", "", "other party&#x27;s name"),
        ("facts", "", "Write what happened"),
        ("dispute_type", "", "Choose the type of dispute"),
        ("dispute_type", "war", "Choose a type from the list"),
        ("community", "", "Choose the community"),
        ("community", "999999999999", "Choose a community from the list"),
        ("request_text", "", "Write what you ask for"),
        ("other_phone", "call me", "digits only"),
        ("other_phone", APPLICANT_PHONE, "your own phone number"),
        ("applicant_name", "", "as on your ID card"),
    ],
)
def test_a_wrong_field_is_named_and_nothing_is_saved(
    world: CaseWorld, resident: User, field: str, value: str, message: str
) -> None:
    response = client_for(resident).post(reverse("mediation_resident:apply"), form_data(world, **{field: value}))
    page = response.content.decode()
    assert response.status_code == 400
    assert f'data-testid="error-{field}"' in page
    assert message in page
    assert not DisputeCase.objects.exists()


def test_mediation_needs_the_applicants_consent(world: CaseWorld, resident: User) -> None:
    response = client_for(resident).post(reverse("mediation_resident:apply"), form_data(world, consent=None))
    page = response.content.decode()
    assert response.status_code == 400
    assert 'data-testid="error-consent"' in page
    assert "Mediation needs your consent" in page
    assert "People&#x27;s Mediation Law" in page  # the wording the applicant agrees to is on the page
    assert not DisputeCase.objects.exists()


def test_the_service_refuses_a_place_that_is_not_a_community_and_staff_accounts(
    world: CaseWorld, resident: User
) -> None:
    with pytest.raises(ValidationError) as error:
        apply(world, resident, community=world.tree.grid, dispute_type="war")
    assert set(error.value.message_dict) == {"community", "dispute_type"}
    with pytest.raises(PermissionDenied):
        apply(world, world.staff, applicant_phone="13900000000")
    assert not DisputeCase.objects.exists()


def test_at_most_three_open_applications(world: CaseWorld, resident: User) -> None:
    first, *_ = [apply(world, resident) for _ in range(MAX_OPEN_APPLICATIONS)]
    with pytest.raises(ValidationError) as error:
        apply(world, resident)
    assert "already have 3 applications" in " ".join(error.value.messages)
    response = client_for(resident).post(reverse("mediation_resident:apply"), form_data(world))
    assert response.status_code == 400
    assert "already have 3 applications" in response.content.decode()
    assert DisputeCase.objects.count() == MAX_OPEN_APPLICATIONS

    # Staff registering for others, and other residents, do not count; a concluded application frees a place.
    other = make_resident_user(phone="13700004444", full_name="赵六")
    apply(world, other)
    case = mediator_assign(
        actor=world.staff, case=fresh(first), mediator=world.mediator, expected_version=first.version
    )
    session_record(
        actor=world.staff,
        case=case,
        held_at=timezone.now(),
        location="调解室",
        participants="双方",
        notes="对方拒绝调解。",
        expected_version=case.version,
    )
    case = fresh(case)
    case_conclude(
        actor=world.staff, case=case, outcome=Outcome.FAILED, note="对方拒绝调解。", expected_version=case.version
    )
    assert apply(world, resident).pk


@pytest.mark.django_db(transaction=True)
def test_the_limit_holds_when_applications_are_sent_at_once(tree: CityTree) -> None:
    world = case_world(tree)
    resident = make_resident_user(phone=APPLICANT_PHONE, full_name=APPLICANT_NAME)
    for _ in range(MAX_OPEN_APPLICATIONS - 1):
        apply(world, resident)
    outcomes = race(lambda i, _: apply(world, resident), threads=3)
    assert len([o for o in outcomes if isinstance(o, DisputeCase)]) == 1, outcomes
    assert len([o for o in outcomes if isinstance(o, ValidationError)]) == 2, outcomes
    assert DisputeCase.objects.filter(registered_by=resident).count() == MAX_OPEN_APPLICATIONS


# --- whose ---------------------------------------------------------------------------------------------------------


def test_another_resident_finds_none_of_it(world: CaseWorld, resident: User, other_resident: User) -> None:
    case = agreed(world, apply(world, resident))
    stranger = client_for(other_resident)
    assert stranger.get(reverse("mediation_resident:detail", args=[case.pk])).status_code == 404
    assert stranger.get(reverse("mediation_resident:agreement-pdf", args=[case.pk])).status_code == 404
    assert case.number not in stranger.get(reverse("mediation_resident:mine")).content.decode()
    # A case staff registered for the resident's dispute is not the resident's application either.
    staff_case = DisputeCase.objects.create(
        number="调-2000-000001",
        title="x",
        dispute_type=DisputeType.OTHER,
        facts="x",
        place=world.tree.community,
        community=world.tree.community,
        source=CaseSource.APPLICATION,
        registered_by=world.staff,
        registered_at=timezone.now(),
    )
    assert client_for(resident).get(reverse("mediation_resident:detail", args=[staff_case.pk])).status_code == 404
    assert not AuditEvent.objects.filter(action="mediation.download_agreement").exists()


def test_staff_pages_refuse_a_resident_and_resident_pages_refuse_staff(world: CaseWorld, resident: User) -> None:
    case = agreed(world, apply(world, resident))
    client = client_for(resident)
    assert client.get(reverse("mediation:case-list")).status_code == 403
    assert client.get(reverse("mediation:case-detail", args=[case.pk])).status_code == 403
    assert client.get(reverse("mediation:agreement-pdf", args=[case.agreement.pk])).status_code == 403
    staff = client_for(world.staff)
    assert staff.get(reverse("mediation_resident:apply")).status_code == 403
    assert staff.get(reverse("mediation_resident:detail", args=[case.pk])).status_code == 403
    anonymous = Client(HTTP_ACCEPT_LANGUAGE="en").get(reverse("mediation_resident:apply"))
    assert anonymous.status_code == 302
    assert "login" in anonymous["Location"]


# --- the outcome and the agreement ---------------------------------------------------------------------------------


def test_the_applicant_sees_the_mediation_and_downloads_the_agreement_audited(world: CaseWorld, resident: User) -> None:
    case = agreed(world, apply(world, resident))
    client = client_for(resident)
    page = client.get(reverse("mediation_resident:detail", args=[case.pk])).content.decode()
    assert world.mediator.name in page
    assert "People&#x27;s mediator" in page
    assert "春晖社区调解室" in page
    assert "双方同意调解。" not in page
    assert "Agreement reached" in page
    assert 'data-testid="agreement-download"' in page

    response = client.get(reverse("mediation_resident:agreement-pdf", args=[case.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert "no-store" in response["Cache-Control"]
    assert b"".join(response.streaming_content).startswith(b"%PDF")  # type: ignore[attr-defined]
    audit = AuditEvent.objects.get(action="mediation.download_agreement")
    assert audit.actor == resident
    assert audit.object_id == str(case.agreement.pk)
    assert audit.detail["as"] == "applicant"
    assert audit.detail["case"] == case.number


def test_no_agreement_no_download(world: CaseWorld, resident: User) -> None:
    case = apply(world, resident)
    client = client_for(resident)
    assert (
        'data-testid="agreement-download"'
        not in client.get(reverse("mediation_resident:detail", args=[case.pk])).content.decode()
    )
    assert client.get(reverse("mediation_resident:agreement-pdf", args=[case.pk])).status_code == 404
    assert not AuditEvent.objects.filter(action="mediation.download_agreement").exists()
