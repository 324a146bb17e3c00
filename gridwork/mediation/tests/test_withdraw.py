"""The applicant withdraws their own application (People's Mediation Law, art. 23) while it is registered, assigned or
mediating: the case is concluded as withdrawn through the flow (compare-and-set, a ``withdraw`` event with the
resident's account under a neutral name) and the community's dispute staff are told. Refusals: no reason (400 naming
the field), another resident's case (404), staff (403), a concluded or referred case (409), a stale page (409), a
withdrawal racing the staff's move (one wins)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse

from gridwork.accounts.models import User
from gridwork.accounts.tests.factories import make_resident_user
from gridwork.common.flows import MoveRefused, StaleState
from gridwork.common.tests.racing import race
from gridwork.mediation.flows import CASE_FLOW, CaseAction
from gridwork.mediation.models import (
    CaseEvent,
    CaseSource,
    CaseState,
    DisputeCase,
    DisputeType,
    Outcome,
    PartyRole,
    ReceivingKind,
)
from gridwork.mediation.services.applications import application_withdraw, case_apply
from gridwork.mediation.services.cases import (
    PartyInput,
    case_close,
    case_conclude,
    case_move,
    mediator_assign,
    session_record,
)
from gridwork.mediation.services.referrals import case_refer
from gridwork.mediation.tests.factories import CaseWorld, case_world, fresh, register_case
from gridwork.notifications.models import Notification
from gridwork.places.tests.factories import CityTree

APPLICANT_NAME = "张三丰"
REASON = "我们已自行协商解决，不再需要调解。"


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def world(tree: CityTree) -> CaseWorld:
    return case_world(tree)


@pytest.fixture
def resident(db: None) -> User:
    return make_resident_user(phone="13700001111", full_name=APPLICANT_NAME)


@pytest.fixture
def other_resident(db: None) -> User:
    return make_resident_user(phone="13700003333", full_name="王五")


def client_for(user: Any) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


def apply(world: CaseWorld, resident: User) -> DisputeCase:
    return case_apply(
        resident_user=resident,
        community=world.tree.community,
        dispute_type=DisputeType.NEIGHBOUR,
        facts="楼上卫生间漏水至我家。",
        request_text="请楼上修复防水。",
        other_party=PartyInput(PartyRole.RESPONDENT, "李四海", phone="13700002222"),
        applicant_name=resident.full_name,
        applicant_phone=resident.phone or "",
    )


def to_state(world: CaseWorld, case: DisputeCase, state: str) -> DisputeCase:
    """Move the application on through the staff's services, up to ``state``."""
    if state == CaseState.REGISTERED:
        return fresh(case)
    case = mediator_assign(actor=world.staff, case=fresh(case), mediator=world.mediator, expected_version=case.version)
    if state == CaseState.ASSIGNED:
        return fresh(case)
    session_record(
        actor=world.staff,
        case=case,
        held_at=case.registered_at,
        location="春晖社区调解室",
        participants="双方",
        notes="对方暂不同意。",
        expected_version=case.version,
    )
    return fresh(case)


def withdraw_url(case: DisputeCase) -> str:
    return reverse("mediation_resident:withdraw", args=[case.pk])


# --- the way it goes ----------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_applicant_withdraws_on_the_page_and_the_community_is_told(
    world: CaseWorld, resident: User, django_capture_on_commit_callbacks: Any
) -> None:
    case = apply(world, resident)
    client = client_for(resident)
    page = client.get(reverse("mediation_resident:detail", args=[case.pk])).content.decode()
    assert 'data-testid="withdraw-form"' in page
    assert withdraw_url(case) in page
    assert 'data-confirm="' in page  # asked to confirm before it is sent (static/js/gridwork.js)
    assert "This cannot be undone" in page
    Notification.objects.all().delete()

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(withdraw_url(case), {"reason": REASON, "version": case.version})
    assert response.status_code == 302
    assert response["Location"] == reverse("mediation_resident:detail", args=[case.pk])

    case = fresh(case)
    assert case.state == CaseState.CONCLUDED
    assert case.outcome == Outcome.WITHDRAWN
    assert case.outcome_note == REASON
    assert case.concluded_at is not None
    assert case.version == 2
    event = CaseEvent.objects.get(subject=case, sequence=2)
    assert (event.action, event.from_state, event.to_state) == (
        CaseAction.WITHDRAW,
        CaseState.REGISTERED,
        CaseState.CONCLUDED,
    )
    assert event.actor == resident
    assert APPLICANT_NAME not in event.actor_name  # grid workers read the staff timeline
    assert event.note == REASON
    assert event.data["outcome"] == Outcome.WITHDRAWN

    staff_told = Notification.objects.get(url=reverse("mediation:case-detail", args=[case.pk]))
    assert staff_told.recipient == world.staff  # the community's dispute staff
    assert case.number in staff_told.text
    assert "withdrew" in staff_told.text
    assert not Notification.objects.filter(recipient=resident).exists()  # their own step

    page = client.get(reverse("mediation_resident:detail", args=[case.pk])).content.decode()
    assert "Withdrawn by the applicant" in page
    assert "ended at the applicant&#x27;s request" in page
    assert 'data-testid="withdraw-form"' not in page

    # the community closes it; the staff page shows the withdrawal with the neutral actor name
    staff_page = client_for(world.staff).get(reverse("mediation:case-detail", args=[case.pk])).content.decode()
    assert "The applicant (online application)" in staff_page
    assert 'data-testid="case-close"' in staff_page
    case = case_close(actor=world.staff, case=case, expected_version=case.version)
    assert fresh(case).state == CaseState.CLOSED


@pytest.mark.django_db
@pytest.mark.parametrize("state", [CaseState.REGISTERED, CaseState.ASSIGNED, CaseState.MEDIATING])
def test_withdrawal_is_possible_while_in_mediation(world: CaseWorld, resident: User, state: str) -> None:
    case = to_state(world, apply(world, resident), state)
    assert case.state == state
    application_withdraw(resident_user=resident, case=case, reason=REASON, expected_version=case.version)
    case = fresh(case)
    assert (case.state, case.outcome) == (CaseState.CONCLUDED, Outcome.WITHDRAWN)
    assert CaseEvent.objects.filter(subject=case).last().from_state == state  # type: ignore[union-attr]


def test_the_table_keeps_conclude_for_mediating_and_withdraw_for_the_applicant() -> None:
    assert CaseAction.WITHDRAW in CASE_FLOW.allowed(CaseState.REGISTERED)
    assert CaseAction.CONCLUDE not in CASE_FLOW.allowed(CaseState.REGISTERED)
    for state in (CaseState.CONCLUDED, CaseState.REFERRED, CaseState.CLOSED):
        assert CaseAction.WITHDRAW not in CASE_FLOW.allowed(state)


@pytest.mark.django_db
def test_staff_cannot_make_the_applicants_move(world: CaseWorld, resident: User) -> None:
    case = apply(world, resident)
    with pytest.raises(ValueError, match="does not make the move"):
        case_move(actor=world.staff, case=case, action=CaseAction.WITHDRAW, expected_version=case.version)
    with pytest.raises(PermissionDenied):
        application_withdraw(resident_user=world.staff, case=case, reason=REASON, expected_version=case.version)
    assert fresh(case).state == CaseState.REGISTERED


# --- refusals -----------------------------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("reason", ["", "   "])
def test_a_reason_is_required(world: CaseWorld, resident: User, reason: str) -> None:
    case = apply(world, resident)
    response = client_for(resident).post(withdraw_url(case), {"reason": reason, "version": case.version})
    page = response.content.decode()
    assert response.status_code == 400
    assert 'data-testid="error-reason"' in page
    assert "Say why you withdraw" in page
    assert fresh(case).state == CaseState.REGISTERED
    with pytest.raises(ValidationError) as error:
        application_withdraw(resident_user=resident, case=case, reason=reason, expected_version=case.version)
    assert set(error.value.message_dict) == {"reason"}


@pytest.mark.django_db
def test_another_resident_staff_and_strangers_cannot_withdraw(
    world: CaseWorld, resident: User, other_resident: User
) -> None:
    case = apply(world, resident)
    data = {"reason": REASON, "version": case.version}
    assert client_for(other_resident).post(withdraw_url(case), data).status_code == 404
    assert client_for(world.staff).post(withdraw_url(case), data).status_code == 403
    anonymous = Client(HTTP_ACCEPT_LANGUAGE="en").post(withdraw_url(case), data)
    assert anonymous.status_code == 302
    assert "login" in anonymous["Location"]
    assert client_for(resident).get(withdraw_url(case)).status_code == 405  # a POST only
    with pytest.raises(PermissionDenied):
        application_withdraw(resident_user=other_resident, case=case, reason=REASON, expected_version=case.version)
    # a case staff registered is no resident's application to withdraw
    staff_case = register_case(world, source=CaseSource.APPLICATION)
    assert client_for(resident).post(withdraw_url(staff_case), data).status_code == 404
    assert fresh(case).state == CaseState.REGISTERED
    assert fresh(staff_case).state == CaseState.REGISTERED
    assert CaseEvent.objects.filter(action=CaseAction.WITHDRAW).count() == 0


@pytest.mark.django_db
def test_a_concluded_or_referred_case_answers_409(world: CaseWorld, resident: User) -> None:
    client = client_for(resident)
    concluded = to_state(world, apply(world, resident), CaseState.MEDIATING)
    case_conclude(
        actor=world.staff, case=concluded, outcome=Outcome.FAILED, note="对方拒绝。", expected_version=concluded.version
    )
    concluded = fresh(concluded)
    response = client.post(withdraw_url(concluded), {"reason": REASON, "version": concluded.version})
    assert response.status_code == 409
    assert 'data-testid="refusal"' in response.content.decode()
    assert fresh(concluded).outcome == Outcome.FAILED
    with pytest.raises(MoveRefused):
        application_withdraw(resident_user=resident, case=concluded, reason=REASON, expected_version=concluded.version)

    referred = apply(world, resident)
    case_refer(
        actor=world.staff,
        case=referred,
        receiving_kind=ReceivingKind.COURT,
        receiving_body="东湖区人民法院",
        reason="当事人申请司法确认。",
        expected_version=referred.version,
    )
    referred = fresh(referred)
    response = client.post(withdraw_url(referred), {"reason": REASON, "version": referred.version})
    assert response.status_code == 409
    assert fresh(referred).state == CaseState.REFERRED


@pytest.mark.django_db
def test_a_stale_page_answers_409(world: CaseWorld, resident: User) -> None:
    case = apply(world, resident)
    stale = case.version
    to_state(world, case, CaseState.ASSIGNED)  # the community assigned a mediator meanwhile
    response = client_for(resident).post(withdraw_url(case), {"reason": REASON, "version": stale})
    assert response.status_code == 409
    assert "Someone else changed this" in response.content.decode()
    assert fresh(case).state == CaseState.ASSIGNED


@pytest.mark.django_db(transaction=True)
def test_a_withdrawal_racing_the_staffs_assignment_one_wins(tree: CityTree) -> None:
    world = case_world(tree)
    resident = make_resident_user(phone="13700001111", full_name=APPLICANT_NAME)
    case = apply(world, resident)

    def work(i: int, mine: DisputeCase) -> Any:
        if i == 0:
            return application_withdraw(resident_user=resident, case=mine, reason=REASON, expected_version=1)
        return mediator_assign(actor=world.staff, case=mine, mediator=world.mediator, expected_version=1)

    outcomes = race(work, lambda _i: fresh(case), threads=2)
    assert len([o for o in outcomes if isinstance(o, DisputeCase)]) == 1, outcomes
    assert len([o for o in outcomes if isinstance(o, StaleState)]) == 1, outcomes
    case = fresh(case)
    assert case.version == 2
    assert CaseEvent.objects.filter(subject=case).count() == 2
